import PostgresNIO

/// `Idempotency-Key` records in `ops.idempotency_keys` (migration 0012). The first request with a
/// key claims it, a retry with the same request replays the stored answer, a different request
/// under the same key is a conflict. A key is scoped by its `owner`, the API key that sent it
/// (migration 0019): two clients choosing the same `Idempotency-Key` never see each other's answers. Records expire after `ttl` (`api.idempotencyTtlHours`): each
/// claim first deletes the expired ones (an index range scan on `created_at`, usually empty), so
/// the table stays bounded without a background task and an expired key is free again.
struct IdempotencyStore: Sendable {
    enum Claim: Equatable {
        case claimed
        case replay(status: Int, body: String)
        case conflict
        case inProgress
    }

    let database: ReaderDatabase
    let ttl: Duration

    /// `canonical` is what the request asked (method, path, normalised body); only its sha256 is stored.
    func claim(key: String, owner: Int64, canonical: String) async throws -> Claim {
        try await removeExpired()
        let inserted = try await database.row("""
            INSERT INTO ops.idempotency_keys (api_key_id, idempotency_key, request_hash)
            VALUES (\(owner), \(key), sha256(convert_to(\(canonical), 'UTF8')))
            ON CONFLICT (api_key_id, idempotency_key) DO NOTHING RETURNING 1
            """) { _ in true } ?? false
        if inserted { return .claimed }
        guard let (same, status, body) = try await database.row("""
            SELECT request_hash = sha256(convert_to(\(canonical), 'UTF8')), status_code, response_body
            FROM ops.idempotency_keys WHERE api_key_id = \(owner) AND idempotency_key = \(key)
            """, { try $0.decode((Bool, Int?, String?).self) })
        else { return .inProgress }  // the first request just gave its claim up; the client retries
        guard same else { return .conflict }
        guard let status, let body else { return .inProgress }
        return .replay(status: status, body: body)
    }

    func complete(key: String, owner: Int64, status: Int, body: String) async throws {
        _ = try await database.rows("""
            UPDATE ops.idempotency_keys SET status_code = \(status), response_body = \(body)
            WHERE api_key_id = \(owner) AND idempotency_key = \(key)
            """) { _ in () }
    }

    /// Deletes the records older than `ttl`; returns how many.
    @discardableResult
    func removeExpired() async throws -> Int {
        let seconds = Double(ttl.components.seconds) + Double(ttl.components.attoseconds) / 1e18
        return try await database.rows("""
            DELETE FROM ops.idempotency_keys WHERE created_at < now() - make_interval(secs => \(seconds)) RETURNING 1
            """) { _ in () }.count
    }

    /// The request failed before anything happened: a retry with the key may try again.
    func release(key: String, owner: Int64) async throws {
        _ = try await database.rows("""
            DELETE FROM ops.idempotency_keys
            WHERE api_key_id = \(owner) AND idempotency_key = \(key) AND status_code IS NULL
            """) { _ in () }
    }
}
