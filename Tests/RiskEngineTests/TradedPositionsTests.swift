import Foundation
import Logging
import PostgresNIO
import RiskEngine
import Testing

/// Issue 18: positions made by fills (`trading.positions`, written by the processor) are valued
/// with the entered ones, and their P&L is recorded as a time series, both as the risk engine's
/// own role.
@Suite struct TradedPositionsTests {
    static let logger = RiskTestDatabase.logger

    @Test func tradedPositionsAreValuedAndTheirPnLIsRecorded() async throws {
        let market = try RiskTestMarket()
        try await RiskTestDatabase.withMigratedClients { client, engineClient, _ in
            try await market.seed(client, logger: Self.logger)
            let engine = RiskEngineTests.engine(engineClient)
            let before = try await Self.value(engine, client)

            // An account of alpha bought 50 AAPL at 170 and sold 20 at 175 (realized 100).
            try await client.query("INSERT INTO trading.accounts (account, portfolio_id) VALUES ('desk-a', 'alpha')", logger: Self.logger)
            try await client.query("""
                INSERT INTO trading.positions (account, symbol, quantity, cost_basis, realized_pnl, fills)
                VALUES ('desk-a', 'AAPL', 30, 5100, 100, 2)
                """, logger: Self.logger)
            let after = try await Self.value(engine, client)
            let close = market.closes.last { $0.symbol.rawValue == "AAPL" }!.close
            #expect(abs(after - before - 30 * close) < 1e-6, "30 traded AAPL at \(close) were valued: \(before) → \(after)")

            let recorded = try await PnLRecorder(client: engineClient, logger: Self.logger).record()
            #expect(recorded == 1)
            let rows = try await client.query("""
                SELECT realized_pnl::float8, unrealized_pnl::float8, total_pnl::float8, positions::int
                FROM api.portfolio_pnl WHERE portfolio_id = 'alpha'
                """, logger: Self.logger)
            var found = 0
            for try await (realized, unrealized, total, positions) in rows.decode((Double, Double, Double, Int).self) {
                found += 1
                // Marked to AAPL's last trade print (the market's: our books have not traded).
                #expect(realized == 100 && positions == 1)
                #expect(abs(unrealized - (30 * close - 5100)) < 1e-6 && abs(total - realized - unrealized) < 1e-9)
            }
            #expect(found == 1)
        }
    }

    static func value(_ engine: RiskEngineService, _ client: PostgresClient) async throws -> Double {
        let report = try await engine.runCycle(portfolioIDs: ["alpha"])
        let runID = try #require(report.stored.first?.runID)
        let rows = try await client.query(
            "SELECT portfolio_value::float8 FROM risk.risk_metrics WHERE run_id = \(runID) LIMIT 1", logger: logger)
        for try await value in rows.decode(Double.self) { return value }
        throw TestFailure("run \(runID) has no metrics")
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
