import Foundation
import Logging
import PostgresNIO
import QuantConfig
import Store

/// A fresh database for one benchmark run on the configured server, migrated to the head, with a
/// running client; dropped afterwards unless `keep`.
enum BenchmarkDatabase {
    static func with(
        settings: QuantSettings, keep: Bool, logger: Logger, poolSize: Int = 4,
        _ body: (DatabaseURL, PostgresClient) async throws -> Void
    ) async throws {
        let server = try DatabaseURL(settings.database.url, passwordFile: settings.database.passwordFile)
        let name = "quant_bench_\(Int(Date().timeIntervalSince1970))"
        try await server.with(database: "postgres").withConnection(logger: logger) {
            try await $0.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        let url = server.with(database: name)
        defer {
            if !keep {
                let semaphore = DispatchSemaphore(value: 0)
                Task {
                    _ = try? await server.with(database: "postgres").withConnection(logger: logger) {
                        try await $0.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
                    }
                    semaphore.signal()
                }
                semaphore.wait()
            }
        }
        try await Migrator(url: url, migrationsDirectory: settings.migrations.directory,
                           sqlDirectory: settings.migrations.sqlDirectory, logger: logger).up()
        let client = PostgresClient(configuration: url.clientConfiguration(poolSize: poolSize), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await body(url, client)
        }
    }
}

/// Runs `psql` against a benchmark database (a seed file, a `\copy`).
enum Psql {
    static func run(url: DatabaseURL, arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", url.host, "-p", String(url.port),
                             "-U", url.username, "-d", url.database] + arguments
        var environment = ProcessInfo.processInfo.environment
        if let password = url.password { environment["PGPASSWORD"] = password }
        process.environment = environment
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchmarkError("psql \(arguments.joined(separator: " ")) failed") }
    }
}
