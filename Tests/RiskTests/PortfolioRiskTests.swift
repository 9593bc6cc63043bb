import MarketCore
import Testing
@testable import Risk

@Suite struct PortfolioRiskTests {
    /// Closes 100, 110, 99, 99, 108.9, 98.01: daily ratios 1.1, 0.9, 1.0, 1.1, 0.9. 100 shares at
    /// 98.01 gain or lose 9801·(ratio − 1): losses −980.1, 980.1, 0, −980.1, 980.1.
    func handHistory() throws -> PriceHistory {
        let closes = [100, 110, 99, 99, 108.9, 98.01]
        return try PriceHistory(rows: closes.enumerated().map {
            (CivilDate(dayNumber: 19_000 + $0.offset), TestMarket.symbol("AAA"), $0.element)
        })
    }

    @Test func historicalOnAHandCheckableSeries() throws {
        let risk = try PortfolioRisk(portfolio: Portfolio(positions: [TestMarket.equity("AAA", 100)]), prices: handHistory())
        #expect(risk.book.value == 9801)
        let measures = try risk.historical(confidences: [0.5, 0.75], horizons: [1])
        // 50%: n·α = 2.5, k = 2; sorted losses 980.1, 980.1, 0, … → VaR = 0, ES = (2·980.1 + 0.5·0)/2.5.
        #expect(abs(measures[0].valueAtRisk) < 1e-9)
        #expect(abs(measures[0].expectedShortfall - 784.08) < 1e-9)
        // 75%: n·α = 1.25, k = 1 → VaR = 980.1, ES = (980.1 + 0.25·980.1)/1.25 = 980.1.
        #expect(abs(measures[1].valueAtRisk - 980.1) < 1e-9)
        #expect(abs(measures[1].expectedShortfall - 980.1) < 1e-9)

        // Overlapping 2-day windows: ratios 0.99, 0.9, 1.1, 0.99 → losses 98.01, 980.1, −980.1, 98.01.
        let twoDay = try risk.historical(confidences: [0.5], horizons: [2], scaling: .overlapping)[0]
        #expect(twoDay.scenarios == 4)
        #expect(abs(twoDay.valueAtRisk - 98.01) < 1e-9)
        #expect(abs(twoDay.expectedShortfall - (980.1 + 98.01) / 2) < 1e-9)

        // √10 scaling: the worst day, ratio 0.9, becomes 0.9^√10.
        let tenDay = try risk.historical(confidences: [0.75], horizons: [10])[0]
        #expect(abs(tenDay.valueAtRisk - 9801 * (1 - Math.exp(10.0.squareRoot() * Math.log(0.9)))) < 1e-8)
    }

    /// One linear position: VaR = z·σ·value and ES = φ(z)/α·σ·value, σ the sample daily
    /// volatility of log returns; both scale with √h.
    @Test func parametricSingleLinearPosition() throws {
        let prices = try TestMarket.history(symbols: ["AAA"], days: 250, dailyVolatility: [0.012], correlation: 0, seed: 7)
        let risk = try PortfolioRisk(portfolio: Portfolio(positions: [TestMarket.equity("AAA", 300)]), prices: prices)
        let sigma = TestMarket.standardDeviation(risk.history.returns.map { $0[0] })
        let value = risk.book.value
        for measure in try risk.parametric() {
            let z = NormalDistribution.quantile(measure.confidence)
            let scale = Double(measure.horizonDays).squareRoot()
            #expect(measure.model == "delta-normal")
            #expect(abs(measure.valueAtRisk - z * sigma * value * scale) < 1e-9 * value)
            let es = NormalDistribution.pdf(z) / (1 - measure.confidence) * sigma * value * scale
            #expect(abs(measure.expectedShortfall - es) < 1e-9 * value)
            #expect(abs(measure.contributions[0].valueAtRisk - measure.valueAtRisk) < 1e-9 * value)
        }
    }

    @Test func parametricTwoAssetsMatchesTheQuadraticForm() throws {
        let prices = try TestMarket.history(symbols: ["AAA", "BBB"], days: 300, dailyVolatility: [0.01, 0.02], correlation: 0.4, seed: 11)
        let risk = try PortfolioRisk(
            portfolio: Portfolio(positions: [TestMarket.equity("AAA", 100), TestMarket.equity("BBB", -40)]), prices: prices)
        let cov = try risk.history.covariance()
        let w = risk.book.spots.enumerated().map { $0.element * [100.0, -40][$0.offset] }
        let variance = w[0] * w[0] * cov[0][0] + 2 * w[0] * w[1] * cov[0][1] + w[1] * w[1] * cov[1][1]
        let measure = try risk.parametric(confidences: [0.99], horizons: [1])[0]
        #expect(abs(measure.valueAtRisk - NormalDistribution.quantile(0.99) * variance.squareRoot()) < 1e-9 * measure.valueAtRisk)
    }

