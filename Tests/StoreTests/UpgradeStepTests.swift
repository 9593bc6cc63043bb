import Foundation
import PostgresNIO
import Store
import TestSupport
import Testing

/// `up(to:)`, planning and rehearsing an upgrade, its atomicity, and the schema the services need.
@Suite struct UpgradeStepTests {
    @Test func upToAVersionStopsThereAndARehearsalChangesNothing() async throws {
        try await TestDatabase.with { db in
            let migrator = db.migrator()
            let head = try Migration.load(from: migrator.migrationsDirectory).map(\.version).max()!
            let partway = try await migrator.up(to: head - 2)
            #expect(partway.version == head - 2 && partway.sqlFiles.isEmpty)
            try await db.connection { c in
                // Below the head the reader schemas are empty: sql/ is written for the head.
                let views = try await c.scalar("""
                    SELECT count(*)::int FROM pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace
                    WHERE n.nspname IN ('api', 'analytics')
                    """, as: Int.self, logger: db.logger)
                #expect(views == 0)
            }

            let plan = try await migrator.upgradePlan()
            #expect(plan.current == head - 2 && plan.head == head && plan.reachesHead && plan.problems.isEmpty)
            #expect(plan.pending.map(\.version) == [head - 1, head] && plan.pending.allSatisfy { $0.statements > 0 })
            #expect(try await migrator.upgradePlan(to: head - 1).reachesHead == false)

            let rehearsal = try await migrator.up(rehearse: true)
            #expect(rehearsal.rehearsed && rehearsal.applied == [head - 1, head] && !rehearsal.sqlFiles.isEmpty)
            #expect(try await Self.ledgerHead(db) == head - 2, "a rehearsal is rolled back")

            for bad in [head - 3, head + 1] {
                await #expect(throws: MigrationError.badTarget(target: bad, current: head - 2, head: head)) {
                    try await migrator.up(to: bad)
                }
            }
            let rest = try await migrator.up()
            #expect(rest.applied == [head - 1, head] && !rest.sqlFiles.isEmpty)
            #expect(try await Self.ledgerHead(db) == head)
        }
    }

    /// Two new migrations, the second failing: neither is recorded, the first's table is not there,
    /// and the reader views of the version before still answer.
    @Test func anUpgradeIsOneTransaction() async throws {
        try await TestDatabase.with { db in
            let copy = try temporaryCopy(of: "\(TestDatabase.repositoryRoot)/migrations")
            defer { try? FileManager.default.removeItem(atPath: copy) }
            let migrator = db.migrator(migrations: copy)
            try await migrator.up()
            let head = try await Self.ledgerHead(db)
            try "CREATE TABLE market.upgrade_probe (x int);"
                .write(toFile: "\(copy)/\(String(format: "%04d", head + 1))_fine.sql", atomically: true, encoding: .utf8)
            try "ALTER TABLE market.trades ADD COLUMN probe int; SELECT 1 / 0;"
                .write(toFile: "\(copy)/\(String(format: "%04d", head + 2))_broken.sql", atomically: true, encoding: .utf8)
            await #expect(throws: MigrationError.self) { try await migrator.up() }
            #expect(try await Self.ledgerHead(db) == head)
            try await db.connection { c in
                let probeGone = try await c.scalar("SELECT to_regclass('market.upgrade_probe') IS NULL", as: Bool.self, logger: db.logger)
                let trades = try await c.scalar("SELECT count(*)::int FROM api.trades", as: Int.self, logger: db.logger)
                #expect(probeGone == true && trades == 0)
            }
        }
    }

    @Test func theRequiredSchemaIsTheNewestMigration() throws {
        let newest = try Migration.load(from: "\(TestDatabase.repositoryRoot)/migrations").map(\.version).max()
        #expect(SchemaRequirement.required == newest, "raise SchemaRequirement.required with every new migration")
    }

    /// An older schema is refused with the missing migrations named; the head is accepted by every service role.
    @Test func servicesRefuseAnOlderSchemaNamingWhatIsMissing() async throws {
        try await TestDatabase.with { db in
            let required = SchemaRequirement.required
            try await db.migrator().up(to: required - 2)
            let directory = "\(TestDatabase.repositoryRoot)/migrations"
            let names = try Migration.load(from: directory).filter { $0.version > required - 2 }
                .map { ($0.fileName as NSString).deletingPathExtension }
            try await db.connection { c in
                do {
                    try await SchemaRequirement.check(c, service: "test", migrationsDirectory: directory, logger: db.logger)
                    Issue.record("an older schema was accepted")
                } catch let tooOld as SchemaRequirement.TooOld {
                    #expect(tooOld.current == required - 2 && tooOld.missing == names)
                    #expect(tooOld.description.contains(names.joined(separator: ", ")))
                    #expect(tooOld.description.contains("quant migrate up"))
                }
            }
            try await db.migrator().up()
            for role in ["quant_processor", "quant_risk_engine", "quant_api"] {
                try await db.connection(as: role) { c in
                    try await SchemaRequirement.check(c, service: role, migrationsDirectory: directory, logger: db.logger)
                }
            }
        }
    }

    static func ledgerHead(_ db: TestDatabase) async throws -> Int {
        try await db.connection { c in
            try await c.scalar("SELECT coalesce(max(version), 0)::int FROM public.schema_migrations", as: Int.self, logger: db.logger) ?? 0
        }
    }
}
