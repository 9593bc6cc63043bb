import Foundation
import PostgresNIO
import Store
import TestSupport
import Testing

/// Issue 19, "old partitions get cheaper" (migration 0028): the processor's upkeep rewrites a closed
/// day of ticks in (symbol, ts) order and swaps its B-tree for a BRIN index; the rows, the reads by
/// symbol and the bars stay the same, the open days keep their B-tree, and the bytes go down.
@Suite struct ClosedDayCompactionTests {
    @Test func upkeepCompactsClosedDaysOnlyKeepingEveryRowAndRead() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection { c in
                for statement in [
                    "SELECT ops.ensure_partitions(t::regclass, current_date - 3, current_date) FROM unnest(ARRAY['market.quotes', 'market.trades']) t",
                    "INSERT INTO market.instruments (symbol, kind) SELECT 'C' || i, 'equity' FROM generate_series(1, 8) i",
                    // A closed day and today, each a feed's interleaving of 8 symbols.
                    """
                    INSERT INTO market.quotes (ts, symbol, bid, ask, bid_size, ask_size)
                    SELECT d::timestamptz + make_interval(secs => i * 86400.0 / 40000), 'C' || (1 + (i::bigint * 7919) % 8),
                           100 + (i % 397) / 100.0, 100.02 + (i % 397) / 100.0, 100, 100
                    FROM unnest(ARRAY[current_date - 3, current_date]) d, generate_series(0, 39999) i
                    WHERE d::timestamptz + make_interval(secs => i * 86400.0 / 40000) < now()
                    """,
                    """
                    INSERT INTO market.trades (ts, symbol, price, size)
                    SELECT (current_date - 3)::timestamptz + make_interval(secs => i * 86400.0 / 10000), 'C' || (1 + (i::bigint * 7919) % 8),
                           100 + (i % 389) / 100.0, 1 + i % 50
                    FROM generate_series(0, 9999) i
                    """,
                ] {
                    _ = try await c.query(PostgresQuery(unsafeSQL: statement), logger: db.logger).collect()
                }
            }
            let closed = try await Self.scalarText(db, "SELECT 'market.quotes_p' || to_char(current_date - 3, 'YYYYMMDD')")
            let open = try await Self.scalarText(db, "SELECT 'market.quotes_p' || to_char(current_date, 'YYYYMMDD')")
            let symbolRead = "SELECT md5(string_agg(ts::text || bid::text, ',' ORDER BY ts)) FROM market.quotes WHERE symbol = 'C3' AND ts >= current_date - 3 AND ts < current_date - 2"
            let before = try await Self.scalarText(db, symbolRead)
            let counts = "SELECT (SELECT count(*) FROM market.quotes)::text || '/' || (SELECT count(*) FROM market.trades)::text"
            let countsBefore = try await Self.scalarText(db, counts)

            // The processor's upkeep, as the processor's role.
            try await db.connection(as: "quant_processor") { c in
                _ = try await c.query("SELECT * FROM ops.run_upkeep(7)", logger: db.logger).collect()
            }

            #expect(try await Self.indexes(db, closed) == ["\(closed.dropFirst(7))_closed_idx"])
            #expect(try await Self.indexes(db, open) == ["\(open.dropFirst(7))_open_idx"])
            #expect(try await Self.scalarText(db, symbolRead) == before)
            #expect(try await Self.scalarText(db, counts) == countsBefore)
            try await db.connection { c in
                let saved = try await c.strings("""
                    SELECT partition_name || ' ' || row_count || ' ' || (bytes_after < bytes_before)
                    FROM ops.partition_compactions ORDER BY 1
                    """, logger: db.logger)
                #expect(saved == ["\(closed) 40000 true", "market.trades_p\(closed.suffix(8)) 10000 true"])
                #expect(try await BarChecks.differences(c, logger: db.logger).isEmpty)
                // The BRIN index serves a symbol's range read of the closed day.
                let plan = try await c.strings(PostgresQuery(unsafeSQL: "EXPLAIN \(symbolRead)"), logger: db.logger).joined(separator: "\n")
                #expect(plan.contains("_closed_idx"), "\(plan)")
                // A second run finds nothing left to compact.
                let again = try await c.scalar("SELECT ops.compact_closed_days()", as: Int32.self, logger: db.logger)
                #expect(again == 0)
            }
        }
    }

    static func scalarText(_ db: TestDatabase, _ sql: String) async throws -> String {
        try await db.connection { c in
            try await c.scalar(PostgresQuery(unsafeSQL: sql), as: String.self, logger: db.logger) ?? ""
        }
    }

    static func indexes(_ db: TestDatabase, _ table: String) async throws -> [String] {
        try await db.connection { c in
            try await c.strings(PostgresQuery(unsafeSQL: """
                SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = '\(table)'::regclass ORDER BY 1
                """), logger: db.logger).map { $0.replacingOccurrences(of: "market.", with: "") }
        }
    }
}
