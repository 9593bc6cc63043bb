import Foundation
import Logging
import PostgresNIO
import Store

/// A fresh, migrated database on the local stack's server for one test, dropped afterwards.
/// The server comes from `DATABASE_URL`; without it the test fails (never skipped).
enum RiskTestDatabase {
    struct MissingService: Error, CustomStringConvertible { let description: String }

    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var logger: Logger {
        var logger = Logger(label: "risk-engine-test")
        logger.logLevel = .warning
        return logger
    }

    /// Runs `body` with a pooled client on a new database holding the whole schema and sql/ views.
    static func withMigratedClient<T: Sendable>(_ body: @Sendable (PostgresClient, DatabaseURL) async throws -> T) async throws -> T {
        guard let text = ProcessInfo.processInfo.environment["DATABASE_URL"], !text.isEmpty else {
            throw MissingService(description: "DATABASE_URL is not set: run `scripts/stack up` and export `scripts/stack env` (scripts/test does both)")
        }
        let server = try DatabaseURL(text)
        let name = "risk_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        _ = try await server.with(database: "postgres").withConnection(logger: logger) {
            try await $0.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        let url = server.with(database: name)
        do {
            let result = try await migratedClient(url, body)
            try? await drop(name, server: server)
            return result
        } catch {
            try? await drop(name, server: server)
            throw error
        }
    }

    private static func migratedClient<T: Sendable>(
        _ url: DatabaseURL, _ body: @Sendable (PostgresClient, DatabaseURL) async throws -> T
    ) async throws -> T {
        try await Migrator(
            url: url, migrationsDirectory: "\(repositoryRoot)/migrations", sqlDirectory: "\(repositoryRoot)/sql",
            premakeDays: 7, logger: logger
        ).up()
        let client = PostgresClient(configuration: url.clientConfiguration(poolSize: 4), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await client.run(); return nil }
            defer { group.cancelAll() }
            return try await body(client, url)
        }
    }

    private static func drop(_ name: String, server: DatabaseURL) async throws {
        _ = try await server.with(database: "postgres").withConnection(logger: logger) {
            try await $0.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }
}

/// Fails with a clear message instead of hanging when `body` does not finish in time.
func withTimeout<T: Sendable>(seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw RiskTestDatabase.MissingService(description: "timed out after \(seconds) s waiting for \(what)")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
