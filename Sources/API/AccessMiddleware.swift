import Foundation
import HTTPTypes
import Hummingbird

/// API keys and rate limits, in front of every route but `/health` (kept open for probes).
///
/// A key comes in `Authorization: Bearer <key>` or `X-API-Key: <key>`. Writes (POST, PUT, PATCH,
/// DELETE) need a key with scope `write`; reads need a key only with `api.requireKeyForReads`.
/// A presented key must be valid even where none is needed (401 otherwise: a client with a
/// mistyped key should hear of it). Each request then takes a token from its key's bucket, or
/// from its address's bucket when it has no key; an empty bucket answers 429 with `Retry-After`.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    static let apiKeyHeader = HTTPField.Name("X-API-Key")!
    static let writeMethods: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]

    let authenticator: APIKeyAuthenticator
    let limiter: RateLimiter
    let requireKeyForReads: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path.hasSuffix("/api/v1/health") { return try await next(request, context) }
        var identity: APIKeyIdentity?
        if let secret = try Self.presentedKey(request) {
            if let known = authenticator.cached(secret) {
                identity = known
            } else {
                // Only the database can tell: each address has a bucket of lookups, taken before the
                // query, so a stream of made-up keys is rate-limited before it costs a query each.
                try limit(client: "lookup:" + context.clientAddress)
                identity = try await authenticator.identity(for: secret)
            }
            if identity == nil {
                try limit(client: context.clientAddress)
                throw Self.unauthorized("the API key is not valid (unknown or revoked)")
            }
        }
        var context = context
        context.apiKey = identity
        try limit(client: context.clientID)  // the key's bucket, or the address's without one
        let needed: APIKeyScope? = Self.writeMethods.contains(request.method) ? .write : (requireKeyForReads ? .read : nil)
        if let needed {
            guard let identity else { throw Self.unauthorized("this request needs an API key with scope \(needed.rawValue)") }
            guard identity.scopes.contains(needed) else {
                throw Problem(.forbidden, type: "urn:quant:problem:insufficient-scope", title: "Insufficient scope",
                              detail: "API key \(identity.name) lacks scope \(needed.rawValue)")
            }
        }
        return try await next(request, context)
    }

    private func limit(client: String) throws {
        guard let wait = limiter.take(client) else { return }
        let seconds = max(1, Int(wait.components.seconds) + (wait.components.attoseconds > 0 ? 1 : 0))
        var problem = Problem(.tooManyRequests, type: "urn:quant:problem:rate-limited", title: "Too many requests",
                              detail: "at most \(limiter.burst) requests at once and \(Self.rate(limiter.rate)) per second; retry in \(seconds) s")
        problem.headers[.retryAfter] = String(seconds)
        throw problem
    }

    private static func rate(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// The key of `Authorization: Bearer` or `X-API-Key`; nil when neither is sent.
    static func presentedKey(_ request: Request) throws -> String? {
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw unauthorized("Authorization must be 'Bearer <key>'")
            }
            return try checked(String(parts[1]).trimmingCharacters(in: .whitespaces))
        }
        return try request.headers[apiKeyHeader].map(checked)
    }

    private static func checked(_ key: String) throws -> String {
        guard (1...200).contains(key.utf8.count), key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw unauthorized("the API key is not valid (unknown or revoked)")
        }
        return key
    }

    static func unauthorized(_ detail: String) -> Problem {
        var problem = Problem(.unauthorized, type: "urn:quant:problem:unauthorized", title: "Unauthorized", detail: detail)
        problem.headers[.wwwAuthenticate] = #"Bearer realm="quant-api""#
        return problem
    }
}
