/// Closed-form European option prices and Greeks in the generalised Black-Scholes form with cost
/// of carry b (Haug, *The Complete Guide to Option Pricing Formulas*, 2nd ed., §1.1.6):
/// b = r − q gives Black-Scholes-Merton with a continuous dividend yield, b = 0 gives Black-76.
public enum OptionPricer {
    /// Price and all five Greeks. Throws for invalid inputs (see `OptionParameters.validated()`).
    public static func valuation(_ parameters: OptionParameters) throws(RiskError) -> OptionValuation {
        uncheckedValuation(try parameters.validated())
    }

    /// The price only.
    public static func price(_ parameters: OptionParameters) throws(RiskError) -> Double {
        uncheckedPrice(try parameters.validated())
    }

    /// Price without validation, for scenario loops whose inputs were validated once.
    static func uncheckedPrice(_ p: OptionParameters) -> Double {
        ScenarioPricer(p).price(underlying: p.underlying)
    }

    /// The pieces both the price and the Greeks need.
    private struct Terms {
        let sign: Double
        let carryDiscount: Double
        /// S·e^((b−r)T) and K·e^(−rT).
        let forwardValue: Double
        let strikeValue: Double
        let sqrtT: Double
        /// σ√T; d1 and d2 are meaningful only when it is positive.
        let stdDev: Double
        let d1: Double
        let d2: Double

        @inline(__always) init(_ p: OptionParameters) {
            let t = p.timeToExpiry
            sign = p.right == .call ? 1 : -1
            carryDiscount = Math.exp((p.carry - p.rate) * t)
            forwardValue = p.underlying * carryDiscount
            strikeValue = p.strike * Math.exp(-p.rate * t)
            sqrtT = Math.sqrt(t)
            stdDev = p.volatility * sqrtT
            d1 = stdDev > 0
                ? (Math.log(p.underlying / p.strike) + (p.carry + 0.5 * p.volatility * p.volatility) * t) / stdDev : 0
            d2 = d1 - stdDev
        }
    }

    static func uncheckedValuation(_ p: OptionParameters) -> OptionValuation {
        let terms = Terms(p)
        let (sign, carryDiscount, forwardValue, strikeValue) = (terms.sign, terms.carryDiscount, terms.forwardValue, terms.strikeValue)
        let (sqrtT, stdDev, d1, d2, t) = (terms.sqrtT, terms.stdDev, terms.d1, terms.d2, p.timeToExpiry)
        guard stdDev > 0 else { return deterministicValuation(p, forwardValue, strikeValue, carryDiscount, sign) }

        let nd1 = NormalDistribution.cdf(sign * d1)
        let nd2 = NormalDistribution.cdf(sign * d2)
        let density = NormalDistribution.pdf(d1)
        let price = sign * (forwardValue * nd1 - strikeValue * nd2)
        let delta = sign * carryDiscount * nd1
        let gamma = carryDiscount * density / (p.underlying * stdDev)
        let vega = forwardValue * density * sqrtT
        let theta = -forwardValue * density * p.volatility / (2 * sqrtT)
            - sign * (p.carry - p.rate) * forwardValue * nd1
            - sign * p.rate * strikeValue * nd2
        // BSM: b = r − q moves with r. Black-76: the futures price is fixed, only discounting moves.
        let rho = p.model == .black76 ? -t * price : sign * t * strikeValue * nd2
        return OptionValuation(price: price, delta: delta, gamma: gamma, vega: vega, theta: theta, rho: rho)
    }

    /// Zero volatility or zero time: the discounted forward payoff, with its one-sided derivatives.
    private static func deterministicValuation(
        _ p: OptionParameters, _ forwardValue: Double, _ strikeValue: Double, _ carryDiscount: Double, _ sign: Double
    ) -> OptionValuation {
        let intrinsic = sign * (forwardValue - strikeValue)
        guard intrinsic > 0 else { return .zero }
        let t = p.timeToExpiry
        let theta = -sign * ((p.carry - p.rate) * forwardValue + p.rate * strikeValue)
        let rho = p.model == .black76 ? -t * intrinsic : sign * t * strikeValue
        return OptionValuation(
            price: intrinsic, delta: sign * carryDiscount, gamma: 0, vega: 0, theta: theta, rho: rho)
    }
}
