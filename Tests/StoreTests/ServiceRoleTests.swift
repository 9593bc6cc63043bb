import Foundation
import PostgresNIO
import Store
import TestSupport
import Testing

/// Finding 9 of the hostile-input review: the services logged in as the owner (a superuser in the
/// local stack). Each now has its own role (migration 0020, grants in sql/999_grants.sql). That
/// each role can do its job is shown by the suites that run the services on it (HostileInputTests:
/// the processor; RiskEngineTests: the risk engine; every APITests suite: the API). This shows what
/// each may not do.
@Suite struct ServiceRoleTests {
    static let refused: [(role: String, sql: String)] = [
        // Nobody but the owner makes or changes tables, or runs the owner's partition functions.
        ("quant_processor", "CREATE TABLE market.mine (x int)"),
        ("quant_processor", "SELECT ops.ensure_partitions('market.trades'::regclass, current_date, current_date)"),
        ("quant_processor", "SELECT ops.maintain_partitions()"),
        ("quant_api", "ALTER TABLE market.trades ADD COLUMN x int"),
        // The processor writes market data and orders, nothing of risk, keys or idempotency.
        ("quant_processor", "INSERT INTO risk.positions (portfolio_id, symbol, quantity) VALUES ('p', 'AAA', 1)"),
        ("quant_processor", "SELECT * FROM ops.api_keys"),
        ("quant_processor", "DELETE FROM market.trades"),
        ("quant_processor", "UPDATE trading.orders SET quantity = 0"),
        // Its partition helper makes only the pipeline's daily partitions, a week at a time.
        ("quant_processor", "SELECT ops.ensure_service_partitions('risk.portfolios'::regclass, current_date, current_date)"),
        // The risk engine reads its inputs through reader views (sql/033) and writes risk results only.
        ("quant_risk_engine", "SELECT * FROM market.trades LIMIT 1"),
        ("quant_risk_engine", "SELECT * FROM risk.positions"),
        ("quant_risk_engine", "INSERT INTO trading.orders (ts, order_id, symbol, side, order_type, time_in_force, quantity) VALUES (now(), 'o', 'AAA', 'buy', 'market', 'ioc', 1)"),
        ("quant_risk_engine", "UPDATE risk.positions SET quantity = 0"),
        ("quant_risk_engine", "SELECT * FROM ops.kafka_offsets"),
        ("quant_risk_engine", "DELETE FROM risk.risk_metrics"),
        // The API reads views and writes portfolios, positions, key use and idempotency records.
        ("quant_api", "INSERT INTO market.trades (ts, symbol, price, size) VALUES (now(), 'AAA', 1, 1)"),
        ("quant_api", "SELECT * FROM ops.kafka_offsets"),
        ("quant_api", "SELECT * FROM market.quotes LIMIT 1"),
        ("quant_api", "SELECT * FROM ops.dead_letters"),
        ("quant_api", "INSERT INTO ops.api_keys (name, secret_prefix, secret_hash, scopes) VALUES ('x', 'x', sha256('x'), '{read,write}')"),
        ("quant_api", "UPDATE ops.api_keys SET scopes = '{read,write}', accounts = '{*}'"),
        ("quant_api", "INSERT INTO risk.risk_metrics SELECT * FROM risk.risk_metrics"),
        ("quant_api", "DELETE FROM trading.executions"),
    ]

