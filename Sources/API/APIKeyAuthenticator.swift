import Synchronization

/// Looks presented secrets up in `ops.api_keys`, remembering each answer (valid or not) for `ttl`
/// so a busy client costs one query per `ttl`, not one per request. A revoked key therefore stops
/// working within `ttl` (`api.keyCacheSeconds`). The cache is bounded: past `maxEntries` the
/// expired answers go, and if that is not enough, all of them (they are only a cache).
final class APIKeyAuthenticator: Sendable {
    private struct Entry {
        var identity: APIKeyIdentity?
        var expires: ContinuousClock.Instant
    }

    private let store: APIKeyStore
    private let ttl: Duration
    private let maxEntries: Int
    private let entries = Mutex([String: Entry]())

    init(store: APIKeyStore, ttl: Duration, maxEntries: Int = 10_000) {
        self.store = store
        self.ttl = ttl
        self.maxEntries = maxEntries
    }

    /// The remembered answer for `secret`: `.some(nil)` for a secret known to be invalid, nil when
    /// only the database can tell (a lookup would be needed).
    func cached(_ secret: String) -> APIKeyIdentity?? {
        guard let entry = entries.withLock({ $0[secret] }), entry.expires > .now else { return nil }
        return .some(entry.identity)
    }

    /// The key's identity, or nil for an unknown or revoked secret.
    func identity(for secret: String) async throws -> APIKeyIdentity? {
        let now = ContinuousClock.now
        if let cached = entries.withLock({ $0[secret] }), cached.expires > now { return cached.identity }
        let identity = try await store.authenticate(secret)
        let entry = Entry(identity: identity, expires: now.advanced(by: ttl))
        entries.withLock { entries in
            if entries.count >= maxEntries {
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= maxEntries { entries.removeAll(keepingCapacity: true) }
            }
            entries[secret] = entry
        }
        return identity
    }

    var cachedCount: Int { entries.withLock { $0.count } }
}
