/// Implied volatility: the σ at which the model price equals a given price.
public enum ImpliedVolatility {
    /// Solves price(σ) = `price` for σ, using every field of `parameters` except `volatility`.
    ///
    /// The price is increasing in σ, from the discounted intrinsic value (σ → 0) to the discounted
    /// forward (calls) or discounted strike (puts) as σ → ∞, so a solution exists exactly when the
    /// price lies strictly between those bounds; otherwise this throws `.noImpliedVolatility`.
    /// The search is Newton's method from Manaster–Koehler's starting point (the σ of maximum
    /// vega), safeguarded by a bracket that every step narrows: a Newton step that would leave the
    /// bracket (or has no vega to work with) is replaced by bisection, so it always converges.
    public static func solve(
        price: Double, parameters: OptionParameters, tolerance: Double = 1e-12
    ) throws(RiskError) -> Double {
        var p = try parameters.with(volatility: 0).validated()
        try RiskError.require("option price", price, ">= 0") { $0 >= 0 }
        try RiskError.require("time to expiry", p.timeToExpiry, "> 0 to imply a volatility") { $0 > 0 }
        let t = p.timeToExpiry
        let forwardValue = p.underlying * Math.exp((p.carry - p.rate) * t)
        let strikeValue = p.strike * Math.exp(-p.rate * t)
        let lower = p.right == .call ? max(0, forwardValue - strikeValue) : max(0, strikeValue - forwardValue)
        let upper = p.right == .call ? forwardValue : strikeValue
        guard price > lower, price < upper else {
            throw .noImpliedVolatility(price: price, lowerBound: lower, upperBound: upper)
        }

        let target = price
        let priceTolerance = tolerance * max(target, 1e-3 * tolerance)
        var low = 0.0
        var high = 1.0
        // Widen the bracket until it holds the root; the price tends to `upper` so this ends.
        while OptionPricer.uncheckedPrice(p.with(volatility: high)) < target {
            low = high
            high *= 2
            guard high <= 1e4 else { throw .impliedVolatilityDidNotConverge(price: price) }
        }
        let moneyness = abs(Math.log(forwardValue / strikeValue))
        var sigma = min(max(Math.sqrt(2 * moneyness / t), 0.1), high)
        if sigma <= low { sigma = 0.5 * (low + high) }

        for _ in 0..<300 {
            p.volatility = sigma
            let value = OptionPricer.uncheckedValuation(p)
            let difference = value.price - target
            if abs(difference) <= priceTolerance { return sigma }
            if difference < 0 { low = sigma } else { high = sigma }
            if high - low <= 1e-15 * high { return sigma }
            var next = sigma - difference / value.vega
            if !(value.vega > 0) || !(next > low && next < high) { next = 0.5 * (low + high) }
            sigma = next
        }
        throw .impliedVolatilityDidNotConverge(price: price)
    }
}
