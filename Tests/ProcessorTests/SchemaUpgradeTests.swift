import Foundation
import Kafka
import Logging
import PostgresNIO
import Processor
import Store
import TestSupport
import Testing

/// Issue 19, "Upgrades": a database as an earlier version of the project left it (its migrations
/// up to N), holding realistic data, upgrades to the head with every row kept and every reader
/// view answering.
///
/// The data comes from the head: the demo's seed and a feed run through the real processor fill a
/// database at the head, and its rows are copied into one migrated to N, column by column where
/// the column existed at N (what an earlier processor would have written, less the columns it did
/// not have yet). That database then runs `Migrator.up()`.
@Suite(.serialized) struct SchemaUpgradeTests {
    /// Before the service roles, accounts and positions (0020, 0022), and before the bar rollups (0026).
    static let earlierPoints = [19, 25]

    @Test func populatedDatabasesFromEarlierVersionsUpgradeKeepingEveryRow() async throws {
        try await ProcessorIntegrationTests.withFixture { source in
            try await Self.fill(source)
            for point in Self.earlierPoints {
                try await TestDatabase.with { old in
                    let reached = try await old.migrator().up(to: point)
                    #expect(reached.version == point && reached.sqlFiles.isEmpty)
                    let settings = try await Self.counts(old, tables: Self.baseTables(old)).filter { $0.value > 0 }.keys
                    let copied = try await Self.copy(from: source.db, to: old)
                    #expect(copied["market.trades"] ?? 0 > 1_000, "\(copied)")
                    #expect(copied["trading.executions"] ?? 0 > 0, "\(copied)")

                    let plan = try await old.migrator().upgradePlan()
                    #expect(plan.current == point && plan.pending.map(\.version).first == point + 1 && plan.reachesHead)
                    let report = try await old.migrator().up()
                    #expect(report.version == plan.head)

                    let after = try await Self.counts(old, tables: Array(copied.keys))
                    for (table, count) in copied.sorted(by: { $0.key < $1.key }) {
                        // The data kept exactly; settings the migrations wrote may gain rows (0026
                        // adds market.bars to ops.partition_policy).
                        let kept = settings.contains(table) ? after[table] ?? -1 >= count : after[table] == count
                        #expect(kept, "from \(point): \(table) had \(count) rows, has \(after[table] ?? -1)")
                    }
                    try await old.connection { c in
                        for view in try await Self.readerViews(c, logger: old.logger) {
                            do {
                                _ = try await c.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(view)"), logger: old.logger).collect()
                            } catch {
                                Issue.record("from \(point): \(view) does not answer: \(PostgresErrorText.describe(error))")
                            }
                        }
                        // Bars made by the upgrade's backfill (0026) equal a recomputation from the ticks.
                        #expect(try await BarChecks.differences(c, logger: old.logger).isEmpty, "from \(point)")
                    }
                }
            }
        }
    }

    /// The demo's seed, then a feed of quotes, trades and orders (some for the seed's accounts)
    /// through the processor until it has caught up.
    static func fill(_ f: ProcessorIntegrationTests.Fixture) async throws {
        let seed = try String(contentsOfFile: "\(TestDatabase.repositoryRoot)/config/demo/seed.sql", encoding: .utf8)
        for statement in SQLScript.statements(seed) {
            try await f.client.query(PostgresQuery(unsafeSQL: statement), logger: f.logger)
        }
        _ = try await ProcessorIntegrationTests.produce(
            3_000, topics: f.topics, brokers: f.brokers, seed: 91, accounts: ["desk-tech", "desk-options"])
        let settings = ProcessorSettings(brokers: f.brokers, groupID: f.group, topics: f.topics, batchMaxMessages: 500,
                                         batchMaxDelay: .milliseconds(20))
        let run = Task { try await ProcessorService(settings: settings, client: f.client, logger: f.logger).run { _ in } }
        try await ProcessorIntegrationTests.waitUntilCaughtUp(f.client, group: f.group, topics: f.topics, brokers: f.brokers, logger: f.logger)
        run.cancel()
        try await run.value
    }

