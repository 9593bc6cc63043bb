import Logging
import PostgresNIO
import Synchronization

/// A connection closed under a request: nothing more can commit on it.
public struct PostgresConnectionClosed: Error, CustomStringConvertible {
    public var description: String { "the PostgreSQL connection closed during the transaction" }
}

/// Runs `body` on `connection`, but fails with `PostgresConnectionClosed` as soon as the connection
/// is seen closed (checked every 250 ms), without waiting for `body`.
///
/// Why: postgres-nio 1.33 writes each request to the channel without a promise, so a request
/// written just as the server closed the connection (a restart's "terminating connection") is
/// dropped, and its caller waits forever: a processor's commit hung that way with every thread idle
/// (found by the chaos campaign, docs/reliability.md). A request dropped so was never sent, so
/// nothing of the transaction commits. `body` is left behind, not cancelled: cancelling a COPY on a
/// closed connection makes postgres-nio send `CopyFail` through a state machine that has left copy
/// mode, which traps (docs/reliability.md).
public func whileOpen<T: Sendable>(_ connection: PostgresConnection, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let work = Task { try await body() }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let answer = OneAnswer(continuation)
            let watch = Task {
                while !Task.isCancelled {
                    guard (try? await Task.sleep(for: .milliseconds(250))) != nil else { return }
                    if connection.isClosed {
                        answer.resume(with: .failure(PostgresConnectionClosed()))
                        return
                    }
                }
            }
            Task {
                let result = await work.result
                watch.cancel()
                answer.resume(with: result)
            }
        }
    } onCancel: {
        work.cancel()
    }
}

/// A continuation the first of two racers resumes; the other finds it gone.
public final class OneAnswer<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, any Error>?>

    public init(_ continuation: CheckedContinuation<T, any Error>) { self.continuation = Mutex(continuation) }

    public func resume(with result: Result<T, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}

extension PostgresClient {
    /// `withConnection` under `whileOpen`: a request postgres-nio drops as PostgreSQL closes the
    /// leased connection fails with `PostgresConnectionClosed` instead of waiting forever. For the
    /// services' own work (the risk engine, listeners, the processor's reads), which no request
    /// deadline bounds.
    public func withOpenConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await withConnection { connection in try await whileOpen(connection) { try await body(connection) } }
    }

    /// Every row of `query`, read on a connection `withOpenConnection` watches.
    @discardableResult
    public func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await withOpenConnection { connection in try await connection.query(query, logger: logger).collect() }
    }
}
