import Foundation
import MarketCore
import PostgresNIO
import Store
import TestSupport
import Testing

/// Issue 19: bars kept by the triggers of migration 0026 in the same transaction as the ticks,
/// read through api.bars / api.bars_filled / analytics.daily_closes, outliving tick retention.
@Suite struct BarRollupTests {
    /// Ticks arrive in every order and shape the pipeline can produce: single rows, batches, COPY,
    /// late ticks for old buckets, several at the same instant. The bars equal a recomputation.
    @Test func barsKeptTickByTickEqualAFullRecomputationWhateverTheOrder() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection { c in
                var rng = SplitMix64(seed: 19)
                let base = Date().timeIntervalSince1970 - 3 * 3_600
                var ticks: [(ts: Double, symbol: String, price: Int, size: Int)] = []
                for i in 0..<3_000 {
                    // Whole seconds half of the time, so ticks share instants (ties order by price).
                    var ts = base + Double(rng.next() % 10_800_000) / 1_000
                    if i % 2 == 0 { ts = ts.rounded(.down) }
                    ticks.append((ts, ["AAA", "BBB", "CCC"][i % 3], 9_000 + Int(rng.next() % 2_000), 1 + Int(rng.next() % 500)))
                }
                ticks.shuffle(using: &rng)  // late and out of order
                var index = 0
                while index < ticks.count {
                    let size = [1, 7, 250][index % 3]
                    let chunk = ticks[index..<min(index + size, ticks.count)]
                    index += size
                    let rows = chunk.map { "(to_timestamp(\($0.ts)), '\($0.symbol)', \($0.price) / 100.0, \($0.size))" }.joined(separator: ",")
                    try await c.query(PostgresQuery(unsafeSQL: "INSERT INTO market.trades (ts, symbol, price, size) VALUES \(rows)"), logger: db.logger)
                    // Quotes (one-sided ones too, which make no mids) for the same symbols and a quote-only one.
                    let quotes = chunk.map {
                        "(to_timestamp(\($0.ts)), '\($0.symbol == "CCC" ? "QQQ" : $0.symbol)', \($0.price - 5) / 100.0, \($0.size % 3 == 0 ? "NULL" : "\($0.price + 5) / 100.0"))"
                    }.joined(separator: ",")
                    try await c.query(PostgresQuery(unsafeSQL: "INSERT INTO market.quotes (ts, symbol, bid, ask) VALUES \(quotes)"), logger: db.logger)
                }
                // COPY, as the processor writes: the statement trigger sees the whole batch.
                try await c.query("""
                    INSERT INTO market.trades (ts, symbol, price, size)
                    SELECT ts, symbol, price, size FROM market.trades WHERE symbol = 'AAA' ORDER BY random() LIMIT 500
                    """, logger: db.logger)
                #expect(try await BarChecks.differences(c, logger: db.logger) == [])

                // The readers agree with bars recomputed from the ticks, for stored and derived widths.
                for width in ["1 minute", "5 minutes", "1 hour", "90 minutes", "1 day", "30 seconds"] {
                    for symbol in ["AAA", "QQQ"] {
                        let differing = try await c.scalar("""
                            SELECT count(*)::int FROM (
                                (SELECT * FROM api.bars(\(symbol), \(width)::interval, now() - interval '1 day', now() + interval '1 day')
                                 EXCEPT SELECT * FROM api.bars_from_ticks(\(symbol), \(width)::interval, now() - interval '1 day', now() + interval '1 day'))
                                UNION ALL
                                (SELECT * FROM api.bars_from_ticks(\(symbol), \(width)::interval, now() - interval '1 day', now() + interval '1 day')
                                 EXCEPT SELECT * FROM api.bars(\(symbol), \(width)::interval, now() - interval '1 day', now() + interval '1 day'))) d
                            """, as: Int.self, logger: db.logger)
                        #expect(differing == 0, "\(symbol) \(width)")
                    }
                }
                let sources = try await c.strings("""
                    SELECT DISTINCT source FROM api.bars('QQQ', '1 hour', now() - interval '1 day', now() + interval '1 day')
                    """, logger: db.logger)
                #expect(sources == ["quote_mid"], "a symbol without trades has bars of quote mids")
            }
        }
    }

    @Test func aBarIsMadeOfTradesAndOpensAndClosesByTimeThenPrice() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection { c in
                let minute = "date_trunc('minute', now()) - interval '10 minutes'"
                try await c.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO market.trades (ts, symbol, price, size) VALUES
                        (\(minute) + interval '30 seconds', 'AAA', 10.5, 100),
                        (\(minute) + interval '1 second', 'AAA', 10.2, 10),
                        (\(minute) + interval '1 second', 'AAA', 10.1, 10),
                        (\(minute) + interval '59 seconds', 'AAA', 9.9, 30),
                        (\(minute) + interval '59 seconds', 'AAA', 10.0, 50)
                    """), logger: db.logger)
                try await c.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO market.quotes (ts, symbol, bid, ask) VALUES (\(minute) + interval '2 minutes', 'AAA', 10, 10.2)
                    """), logger: db.logger)
                let bars = try await c.strings(PostgresQuery(unsafeSQL: """
                    SELECT concat_ws(' ', open, high, low, close, volume, vwap, trade_count, source)
                    FROM api.bars('AAA', '1 minute', \(minute), \(minute) + interval '3 minutes')
                    """), logger: db.logger)
                // Open: the earliest print, the lower price of the two at that instant; close: the
                // latest, the higher of two. VWAP = 2050 / 200. The quote-only minute: its mid.
                #expect(bars == ["10.10000000 10.50000000 9.90000000 10.00000000 200 10.25000000 5 trade",
                                 "10.10000000 10.10000000 10.10000000 10.10000000 0 0 quote_mid"])
            }
        }
    }

    /// api.bars runs with its caller's rights and is inlined into the caller's query: the API's and
    /// the analyst's roles get a stored width straight from the index scan (no function scan that
    /// materialises the rows first), oldest first, and a derived width through api.bars_derived.
    @Test func readersGetStoredBarsFromTheIndexInOrderAndDerivedWidthsToo() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            let start = "date_trunc('hour', now()) - interval '3 hours'"
            try await db.connection { c in
                try await c.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO market.trades (ts, symbol, price, size)
                    SELECT \(start) + (i * 7) * interval '1 minute', 'AAA', 10 + i, 1 FROM generate_series(0, 20) AS i
                    """), logger: db.logger)
            }
            for role in ["quant_api", "analyst"] {
                try await db.connection(as: role) { c in
                    let range = "\(start), \(start) + interval '3 hours'"
                    let minutes = try await c.strings(PostgresQuery(unsafeSQL: """
                        SELECT extract(epoch FROM bucket - (\(start)))::int / 60 || ' ' || close FROM api.bars('AAA', '1 minute', \(range))
                        """), logger: db.logger)
                    #expect(minutes == (0 ... 20).map { "\($0 * 7) \(10 + $0).00000000" }, "\(role): stored bars, oldest first")
                    let plan = try await c.strings(PostgresQuery(unsafeSQL: """
                        EXPLAIN (COSTS OFF) SELECT * FROM api.bars('AAA', '1 minute', \(range))
                        """), logger: db.logger).joined(separator: "\n")
                    #expect(plan.contains("Index Scan using bars_pkey on bars"), "\(role): api.bars inlined:\n\(plan)")
                    #expect(!plan.contains("Sort"), "\(role): the index gives the order:\n\(plan)")
                    let quarters = try await c.strings(PostgresQuery(unsafeSQL: """
                        SELECT extract(epoch FROM bucket - (\(start)))::int / 60 || ' ' || trade_count FROM api.bars('AAA', '15 minutes', \(range))
                        """), logger: db.logger)
                    #expect(quarters.prefix(3) == ["0 3", "15 2", "30 2"], "\(role): 15-minute bars from the one-minute ones")
                    #expect(quarters.count == 10)
                    do {
                        _ = try await c.strings("SELECT bucket::text FROM api.bars('AAA', '1 millisecond', now() - interval '1 hour', now())", logger: db.logger)
                        Issue.record("\(role): a width under a second was accepted")
                    } catch {
                        #expect(PostgresErrorText.sqlState(error) == "22023")
                    }
                }
            }
        }
    }

    /// Grafana asks for every bucket of a range: empty ones carry the previous close forward.
    @Test func gapFillingCarriesTheLastCloseForward() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection { c in
                let start = "date_trunc('hour', now()) - interval '2 hours'"
                try await c.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO market.trades (ts, symbol, price, size) VALUES
                        (\(start) - interval '30 minutes', 'AAA', 9, 1),
                        (\(start) + interval '2 minutes', 'AAA', 11, 1),
                        (\(start) + interval '5 minutes', 'AAA', 12, 1)
                    """), logger: db.logger)
                let filled = try await c.strings(PostgresQuery(unsafeSQL: """
                    SELECT concat_ws(' ', extract(minute FROM bucket - (\(start))), close, volume, source)
                    FROM api.bars_filled('AAA', '1 minute', \(start), \(start) + interval '7 minutes')
                    """), logger: db.logger)
                #expect(filled == ["0 9.00000000 0 filled", "1 9.00000000 0 filled", "2 11.00000000 1 trade", "3 11.00000000 0 filled",
                                   "4 11.00000000 0 filled", "5 12.00000000 1 trade", "6 12.00000000 0 filled"])
                // Through the analysts' schema, and a range too fine to fill is refused.
                #expect(try await c.scalar(PostgresQuery(unsafeSQL: """
                    SELECT count(*)::int FROM analytics.bars_filled('AAA', '1 minute', \(start), \(start) + interval '7 minutes')
                    """), as: Int.self, logger: db.logger) == 7)
                do {
                    _ = try await c.strings("SELECT bucket::text FROM api.bars_filled('AAA', '1 second', now() - interval '30 days', now())", logger: db.logger)
                    Issue.record("a range of 2.6 million buckets was filled")
                } catch {
                    #expect(PostgresErrorText.sqlState(error) == "54000")
                }
            }
        }
    }

    /// Daily closes are stored: tick retention drops the old days, the closes stay. A day whose
    /// ticks the rollups do not hold (its trigger was off) is kept until a rebuild makes it whole.
    @Test func closesOutliveTickRetentionWhichDropsOnlyWhatTheRollupsHold() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection { c in
                try await c.query("SELECT ops.ensure_partitions('market.trades', current_date - 400, current_date - 399)", logger: db.logger)
                try await c.query("""
                    INSERT INTO market.trades (ts, symbol, price, size) VALUES
                        ((current_date - 400) + time '15:00' AT TIME ZONE 'UTC', 'OLD', 41, 1),
                        ((current_date - 400) + time '16:00' AT TIME ZONE 'UTC', 'OLD', 42, 1)
                    """, logger: db.logger)
                try await c.query("ALTER TABLE market.trades DISABLE TRIGGER trades_roll_up", logger: db.logger)
                try await c.query("INSERT INTO market.trades (ts, symbol, price, size) VALUES ((current_date - 399) + time '15:00' AT TIME ZONE 'UTC', 'OLD', 43, 1)", logger: db.logger)
                try await c.query("ALTER TABLE market.trades ENABLE TRIGGER trades_roll_up", logger: db.logger)

                let dropped = try await c.scalar("""
                    SELECT dropped FROM ops.maintain_partitions() WHERE parent_table = 'market.trades'::regclass
                    """, as: Int.self, logger: db.logger)
                #expect(dropped == 1, "the day the rollups hold goes; the other stays")
                #expect(try await c.scalar("SELECT count(*)::int FROM market.trades WHERE symbol = 'OLD'", as: Int.self, logger: db.logger) == 1)
                #expect(try await c.strings("""
                    SELECT day - current_date || ' ' || close || ' ' || source FROM analytics.daily_closes WHERE symbol = 'OLD' ORDER BY day
                    """, logger: db.logger) == ["-400 42.00000000 trade"])

                try await c.query("SELECT market.rebuild_bars('OLD', now() - interval '399 days', now() - interval '398 days')", logger: db.logger)
                #expect(try await c.scalar("""
                    SELECT dropped FROM ops.maintain_partitions() WHERE parent_table = 'market.trades'::regclass
                    """, as: Int.self, logger: db.logger) == 1)
                #expect(try await c.strings("""
                    SELECT day - current_date || ' ' || close FROM analytics.daily_closes WHERE symbol = 'OLD' ORDER BY day
                    """, logger: db.logger) == ["-400 42.00000000", "-399 43.00000000"])
                // Bars of a width age out by their own retention (one-minute bars: 730 days by default).
                try await c.query("UPDATE market.bar_widths SET retention = '100 days' WHERE width = '1 day'", logger: db.logger)
                _ = try await c.scalar("SELECT count(*)::int FROM ops.maintain_partitions()", as: Int.self, logger: db.logger)
                #expect(try await c.scalar("SELECT count(*)::int FROM analytics.daily_closes WHERE symbol = 'OLD'", as: Int.self, logger: db.logger) == 0)
                #expect(try await c.scalar("SELECT count(*)::int FROM analytics.ohlcv_1h WHERE symbol = 'OLD'", as: Int.self, logger: db.logger) == 3)
            }
        }
    }

    /// The processor's role writes ticks; the trigger (running as the owner) writes the bars, which
    /// the role itself may neither read nor write.
    @Test func theProcessorsTicksRollUpWithoutItsRoleTouchingTheBars() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection(as: "quant_processor") { c in
                try await c.query("INSERT INTO market.trades (ts, symbol, price, size) VALUES (now(), 'AAA', 10, 5)", logger: db.logger)
                do {
                    try await c.query("SELECT count(*) FROM market.bars", logger: db.logger)
                    Issue.record("the processor's role read market.bars")
                } catch {
                    #expect(PostgresErrorText.sqlState(error) == "42501")
                }
            }
            try await db.connection { c in
                let volume = try await c.scalar("SELECT sum(volume)::int FROM analytics.ohlcv WHERE symbol = 'AAA'", as: Int.self, logger: db.logger)
                #expect(volume == 15, "one trade of 5 in each stored width")
            }
        }
    }
}
