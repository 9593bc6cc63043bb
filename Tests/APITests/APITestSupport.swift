import API
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import OrderBook
import PostgresNIO
import TestSupport
import Testing

/// A migrated fresh database with seeded rows, and the API's router on it.
enum APITest {
    static let limits = APIConfiguration.Limits(maxPageSize: 50, maxRangeDays: 2)

    /// Secrets of the keys every `withAPI` database holds (`send` uses the writer's by default).
    static let writerKey = "qk_test-writer-secret"
    static let readerKey = "qk_test-reader-secret"
    /// A write key bound to account A-1 only.
    static let deskAKey = "qk_test-desk-a-secret"

    /// Runs `body` with a router-level test client over a fresh, migrated and seeded database.
    static func withAPI(seed: Bool = true, orders: (any OrderCommandPublisher)? = nil,
                        configuration: APIConfiguration = APIConfiguration(limits: limits),
                        _ body: @escaping @Sendable (any TestClientProtocol, PostgresClient, Logger) async throws -> Void) async throws {
        try await withAPI(seed: seed, orders: orders, configuration: configuration) { client, postgres, logger, _ in
            try await body(client, postgres, logger)
        }
    }

    /// `withAPI`, also handing `body` the running read cache.
    static func withAPI(seed: Bool = true, orders: (any OrderCommandPublisher)? = nil,
                        configuration: APIConfiguration = APIConfiguration(limits: limits),
                        _ body: @escaping @Sendable (any TestClientProtocol, PostgresClient, Logger, ReadCache) async throws -> Void) async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.withClient { client in
                try await insertKeys(client, logger: db.logger)
                if seed { try await seedRows(client, logger: db.logger) }
                // As `quant api` runs: logged in as its own role (migration 0020), so every test
                // here also checks that role's grants. `body` gets the owner's client for set-up.
                try await db.withClient(as: "quant_api") { apiClient in
                    // A generous deadline: CI runs every suite at once, and a 503 because the machine
                    // is busy is not what these tests check (DatabaseOutageTests checks the 503s).
                    let database = ReaderDatabase(client: apiClient, timeout: .seconds(30), logger: db.logger)
                    let cache = ReadCache(database: database, configuration: configuration)
                    let dependencies = APIDependencies(database: database, orders: orders, cache: cache)
                    let app = Application(router: buildRouter(configuration: configuration, dependencies: dependencies))
                    // As `quant api` runs it: the read cache listens while the requests run.
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await cache.run() }
                        defer { group.cancelAll() }
                        try await app.test(.router) { try await body($0, client, db.logger, cache) }
                    }
                }
            }
        }
    }

    /// Today 10:00 UTC (today's partition always exists after `migrate up`).
    static let base = "date_trunc('day', now()) + interval '10 hours'"

    /// The built `quant` executable, for tests that run it as a user would.
    static func quantBinary() throws -> String {
        let binary = "\(TestDatabase.repositoryRoot)/.build/debug/quant"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestDatabase.MissingService(description: "\(binary) is missing: build the package first")
        }
        return binary
    }

    /// This process's environment with `DATABASE_URL` pointing at `db`.
    static func environment(for db: TestDatabase) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = "postgres://\(db.url.username)@\(db.url.host):\(db.url.port)/\(db.url.database)"
        return environment
    }

    /// A write key and a read key, hashed as `quant api-key create` stores them.
    static func insertKeys(_ client: PostgresClient, logger: Logger) async throws {
        try await client.query("""
            INSERT INTO ops.api_keys (name, secret_prefix, secret_hash, scopes, accounts) VALUES
              ('test-writer', 'qk_test-wri', sha256(convert_to(\(writerKey), 'UTF8')), '{read,write}', '{*}'),
              ('test-reader', 'qk_test-rea', sha256(convert_to(\(readerKey), 'UTF8')), '{read}', '{}'),
              ('desk-a', 'qk_test-dea', sha256(convert_to(\(deskAKey), 'UTF8')), '{read,write}', '{A-1}')
            """, logger: logger)
    }

    static func seedRows(_ client: PostgresClient, logger: Logger) async throws {
        let statements = [
            "INSERT INTO market.instruments (symbol, kind, name) VALUES ('AAA', 'equity', 'Triple A'), ('BBB', 'equity', NULL), ('CCC', 'equity', NULL)",
            // Five quote ticks of AAA, two of them at the same instant.
            """
            INSERT INTO market.quotes (ts, symbol, bid, ask, bid_size, ask_size) VALUES
              (\(base), 'AAA', 10.00, 10.02, 100, 200),
              (\(base) + interval '1 second', 'AAA', 10.01, 10.03, 100, 200),
              (\(base) + interval '2 seconds', 'AAA', 10.02, 10.04, 100, 200),
              (\(base) + interval '2 seconds', 'AAA', 10.03, 10.05, 300, 200),
              (\(base) + interval '3 seconds', 'AAA', 10.04, 10.06, 100, 200)
            """,
            // Trades: minute 0 → 10.00, 10.50, 9.90; minute 1 → 10.20.
            """
            INSERT INTO market.trades (ts, symbol, price, size) VALUES
              (\(base), 'AAA', 10.00, 100),
              (\(base) + interval '10 seconds', 'AAA', 10.50, 50),
              (\(base) + interval '20 seconds', 'AAA', 9.90, 50),
              (\(base) + interval '70 seconds', 'AAA', 10.20, 10)
            """,
            """
            INSERT INTO trading.book_snapshots (taken_at, symbol, topic, kafka_partition, next_offset, book_seq,
                best_bid, best_ask, bid_depth, ask_depth, snapshot, depth) VALUES
              (\(base), 'AAA', 'orders.commands', 0, 10, 7, 9.99, 10.01, 30, 5, '\\x00',
               '{"bids":[{"price":"9.99","quantity":10,"orders":1},{"price":"9.98","quantity":20,"orders":2}],"asks":[{"price":"10.01","quantity":5,"orders":1}]}')
            """,
            """
            INSERT INTO trading.book_depth SELECT symbol, taken_at, topic, kafka_partition, next_offset, book_seq,
                best_bid, best_ask, bid_depth, ask_depth, depth FROM trading.book_snapshots
            """,
            """
            INSERT INTO trading.orders (ts, order_id, symbol, side, order_type, time_in_force, price, quantity) VALUES
              (\(base), 'o-1', 'AAA', 'buy', 'limit', 'gtc', 10.00, 100),
              (\(base), 'o-2', 'AAA', 'sell', 'limit', 'gtc', 10.00, 40)
            """,
            """
            INSERT INTO trading.order_events (ts, seq, order_id, symbol, event, side, price, last_price, last_quantity,
                filled_quantity, leaves_quantity) VALUES
              (\(base), 1, 'o-1', 'AAA', 'accepted', 'buy', 10.00, NULL, NULL, 0, 100),
              (\(base), 2, 'o-2', 'AAA', 'filled', 'sell', 10.00, 10.00, 40, 40, 0),
              (\(base), 3, 'o-1', 'AAA', 'partially_filled', 'buy', 10.00, 10.00, 40, 40, 60)
            """,
            """
            INSERT INTO trading.executions (ts, seq, symbol, price, quantity, aggressor_side, maker_order_id, taker_order_id)
            VALUES (\(base), 4, 'AAA', 10.00, 40, 'sell', 'o-1', 'o-2')
            """,
            "INSERT INTO risk.portfolios (portfolio_id, name) VALUES ('alpha', 'Alpha'), ('empty', 'Empty')",
            """
            INSERT INTO risk.risk_metrics (computed_at, run_id, portfolio_id, method, confidence, horizon_days, var,
                expected_shortfall, portfolio_value, details) VALUES
              (\(base), '00000000-0000-0000-0000-000000000001', 'alpha', 'historical', 0.99, 1, 100, 120, 5000, '{"asOf":"2026-11-25"}'),
              (\(base) + interval '1 minute', '00000000-0000-0000-0000-000000000002', 'alpha', 'historical', 0.99, 1, 110, 130, 5100, '{"asOf":"2026-11-26"}'),
              (\(base) + interval '1 minute', '00000000-0000-0000-0000-000000000002', 'alpha', 'parametric', 0.99, 1, 105, 125, 5100, '{"asOf":"2026-11-26"}')
            """,
            """
            INSERT INTO risk.portfolio_greeks (computed_at, run_id, portfolio_id, delta, gamma, vega, theta, rho) VALUES
              (\(base), '00000000-0000-0000-0000-000000000001', 'alpha', 1, 0, 0, 0, 0),
              (\(base) + interval '1 minute', '00000000-0000-0000-0000-000000000002', 'alpha', 2, 0.5, 0, 0, 0)
            """,
        ]
        for sql in statements { try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse,
                                      sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(T.self, from: Data(buffer: response.body))
        } catch {
            // Say what came instead (a problem body, a 503), not only that a key was missing.
            Issue.record("HTTP \(response.status.code): \(String(buffer: response.body).prefix(500))", sourceLocation: sourceLocation)
            throw error
        }
    }

    struct ProblemBody: Decodable {
        var type: String
        var title: String
        var status: Int
        var detail: String?
        var errors: [Problem.FieldError]?
    }

    /// Asserts a problem-details answer with `status` and returns it.
    @discardableResult
    static func expectProblem(_ response: TestResponse, _ status: HTTPResponse.Status,
                              sourceLocation: SourceLocation = #_sourceLocation) throws -> ProblemBody {
        #expect(response.status == status, sourceLocation: sourceLocation)
        #expect(response.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
        let problem = try decode(ProblemBody.self, response)
        #expect(problem.status == Int(status.code), sourceLocation: sourceLocation)
        return problem
    }
}

/// Records what the API publishes; `failing` makes every publish throw (Kafka down).
actor RecordingPublisher: OrderCommandPublisher {
    struct Down: Error {}
    private(set) var commands: [OrderCommandMessage] = []
    let failing: Bool
    init(failing: Bool = false) { self.failing = failing }

    func publish(_ command: OrderCommandMessage) async throws {
        if failing { throw Down() }
        commands.append(command)
    }

    func probe() async throws { if failing { throw Down() } }
}

extension TestClientProtocol {
    func send(_ method: HTTPRequest.Method, _ uri: String, json: String? = nil, key: String? = nil,
              apiKey: String? = APITest.writerKey) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        if let apiKey { headers[.authorization] = "Bearer \(apiKey)" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    func get(_ uri: String) async throws -> TestResponse {
        try await execute(uri: uri, method: .get)
    }
}
