import MarketCore
import Testing
@testable import Risk

@Suite struct OptionPricerTests {
    func bsm(
        _ right: Instrument.OptionRight, s: Double, k: Double, r: Double, q: Double = 0, vol: Double, t: Double
    ) -> OptionParameters {
        OptionParameters(right: right, underlying: s, strike: k, rate: r, dividendYield: q, volatility: vol, timeToExpiry: t)
    }

    // Hull, Options, Futures and Other Derivatives (8th ed.), Example 14.6 / 15.6:
    // S = 42, K = 40, r = 10%, σ = 20%, T = 0.5 → c = 4.76, p = 0.81.
    @Test func hullCallAndPut() throws {
        #expect(abs(try OptionPricer.price(bsm(.call, s: 42, k: 40, r: 0.1, vol: 0.2, t: 0.5)) - 4.76) < 0.005)
        #expect(abs(try OptionPricer.price(bsm(.put, s: 42, k: 40, r: 0.1, vol: 0.2, t: 0.5)) - 0.81) < 0.005)
    }

    // Hull (8th ed.), Chapter 18 running example (Examples 18.1, 18.4–18.7): a call with S = 49,
    // K = 50, r = 5%, σ = 20%, T = 20 weeks: Δ = 0.522, Γ = 0.066, vega = 12.1, Θ = −4.31 per year, ρ = 8.91.
    @Test func hullGreeks() throws {
        let v = try OptionPricer.valuation(bsm(.call, s: 49, k: 50, r: 0.05, vol: 0.2, t: 20.0 / 52))
        #expect(abs(v.delta - 0.522) < 0.0005)
        #expect(abs(v.gamma - 0.066) < 0.0005)
        #expect(abs(v.vega - 12.1) < 0.05)
        #expect(abs(v.theta - -4.31) < 0.005)
        #expect(abs(v.thetaPerDay - -4.31 / 365) < 0.0001)
        #expect(abs(v.rho - 8.91) < 0.005)
        #expect(abs(v.vegaPerVolPoint - 0.121) < 0.0005)
    }

    // Haug, The Complete Guide to Option Pricing Formulas (2nd ed.), §1.1.1, §1.1.3, §1.1.4.
    @Test func haugExamples() throws {
        // Black-Scholes: S = 60, X = 65, T = 0.25, r = 8%, σ = 30% → call 2.1334.
        #expect(abs(try OptionPricer.price(bsm(.call, s: 60, k: 65, r: 0.08, vol: 0.3, t: 0.25)) - 2.1334) < 0.00005)
        // Merton (dividend yield): S = 100, X = 95, T = 0.5, r = 10%, q = 5%, σ = 20% → put 2.4648.
        #expect(abs(try OptionPricer.price(bsm(.put, s: 100, k: 95, r: 0.1, q: 0.05, vol: 0.2, t: 0.5)) - 2.4648) < 0.00005)
        // Black-76: F = 19, X = 19, T = 0.75, r = 10%, σ = 28% → call = put = 1.7011.
        for right in [Instrument.OptionRight.call, .put] {
            let p = OptionParameters(
                right: right, underlying: 19, strike: 19, rate: 0.1, dividendYield: 0.03, volatility: 0.28,
                timeToExpiry: 0.75, model: .black76)
            #expect(abs(try OptionPricer.price(p) - 1.7011) < 0.00005)
        }
    }

    @Test(arguments: [OptionPricingModel.blackScholesMerton, .black76])
    func putCallParity(model: OptionPricingModel) throws {
        for (s, k, r, q, vol, t) in [(100.0, 80.0, 0.05, 0.02, 0.3, 1.0), (100, 130, 0.01, 0.0, 0.15, 0.1), (50, 50, -0.005, 0.03, 0.6, 3.0)] {
            var p = OptionParameters(right: .call, underlying: s, strike: k, rate: r, dividendYield: q, volatility: vol, timeToExpiry: t, model: model)
            let call = try OptionPricer.price(p)
            p.right = .put
            let put = try OptionPricer.price(p)
            let carry = model == .black76 ? 0 : r - q
            let forward = s * Math.exp((carry - r) * t) - k * Math.exp(-r * t)
            #expect(abs(call - put - forward) < 1e-10 * s)
        }
    }