    /// Copies every base table of `old` (its partitioned parents and plain tables in market,
    /// trading, risk and ops) that its migrations left empty from `source`, with the columns both have, through `psql \copy`, as a
    /// restore would: triggers and foreign keys off (`session_replication_role`). Makes the daily
    /// partitions the rows need first. Returns each table's row count in `old` afterwards.
    static func copy(from source: TestDatabase, to old: TestDatabase) async throws -> [String: Int] {
        let tables = try await baseTables(old)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quant-upgrade-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Tables the migrations fill themselves (settings such as ops.partition_policy) keep theirs.
        let filled = try await counts(old, tables: tables).filter { $0.value > 0 }.keys
        for table in tables where !filled.contains(table) {
            let columns = try await Self.sharedColumns(table, source: source, old: old)
            guard !columns.isEmpty else { continue }
            let days = try await Self.partitionDays(table, source: source)
            if !days.isEmpty {
                try await old.connection { c in
                    for day in days {
                        _ = try await c.query(PostgresQuery(unsafeSQL: "SELECT ops.ensure_partitions('\(table)'::regclass, '\(day)', '\(day)')"),
                                              logger: old.logger).collect()
                    }
                }
            }
            let file = "\(folder)/\(table).copy"
            let list = columns.joined(separator: ", ")
            try await psql(source, ["-c", "\\copy (SELECT \(list) FROM \(table)) TO '\(file)'"])
            try await psql(old, ["-c", "SET session_replication_role = replica", "-c", "\\copy \(table) (\(list)) FROM '\(file)'"])
        }
        return try await counts(old, tables: tables)
    }

    /// The partitioned parents and plain tables of the base schemas.
    static func baseTables(_ db: TestDatabase) async throws -> [String] {
        try await db.connection { c in
            try await c.strings("""
                SELECT format('%I.%I', n.nspname, t.relname) FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname IN ('market', 'trading', 'risk', 'ops') AND t.relkind IN ('r', 'p') AND NOT t.relispartition
                ORDER BY 1
                """, logger: db.logger)
        }
    }

    /// Columns of `table` in `old` that `source` has too (not generated: those are computed).
    static func sharedColumns(_ table: String, source: TestDatabase, old: TestDatabase) async throws -> [String] {
        let query = PostgresQuery(unsafeSQL: """
            SELECT quote_ident(attname) FROM pg_attribute
            WHERE attrelid = '\(table)'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
            ORDER BY attnum
            """)
        let wanted = try await old.connection { try await $0.strings(query, logger: old.logger) }
        let exists = try await source.connection { c in
            try await c.scalar(PostgresQuery(unsafeSQL: "SELECT to_regclass('\(table)') IS NOT NULL"), as: Bool.self, logger: source.logger)
        }
        guard exists == true else { return [] }
        let present = Set(try await source.connection { try await $0.strings(query, logger: source.logger) })
        return wanted.filter(present.contains)
    }

    /// The days of `table`'s rows in `source`, when it is partitioned (by its partition key).
    static func partitionDays(_ table: String, source: TestDatabase) async throws -> [String] {
        try await source.connection { c in
            let key = try await c.strings(PostgresQuery(unsafeSQL: """
                SELECT quote_ident(a.attname) FROM pg_partitioned_table p
                JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
                WHERE p.partrelid = '\(table)'::regclass
                """), logger: source.logger)
            guard let column = key.first else { return [] }
            return try await c.strings(PostgresQuery(unsafeSQL: """
                SELECT DISTINCT (\(column) AT TIME ZONE 'UTC')::date::text FROM \(table) ORDER BY 1
                """), logger: source.logger)
        }
    }

    static func counts(_ db: TestDatabase, tables: [String]) async throws -> [String: Int] {
        try await db.connection { c in
            var result: [String: Int] = [:]
            for table in tables {
                result[table] = try await c.scalar(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)"), as: Int.self, logger: db.logger)
            }
            return result
        }
    }

    static func readerViews(_ c: PostgresConnection, logger: Logger) async throws -> [String] {
        try await c.strings("""
            SELECT format('%I.%I', n.nspname, v.relname) FROM pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace
            WHERE n.nspname IN ('api', 'analytics') AND v.relkind IN ('v', 'm') ORDER BY 1
            """, logger: logger)
    }

    static func psql(_ db: TestDatabase, _ arguments: [String]) async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = db.url.password ?? ""
        let connection = "host=\(db.url.host) port=\(db.url.port) user=\(db.url.username) dbname=\(db.url.database)"
        let status = await runToCompletion("/usr/bin/psql", [connection, "-X", "-q", "-v", "ON_ERROR_STOP=1"] + arguments, environment: environment)
        guard status == 0 else { throw TestDatabase.MissingService(description: "psql \(arguments) failed (\(status))") }
    }
}
