import Foundation
import PostgresNIO
import Store
import TestSupport
import Testing

/// `whileOpen` ends a request the driver would leave waiting once the server closed its
/// connection (postgres-nio 1.33 drops a request written to a connection closing under it).
@Suite struct ConnectionWatchTests {
    @Test func aRequestOnAConnectionTheServerClosedFailsPromptly() async throws {
        try await TestDatabase.with { db in
            try await db.withClient { client in
                try await client.withConnection { connection in
                    let pid = try await connection.query("SELECT pg_backend_pid()", logger: db.logger)
                        .collect().first!.decode(Int32.self)
                    let started = ContinuousClock.now
                    await #expect(throws: PostgresConnectionClosed.self) {
                        try await whileOpen(connection) {
                            // As a dropped request: it ignores cancellation and answers nothing for 30 s.
                            try await client.query("SELECT pg_terminate_backend(\(pid))", logger: db.logger)
                            for _ in 0..<30 { try? await Task.sleep(for: .seconds(1)) }
                        }
                    }
                    #expect(started.duration(to: .now) < .seconds(5))
                }
            }
            // A request that ends keeps its answer (a new pool: the old one may not have noticed yet
            // that the server closed its connection).
            try await db.withClient { client in
                let answer = try await client.withConnection { connection in
                    try await whileOpen(connection) { try await connection.query("SELECT 42", logger: db.logger).collect().first!.decode(Int.self) }
                }
                #expect(answer == 42)
            }
        }
    }

    /// The pool's door for the services' own work: the same watch on the connection it leases.
    @Test func aPooledRequestOnAConnectionTheServerClosedFailsPromptly() async throws {
        try await TestDatabase.with { db in
            try await db.withClient { client in
                let logger = db.logger
                await #expect(throws: PostgresConnectionClosed.self) {
                    try await client.withOpenConnection { connection in
                        let pid = try await connection.query("SELECT pg_backend_pid()", logger: logger).collect().first!.decode(Int32.self)
                        try await client.rows("SELECT pg_terminate_backend(\(pid))", logger: logger)
                        for _ in 0..<30 { try? await Task.sleep(for: .seconds(1)) }  // as a dropped request
                    }
                }
            }
            try await db.withClient { client in
                let rows = try await client.rows("SELECT g FROM generate_series(1, 3) AS g", logger: db.logger)
                #expect(try rows.map { try $0.decode(Int.self) } == [1, 2, 3])
            }
        }
    }
}