    /// Every analytic Greek against a central finite difference of the price.
    @Test(arguments: [OptionPricingModel.blackScholesMerton, .black76])
    func greeksMatchFiniteDifferences(model: OptionPricingModel) throws {
        for right in [Instrument.OptionRight.call, .put] {
            for (s, k, t, vol) in [(100.0, 100.0, 0.5, 0.25), (100, 70, 2.0, 0.4), (100, 140, 0.1, 0.3), (20, 21, 1.0, 0.1)] {
                let p = OptionParameters(right: right, underlying: s, strike: k, rate: 0.03, dividendYield: 0.01, volatility: vol, timeToExpiry: t, model: model)
                let v = try OptionPricer.valuation(p)
                func price(_ change: (inout OptionParameters) -> Void) throws -> Double {
                    var copy = p
                    change(&copy)
                    return try OptionPricer.price(copy)
                }
                let hs = 1e-4 * s, hv = 1e-5, ht = 1e-5, hr = 1e-5
                let delta = (try price { $0.underlying += hs } - price { $0.underlying -= hs }) / (2 * hs)
                let gamma = (try price { $0.underlying += hs } - 2 * v.price + price { $0.underlying -= hs }) / (hs * hs)
                let vega = (try price { $0.volatility += hv } - price { $0.volatility -= hv }) / (2 * hv)
                let theta = -(try price { $0.timeToExpiry += ht } - price { $0.timeToExpiry -= ht }) / (2 * ht)
                let rho = (try price { $0.rate += hr } - price { $0.rate -= hr }) / (2 * hr)
                #expect(abs(v.delta - delta) < 1e-6, "delta \(right) \(s) \(k) \(model)")
                #expect(abs(v.gamma - gamma) < 1e-5 * max(1, abs(v.gamma)), "gamma \(right) \(s) \(k) \(model)")
                #expect(abs(v.vega - vega) < 1e-5 * max(1, abs(v.vega)), "vega")
                #expect(abs(v.theta - theta) < 1e-5 * max(1, abs(v.theta)), "theta")
                #expect(abs(v.rho - rho) < 1e-5 * max(1, abs(v.rho)), "rho")
            }
        }
    }

    @Test func expiryAndZeroVolatilityGiveDiscountedIntrinsicValue() throws {
        let atExpiry = try OptionPricer.valuation(bsm(.call, s: 110, k: 100, r: 0.05, vol: 0.2, t: 0))
        #expect(atExpiry.price == 10)
        #expect(atExpiry.delta == 1)
        #expect(try OptionPricer.price(bsm(.put, s: 110, k: 100, r: 0.05, vol: 0.2, t: 0)) == 0)
        let noVol = try OptionPricer.price(bsm(.put, s: 90, k: 100, r: 0.05, vol: 0, t: 1))
        #expect(abs(noVol - (100 * Math.exp(-0.05) - 90)) < 1e-12)
    }

    @Test func rejectsBadInputs() {
        #expect(throws: RiskError.self) { try OptionPricer.price(bsm(.call, s: 100, k: 100, r: 0, vol: -0.1, t: 1)) }
        #expect(throws: RiskError.self) { try OptionPricer.price(bsm(.call, s: 100, k: 100, r: 0, vol: 0.2, t: -1)) }
        #expect(throws: RiskError.self) { try OptionPricer.price(bsm(.call, s: 0, k: 100, r: 0, vol: 0.2, t: 1)) }
        #expect(throws: RiskError.self) { try OptionPricer.price(bsm(.call, s: 100, k: 100, r: .nan, vol: 0.2, t: 1)) }
        #expect(throws: RiskError.self) { try OptionPricer.price(bsm(.call, s: 100, k: .infinity, r: 0, vol: 0.2, t: 1)) }
    }

    @Test func normalQuantileIsAccurate() {
        #expect(abs(NormalDistribution.quantile(0.975) - 1.959963984540054) < 1e-14)
        #expect(abs(NormalDistribution.quantile(0.99) - 2.3263478740408408) < 1e-14)
        for p in [1e-12, 1e-6, 0.01, 0.3, 0.5, 0.77, 0.999999] {
            #expect(abs(NormalDistribution.cdf(NormalDistribution.quantile(p)) - p) < 1e-14 * max(1, p / 1e-3) + p * 1e-12)
        }
    }
}
