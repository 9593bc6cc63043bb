import Foundation
import Logging
import PostgresNIO
import Processor
import Store
import TestSupport
import Testing

/// Issue 19: the processor runs partition upkeep and retention itself, as its own role, through
/// the owner's `ops.run_upkeep` (migration 0027).
@Suite struct PartitionUpkeepTests {
    @Test func theProcessorsRoleMakesPartitionsAheadAndDropsWhatRetentionAllows() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection { c in
                try await c.query("SELECT ops.ensure_partitions('market.quotes', current_date - 200, current_date - 200)", logger: db.logger)
                try await c.query("INSERT INTO market.quotes (ts, symbol, bid, ask) VALUES (now() - interval '200 days', 'OLD', 1, 2)", logger: db.logger)
            }
            try await db.withClient(as: "quant_processor") { client in
                let upkeep = PartitionUpkeep(settings: .init(interval: .seconds(3600), premakeDays: 12), client: client, logger: db.logger)
                let changed = try await upkeep.runOnce()
                #expect(changed.contains { $0.table == "market.quotes" && $0.dropped == 1 && $0.created >= 4 })
                // Nothing left to do: a second run changes nothing.
                #expect(try await upkeep.runOnce().isEmpty)
            }
            try await db.connection { c in
                let ahead = try await c.scalar("""
                    SELECT to_regclass('market.trades_p' || to_char((now() AT TIME ZONE 'UTC')::date + 12, 'YYYYMMDD')) IS NOT NULL
                    """, as: Bool.self, logger: db.logger)
                #expect(ahead == true)
                #expect(try await c.scalar("SELECT count(*)::int FROM market.quotes", as: Int.self, logger: db.logger) == 0)
                #expect(try await c.scalar("SELECT count(*)::int FROM analytics.daily_closes WHERE symbol = 'OLD'", as: Int.self, logger: db.logger) == 1,
                        "the close outlives the dropped day")
            }
            // The role may not call the owner's upkeep directly.
            try await db.connection(as: "quant_processor") { c in
                do {
                    try await c.query("SELECT * FROM ops.maintain_partitions()", logger: db.logger)
                    Issue.record("the processor's role ran ops.maintain_partitions")
                } catch {
                    #expect(PostgresErrorText.sqlState(error) == "42501")
                }
            }
        }
    }
}
