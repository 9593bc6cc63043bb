import Foundation
import PostgresNIO
import Store
import TestSupport
import Testing

@Suite struct MigratorTests {
    @Test func allMigrationsApplyToAnEmptyDatabaseAndASecondUpIsANoOp() async throws {
        try await TestDatabase.with { db in
            let migrator = db.migrator()
            let files = try Migration.load(from: migrator.migrationsDirectory)
            #expect(!files.isEmpty)

            let before = try await migrator.status()
            #expect(before.allSatisfy { $0.state == .pending })
            #expect(before.count == files.count)

            let first = try await migrator.up()
            #expect(first.applied == files.map(\.version))
            #expect(!first.sqlFiles.isEmpty)

            let second = try await migrator.up()
            #expect(second.applied.isEmpty)

            let after = try await migrator.status()
            #expect(after.map(\.state) == Array(repeating: .applied, count: files.count))
            #expect(after.allSatisfy { $0.appliedAt != nil && ($0.durationMs ?? -1) >= 0 })
            #expect(try await migrator.verify().isEmpty)

            try await db.connection { c in
                let ledgerRows = try await c.scalar("SELECT count(*)::int FROM public.schema_migrations", as: Int.self, logger: db.logger)
                #expect(ledgerRows == files.count)
            }
        }
    }

    @Test func aTamperedAppliedMigrationIsDetectedAndRefused() async throws {
        try await TestDatabase.with { db in
            let copy = try temporaryCopy(of: "\(TestDatabase.repositoryRoot)/migrations")
            defer { try? FileManager.default.removeItem(atPath: copy) }
            let migrator = db.migrator(migrations: copy)
            try await migrator.up()

            let victim = "\(copy)/0003_instruments.sql"
            let original = try String(contentsOfFile: victim, encoding: .utf8)
            try (original + "\n-- edited after the fact\n").write(toFile: victim, atomically: true, encoding: .utf8)

            let problems = try await migrator.verify()
            #expect(problems.count == 1)
            guard case .checksumChanged(let version, _, _, _) = problems.first else {
                Issue.record("expected a checksum problem, got \(problems)")
                return
            }
            #expect(version == 3)
            #expect(try await migrator.status().first { $0.version == 3 }?.state == .changed)

            // A new pending migration must not be applied while an applied one is tampered with.
            try "CREATE TABLE public.should_not_exist (x int);".write(
                toFile: "\(copy)/0999_later.sql", atomically: true, encoding: .utf8)
            await #expect(throws: MigrationError.self) { try await migrator.up() }
            try await db.connection { c in
                let exists = try await c.scalar("SELECT to_regclass('public.should_not_exist') IS NOT NULL", as: Bool.self, logger: db.logger)
                #expect(exists == false)
            }
        }
    }

    @Test func aMissingAppliedFileAndAnOutOfOrderFileAreReported() async throws {
        try await TestDatabase.with { db in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quant-mig-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let sqlDir = "\(dir)-sql"
            defer { try? FileManager.default.removeItem(atPath: sqlDir) }
            try FileManager.default.createDirectory(atPath: sqlDir, withIntermediateDirectories: true)
            try "CREATE SCHEMA ops; CREATE FUNCTION ops.maintain_partitions(int) RETURNS void LANGUAGE sql AS 'SELECT';"
                .write(toFile: "\(dir)/0001_base.sql", atomically: true, encoding: .utf8)
            try "CREATE TABLE t3 (x int);".write(toFile: "\(dir)/0003_three.sql", atomically: true, encoding: .utf8)
            let migrator = db.migrator(migrations: dir, sql: sqlDir)
            try await migrator.up()

            try "CREATE TABLE t2 (x int);".write(toFile: "\(dir)/0002_two.sql", atomically: true, encoding: .utf8)
            try FileManager.default.removeItem(atPath: "\(dir)/0003_three.sql")
            let problems = try await migrator.verify()
            #expect(problems.contains(.outOfOrder(version: 2, fileName: "0002_two.sql", latestApplied: 3)))
            #expect(problems.contains(.appliedFileMissing(version: 3, name: "three")))
        }
    }

