import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing

/// `GET /risk/portfolios/{id}/backtest`: the VaR backtest of `analytics.var_exceptions`, counted
/// per method and confidence, read as the API's own role.
@Suite struct VaRBacktestEndpointTests {
    struct Body: Decodable {
        struct Summary: Decodable, Equatable {
            var method: String, confidence: String, days: Int, exceptions: Int, expectedExceptions: Double
            var kupiecPValue: Double?, independencePValue: Double?, conditionalCoveragePValue: Double?
        }
        struct Day: Decodable, Equatable { var method: String; var asOf: String; var nextAsOf: String; var `var`: String; var pnl: String; var exception: Bool }
        var portfolioId: String
        var summary: [Summary]
        var days: [Day]
    }

    @Test func exceptionsAreCountedAgainstWhatTheConfidenceExpects() async throws {
        try await APITest.withAPI { client, postgres, logger in
            // alpha (APITest's seed): 5,000 on 11-25 and 5,100 on 11-26; now 4,900 on 11-27, a loss of
            // 200 against a 1-day VaR of 110.
            try await postgres.query("""
                INSERT INTO risk.risk_metrics (computed_at, run_id, portfolio_id, method, confidence, horizon_days, var,
                    expected_shortfall, portfolio_value, details)
                VALUES (now(), '00000000-0000-0000-0000-000000000003', 'alpha', 'historical', 0.99, 1, 120, 140, 4900, '{"asOf":"2026-11-27"}')
                """, logger: logger)
            let body = try APITest.decode(Body.self, try await client.execute(uri: "/api/v1/risk/portfolios/alpha/backtest", method: .get))
            #expect(body.portfolioId == "alpha")
            #expect(body.summary.count == 1)
            let summary = try #require(body.summary.first)
            #expect(summary.method == "historical" && summary.confidence == "0.99" && summary.days == 2 && summary.exceptions == 1)
            #expect(abs(summary.expectedExceptions - 0.02) < 1e-9)
            // By hand: 1 exception in 2 days at p = 1%. Kupiec LR = 2·[2·ln ½ − ln 0.01 − ln 0.99];
            // χ² survival is erfc(√(x/2)) with 1 degree of freedom, e^(−x/2) with 2. One pair of days
            // (no exception, then one) says nothing against independence: LR 0, p = 1.
            let lr = 2 * (2 * log(0.5) - log(0.01) - log(0.99))
            #expect(abs((summary.kupiecPValue ?? -1) - erfc((lr / 2).squareRoot())) < 1e-9)
            #expect(abs((summary.independencePValue ?? -1) - 1) < 1e-9)
            #expect(abs((summary.conditionalCoveragePValue ?? -1) - exp(-lr / 2)) < 1e-9)
            #expect(body.days == [
                .init(method: "historical", asOf: "2026-11-26", nextAsOf: "2026-11-27", var: "110", pnl: "-200", exception: true),
                .init(method: "historical", asOf: "2026-11-25", nextAsOf: "2026-11-26", var: "100", pnl: "100", exception: false),
            ])
            let one = try APITest.decode(Body.self, try await client.execute(uri: "/api/v1/risk/portfolios/alpha/backtest?limit=1", method: .get))
            #expect(one.days.count == 1 && one.summary == body.summary)
            let empty = try APITest.decode(Body.self, try await client.execute(uri: "/api/v1/risk/portfolios/empty/backtest", method: .get))
            #expect(empty.summary.isEmpty && empty.days.isEmpty)
            _ = try APITest.expectProblem(try await client.execute(uri: "/api/v1/risk/portfolios/nobody/backtest", method: .get), .notFound)
            _ = try APITest.expectProblem(try await client.execute(uri: "/api/v1/risk/portfolios/alpha/backtest?limit=0", method: .get), .badRequest)
        }
    }
}
