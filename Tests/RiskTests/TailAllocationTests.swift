import MarketCore
import Testing
@testable import Risk

/// Component and incremental ES of the scenario methods: components sum to the portfolio's ES
/// for random books; incremental ES equals ES minus the ES of the book without the position.
@Suite struct TailAllocationTests {
    /// A random book of equities and options on three factors, from `seed`.
    func randomBook(seed: UInt64) -> Portfolio {
        var random = Xoshiro256StarStar(seed: seed)
        func uniform(_ range: ClosedRange<Double>) -> Double {
            range.lowerBound + Double(random.next() >> 11) / Double(1 << 53) * (range.upperBound - range.lowerBound)
        }
        var positions: [RiskPosition] = []
        for (index, name) in ["AAA", "BBB", "CCC"].enumerated() {
            positions.append(TestMarket.equity(name, uniform(-200...200).rounded()))
            positions.append(TestMarket.option(
                "O\(index)", on: name, uniform(0...1) < 0.5 ? .call : .put, strike: uniform(80...120), years: uniform(0.1...1),
                volatility: uniform(0.1...0.5), quantity: uniform(-5...5).rounded()))
        }
        return Portfolio(positions: positions, rate: 0.03)
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func componentsSumToTheTotal(seed: UInt64) throws {
        let prices = try TestMarket.history(
            symbols: ["AAA", "BBB", "CCC"], days: 260, dailyVolatility: [0.01, 0.02, 0.015], correlation: 0.3, seed: seed)
        let risk = try PortfolioRisk(portfolio: randomBook(seed: seed), prices: prices)
        let measures = try risk.historical(confidences: [0.95, 0.99], horizons: [1, 10], incrementalES: true)
            + risk.monteCarlo(confidences: [0.975], horizons: [1], paths: 5_000, seed: seed, incrementalES: true)
        for measure in measures {
            let es = measure.contributions.reduce(0) { $0 + $1.expectedShortfall }
            let valueAtRisk = measure.contributions.reduce(0) { $0 + $1.valueAtRisk }
            #expect(abs(es - measure.expectedShortfall) < 1e-9 * max(1, abs(measure.expectedShortfall)))
            #expect(abs(valueAtRisk - measure.valueAtRisk) < 1e-9 * max(1, abs(measure.valueAtRisk)))
            #expect(measure.contributions.allSatisfy { $0.incrementalExpectedShortfall?.isFinite == true })
        }
    }

    /// Incremental ES against a second run of the same history without the position.
    @Test func incrementalIsTheESWithMinusTheESWithout() throws {
        let prices = try TestMarket.history(symbols: ["AAA", "BBB", "CCC"], days: 250, dailyVolatility: [0.01, 0.02, 0.015], correlation: 0.3, seed: 9)
        let portfolio = randomBook(seed: 9)
        let measure = try PortfolioRisk(portfolio: portfolio, prices: prices).historical(confidences: [0.975], horizons: [1], incrementalES: true)[0]
        for (index, position) in portfolio.positions.enumerated() where position.option != nil {
            var without = portfolio
            without.positions.remove(at: index)
            // Same factors and dates (every factor keeps its equity), so the same scenarios.
            let other = try PortfolioRisk(portfolio: without, prices: prices).historical(confidences: [0.975], horizons: [1])[0]
            let incremental = try #require(measure.contributions[index].incrementalExpectedShortfall)
            #expect(abs(incremental - (measure.expectedShortfall - other.expectedShortfall)) < 1e-8 * measure.expectedShortfall)
        }
    }

    /// One position: its component and its incremental ES are the whole ES (without it nothing is at risk).
    @Test func aSinglePositionCarriesAllOfIt() throws {
        let prices = try TestMarket.history(symbols: ["AAA"], days: 250, dailyVolatility: [0.02], correlation: 0, seed: 4)
        let measure = try PortfolioRisk(portfolio: Portfolio(positions: [TestMarket.equity("AAA", 50)]), prices: prices)
            .historical(confidences: [0.99], horizons: [1], incrementalES: true)[0]
        #expect(abs(measure.contributions[0].expectedShortfall - measure.expectedShortfall) < 1e-9)
        #expect(abs(measure.contributions[0].incrementalExpectedShortfall! - measure.expectedShortfall) < 1e-9)
    }

    /// Closes chosen by hand: with two returns the slope is the P&L difference over the return
    /// difference. Stock 50 → 60 → 45, index 100 → 110 → 99; one share valued at 45 earns
    /// 45·(60/50 − 1) = 9 and 45·(45/60 − 1) = −11.25 on index log returns ln 1.1 and ln 0.9.
    @Test func betaOnAHandCheckableHistory() throws {
        let rows: [(date: CivilDate, symbol: Symbol, close: Double)] = [(50, 100), (60, 110), (45, 99)].enumerated().flatMap { day, closes in
            [(CivilDate(dayNumber: 19_000 + day), TestMarket.symbol("AAA"), closes.0),
             (CivilDate(dayNumber: 19_000 + day), TestMarket.symbol("IDX"), closes.1)]
        }
        let prices = try PriceHistory(rows: rows)
        let book = try RiskBook(portfolio: Portfolio(positions: [TestMarket.equity("AAA", 1)]), history: prices)
        let beta = try PortfolioBeta.estimate(book: book, index: TestMarket.symbol("IDX"), prices: prices, lookback: 250)
        let dollarBeta = (9 - -11.25) / (Math.log(1.1) - Math.log(0.9))
        #expect(beta.observations == 2)
        #expect(abs(beta.dollarBeta - dollarBeta) < 1e-9)
        #expect(abs(beta.beta! - dollarBeta / 45) < 1e-12)
        #expect(abs(beta.correlation! - 1) < 1e-12)
    }

    /// A book holding the index has a beta near 1 (not exactly: its P&L is S·(eʳ − 1), not S·r).
    @Test func theIndexItselfHasBetaNearOne() throws {
        let prices = try TestMarket.history(symbols: ["IDX", "AAA"], days: 250, dailyVolatility: [0.01, 0.02], correlation: 0.5, seed: 5)
        let book = try RiskBook(portfolio: Portfolio(positions: [TestMarket.equity("IDX", 10)]), history: prices)
        let beta = try PortfolioBeta.estimate(book: book, index: TestMarket.symbol("IDX"), prices: prices, lookback: 250)
        #expect(abs(beta.beta! - 1) < 0.02)
        #expect(beta.observations == 250)
        let flat = try PriceHistory(rows: (0..<5).map { (CivilDate(dayNumber: 19_000 + $0), TestMarket.symbol("IDX"), 100.0) })
        let flatBook = try RiskBook(portfolio: Portfolio(positions: [TestMarket.equity("IDX", 1)]), history: flat)
        #expect(throws: RiskError.self) { try PortfolioBeta.estimate(book: flatBook, index: TestMarket.symbol("IDX"), prices: flat, lookback: 10) }
    }

    /// The selection-based ES equals the sorting estimator's on random samples, with ties and
    /// all-equal samples (which must stay linear, not quadratic).
    @Test func selectionESMatchesTheSortedEstimator() throws {
        var random = Xoshiro256StarStar(seed: 17)
        for n in [1, 2, 3, 10, 99, 250, 1_000, 4_001] {
            let samples: [[Double]] = [
                (0..<n).map { _ in Double(random.next() >> 11) / Double(1 << 53) - 0.5 },
                (0..<n).map { _ in Double(random.next() % 5) },
                [Double](repeating: 0, count: n),
            ]
            for losses in samples {
                for confidence in [0.5, 0.9, 0.95, 0.975, 0.99] {
                    let sorted = try TailEstimate.estimate(losses: losses, confidence: confidence).expectedShortfall
                    let selected = try TailEstimate.expectedShortfall(losses: losses, confidence: confidence)
                    #expect(abs(sorted - selected) <= 1e-12 * max(1, abs(sorted)), "n \(n), \(confidence)")
                }
            }
        }
        let flat = [Double](repeating: 3, count: 200_000)
        #expect(try TailEstimate.expectedShortfall(losses: flat, confidence: 0.99) == 3)
    }
}