    /// Monte Carlo on one stock against the exact quantile of V·(1 − e^(σz)): the loss is monotone
    /// in the return, so the VaR is V·(1 − e^(−z·σ)). Tolerance: 4 standard errors of a sample
    /// quantile, √(α(1−α)/n) / f(q), with f the loss density at the quantile.
    @Test func monteCarloMatchesTheExactQuantileOfOneStock() throws {
        let prices = try TestMarket.history(symbols: ["AAA"], days: 250, dailyVolatility: [0.015], correlation: 0, seed: 3)
        let risk = try PortfolioRisk(portfolio: Portfolio(positions: [TestMarket.equity("AAA", 100)]), prices: prices)
        let sigma = TestMarket.standardDeviation(risk.history.returns.map { $0[0] })
        let value = risk.book.value
        let paths = 40_000
        for measure in try risk.monteCarlo(confidences: [0.95, 0.99], horizons: [1, 10], paths: paths, seed: 42) {
            let s = sigma * Double(measure.horizonDays).squareRoot()
            let z = NormalDistribution.quantile(measure.confidence)
            let alpha = 1 - measure.confidence
            let exact = value * (1 - Math.exp(-z * s))
            // Loss density at the quantile: φ(z) / (σ·V·e^(−zσ)).
            let density = NormalDistribution.pdf(z) / (s * value * Math.exp(-z * s))
            let standardError = (alpha * (1 - alpha) / Double(paths)).squareRoot() / density
            #expect(abs(measure.valueAtRisk - exact) < 4 * standardError, "\(measure.confidence) \(measure.horizonDays)d")
            #expect(measure.expectedShortfall >= measure.valueAtRisk)
        }
    }

    /// Monte Carlo converges to delta-normal for a linear two-asset book. The tolerance is 4
    /// standard errors of the sample quantile plus the bias from the book being linear in prices
    /// but not in log returns (|V·(e^r − 1) − V·r| ≤ V·r²/2 ⇒ a relative bias of at most z·σ/2 + …).
    @Test func monteCarloConvergesToParametricForALinearBook() throws {
        let prices = try TestMarket.history(symbols: ["AAA", "BBB"], days: 250, dailyVolatility: [0.005, 0.008], correlation: 0.5, seed: 5)
        let risk = try PortfolioRisk(
            portfolio: Portfolio(positions: [TestMarket.equity("AAA", 100), TestMarket.equity("BBB", 50)]), prices: prices)
        let paths = 40_000
        let parametric = try risk.parametric(horizons: [1])
        let monteCarlo = try risk.monteCarlo(horizons: [1], paths: paths, seed: 9)
        for (p, m) in zip(parametric, monteCarlo) {
            let alpha = 1 - p.confidence
            let z = NormalDistribution.quantile(p.confidence)
            let sigma = p.valueAtRisk / z  // portfolio P&L standard deviation
            let standardError = (alpha * (1 - alpha) / Double(paths)).squareRoot() * sigma / NormalDistribution.pdf(z)
            let bias = p.valueAtRisk * (z * sigma / risk.book.value)
            #expect(abs(m.valueAtRisk - p.valueAtRisk) < 4 * standardError + bias, "VaR \(p.confidence)")
            #expect(abs(m.expectedShortfall - p.expectedShortfall) < 4 * standardError + bias, "ES \(p.confidence)")
        }
    }

    func optionBook() throws -> PortfolioRisk {
        let prices = try TestMarket.history(symbols: ["AAA", "BBB"], days: 260, dailyVolatility: [0.015, 0.02], correlation: 0.3, seed: 21)
        let positions = [
            TestMarket.equity("AAA", 200),
            TestMarket.equity("BBB", -100),
            TestMarket.option("AAA-C", on: "AAA", .call, strike: 100, years: 0.25, quantity: -3),
            TestMarket.option("AAA-P", on: "AAA", .put, strike: 90, years: 0.5, quantity: 2),
            TestMarket.option("BBB-C", on: "BBB", .call, strike: 110, years: 1, volatility: 0.35, quantity: 1.5),
        ]
        return try PortfolioRisk(portfolio: Portfolio(positions: positions, rate: 0.03), prices: prices)
    }

