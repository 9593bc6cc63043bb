import Logging
import PostgresNIO
import Store
import TestSupport

/// A fresh, migrated database for one risk-engine test (TestSupport's `TestDatabase`, which fails
/// the test without `DATABASE_URL` and drops the database afterwards).
enum RiskTestDatabase {
    static var logger: Logger {
        var logger = Logger(label: "risk-engine-test")
        logger.logLevel = .warning
        return logger
    }

    /// Runs `body` with a pooled client on a new database holding the whole schema and sql/ views.
    static func withMigratedClient<T: Sendable>(_ body: @escaping @Sendable (PostgresClient, DatabaseURL) async throws -> T) async throws -> T {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            return try await db.withClient { client in try await body(client, db.url) }
        }
    }

    /// `withMigratedClient`, plus a client logged in as the risk engine's own role (migration
    /// 0020), so a test that runs the engine on it also checks that role's grants.
    static func withMigratedClients<T: Sendable>(
        _ body: @escaping @Sendable (_ owner: PostgresClient, _ engine: PostgresClient, _ url: DatabaseURL) async throws -> T
    ) async throws -> T {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            return try await db.withClient { owner in
                try await db.withClient(as: "quant_risk_engine") { engine in try await body(owner, engine, db.url) }
            }
        }
    }
}

/// Fails with a clear message instead of hanging when `body` does not finish in time.
func withTimeout<T: Sendable>(seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw TestDatabase.MissingService(description: "timed out after \(seconds) s waiting for \(what)")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
