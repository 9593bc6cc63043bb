import Foundation
import Logging
import MarketCore
import PortfolioValuation
import PostgresNIO
import QuantConfig
import Risk
import RiskEngine
import Testing
import TestSupport

/// The standard stress scenarios, per-position tail risk and the beta, stored by a real cycle and
/// compared with the core's own answers on the test's closes; and the reader views over them.
@Suite struct StressAndTailRiskTests {
    static let logger = RiskTestDatabase.logger

    /// The engine's test settings plus the shipped scenarios and a beta to MSFT (priced in the market).
    static func configuration() throws -> RiskEngineConfiguration {
        var configuration = RiskTestMarket.configuration
        let file = TestDatabase.repositoryRoot + "/config/stress-scenarios.yaml"
        configuration.stressScenarios = try RiskEngineConfiguration.stressScenarios(StressScenarioFile.load(path: file))
        configuration.betaIndex = Symbol("MSFT")
        return configuration
    }

    /// One database for the three checks: every migrated test database takes PostgreSQL lock
    /// slots while it is made, and the suites run in parallel.
    @Test func oneCycleStoresStressTestsPositionRiskAndBeta() async throws {
        let market = try RiskTestMarket(weekdays: 80)
        let configuration = try Self.configuration()
        #expect(configuration.stressScenarios.map(\.name).starts(with: ["equity-crash", "vol-spike", "rate-shock"]))
        try await RiskTestDatabase.withMigratedClient { client, _ in
            try await market.seed(client, logger: Self.logger)
            let engine = RiskEngineService(client: client, configuration: configuration, logger: Self.logger)
            let report = try await engine.runCycle(portfolioIDs: ["alpha", "beta"])
            #expect(report.stored.count == 2)
            try await Self.checkStress(client, market, configuration, report)
            try await Self.checkPositionRisk(client, market)
            try await Self.checkBeta(client, market, configuration)
        }
    }

    /// The shipped scenarios are stored per run as the core computes them.
    static func checkStress(
        _ client: PostgresClient, _ market: RiskTestMarket, _ configuration: RiskEngineConfiguration, _ report: CycleReport
    ) async throws {
        for id in ["alpha", "beta"] {
            let (risk, _) = try market.expectedRisk(id)
            let expected = try StressTest.run(book: risk.book, scenarios: configuration.stressScenarios)
            let rows = try await client.query("""
                SELECT scenario, base_value, stressed_value, pnl, jsonb_array_length(positions), run_id
                FROM risk.stress_results WHERE portfolio_id = \(id) ORDER BY scenario
                """, logger: Self.logger)
            var seen = 0
            for try await (scenario, base, stressed, pnl, positions, run) in rows.decode((String, Double, Double, Double, Int, UUID).self) {
                seen += 1
                let result = try #require(expected.first { $0.scenario == scenario })
                #expect(abs(pnl - result.pnl) < 1e-9 * max(1, abs(result.pnl)), "\(id) \(scenario)")
                #expect(abs(base - risk.book.value) < 1e-9 * abs(risk.book.value))
                #expect(abs(stressed - result.stressedValue) < 1e-9 * max(1, abs(result.stressedValue)))
                #expect(positions == risk.book.positionGreeks.count)
                #expect(run == report.stored.first { $0.portfolioID == id }?.runID)
            }
            #expect(seen == configuration.stressScenarios.count)
            // An equity crash hurts a long-equity book.
            #expect(expected.first { $0.scenario == "equity-crash" }!.pnl < 0 || id == "beta")
        }
        // The reader views: totals per scenario, positions summing to them, for the analyst too.
        let sums = try await client.query("""
            SELECT l.portfolio_id, l.scenario, l.pnl, sum(p.pnl)
            FROM api.stress_latest l JOIN api.stress_positions_latest p USING (portfolio_id, scenario, run_id)
            GROUP BY 1, 2, 3
            """, logger: Self.logger)
        var groups = 0
        for try await (_, _, pnl, sum) in sums.decode((String, String, Double, Double).self) {
            groups += 1
            #expect(abs(pnl - sum) < 1e-6 * max(1, abs(pnl)))
        }
        #expect(groups == 2 * configuration.stressScenarios.count)
    }

