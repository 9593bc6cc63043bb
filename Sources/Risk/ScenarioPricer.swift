import CBatchPricer

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

    /// The price at every underlying of `underlyings`, into `prices` (as long): the same formula
    /// as `price(underlying:)` in SIMD blocks (`qp_scenario_prices`: SLEEF's log, libmvec's erfc),
    /// which agrees with it to about 1e-13 relative; one by one without AVX2 or volatility.
    func prices(_ underlyings: UnsafeBufferPointer<Double>, into prices: UnsafeMutableBufferPointer<Double>) {
        precondition(prices.count >= underlyings.count)
        guard let input = underlyings.baseAddress, let output = prices.baseAddress else { return }
        if stdDev > 0 {
            let option = qp_scenario_option(sign: sign, carryDiscount: carryDiscount, strike: strike, strikeValue: strikeValue,
                                            drift: drift, stdDev: stdDev)
            if qp_scenario_prices(option, input, output, underlyings.count) != 0 { return }
        }
        for i in underlyings.indices { prices[i] = price(underlying: underlyings[i]) }
    }

    /// `prices` of one underlying: the batched formula, so it equals that scenario's price exactly.
    func batchedPrice(underlying s: Double) -> Double {
        var input = s, output = 0.0
        withUnsafePointer(to: &input) { i in
            withUnsafeMutablePointer(to: &output) { o in
                prices(UnsafeBufferPointer(start: i, count: 1), into: UnsafeMutableBufferPointer(start: o, count: 1))
            }
        }
        return output
    }
}
