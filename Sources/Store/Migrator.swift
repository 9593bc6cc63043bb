import Foundation
import Logging
import PostgresNIO

/// Applies `migrations/` and then `sql/` to a database.
///
/// - An upgrade is one transaction: the pending migrations with their ledger rows, `sql/` and
///   partition upkeep commit together or not at all, so readers see the old schema until the new
///   one is complete, and a failing migration leaves the database as it was.
/// - The reader schemas (`api`, `analytics`) belong to `sql/`: before pending migrations run they
///   are emptied, so no reader view of the old version can stand in a migration's way, and `sql/`
///   re-creates them. Below the head (`up(to:)`) they stay empty: `sql/` is written for the head.
/// - A session-level advisory lock serialises concurrent migrators: the second waits, then finds
///   nothing pending.
/// - Applied files are checksummed (SHA-256, computed by the server); a changed file stops everything.
/// - `rehearse` runs all of it and rolls back: what an upgrade would do, how long each step takes.
public struct Migrator: Sendable {
    /// The ledger lives in `public` so that it exists before any migration created a schema.
    public static let ledgerTable = "public.schema_migrations"
    /// An arbitrary constant shared by every migrator of this project.
    public static let advisoryLockKey: Int64 = 7_243_510_001

    public let url: DatabaseURL
    public let migrationsDirectory: String
    public let sqlDirectory: String
    public let premakeDays: Int
    public let logger: Logger

    public init(url: DatabaseURL, migrationsDirectory: String, sqlDirectory: String, premakeDays: Int = 7, logger: Logger) {
        self.url = url
        self.migrationsDirectory = migrationsDirectory
        self.sqlDirectory = sqlDirectory
        self.premakeDays = premakeDays
        self.logger = logger
    }

    public struct AppliedMigration: Sendable, Equatable {
        public let version: Int
        public let name: String
        public let checksum: String
        public let appliedAt: Date
        public let durationMs: Double
    }

    public struct Status: Sendable, Equatable {
        public enum State: String, Sendable { case applied, pending, changed, missing }
        public let version: Int
        public let name: String
        public let state: State
        public let appliedAt: Date?
        public let durationMs: Double?
    }

    public struct UpReport: Sendable {
        /// Versions applied (or, rehearsing, that would be), in order, with how long each took.
        public var applied: [Int] = []
        public var durations: [Int: Duration] = [:]
        /// `sql/` files re-applied; empty below the head.
        public var sqlFiles: [String] = []
        /// The highest migration on disk, and the version the ledger names afterwards.
        public var head = 0
        public var version = 0
        /// True when everything was rolled back (`rehearse`).
        public var rehearsed = false
    }

    /// Applies every pending migration up to `target` (all when nil; forward only), then, when the
    /// head is reached, `sql/` and partition upkeep: one transaction. With `rehearse`, rolls it all
    /// back at the end and reports what would have been applied.
    @discardableResult
    public func up(to target: Int? = nil, rehearse: Bool = false) async throws -> UpReport {
        try await withLockedConnection { connection in
            try await ensureLedger(connection)
            let plan = try await self.plan(connection)
            if let problem = plan.problems.first { throw problem }
            var report = UpReport()
            report.head = plan.head
            let current = plan.statuses.filter { $0.state == .applied }.map(\.version).max() ?? 0
            if let target, target < current || (target > plan.head) {
                throw MigrationError.badTarget(target: target, current: current, head: plan.head)
            }
            let pending = plan.pending.filter { target == nil || $0.version <= target! }
            let reachesHead = (target ?? plan.head) >= plan.head
            try await transaction(on: connection, rollback: rehearse) {
                if !pending.isEmpty { try await emptyReaderSchemas(on: connection) }
                for migration in pending {
                    report.durations[migration.version] =
                        try await apply(migration, checksum: plan.checksums[migration.version]!, on: connection)
                    report.applied.append(migration.version)
                }
                if reachesHead {
                    report.sqlFiles = try await applyScripts(on: connection)
                    try await connection.query("SELECT ops.maintain_partitions(\(Int32(premakeDays)))", logger: logger)
                }
            }
            report.version = pending.last?.version ?? current
            report.rehearsed = rehearse
            return report
        }
    }

    /// What `up(to:)` would do, without doing it.
    public struct UpgradePlan: Sendable {
        public var current = 0
        public var head = 0
        public var pending: [(version: Int, name: String, statements: Int)] = []
        /// True when `sql/` and partition upkeep would run (the head is reached).
        public var reachesHead = true
        /// What would make `up` refuse (a changed or missing applied file).
        public var problems: [MigrationError] = []
    }

    public func upgradePlan(to target: Int? = nil) async throws -> UpgradePlan {
        try await withConnection { connection in
            try await ensureLedger(connection)
            let plan = try await self.plan(connection)
            var result = UpgradePlan()
            result.head = plan.head
            result.current = plan.statuses.filter { $0.state == .applied }.map(\.version).max() ?? 0
            result.problems = plan.problems
            if let target, target < result.current || target > plan.head {
                result.problems.append(.badTarget(target: target, current: result.current, head: plan.head))
            }
            result.reachesHead = (target ?? plan.head) >= plan.head
            result.pending = plan.pending.filter { target == nil || $0.version <= target! }.map {
                ($0.version, $0.name, SQLScript.statements($0.sql).count)
            }
            return result
        }
    }

    public func status() async throws -> [Status] {
        try await withConnection { connection in
            try await ensureLedger(connection)
            return try await self.plan(connection).statuses
        }
    }

