import MarketCore

/// VaR and ES of one valued book against a history of factor returns, by any of the three
/// methods. Build it once, then ask for each method.
public struct PortfolioRisk: Sendable {
    public let book: RiskBook
    /// The look-back window of daily factor log returns (columns in `book.factors` order).
    public let history: FactorReturns

    public init(book: RiskBook, history: FactorReturns) throws(RiskError) {
        guard history.symbols == book.factors else {
            throw .mismatchedInputs("return columns \(history.symbols) differ from the book's factors \(book.factors)")
        }
        guard history.count >= 2 else { throw .historyTooShort(needed: 3, available: history.count + 1) }
        self.book = book
        self.history = history
    }

    /// Values `portfolio` from `prices` and takes the last `lookback` daily returns up to the valuation date.
    public init(portfolio: Portfolio, prices: PriceHistory, lookback: Int = 250) throws(RiskError) {
        let book = try RiskBook(portfolio: portfolio, history: prices)
        let returns = try prices.logReturns(of: book.factors, lookback: lookback, asOf: book.valuationDate)
        try self.init(book: book, history: returns)
    }

    /// Historical simulation with full revaluation: each past day's factor moves applied to today's book.
    /// `incrementalES` adds each position's incremental ES (ES minus ES without it) to its contribution.
    public func historical(
        confidences: [Double] = RiskModule.defaultConfidences, horizons: [Int] = RiskModule.defaultHorizons,
        scaling: HistoricalHorizonScaling = .squareRootOfTime, incrementalES: Bool = false
    ) throws(RiskError) -> [RiskMeasure] {
        var result: [RiskMeasure] = []
        for horizon in horizons {
            let scenarios = try history.horizonScenarios(days: horizon, scaling: scaling)
            let risk = ScenarioRisk(book: book, moves: scenarios.flatMap { $0 })
            result += try risk.measures(
                method: .historical, model: "full-revaluation-\(scaling.rawValue)", horizon: horizon, confidences: confidences,
                incremental: incrementalES)
        }
        return result
    }

    /// Delta-normal (linear books) or delta-gamma Cornish-Fisher (books with options); see `ParametricRisk`.
    public func parametric(
        confidences: [Double] = RiskModule.defaultConfidences, horizons: [Int] = RiskModule.defaultHorizons
    ) throws(RiskError) -> [RiskMeasure] {
        let model = ParametricRisk(book: book, covariance: try history.covariance())
        var result: [RiskMeasure] = []
        for horizon in horizons { result += try model.measures(horizon: horizon, confidences: confidences) }
        return result
    }

    /// Monte Carlo with full revaluation: factor log returns over h days drawn as √h·L·z, with L
    /// the Cholesky factor of the sample covariance and z standard normal (xoshiro256**, polar
    /// method). The same draws serve every horizon (common random numbers).
    public func monteCarlo(
        confidences: [Double] = RiskModule.defaultConfidences, horizons: [Int] = RiskModule.defaultHorizons,
        paths: Int = 100_000, seed: UInt64 = 42, incrementalES: Bool = false
    ) throws(RiskError) -> [RiskMeasure] {
        guard paths >= 2 else { throw .invalidParameter(name: "paths", value: Double(paths), requirement: ">= 2") }
        let lower = try Cholesky(history.covariance()).lower
        let f = book.factors.count
        var sampler = NormalSampler(seed: seed)
        var correlated = [Double](repeating: 0, count: paths * f)
        var z = [Double](repeating: 0, count: f)
        for path in 0..<paths {
            for j in 0..<f { z[j] = sampler.next() }
            for i in 0..<f {
                var sum = 0.0
                for j in 0...i { sum += lower[i][j] * z[j] }
                correlated[path * f + i] = sum
            }
        }
        var result: [RiskMeasure] = []
        for horizon in horizons {
            guard horizon >= 1 else { throw .invalidParameter(name: "horizon", value: Double(horizon), requirement: ">= 1 day") }
            let scale = Double(horizon).squareRoot()
            let risk = ScenarioRisk(book: book, moves: horizon == 1 ? correlated : correlated.map { $0 * scale })
            result += try risk.measures(
                method: .monteCarlo, model: "full-revaluation-\(paths)-paths", horizon: horizon, confidences: confidences,
                incremental: incrementalES)
        }
        return result
    }
}
