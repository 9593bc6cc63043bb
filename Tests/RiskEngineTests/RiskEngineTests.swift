import Foundation
import Logging
import MarketCore
import PipelineContracts
import PortfolioValuation
import PostgresNIO
import Risk
import RiskEngine
import ServiceLifecycle
import Testing

/// The service against a real PostgreSQL: inputs from seeded trades and quotes, one transaction
/// per portfolio, NOTIFY after commit, the reader views, and the service loop.
@Suite struct RiskEngineTests {
    static let logger = RiskTestDatabase.logger
    static let methods = ["historical", "parametric", "monte_carlo"]

    struct StoredRow: Equatable {
        var method: String
        var confidence: Double
        var horizon: Int
        var valueAtRisk: Double
        var expectedShortfall: Double
        var value: Double
        var runID: UUID
    }

    static func storedRows(_ client: PostgresClient, _ portfolio: String) async throws -> [StoredRow] {
        let rows = try await client.query("""
            SELECT method, confidence::float8, horizon_days, var::float8, expected_shortfall::float8, portfolio_value::float8, run_id
            FROM risk.risk_metrics WHERE portfolio_id = \(portfolio) ORDER BY method, confidence, horizon_days
            """, logger: logger)
        var result: [StoredRow] = []
        for try await (m, c, h, v, e, value, run) in rows.decode((String, Double, Int32, Double, Double, Double, UUID).self) {
            result.append(StoredRow(method: m, confidence: c, horizon: Int(h), valueAtRisk: v, expectedShortfall: e, value: value, runID: run))
        }
        return result
    }

    static func engine(_ client: PostgresClient) -> RiskEngineService {
        RiskEngineService(client: client, configuration: RiskTestMarket.configuration, logger: logger)
    }

