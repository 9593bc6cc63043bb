import Testing
@testable import Risk

@Suite struct VaRBacktestTests {
    /// Critical values of χ² at 5% (any table, e.g. Abramowitz & Stegun 26.8).
    @Test func chiSquaredSurvivalAtTabulatedCriticalValues() throws {
        for (x, dof) in [(3.841458820694124, 1), (5.991464547107979, 2), (7.814727903251178, 3), (9.487729036781154, 4), (18.307038053275146, 10)] {
            #expect(abs(try ChiSquared.survival(x, degreesOfFreedom: dof) - 0.05) < 1e-12, "\(dof)")
        }
        #expect(try ChiSquared.survival(0, degreesOfFreedom: 1) == 1)
        #expect(throws: RiskError.self) { try ChiSquared.survival(-1, degreesOfFreedom: 1) }
    }

    /// 250 days at 99% with 5 exceptions (expected 2.5), computed by hand:
    /// LR = −2·[245·ln 0.99 + 5·ln 0.01] + 2·[245·ln 0.98 + 5·ln 0.02] = 1.956810, p = erfc(√(LR/2)) = 0.161855.
    @Test func kupiecByHand() throws {
        let exceptions = (0..<250).map { [10, 60, 110, 160, 210].contains($0) }
        let result = try VaRBacktest.evaluate(exceptions: exceptions, confidence: 0.99)
        #expect(result.exceptions == 5)
        #expect(abs(result.expectedExceptions - 2.5) < 1e-12)
        #expect(abs(result.kupiec.statistic - 1.956809788230622) < 1e-9)
        #expect(abs(result.kupiec.pValue - 0.16185491719604272) < 1e-9)
        // Spread-out exceptions never follow one another: π₁ = 0.
        #expect(result.christoffersenIndependence.statistic > 0)
    }

    /// 20 days, 5 exceptions in two clusters at 90%: transitions n00 = 12, n01 = 2, n10 = 2, n11 = 3;
    /// π₀ = 1/7, π₁ = 3/5, π = 5/19. By hand: LR_ind = 3.687323, p = 0.054828; LR_POF = 3.693261;
    /// conditional coverage p = e^(−(3.693261 + 3.687323)/2) = 0.024965.
    @Test func christoffersenByHand() throws {
        let days = [0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0].map { $0 == 1 }
        let result = try VaRBacktest.evaluate(exceptions: days, confidence: 0.9)
        #expect(abs(result.christoffersenIndependence.statistic - 3.6873232725884755) < 1e-9)
        #expect(abs(result.christoffersenIndependence.pValue - 0.054827538149653) < 1e-9)
        #expect(abs(result.kupiec.statistic - 3.6932606149229095) < 1e-9)
        #expect(abs(result.conditionalCoverage.pValue - 0.024964712686305523) < 1e-9)
    }

    @Test func exceptionsComeFromPnLAgainstVaR() throws {
        let result = try VaRBacktest.evaluate(pnl: [-5, 3, -12, -10.5, 1], valueAtRisk: [10, 10, 10, 10, 10], confidence: 0.95)
        #expect(result.exceptions == 2)
        #expect(throws: RiskError.self) { try VaRBacktest.evaluate(pnl: [1], valueAtRisk: [1, 2], confidence: 0.95) }
    }

    /// A rolling backtest on i.i.d. normal returns should not reject a correct 95% VaR.
    @Test func rollingHistoricalBacktestOnIIDData() throws {
        let prices = try TestMarket.history(symbols: ["AAA"], days: 1_000, dailyVolatility: [0.01], correlation: 0, seed: 99)
        let risk = try PortfolioRisk(portfolio: Portfolio(positions: [TestMarket.equity("AAA", 10)]), prices: prices, lookback: 1_000)
        let result = try VaRBacktest.rollingHistorical(risk: risk, confidence: 0.95, window: 250)
        #expect(result.observations == 750)
        #expect(result.kupiec.pValue > 0.01)
        #expect(result.christoffersenIndependence.pValue > 0.01)
    }
}