    @Test func componentsSumToTheTotalForEveryMethod() throws {
        let risk = try optionBook()
        let measures = try risk.historical() + risk.historical(scaling: .overlapping) + risk.parametric()
            + risk.monteCarlo(paths: 20_000, seed: 1)
        #expect(measures.count == 24)
        for m in measures {
            let varSum = m.contributions.reduce(0) { $0 + $1.valueAtRisk }
            let esSum = m.contributions.reduce(0) { $0 + $1.expectedShortfall }
            #expect(abs(varSum - m.valueAtRisk) < 1e-6 * abs(m.valueAtRisk), "\(m.method) \(m.model) \(m.confidence) \(m.horizonDays)")
            #expect(abs(esSum - m.expectedShortfall) < 1e-6 * abs(m.expectedShortfall), "\(m.method) \(m.confidence)")
            #expect(m.expectedShortfall >= m.valueAtRisk - 1e-9, "\(m.method) \(m.confidence) \(m.horizonDays)")
            #expect(m.valueAtRisk.isFinite && m.expectedShortfall.isFinite)
        }
        #expect(measures.first { $0.method == .parametric }?.model == "delta-gamma-cornish-fisher")
    }

    /// The option book's delta-gamma Cornish-Fisher figures should land near full-revaluation Monte
    /// Carlo on the same covariance (a sanity bound, not a convergence claim: Cornish-Fisher is an approximation).
    @Test func deltaGammaIsCloseToFullRevaluation() throws {
        let risk = try optionBook()
        let parametric = try risk.parametric(confidences: [0.99], horizons: [1])[0]
        let monteCarlo = try risk.monteCarlo(confidences: [0.99], horizons: [1], paths: 20_000, seed: 2)[0]
        #expect(abs(parametric.valueAtRisk / monteCarlo.valueAtRisk - 1) < 0.1)
    }

    @Test func cornishFisherWithoutGammaIsNormal() {
        let (valueAtRisk, shortfall) = ParametricRisk.cornishFisher(
            delta: [1000, -500], gamma: [0, 0], covariance: [[1e-4, 2e-5], [2e-5, 4e-4]], alpha: 0.01)
        let sigma = (1000.0 * 1000 * 1e-4 - 2 * 1000 * 500 * 2e-5 + 500 * 500 * 4e-4).squareRoot()
        #expect(abs(valueAtRisk - NormalDistribution.quantile(0.99) * sigma) < 1e-9)
        #expect(abs(shortfall - NormalDistribution.pdf(NormalDistribution.quantile(0.99)) / 0.01 * sigma) < 1e-9)
    }

    @Test func monteCarloIsReproducibleFromItsSeed() throws {
        let risk = try optionBook()
        let first = try risk.monteCarlo(horizons: [1], paths: 2_000, seed: 77)
        let second = try risk.monteCarlo(horizons: [1], paths: 2_000, seed: 77)
        let other = try risk.monteCarlo(horizons: [1], paths: 2_000, seed: 78)
        #expect(first == second)
        #expect(first != other)
    }

    @Test func typedErrorsForBadInputs() throws {
        let book = Portfolio(positions: [TestMarket.equity("AAA", 1)])
        #expect(throws: RiskError.emptyHistory) { try PriceHistory.parseCSV("date,symbol,close\n") }
        let oneDay = try PriceHistory(rows: [(CivilDate("2024-01-02")!, TestMarket.symbol("AAA"), 10)])
        #expect(throws: RiskError.historyTooShort(needed: 2, available: 1)) { try PortfolioRisk(portfolio: book, prices: oneDay) }
        let prices = try TestMarket.history(symbols: ["AAA"], days: 20, dailyVolatility: [0.01], correlation: 0, seed: 1)
        #expect(throws: RiskError.missingPrices(symbol: "ZZZ")) {
            try PortfolioRisk(portfolio: Portfolio(positions: [TestMarket.equity("ZZZ", 1)]), prices: prices)
        }
        #expect(throws: RiskError.emptyPortfolio) { try PortfolioRisk(portfolio: Portfolio(positions: []), prices: prices) }
        let negativeVol = TestMarket.option("AAA-C", on: "AAA", .call, strike: 100, years: 1, volatility: -0.2, quantity: 1)
        #expect(throws: RiskError.self) { try PortfolioRisk(portfolio: Portfolio(positions: [negativeVol]), prices: prices) }

        // Two perfectly correlated series make the covariance singular: no Cholesky factor.
        var rows: [(date: CivilDate, symbol: Symbol, close: Double)] = []
        for (day, close) in [100.0, 101, 99, 102, 98].enumerated() {
            rows.append((CivilDate(dayNumber: 19_000 + day), TestMarket.symbol("AAA"), close))
            rows.append((CivilDate(dayNumber: 19_000 + day), TestMarket.symbol("BBB"), 2 * close))
        }
        let twins = try PortfolioRisk(
            portfolio: Portfolio(positions: [TestMarket.equity("AAA", 1), TestMarket.equity("BBB", 1)]), prices: PriceHistory(rows: rows))
        #expect(throws: RiskError.covarianceNotPositiveDefinite(pivot: 1)) { try twins.monteCarlo(paths: 100) }
        #expect(throws: RiskError.self) { try Cholesky([[1, 2], [2, 1]]) }
    }
}
