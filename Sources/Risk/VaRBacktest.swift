/// A likelihood-ratio test statistic with its chi-squared p-value.
public struct LikelihoodRatioTest: Sendable, Hashable, Codable {
    public var statistic: Double
    public var degreesOfFreedom: Int
    /// P(χ² > statistic): small values reject the model.
    public var pValue: Double
}

/// Result of backtesting a VaR series against realised P&L.
public struct VaRBacktestResult: Sendable, Hashable, Codable {
    public var confidence: Double
    public var observations: Int
    public var exceptions: Int
    public var expectedExceptions: Double
    /// Kupiec's proportion-of-failures test (unconditional coverage), 1 d.o.f.
    public var kupiec: LikelihoodRatioTest
    /// Christoffersen's test that exceptions are independent (first-order Markov alternative), 1 d.o.f.
    public var christoffersenIndependence: LikelihoodRatioTest
    /// Christoffersen's conditional coverage: Kupiec + independence, 2 d.o.f.
    public var conditionalCoverage: LikelihoodRatioTest
}

/// VaR backtests: exception counts, Kupiec POF and Christoffersen independence.
public enum VaRBacktest {
    /// Exceptions are the days whose loss (−P&L) exceeds that day's VaR.
    public static func evaluate(pnl: [Double], valueAtRisk: [Double], confidence: Double) throws(RiskError) -> VaRBacktestResult {
        guard pnl.count == valueAtRisk.count else {
            throw .mismatchedInputs("\(pnl.count) P&L values but \(valueAtRisk.count) VaR values")
        }
        for (p, v) in zip(pnl, valueAtRisk) {
            try RiskError.require("P&L", p, "finite") { _ in true }
            try RiskError.require("VaR", v, "finite") { _ in true }
        }
        return try evaluate(exceptions: zip(pnl, valueAtRisk).map { -$0 > $1 }, confidence: confidence)
    }

    /// Kupiec: LR = −2·ln[(1−p)^(T−x)·p^x] + 2·ln[(1−x/T)^(T−x)·(x/T)^x], p = 1 − confidence.
    /// Christoffersen: with nᵢⱼ the count of day pairs going from state i to j (1 = exception),
    /// π₀ = n₀₁/(n₀₀+n₀₁), π₁ = n₁₁/(n₁₀+n₁₁), π = (n₀₁+n₁₁)/(all pairs),
    /// LR = −2·ln[(1−π)^(n₀₀+n₁₀)·π^(n₀₁+n₁₁)] + 2·ln[(1−π₀)^n₀₀·π₀^n₀₁·(1−π₁)^n₁₀·π₁^n₁₁].
    /// 0·ln 0 is taken as 0.
    public static func evaluate(exceptions: [Bool], confidence: Double) throws(RiskError) -> VaRBacktestResult {
        try RiskError.require("confidence", confidence, "in (0, 1)") { $0 > 0 && $0 < 1 }
        guard exceptions.count >= 2 else { throw .historyTooShort(needed: 2, available: exceptions.count) }
        let p = 1 - confidence
        let t = Double(exceptions.count)
        let x = Double(exceptions.filter { $0 }.count)
        let kupiec = 2 * (logLikelihood(failures: x, trials: t, probability: x / t)
            - logLikelihood(failures: x, trials: t, probability: p))

        var n = [[0.0, 0.0], [0.0, 0.0]]
        for (previous, current) in zip(exceptions, exceptions.dropFirst()) {
            n[previous ? 1 : 0][current ? 1 : 0] += 1
        }
        let pi0 = n[0][0] + n[0][1] > 0 ? n[0][1] / (n[0][0] + n[0][1]) : 0
        let pi1 = n[1][0] + n[1][1] > 0 ? n[1][1] / (n[1][0] + n[1][1]) : 0
        let pi = (n[0][1] + n[1][1]) / (n[0][0] + n[0][1] + n[1][0] + n[1][1])
        let independence = 2 * (logLikelihood(failures: n[0][1], trials: n[0][0] + n[0][1], probability: pi0)
            + logLikelihood(failures: n[1][1], trials: n[1][0] + n[1][1], probability: pi1)
            - logLikelihood(failures: n[0][1] + n[1][1], trials: n[0][0] + n[0][1] + n[1][0] + n[1][1], probability: pi))

        func test(_ statistic: Double, _ dof: Int) throws(RiskError) -> LikelihoodRatioTest {
            let value = max(statistic, 0)  // rounding can leave −1e-15
            return LikelihoodRatioTest(
                statistic: value, degreesOfFreedom: dof, pValue: try ChiSquared.survival(value, degreesOfFreedom: dof))
        }
        return VaRBacktestResult(
            confidence: confidence, observations: exceptions.count, exceptions: Int(x), expectedExceptions: p * t,
            kupiec: try test(kupiec, 1), christoffersenIndependence: try test(independence, 1),
            conditionalCoverage: try test(kupiec + independence, 2))
    }

    /// ln[(1−π)^(n−x)·π^x] with 0·ln 0 = 0.
    static func logLikelihood(failures x: Double, trials n: Double, probability pi: Double) -> Double {
        var result = 0.0
        if x > 0 { result += x * Math.log(pi) }
        if n - x > 0 { result += (n - x) * Math.log(1 - pi) }
        return result
    }

    /// Rolls historical-simulation VaR through the history: on each day t after the first
    /// `window` days, VaR is estimated from the book's full-revaluation P&L over the previous
    /// `window` days' factor moves and compared with day t's P&L. The book is today's book held
    /// fixed (the usual "hypothetical P&L" backtest).
    public static func rollingHistorical(
        risk: PortfolioRisk, confidence: Double, window: Int
    ) throws(RiskError) -> VaRBacktestResult {
        let history = risk.history
        guard window >= 2, history.count > window else {
            throw .historyTooShort(needed: window + 2, available: history.count + 1)
        }
        let scenarios = ScenarioRisk(book: risk.book, moves: history.returns.flatMap { $0 })
        let losses = scenarios.losses()
        var pnl: [Double] = []
        var valueAtRisk: [Double] = []
        for t in window..<losses.count {
            let past = Array(losses[(t - window)..<t])
            valueAtRisk.append(try TailEstimate.estimate(losses: past, confidence: confidence).valueAtRisk)
            pnl.append(-losses[t])
        }
        return try evaluate(pnl: pnl, valueAtRisk: valueAtRisk, confidence: confidence)
    }
}