    @Test func oneCycleStoresEveryMethodConfidenceAndHorizonExactlyAsTheCoreComputesThem() async throws {
        let market = try RiskTestMarket()
        try await RiskTestDatabase.withMigratedClients { client, engineClient, _ in
            try await market.seed(client, logger: Self.logger)
            let report = try await Self.engine(engineClient).runCycle()

            #expect(report.outcomes.map(\.portfolioID) == ["alpha", "beta", "gamma"])
            #expect(report.stored.map(\.portfolioID) == ["alpha", "beta"])
            #expect(report.skipped.map(\.portfolioID) == ["gamma"])
            #expect(report.skipped.first?.reason == RiskEngineError.risk(.missingPrices(symbol: "NEWCO")).description)
            #expect(try await Self.storedRows(client, "gamma").isEmpty)

            let configuration = RiskTestMarket.configuration
            for id in ["alpha", "beta"] {
                let rows = try await Self.storedRows(client, id)
                #expect(rows.count == 3 * configuration.confidences.count * configuration.horizons.count)
                #expect(Set(rows.map(\.runID)).count == 1)
                let (risk, measures) = try market.expectedRisk(id)
                for method in Self.methods {
                    for confidence in configuration.confidences {
                        for horizon in configuration.horizons {
                            let row = try #require(rows.first {
                                $0.method == method && abs($0.confidence - confidence) < 1e-9 && $0.horizon == horizon
                            }, "\(id) has no \(method) row at \(confidence), \(horizon) days")
                            let expected = try #require(measures.first {
                                $0.method.storedName == method && $0.confidence == confidence && $0.horizonDays == horizon
                            })
                            #expect(row.valueAtRisk > 0)
                            #expect(row.expectedShortfall >= row.valueAtRisk)
                            // numeric(24, 8) keeps 8 decimals: the stored number is the core's, rounded.
                            #expect(abs(row.valueAtRisk - expected.valueAtRisk) < 1e-7, "\(id) \(method) \(confidence) \(horizon)")
                            #expect(abs(row.expectedShortfall - expected.expectedShortfall) < 1e-7)
                            #expect(abs(row.value - risk.book.value) < 1e-7)
                        }
                    }
                }
                let greeks = try await client.query("""
                    SELECT delta, gamma, vega, theta, rho FROM risk.portfolio_greeks WHERE portfolio_id = \(id)
                    """, logger: Self.logger)
                var count = 0
                for try await (delta, gamma, vega, theta, rho) in greeks.decode((Double, Double, Double, Double, Double).self) {
                    count += 1
                    let total = risk.book.positionGreeks.map(\.total)
                    #expect(abs(delta - total.reduce(0) { $0 + $1.delta }) < 1e-9)
                    #expect(abs(gamma - total.reduce(0) { $0 + $1.gamma }) < 1e-12)
                    #expect(abs(vega - total.reduce(0) { $0 + $1.vega }) < 1e-9)
                    #expect(abs(theta - total.reduce(0) { $0 + $1.theta }) < 1e-9)
                    #expect(abs(rho - total.reduce(0) { $0 + $1.rho }) < 1e-9)
                    #expect(vega != 0)
                }
                #expect(count == 1)
            }
        }
    }

    @Test func detailsHoldTheInputsAsOfAndPerPositionContributionsThatSumToTheTotals() async throws {
        let market = try RiskTestMarket()
        try await RiskTestDatabase.withMigratedClient { client, _ in
            try await market.seed(client, logger: Self.logger)
            _ = try await Self.engine(client).runCycle(portfolioIDs: ["alpha", "beta"])
            let rows = try await client.query("""
                SELECT portfolio_id, var::float8, expected_shortfall::float8, details::text FROM risk.risk_metrics
                """, logger: Self.logger)
            struct Details: Decodable {
                struct Position: Decodable {
                    var id: String
                    var varContribution: Double
                    var esContribution: Double
                    var volatility: Double?
                    var volatilitySource: String?
                }
                var asOf: String
                var model: String
                var returns: Int
                var positions: [Position]
            }
            var seen = 0
            for try await (id, valueAtRisk, shortfall, text) in rows.decode((String, Double, Double, String).self) {
                seen += 1
                let details = try JSONDecoder().decode(Details.self, from: Data(text.utf8))
                #expect(details.asOf == market.valuationDate.description)
                #expect(details.returns == RiskTestMarket.configuration.lookbackDays)
                #expect(Set(details.positions.map(\.id)) == Set(RiskTestMarket.portfolios.first { $0.id == id }!.positions.map(\.symbol)))
                let varSum = details.positions.reduce(0) { $0 + $1.varContribution }
                let esSum = details.positions.reduce(0) { $0 + $1.esContribution }
                #expect(abs(varSum - valueAtRisk) < 1e-6 * max(1, valueAtRisk), "\(id) \(details.model)")
                #expect(abs(esSum - shortfall) < 1e-6 * max(1, shortfall))
                if id == "alpha" {
                    let call = try #require(details.positions.first { $0.id == "AAPL-C-190" })
                    #expect(call.volatilitySource == "implied")
                    #expect(abs(call.volatility! - RiskTestMarket.impliedVolatility) < 0.01)
                } else {
                    let put = try #require(details.positions.first { $0.id == "ESZ6-P-4900" })
                    #expect(put.volatilitySource == "default")
                    #expect(put.volatility == RiskTestMarket.configuration.defaultVolatility)
                }
            }
            #expect(seen == 36)
        }
    }

    @Test func eachRunIsAnnouncedOnlyOnceCommittedWithItsRunID() async throws {
        let market = try RiskTestMarket()
        try await RiskTestDatabase.withMigratedClient { client, url in
            try await market.seed(client, logger: Self.logger)
            try await url.withConnection(logger: Self.logger) { listener in
                try await listener.listen(on: "risk_metrics") { notifications in
                    let report = try await Self.engine(client).runCycle()
                    var iterator = notifications.makeAsyncIterator()
                    for outcome in report.stored {
                        let note = try #require(try await iterator.next())
                        struct Payload: Decodable { var portfolio_id: String; var run_id: UUID; var computed_at: String }
                        let payload = try JSONDecoder().decode(Payload.self, from: Data(note.payload.utf8))
                        #expect(payload.portfolio_id == outcome.portfolioID)
                        #expect(payload.run_id == outcome.runID)
                        #expect(payload.computed_at == outcome.computedAt)
                        // Committed before the notification went out: another session sees every row.
                        let visible = try await client.query("""
                            SELECT (SELECT count(*) FROM risk.risk_metrics WHERE run_id = \(payload.run_id))::int,
                                   (SELECT count(*) FROM risk.portfolio_greeks WHERE run_id = \(payload.run_id))::int
                            """, logger: Self.logger)
                        for try await (metrics, greeks) in visible.decode((Int, Int).self) {
                            #expect(metrics == 18 && greeks == 1)
                        }
                    }
                }
            }
        }
    }

    @Test func theReaderViewsShowTheLatestRunAndTheDailyCloses() async throws {
        let market = try RiskTestMarket()
        try await RiskTestDatabase.withMigratedClient { client, _ in
            try await market.seed(client, logger: Self.logger)
            let engine = Self.engine(client)
            _ = try await engine.runCycle()
            let second = try await engine.runCycle()
            for outcome in second.stored {
                let latest = try await client.query("""
                    SELECT DISTINCT run_id FROM api.risk_latest WHERE portfolio_id = \(outcome.portfolioID)
                    """, logger: Self.logger)
                var runs: [UUID] = []
                for try await run in latest.decode(UUID.self) { runs.append(run) }
                #expect(runs == [outcome.runID!])
                let greeks = try await client.query("""
                    SELECT run_id FROM api.greeks_latest WHERE portfolio_id = \(outcome.portfolioID)
                    """, logger: Self.logger)
                for try await run in greeks.decode(UUID.self) { #expect(run == outcome.runID) }
            }
            #expect(try await Self.storedRows(client, "alpha").count == 36)
            let overview = try await client.query("""
                SELECT portfolio_id, run_id, as_of::text, count(*)::int, bool_and(vega IS NOT NULL)
                FROM api.risk_overview GROUP BY 1, 2, 3 ORDER BY 1
                """, logger: Self.logger)
            var overviewRows: [(String, UUID, String, Int, Bool)] = []
            for try await row in overview.decode((String, UUID, String, Int, Bool).self) { overviewRows.append(row) }
            #expect(overviewRows.map(\.0) == ["alpha", "beta"])
            for row in overviewRows {
                #expect(row.1 == second.stored.first { $0.portfolioID == row.0 }?.runID)
                #expect(row.2 == market.valuationDate.description && row.3 == 18 && row.4)
            }

            let closes = try await client.query("""
                SELECT symbol, day::text, close::float8, source FROM analytics.daily_closes
                WHERE symbol IN ('AAPL', 'MSFT', 'ESZ6') ORDER BY day, symbol
                """, logger: Self.logger)
            var stored: [(CivilDate, String, Double, String)] = []
            for try await (symbol, day, close, source) in closes.decode((String, String, Double, String).self) {
                stored.append((CivilDate(day)!, symbol, close, source))
            }
            let expected = market.closes.sorted { ($0.date, $0.symbol) < ($1.date, $1.symbol) }
            #expect(stored.count == expected.count)
            for (row, want) in zip(stored, expected) {
                #expect(row.0 == want.date && row.1 == want.symbol.rawValue && row.2 == want.close)
            }
            #expect(stored.filter { $0.3 == "quote_mid" }.count == 30)
        }
    }

    @Test func tradeAndPositionNotificationsRecomputeOnlyTheAffectedPortfolioAndShutdownIsGraceful() async throws {
        let market = try RiskTestMarket()
        try await RiskTestDatabase.withMigratedClients { client, engineClient, url in
            try await market.seed(client, logger: Self.logger)
            let group = ServiceGroup(configuration: .init(
                services: [.init(service: Self.engine(engineClient), successTerminationBehavior: .gracefullyShutdownGroup)],
                logger: Self.logger))
            let running = Task { try await group.run() }
            @Sendable func runs(_ portfolio: String) async throws -> Int {
                let rows = try await client.query("""
                    SELECT count(DISTINCT run_id)::int FROM risk.risk_metrics WHERE portfolio_id = \(portfolio)
                    """, logger: Self.logger)
                for try await n in rows.decode(Int.self) { return n }
                return 0
            }
            // The first cycle starts at once.
            try await withTimeout(seconds: 20, "the first cycle") {
                while try await runs("beta") < 1 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(try await runs("alpha") == 1)
            // A trade in the future only beta holds: beta is recomputed, alpha is not. The listener may
            // not be registered yet, so notify until it is heard.
            try await withTimeout(seconds: 20, "a recomputation after NOTIFY md_trades") {
                while try await runs("beta") < 2 {
                    let trade = TradeNotice(symbol: "ESZ6", ts: "2026-11-27T10:00:00Z", price: "5000", size: 1, count: 1)
                    try await client.query("SELECT pg_notify('md_trades', \(trade.payload))", logger: Self.logger)
                    try await Task.sleep(for: .milliseconds(300))
                }
            }
            #expect(try await runs("alpha") == 1)
            #expect(try await runs("gamma") == 0)

            // A changed position (the risk.positions trigger's NOTIFY risk_positions) recomputes its
            // portfolio, which is announced on risk_metrics.
            let heard = try await url.withConnection(logger: Self.logger) { listener in
                try await listener.listen(on: "risk_metrics") { notifications in
                    try await withTimeout(seconds: 20, "a risk_metrics notification after a position change") {
                        // Late md_trades notifications above may still announce beta runs: wait for alpha's.
                        let watcher = Task { () async throws -> String? in
                            for try await note in notifications where note.payload.contains(#""alpha""#) { return note.payload }
                            return nil
                        }
                        while true {
                            try await client.query("""
                                UPDATE risk.positions SET quantity = 150, updated_at = now() WHERE portfolio_id = 'alpha' AND symbol = 'AAPL'
                                """, logger: Self.logger)
                            try await Task.sleep(for: .milliseconds(500))
                            if try await runs("alpha") >= 2 { return try await watcher.value }
                        }
                    }
                }
            }
            struct Announced: Decodable { var portfolio_id: String }
            let announced = try JSONDecoder().decode(Announced.self, from: Data(try #require(heard).utf8))
            #expect(announced.portfolio_id == "alpha", "\(heard ?? "")")
            let values = try await client.query("""
                SELECT DISTINCT computed_at, portfolio_value::float8 FROM risk.risk_metrics WHERE portfolio_id = 'alpha' ORDER BY 1
                """, logger: Self.logger)
            var alphaValues: [Double] = []
            for try await (_, value) in values.decode((Date, Double).self) { alphaValues.append(value) }
            let spot = market.closes.last { $0.symbol.rawValue == "AAPL" }!.close
            #expect(alphaValues.count >= 2 && abs(alphaValues.last! - alphaValues.first! - 50 * spot) < 1e-6)

            await group.triggerGracefulShutdown()
            try await withTimeout(seconds: 20, "a graceful shutdown") { try await running.value }
        }
    }
}
