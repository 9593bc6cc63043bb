import Foundation
import Logging
import PostgresNIO
import Store
import TestSupport

/// A fresh database migrated by the real migrator and filled like a running demo: the demo seed
/// (`config/demo/seed.sql`) and half an hour of synthetic market data, order flow, book snapshots
/// and risk runs (`Tests/DocsTests/synthetic-market.sql`).
enum FilledDatabase {
    static let root = TestDatabase.repositoryRoot

    static func with(_ body: @Sendable (TestDatabase) async throws -> Void) async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection { c in
                // One connection: the synthetic data builds temporary tables step by step.
                for file in ["config/demo/seed.sql", "Tests/DocsTests/synthetic-market.sql"] {
                    let text = try String(contentsOfFile: "\(root)/\(file)", encoding: .utf8)
                    for statement in SQLScript.statements(text) {
                        do {
                            try await c.query(PostgresQuery(unsafeSQL: statement), logger: db.logger)
                        } catch {
                            throw FixtureError(description: "\(file): \(PostgresErrorText.describe(error))\n\(statement)")
                        }
                    }
                }
            }
            try await body(db)
        }
    }

    struct FixtureError: Error, CustomStringConvertible { let description: String }
}

/// Runs one query on `connection` and counts its rows; a failure carries the server's message.
func rowCount(_ sql: String, on connection: PostgresConnection, logger: Logger) async throws -> Int {
    do {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    } catch {
        throw QueryFailure(description: PostgresErrorText.describe(error))
    }
}

struct QueryFailure: Error, CustomStringConvertible { let description: String }