    @Test func eachServiceRoleIsRefusedWhatItDoesNotUse() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            for (role, sql) in Self.refused {
                try await db.connection(as: role) { c in
                    do {
                        // Rows are read, so an error raised while they are made (a function's) counts too.
                        _ = try await c.query(PostgresQuery(unsafeSQL: sql), logger: db.logger).collect()
                        Issue.record("\(role) was allowed: \(sql)")
                    } catch {
                        #expect(PostgresErrorText.sqlState(error) == "42501", "\(role): \(sql): \(PostgresErrorText.describe(error))")
                    }
                }
            }
            // A service makes a missing day's partition, but not a year of them.
            try await db.connection(as: "quant_processor") { c in
                let made = try await c.scalar("""
                    SELECT ops.ensure_service_partitions('market.trades'::regclass, current_date - 40, current_date - 40)
                    """, as: Int32.self, logger: db.logger)
                #expect(made == 1)
                do {
                    _ = try await c.query(
                        "SELECT ops.ensure_service_partitions('market.trades'::regclass, current_date - 400, current_date)",
                        logger: db.logger).collect()
                    Issue.record("a year of partitions was made")
                } catch {
                    #expect(PostgresErrorText.sqlState(error) == "22023", "\(PostgresErrorText.describe(error))")
                }
            }
        }
    }

    /// Issue 19, least privilege, checked over the whole catalogue rather than by examples: on every
    /// relation of the base schemas (partitions included) the API's role holds exactly the
    /// privileges of its short list, and the analyst none; in the reader schemas both only read.
    @Test func theAPIAndAnalystRolesTouchNoBaseTableBeyondTheirList() async throws {
        let apiWrites: [String: String] = [
            "risk.portfolios": "DELETE,INSERT,SELECT,UPDATE", "risk.positions": "DELETE,INSERT,SELECT,UPDATE",
            "market.instruments": "INSERT",
            "ops.api_keys": "SELECT",  // and UPDATE of last_used_at only: a column grant
            "ops.idempotency_keys": "DELETE,INSERT,SELECT,UPDATE",
        ]
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection { c in
                for role in ["quant_api", "analyst"] {
                    let rows = try await c.query("""
                        SELECT format('%I.%I', n.nspname, r.relname), n.nspname IN ('api', 'analytics'),
                               coalesce(string_agg(p, ',' ORDER BY p) FILTER (WHERE has_table_privilege(\(role), r.oid, p)), '')
                        FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace
                        CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p
                        WHERE n.nspname IN ('market', 'trading', 'risk', 'ops', 'api', 'analytics') AND r.relkind IN ('r', 'p', 'v', 'm')
                        GROUP BY 1, 2 ORDER BY 1
                        """, logger: db.logger)
                    var checked = 0
                    for try await (relation, isReader, privileges) in rows.decode((String, Bool, String).self) {
                        checked += 1
                        let expected = isReader ? "SELECT" : role == "quant_api" ? apiWrites[relation] ?? "" : ""
                        #expect(privileges == expected, "\(role) on \(relation)")
                    }
                    #expect(checked > 100)
                }
                // The one column the API may change in ops.api_keys.
                let columns = try await c.strings("""
                    SELECT attname::text FROM pg_attribute
                    WHERE attrelid = 'ops.api_keys'::regclass AND attnum > 0 AND NOT attisdropped
                      AND has_column_privilege('quant_api', 'ops.api_keys'::regclass, attnum, 'UPDATE')
                    """, logger: db.logger)
                #expect(columns == ["last_used_at"])
            }
        }
    }

    /// None of the service roles is a superuser or may create roles or databases, and none can
    /// log in without the password `scripts/stack` made for it.
    @Test func theRolesAreOrdinaryAndNeedTheirPasswords() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection { c in
                let powerful = try await c.strings("""
                    SELECT rolname FROM pg_roles
                    WHERE rolname IN ('quant_processor', 'quant_risk_engine', 'quant_api', 'analyst')
                      AND (rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls OR rolreplication)
                    """, logger: db.logger)
                #expect(powerful.isEmpty, "\(powerful)")
            }
            for role in ["quant_processor", "quant_risk_engine", "quant_api", "analyst"] {
                var wrong = try db.url(as: role)
                wrong.password = "not-the-password"
                do {
                    try await wrong.withConnection(logger: db.logger) { _ in }
                    Issue.record("\(role) logged in with a wrong password")
                } catch {
                    #expect(PostgresErrorText.sqlState(error) == "28P01", "\(role): \(PostgresErrorText.describe(error))")
                }
            }
        }
    }
}
