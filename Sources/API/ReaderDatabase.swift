import Logging
import PostgresNIO
import Store

/// The API's one door to PostgreSQL: pooled queries over the reader views, each bounded by a
/// deadline so a stalled or unreachable server answers 503 instead of hanging the request.
public struct ReaderDatabase: Sendable {
    public let client: PostgresClient
    public let timeout: Duration
    let logger: Logger

    public init(client: PostgresClient, timeout: Duration = .seconds(5), logger: Logger) {
        self.client = client
        self.timeout = timeout
        self.logger = logger
    }

    /// Every row of `query`, mapped by `transform` (which decodes the columns).
    func rows<Row: Sendable>(_ query: PostgresQuery, _ transform: @escaping @Sendable (PostgresRow) throws -> Row) async throws -> [Row] {
        let client = client, logger = logger
        return try await withDeadline {
            var out: [Row] = []
            for try await row in try await client.query(query, logger: logger) { out.append(try transform(row)) }
            return out
        }
    }

    /// The first row of `query`, if any.
    func row<Row: Sendable>(_ query: PostgresQuery, _ transform: @escaping @Sendable (PostgresRow) throws -> Row) async throws -> Row? {
        try await rows(query, transform).first
    }

    /// Runs `body` but gives up with `DatabaseTimeout` after `timeout`, cancelling it. The answer
    /// does not wait for `body` to end: a task group racing it against a sleep would (a group
    /// awaits every child), so a driver call that ignored cancellation while the server was gone
    /// would hang the request instead of answering 503.
    func withDeadline<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Self.withDeadline(timeout, body)
    }

    /// `withDeadline` with any `timeout` (the broker's calls use it too).
    static func withDeadline<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let work = Task { try await body() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let answer = OneAnswer(continuation)
                let timer = Task {
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    // Answer first: the cancelled query fails at once (the pool's "request
                    // cancelled"), and that must not become the answer (it would be a 500).
                    answer.resume(with: .failure(DatabaseTimeout()))
                    work.cancel()
                }
                Task {
                    let result = await work.result
                    timer.cancel()
                    answer.resume(with: result)
                }
            }
        } onCancel: {
            work.cancel()
        }
    }
}