    /// Every problem that would make `up` refuse to run; empty means the ledger and files agree.
    public func verify() async throws -> [MigrationError] {
        try await withConnection { connection in
            try await ensureLedger(connection)
            return try await self.plan(connection).problems
        }
    }

    // MARK: planning

    struct Plan {
        var pending: [Migration] = []
        var problems: [MigrationError] = []
        var statuses: [Status] = []
        var checksums: [Int: String] = [:]
        var head = 0
    }

    func plan(_ connection: PostgresConnection) async throws -> Plan {
        let files = try Migration.load(from: migrationsDirectory)
        let applied = try await appliedMigrations(connection)
        let appliedByVersion = Dictionary(uniqueKeysWithValues: applied.map { ($0.version, $0) })
        let latestApplied = applied.map(\.version).max() ?? 0
        var plan = Plan()
        plan.head = files.map(\.version).max() ?? 0
        for file in files {
            let checksum = try await sha256(file.sql, on: connection)
            plan.checksums[file.version] = checksum
            if let done = appliedByVersion[file.version] {
                let changed = done.checksum != checksum
                if changed {
                    plan.problems.append(.checksumChanged(
                        version: file.version, fileName: file.fileName, applied: done.checksum, current: checksum))
                }
                plan.statuses.append(Status(
                    version: file.version, name: file.name, state: changed ? .changed : .applied,
                    appliedAt: done.appliedAt, durationMs: done.durationMs))
            } else {
                if file.version < latestApplied {
                    plan.problems.append(.outOfOrder(version: file.version, fileName: file.fileName, latestApplied: latestApplied))
                }
                plan.pending.append(file)
                plan.statuses.append(Status(version: file.version, name: file.name, state: .pending, appliedAt: nil, durationMs: nil))
            }
        }
        let fileVersions = Set(files.map(\.version))
        for done in applied where !fileVersions.contains(done.version) {
            plan.problems.append(.appliedFileMissing(version: done.version, name: done.name))
            plan.statuses.append(Status(
                version: done.version, name: done.name, state: .missing, appliedAt: done.appliedAt, durationMs: done.durationMs))
        }
        plan.statuses.sort { $0.version < $1.version }
        return plan
    }

    // MARK: applying

    /// Runs a migration and records it in the ledger, inside the caller's transaction.
    func apply(_ migration: Migration, checksum: String, on connection: PostgresConnection) async throws -> Duration {
        let started = ContinuousClock.now
        try await execute(migration.sql, file: migration.fileName, on: connection)
        let elapsed = started.duration(to: .now)
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        try await connection.query("""
            INSERT INTO public.schema_migrations (version, name, checksum, duration_ms)
            VALUES (\(migration.version), \(migration.name), \(checksum), \(ms))
            """, logger: logger)
        logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
        return elapsed
    }

    /// The reader schemas hold only what `sql/` makes (sql/000_reader_schemas.sql): dropping them
    /// before migrations keeps an old version's views from blocking a column change under them.
    func emptyReaderSchemas(on connection: PostgresConnection) async throws {
        for statement in ["DROP SCHEMA IF EXISTS api CASCADE", "DROP SCHEMA IF EXISTS analytics CASCADE",
                          "CREATE SCHEMA api", "CREATE SCHEMA analytics"] {
            try await execute(statement, file: "(reader schemas)", on: connection)
        }
    }

    func applyScripts(on connection: PostgresConnection) async throws -> [String] {
        let scripts = try Migration.loadScripts(from: sqlDirectory)
        for script in scripts {
            try await execute(script.sql, file: "\(sqlDirectory)/\(script.fileName)", on: connection)
        }
        return scripts.map(\.fileName)
    }

    func execute(_ sql: String, file: String, on connection: PostgresConnection) async throws {
        for statement in SQLScript.statements(sql) {
            do {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            } catch {
                throw MigrationError.statementFailed(
                    file: file, statement: statement, message: PostgresErrorText.describe(error))
            }
        }
    }

    func transaction(on connection: PostgresConnection, rollback: Bool = false, _ body: () async throws -> Void) async throws {
        try await connection.query("BEGIN", logger: logger)
        do {
            try await body()
            try await connection.query(rollback ? "ROLLBACK" : "COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    // MARK: ledger

    func ensureLedger(_ connection: PostgresConnection) async throws {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS public.schema_migrations (
                version     integer PRIMARY KEY,
                name        text NOT NULL,
                checksum    text NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now(),
                duration_ms double precision NOT NULL,
                applied_by  text NOT NULL DEFAULT current_user
            )
            """, logger: logger)
    }

    func appliedMigrations(_ connection: PostgresConnection) async throws -> [AppliedMigration] {
        let rows = try await connection.query(
            "SELECT version, name, checksum, applied_at, duration_ms FROM public.schema_migrations ORDER BY version",
            logger: logger)
        var result: [AppliedMigration] = []
        for try await (version, name, checksum, appliedAt, duration) in rows.decode((Int, String, String, Date, Double).self) {
            result.append(AppliedMigration(version: version, name: name, checksum: checksum, appliedAt: appliedAt, durationMs: duration))
        }
        return result
    }

    func sha256(_ text: String, on connection: PostgresConnection) async throws -> String {
        let rows = try await connection.query("SELECT encode(sha256(convert_to(\(text), 'UTF8')), 'hex')", logger: logger)
        for try await hex in rows.decode(String.self) { return hex }
        throw MigrationError.statementFailed(file: "-", statement: "sha256", message: "no checksum returned")
    }

    // MARK: connections

    func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await url.withConnection(logger: logger, applicationName: "quant-migrate", body)
    }

    func withLockedConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))", logger: logger)
            let result = try await body(connection)
            try await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
            return result
        }
    }
}