    @Test func aFailingMigrationLeavesNoTraceAndNamesTheStatement() async throws {
        try await TestDatabase.with { db in
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quant-mig-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: "\(dir)-sql", withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: "\(dir)-sql") }
            try "CREATE TABLE half (x int); INSERT INTO nowhere VALUES (1);"
                .write(toFile: "\(dir)/0001_broken.sql", atomically: true, encoding: .utf8)
            let migrator = db.migrator(migrations: dir, sql: "\(dir)-sql")
            do {
                try await migrator.up()
                Issue.record("a broken migration was applied")
            } catch let MigrationError.statementFailed(file, statement, message) {
                #expect(file == "0001_broken.sql")
                #expect(statement.contains("INSERT INTO nowhere"))
                #expect(message.contains("42P01"))  // undefined_table
            }
            try await db.connection { c in
                let half = try await c.scalar("SELECT to_regclass('public.half') IS NOT NULL", as: Bool.self, logger: db.logger)
                #expect(half == false)
                let ledger = try await c.scalar("SELECT count(*)::int FROM public.schema_migrations", as: Int.self, logger: db.logger)
                #expect(ledger == 0)
            }
        }
    }

    @Test func twoMigratorsAtOnceApplyEachFileExactlyOnce() async throws {
        try await TestDatabase.with { db in
            // Files that record every time they run and sleep to widen the race window.
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quant-race-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: "\(dir)-sql", withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: "\(dir)-sql") }
            try """
                CREATE SCHEMA ops;
                CREATE FUNCTION ops.maintain_partitions(int) RETURNS void LANGUAGE sql AS 'SELECT';
                CREATE TABLE public.apply_log (version int, pid int);
                INSERT INTO public.apply_log VALUES (1, pg_backend_pid());
                SELECT pg_sleep(0.3);
                """.write(toFile: "\(dir)/0001_first.sql", atomically: true, encoding: .utf8)
            for v in 2...4 {
                try "INSERT INTO public.apply_log VALUES (\(v), pg_backend_pid()); SELECT pg_sleep(0.2);"
                    .write(toFile: "\(dir)/000\(v)_step.sql", atomically: true, encoding: .utf8)
            }
            let a = db.migrator(migrations: dir, sql: "\(dir)-sql")
            let b = db.migrator(migrations: dir, sql: "\(dir)-sql")
            async let reportA = a.up()
            async let reportB = b.up()
            let (ra, rb) = try await (reportA, reportB)
            #expect((ra.applied + rb.applied).sorted() == [1, 2, 3, 4])

            try await db.connection { c in
                let rows = try await c.query("SELECT version, count(*)::int FROM public.apply_log GROUP BY version ORDER BY version", logger: db.logger)
                var counts: [Int: Int] = [:]
                for try await (version, count) in rows.decode((Int, Int).self) { counts[version] = count }
                #expect(counts == [1: 1, 2: 1, 3: 1, 4: 1])
            }
        }
    }

    @Test func twoMigratorsAtOnceOnTheRealSchemaBothSucceed() async throws {
        try await TestDatabase.with { db in
            async let a = db.migrator().up()
            async let b = db.migrator().up()
            let (ra, rb) = try await (a, b)
            let files = try Migration.load(from: "\(TestDatabase.repositoryRoot)/migrations")
            #expect((ra.applied + rb.applied).sorted() == files.map(\.version))
        }
    }
}

