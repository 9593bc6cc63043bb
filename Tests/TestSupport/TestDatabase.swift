import Foundation
import Logging
import PostgresNIO
import Store

/// Shared by the integration test targets (it is a plain target, so tests import it).
///
/// A fresh, uniquely named database on the local stack's server for one test.
///
/// The server comes from `DATABASE_URL` (printed by `scripts/stack up`); without it the test fails:
/// integration tests are never skipped silently.
public struct TestDatabase: Sendable {
    public let url: DatabaseURL
    public let logger: Logger

    public static var serverURL: DatabaseURL {
        get throws {
            guard let text = ProcessInfo.processInfo.environment["DATABASE_URL"], !text.isEmpty else {
                throw MissingService(description: "DATABASE_URL is not set: start the local stack with `scripts/stack up` and export its output (scripts/test does both)")
            }
            // The local stack asks for passwords on TCP: the owner's is in QUANT_DATABASE_PASSWORD_FILE.
            return try DatabaseURL(text, passwordFile: ProcessInfo.processInfo.environment["QUANT_DATABASE_PASSWORD_FILE"] ?? "")
        }
    }

    /// This database as `role` logs in, with the password `scripts/stack` made for it
    /// (`QUANT_SECRETS_DIR/<role>`), e.g. a service role of migration 0020 or `analyst`.
    public func url(as role: String) throws -> DatabaseURL {
        var target = url
        target.username = role
        target.password = nil
        if let directory = ProcessInfo.processInfo.environment["QUANT_SECRETS_DIR"], !directory.isEmpty {
            let secret = try String(contentsOfFile: "\(directory)/\(role)", encoding: .utf8)
            target.password = secret.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return target
    }

    public struct MissingService: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Creates `t_<random>` and drops it again when `body` ends.
    public static func with<T: Sendable>(_ body: (TestDatabase) async throws -> T) async throws -> T {
        let server = try serverURL
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try await admin(server, logger: logger) { try await $0.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger) }
        let database = TestDatabase(url: server.with(database: name), logger: logger)
        do {
            let result = try await body(database)
            try? await database.drop(server: server)
            return result
        } catch {
            try? await database.drop(server: server)
            throw error
        }
    }

    private func drop(server: DatabaseURL) async throws {
        try await Self.admin(server, logger: logger) {
            try await $0.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(url.database) WITH (FORCE)"), logger: logger)
        }
    }

    private static func admin(_ server: DatabaseURL, logger: Logger, _ body: (PostgresConnection) async throws -> Void) async throws {
        let connection = try await server.with(database: "postgres").connect(logger: logger)
        defer { Task { try? await connection.close() } }
        try await body(connection)
    }

    /// The repository's own folders, found from this source file.
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    public func migrator(migrations: String? = nil, sql: String? = nil) -> Migrator {
        Migrator(
            url: url,
            migrationsDirectory: migrations ?? "\(Self.repositoryRoot)/migrations",
            sqlDirectory: sql ?? "\(Self.repositoryRoot)/sql",
            premakeDays: 7,
            logger: logger)
    }

    /// Runs `body` on one connection as `user` (default: the URL's own user).
    @discardableResult
    public func connection<T: Sendable>(as user: String? = nil, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let target = try user.map { try url(as: $0) } ?? url
        return try await target.withConnection(logger: logger, body)
    }
}

extension PostgresConnection {
    /// The first column of the first row, decoded.
    public func scalar<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type = T.self, logger: Logger) async throws -> T? {
        let rows = try await self.query(query, logger: logger)
        for try await value in rows.decode(T.self) { return value }
        return nil
    }

    /// The first column of every row, as text.
    public func strings(_ query: PostgresQuery, logger: Logger) async throws -> [String] {
        var result: [String] = []
        for try await value in try await self.query(query, logger: logger).decode(String.self) { result.append(value) }
        return result
    }
}

/// A temporary copy of a folder, for tests that tamper with files.
public func temporaryCopy(of directory: String) throws -> String {
    let target = FileManager.default.temporaryDirectory.appendingPathComponent("quant-test-\(UUID().uuidString)").path
    try FileManager.default.copyItem(atPath: directory, toPath: target)
    return target
}

extension TestDatabase {
    /// A pooled client on this database, running for the duration of `body`.
    /// `role`: log in as that role (`url(as:)`) rather than the owner.
    public func withClient<T: Sendable>(as role: String? = nil, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let target = try role.map { try url(as: $0) } ?? url
        let client = PostgresClient(configuration: target.clientConfiguration(poolSize: 4), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await client.run(); return nil }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
