/// An option's price as a function of the underlying alone, with everything that does not depend
/// on it computed once: scenario loops then pay one `log` and two `erfc` per revaluation.
struct ScenarioPricer: Sendable {
    private let sign: Double
    private let carryDiscount: Double
    private let strike: Double
    private let strikeValue: Double
    /// (b + σ²/2)·T
    private let drift: Double
    /// σ√T
    private let stdDev: Double

    init(_ p: OptionParameters) {
        let t = p.timeToExpiry
        sign = p.right == .call ? 1 : -1
        carryDiscount = Math.exp((p.carry - p.rate) * t)
        strike = p.strike
        strikeValue = p.strike * Math.exp(-p.rate * t)
        drift = (p.carry + 0.5 * p.volatility * p.volatility) * t
        stdDev = p.volatility * Math.sqrt(t)
    }

    @inline(__always) func price(underlying s: Double) -> Double {
        let forwardValue = s * carryDiscount
        guard stdDev > 0 else { return max(0, sign * (forwardValue - strikeValue)) }
        let d1 = (Math.log(s / strike) + drift) / stdDev
        return sign * (forwardValue * NormalDistribution.cdf(sign * d1)
            - strikeValue * NormalDistribution.cdf(sign * (d1 - stdDev)))
    }
}