@Suite struct MigrateCommandTests {
    /// The issue's wording, literally: two `quant migrate up` processes started at once.
    @Test func twoMigrateUpProcessesAtOnceApplyEachFileExactlyOnce() async throws {
        let binary = "\(TestDatabase.repositoryRoot)/.build/debug/quant"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestDatabase.MissingService(description: "\(binary) is missing: scripts/test builds it before the tests")
        }
        try await TestDatabase.with { db in
            func process() -> Process {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: binary)
                process.arguments = ["migrate", "up"]
                var environment = ProcessInfo.processInfo.environment
                environment["DATABASE_URL"] = "postgres://\(db.url.username)@\(db.url.host):\(db.url.port)/\(db.url.database)"
                environment["QUANT_LOG_LEVEL"] = "info"
                process.environment = environment
                process.currentDirectoryURL = URL(fileURLWithPath: TestDatabase.repositoryRoot)
                return process
            }
            let a = process()
            let b = process()
            async let outputA = a.runCollectingOutput(withStandardError: true)
            async let outputB = b.runCollectingOutput(withStandardError: true)
            let (textA, textB) = try await (outputA, outputB)
            #expect(a.terminationStatus == 0, "\(textA)")
            #expect(b.terminationStatus == 0, "\(textB)")
            let files = try Migration.load(from: "\(TestDatabase.repositoryRoot)/migrations")
            let applications = (textA + textB).components(separatedBy: "applied migration").count - 1
            #expect(applications == files.count, "each file applied once across both processes")
            try await db.connection { c in
                let versions = try await c.scalar("SELECT count(DISTINCT version)::int FROM public.schema_migrations", as: Int.self, logger: db.logger)
                let rows = try await c.scalar("SELECT count(*)::int FROM public.schema_migrations", as: Int.self, logger: db.logger)
                #expect(versions == files.count)
                #expect(rows == files.count)
            }
        }
    }
}

extension MigrateCommandTests {
    /// The operator's view: `up --to`, `plan`, `plan --rehearse`, and a service refusing the older
    /// schema (exit 3, the missing migrations named), then starting once it is migrated.
    @Test func stepwiseUpgradeFromTheCommandLine() async throws {
        let binary = "\(TestDatabase.repositoryRoot)/.build/debug/quant"
        try await TestDatabase.with { db in
            func quant(_ arguments: [String]) async throws -> (status: Int32, output: String) {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: binary)
                process.arguments = arguments
                var environment = ProcessInfo.processInfo.environment
                environment["DATABASE_URL"] = "postgres://\(db.url.username)@\(db.url.host):\(db.url.port)/\(db.url.database)"
                process.environment = environment
                process.currentDirectoryURL = URL(fileURLWithPath: TestDatabase.repositoryRoot)
                let output = try await process.runCollectingOutput(withStandardError: true)
                return (process.terminationStatus, output)
            }
            let required = SchemaRequirement.required
            let partway = try await quant(["migrate", "up", "--to", String(required - 2)])
            #expect(partway.status == 0 && partway.output.contains("sql: not applied below the head"), "\(partway.output)")
            let plan = try await quant(["migrate", "plan"])
            #expect(plan.status == 0, "\(plan.output)")
            #expect(plan.output.contains("apply  \(String(format: "%04d", required - 1))") && plan.output.contains("re-apply"), "\(plan.output)")
            let rehearsal = try await quant(["migrate", "plan", "--rehearse"])
            #expect(rehearsal.status == 0 && rehearsal.output.contains("rehearsal rolled back"), "\(rehearsal.output)")
            let refused = try await quant(["api"])
            #expect(refused.status == 3, "\(refused.output)")
            #expect(refused.output.contains("Run `quant migrate up` first") && refused.output.contains(String(format: "%04d", required)), "\(refused.output)")
            let backwards = try await quant(["migrate", "up", "--to", "1"])
            #expect(backwards.status == 2 && backwards.output.contains("only go forward"), "\(backwards.output)")
            let rest = try await quant(["migrate", "up"])
            #expect(rest.status == 0 && rest.output.contains("re-applied"), "\(rest.output)")
        }
    }
}
