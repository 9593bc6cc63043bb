import MarketCore
import Testing
@testable import Risk

@Suite struct ImpliedVolatilityTests {
    /// Round trip across moneyness from deep in to deep out of the money and maturities from a
    /// week to ten years. Where vega is too small for the price to pin σ down in double
    /// precision, the test asks that the recovered σ reproduce the price instead.
    @Test(arguments: [OptionPricingModel.blackScholesMerton, .black76])
    func roundTrip(model: OptionPricingModel) throws {
        var checked = 0
        for right in [Instrument.OptionRight.call, .put] {
            for strike in [30.0, 60, 85, 100, 115, 150, 250] {
                for t in [7.0 / 365, 0.25, 1, 10] {
                    for vol in [0.05, 0.2, 0.6, 1.5] {
                        let p = OptionParameters(
                            right: right, underlying: 100, strike: strike, rate: 0.03, dividendYield: 0.01,
                            volatility: vol, timeToExpiry: t, model: model)
                        let value = try OptionPricer.valuation(p)
                        guard value.price > 1e-10 else { continue }  // below any quotable price
                        do {
                            let implied = try ImpliedVolatility.solve(price: value.price, parameters: p.with(volatility: 0.3))
                            let repriced = try OptionPricer.price(p.with(volatility: implied))
                            #expect(abs(repriced - value.price) <= 1e-9 * max(value.price, 1e-3), "\(right) K=\(strike) T=\(t) σ=\(vol)")
                            if value.vega > 1e-3 * value.price { #expect(abs(implied - vol) < 1e-6, "\(right) K=\(strike) T=\(t) σ=\(vol)") }
                            checked += 1
                        } catch RiskError.noImpliedVolatility {
                            // Only a price that rounds to its no-arbitrage bound may be refused.
                            let intrinsic = try OptionPricer.price(p.with(volatility: 0))
                            #expect(abs(value.price - intrinsic) < 1e-12 * max(1, intrinsic), "\(right) K=\(strike) T=\(t) σ=\(vol)")
                        }
                    }
                }
            }
        }
        #expect(checked > 150)
    }

    @Test func refusesPricesNoVolatilityCanProduce() throws {
        let p = OptionParameters(right: .call, underlying: 100, strike: 80, rate: 0.05, volatility: 0.2, timeToExpiry: 1)
        let intrinsic = 100 - 80 * Math.exp(-0.05)
        // Below the discounted intrinsic value.
        #expect(throws: RiskError.noImpliedVolatility(price: intrinsic - 0.5, lowerBound: intrinsic, upperBound: 100)) {
            try ImpliedVolatility.solve(price: intrinsic - 0.5, parameters: p)
        }
        // At or above the underlying (the σ → ∞ limit of a call).
        #expect(throws: RiskError.self) { try ImpliedVolatility.solve(price: 100, parameters: p) }
        #expect(throws: RiskError.self) { try ImpliedVolatility.solve(price: 120, parameters: p) }
        // A put above the discounted strike.
        #expect(throws: RiskError.self) { try ImpliedVolatility.solve(price: 79, parameters: p.withRight(.put)) }
        // Negative price, no time left, NaN.
        #expect(throws: RiskError.self) { try ImpliedVolatility.solve(price: -1, parameters: p) }
        var expired = p
        expired.timeToExpiry = 0
        #expect(throws: RiskError.self) { try ImpliedVolatility.solve(price: 25, parameters: expired) }
        #expect(throws: RiskError.self) { try ImpliedVolatility.solve(price: .nan, parameters: p) }
    }

    @Test func hullImpliedVolatility() throws {
        // Hull's Example 15.6 inverted: the 4.7594 call implies σ = 20%.
        let p = OptionParameters(right: .call, underlying: 42, strike: 40, rate: 0.1, volatility: 0, timeToExpiry: 0.5)
        let price = try OptionPricer.price(p.with(volatility: 0.2))
        #expect(abs(try ImpliedVolatility.solve(price: price, parameters: p) - 0.2) < 1e-10)
    }
}

extension OptionParameters {
    func withRight(_ right: Instrument.OptionRight) -> OptionParameters {
        var copy = self
        copy.right = right
        return copy
    }
}