    /// Position components sum to the stored totals; incrementals match the core.
    static func checkPositionRisk(_ client: PostgresClient, _ market: RiskTestMarket) async throws {
        let rows = try await client.query("""
            SELECT m.method, m.confidence::float8, m.horizon_days, m.var::float8, m.expected_shortfall::float8,
                   sum(p.component_var), sum(p.component_es), count(p.incremental_es)::int, count(*)::int
            FROM api.risk_overview m
            JOIN api.position_risk_latest p USING (portfolio_id, run_id, method, confidence, horizon_days)
            WHERE m.portfolio_id = 'alpha'
            GROUP BY 1, 2, 3, 4, 5
            """, logger: Self.logger)
        var measures = 0
        for try await (method, _, _, valueAtRisk, shortfall, componentVaR, componentES, incrementals, positions)
            in rows.decode((String, Double, Int32, Double, Double, Double, Double, Int, Int).self) {
            measures += 1
            #expect(positions == 3)
            #expect(abs(componentVaR - valueAtRisk) < 1e-6 * max(1, valueAtRisk), "\(method)")
            #expect(abs(componentES - shortfall) < 1e-6 * max(1, shortfall), "\(method)")
            #expect(incrementals == (method == "parametric" ? 0 : 3))
        }
        #expect(measures == 18)

        let (risk, _) = try market.expectedRisk("alpha")
        let historical = try risk.historical(confidences: [0.99], horizons: [1], incrementalES: true)[0]
        let stored = try await client.query("""
            SELECT position_id, incremental_es FROM api.position_risk_latest
            WHERE portfolio_id = 'alpha' AND method = 'historical' AND confidence = 0.99 AND horizon_days = 1
            """, logger: Self.logger)
        var checked = 0
        for try await (id, incremental) in stored.decode((String, Double).self) {
            let core = try #require(historical.contributions.first { $0.id == id }?.incrementalExpectedShortfall)
            #expect(abs(incremental - core) < 1e-9 * max(1, abs(core)))
            checked += 1
        }
        #expect(checked == 3)
    }

    /// The beta to the configured index is stored and shown; an index without prices gives none.
    static func checkBeta(_ client: PostgresClient, _ market: RiskTestMarket, _ configuration: RiskEngineConfiguration) async throws {
        let (risk, _) = try market.expectedRisk("alpha")
        let history = try PriceHistory(rows: market.closes)
        let expected = try PortfolioBeta.estimate(book: risk.book, index: Symbol("MSFT")!, prices: history, lookback: configuration.lookbackDays)
        let rows = try await client.query("""
            SELECT beta_index, beta, dollar_beta, beta_observations FROM api.portfolio_beta_latest WHERE portfolio_id = 'alpha'
            """, logger: Self.logger)
        var seen = 0
        for try await (index, beta, dollarBeta, observations) in rows.decode((String, Double, Double, Int32).self) {
            seen += 1
            #expect(index == "MSFT")
            #expect(abs(dollarBeta - expected.dollarBeta) < 1e-9 * abs(expected.dollarBeta))
            #expect(abs(beta - expected.beta!) < 1e-12 + 1e-9 * abs(expected.beta!))
            #expect(Int(observations) == expected.observations)
        }
        #expect(seen == 1)

        // An index without prices gives no beta; the run is stored all the same.
        var noIndex = configuration
        noIndex.betaIndex = Symbol("NOSUCH")
        let report = try await RiskEngineService(client: client, configuration: noIndex, logger: Self.logger).runCycle(portfolioIDs: ["alpha"])
        #expect(report.stored.count == 1)
        let latest = try await client.query("""
            SELECT beta_index FROM risk.portfolio_greeks WHERE portfolio_id = 'alpha' ORDER BY computed_at DESC LIMIT 1
            """, logger: Self.logger)
        for try await index in latest.decode(String?.self) { #expect(index == nil) }
    }

    @Test func aBadScenarioFileIsRefusedWithItsReason() throws {
        #expect(throws: StressScenarioFile.LoadError.self) {
            try StressScenarioFile.parse(yaml: "scenarios:\n  - name: x\n    shocks:\n      - pricePercnt: -10\n")
        }
        let definitions = try StressScenarioFile.parse(yaml: "scenarios:\n  - name: wipe\n    shocks:\n      - pricePercent: -100\n")
        #expect(throws: RiskError.self) { try RiskEngineConfiguration.stressScenarios(definitions) }
        #expect(try StressScenarioFile.load(path: "").isEmpty)
    }
}
