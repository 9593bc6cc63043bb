import Foundation
import PostgresNIO
import Store
import TestSupport
import Testing

@Suite struct SchemaTests {
    static let partitionedTables = [
        "market.quotes", "market.trades", "trading.orders", "trading.order_events", "trading.executions",
        "trading.book_snapshots", "risk.risk_metrics", "risk.portfolio_greeks",
    ]

    @Test func partitionsExistForTodayAndTheComingDays() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection { c in
                for table in Self.partitionedTables {
                    let days = try await c.scalar("""
                        SELECT count(*)::int FROM generate_series(0, 7) AS d
                        WHERE to_regclass(\(table) || '_p' || to_char((now() AT TIME ZONE 'UTC')::date + d, 'YYYYMMDD')) IS NOT NULL
                        """, as: Int.self, logger: db.logger)
                    #expect(days == 8, "\(table) should have partitions for today and 7 days ahead")
                }
                // A row for today lands in today's partition.
                try await c.query("INSERT INTO market.quotes (ts, symbol, bid, ask) VALUES (now(), 'AAPL', 1.00, 1.01)", logger: db.logger)
                let partition = try await c.scalar("SELECT tableoid::regclass::text FROM market.quotes", as: String.self, logger: db.logger)
                let today = try await c.scalar("SELECT to_char((now() AT TIME ZONE 'UTC')::date, 'YYYYMMDD')", as: String.self, logger: db.logger)
                #expect(partition == "market.quotes_p\(today!)")
            }
        }
    }

    @Test func aRowForADayWithoutAPartitionIsAClearErrorUntilThePartitionIsMade() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection { c in
                do {
                    try await c.query("INSERT INTO market.trades (ts, symbol, price, size) VALUES (now() + interval '400 days', 'AAPL', 10, 1)", logger: db.logger)
                    Issue.record("insert without a partition succeeded")
                } catch {
                    #expect(PostgresErrorText.sqlState(error) == "23514")
                    #expect(PostgresErrorText.describe(error).contains("no partition of relation \"trades\" found for row"))
                }
                // The documented remedy: make the partitions, then the same insert works.
                try await c.query("""
                    SELECT ops.ensure_partitions('market.trades', (now() + interval '400 days')::date, (now() + interval '400 days')::date)
                    """, logger: db.logger)
                try await c.query("INSERT INTO market.trades (ts, symbol, price, size) VALUES (now() + interval '400 days', 'AAPL', 10, 1)", logger: db.logger)
            }
        }
    }

    @Test func retentionDropsOnlyPartitionsOlderThanThePolicy() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection { c in
                // market.quotes keeps 90 days: a partition 200 days old goes, one 30 days old stays.
                try await c.query("SELECT ops.ensure_partitions('market.quotes', current_date - 200, current_date - 200)", logger: db.logger)
                try await c.query("SELECT ops.ensure_partitions('market.quotes', current_date - 30, current_date - 30)", logger: db.logger)
                try await c.query("INSERT INTO market.quotes (ts, symbol, bid, ask) VALUES (now() - interval '200 days', 'OLD', 1, 2)", logger: db.logger)
                let dropped = try await c.scalar("""
                    SELECT dropped FROM ops.maintain_partitions() WHERE parent_table = 'market.quotes'::regclass
                    """, as: Int.self, logger: db.logger)
                #expect(dropped == 1)
                let old = try await c.scalar("SELECT to_regclass('market.quotes_p' || to_char(current_date - 200, 'YYYYMMDD')) IS NULL", as: Bool.self, logger: db.logger)
                #expect(old == true)
                let recent = try await c.scalar("SELECT to_regclass('market.quotes_p' || to_char(current_date - 30, 'YYYYMMDD')) IS NOT NULL", as: Bool.self, logger: db.logger)
                #expect(recent == true)
                let rows = try await c.scalar("SELECT count(*)::int FROM market.quotes WHERE symbol = 'OLD'", as: Int.self, logger: db.logger)
                #expect(rows == 0)
            }
        }
    }

    @Test func pricesAreExactNumericsNeverFloats() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection { c in
                let floats = try await c.scalar("""
                    SELECT count(*)::int FROM information_schema.columns
                    WHERE table_schema IN ('market', 'trading') AND data_type IN ('real', 'double precision')
                    """, as: Int.self, logger: db.logger)
                #expect(floats == 0)
                try await c.query("INSERT INTO market.trades (ts, symbol, price, size) VALUES (now(), 'X', '0.10000001', 3)", logger: db.logger)
                let sum = try await c.scalar("SELECT (sum(price) * 3)::text FROM market.trades", as: String.self, logger: db.logger)
                #expect(sum == "0.30000003")
            }
        }
    }

    @Test func theAnalystRoleReadsReaderViewsAndNothingElse() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection { c in
                try await c.query("INSERT INTO market.instruments (symbol, kind) VALUES ('AAPL', 'equity')", logger: db.logger)
            }
            try await db.connection(as: "analyst") { c in
                let count = try await c.scalar("SELECT count(*)::int FROM api.instruments", as: Int.self, logger: db.logger)
                #expect(count == 1)
                _ = try await c.scalar("SELECT count(*)::int FROM analytics.ohlcv_1m", as: Int.self, logger: db.logger)
                _ = try await c.scalar("SELECT count(*)::int FROM api.risk_latest", as: Int.self, logger: db.logger)

                let refused = [
                    "SELECT * FROM market.quotes",
                    "SELECT * FROM market.instruments",
                    "SELECT * FROM ops.kafka_offsets",
                    "SELECT * FROM public.schema_migrations",
                    "INSERT INTO market.instruments (symbol, kind) VALUES ('X', 'equity')",
                    "DELETE FROM api.instruments",
                    "SELECT ops.maintain_partitions()",
                    "CREATE TABLE public.mine (x int)",
                    "CREATE VIEW api.mine AS SELECT 1",
                ]
                for sql in refused {
                    do {
                        try await c.query(PostgresQuery(unsafeSQL: sql), logger: db.logger)
                        Issue.record("analyst was allowed: \(sql)")
                    } catch {
                        let state = PostgresErrorText.sqlState(error)
                        // 42501 insufficient_privilege, 25006 read_only_sql_transaction
                        #expect(state == "42501" || state == "25006", "\(sql): \(PostgresErrorText.describe(error))")
                    }
                }
            }
        }
    }

    /// Checked from the catalog, so a table or function added later (API keys, say) is covered
    /// without anyone remembering to list it: the analyst reads no base table, may write nothing,
    /// and can execute only functions that cannot write (STABLE or IMMUTABLE).
    @Test func theAnalystCanReadNoBaseTableWriteNothingAndRunNoWritingFunction() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection { c in
                let readable = try await c.strings("""
                    SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                      AND has_schema_privilege('analyst', n.oid, 'USAGE') AND has_table_privilege('analyst', c.oid, 'SELECT')
                    """, logger: db.logger)
                #expect(readable.isEmpty, "base tables the analyst can read: \(readable)")
                let writable = try await c.strings("""
                    SELECT n.nspname || '.' || c.relname || ' ' || p.privilege FROM pg_class c
                    JOIN pg_namespace n ON n.oid = c.relnamespace
                    CROSS JOIN unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS p(privilege)
                    WHERE c.relkind IN ('r', 'p', 'v', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                      AND has_table_privilege('analyst', c.oid, p.privilege)
                    """, logger: db.logger)
                #expect(writable.isEmpty, "relations the analyst may write: \(writable)")
                let functions = try await c.strings("""
                    SELECT n.nspname || '.' || p.proname || ' ' || p.provolatile::text FROM pg_proc p
                    JOIN pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
                      AND has_schema_privilege('analyst', n.oid, 'USAGE') AND has_function_privilege('analyst', p.oid, 'EXECUTE')
                    """, logger: db.logger)
                #expect(!functions.isEmpty)  // api.bars at least: the check looks at something
                #expect(functions.allSatisfy { !$0.hasSuffix(" v") }, "volatile (possibly writing) functions the analyst can run: \(functions)")
            }
        }
    }

    @Test func readerViewsAreRecreatedIdempotently() async throws {
        try await TestDatabase.with { db in
            let migrator = db.migrator()
            try await migrator.up()
            try await db.connection { c in
                try await c.query("INSERT INTO market.instruments (symbol, kind) VALUES ('MSFT', 'equity')", logger: db.logger)
            }
            try await migrator.up()
            try await migrator.up()
            try await db.connection(as: "analyst") { c in
                let count = try await c.scalar("SELECT count(*)::int FROM api.instruments", as: Int.self, logger: db.logger)
                #expect(count == 1)
            }
        }
    }
}
