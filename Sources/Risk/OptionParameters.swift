import MarketCore

/// Which closed form prices a European option.
public enum OptionPricingModel: String, Sendable, Hashable, Codable, CaseIterable {
    /// Black-Scholes-Merton on a spot price with a continuous dividend yield `q` (cost of carry r − q).
    case blackScholesMerton = "bsm"
    /// Black-76 on a futures or forward price (cost of carry 0; the dividend yield is ignored).
    case black76
}

/// Everything a closed-form European option price needs. Annualised, continuously compounded
/// rates; time in years. For Black-76 `underlying` is the futures price.
public struct OptionParameters: Sendable, Hashable, Codable {
    public var right: Instrument.OptionRight
    /// Spot price (BSM) or futures price (Black-76).
    public var underlying: Double
    public var strike: Double
    public var rate: Double
    public var dividendYield: Double
    public var volatility: Double
    public var timeToExpiry: Double
    public var model: OptionPricingModel

    public init(
        right: Instrument.OptionRight, underlying: Double, strike: Double, rate: Double = 0,
        dividendYield: Double = 0, volatility: Double, timeToExpiry: Double,
        model: OptionPricingModel = .blackScholesMerton
    ) {
        self.right = right
        self.underlying = underlying
        self.strike = strike
        self.rate = rate
        self.dividendYield = dividendYield
        self.volatility = volatility
        self.timeToExpiry = timeToExpiry
        self.model = model
    }

    /// Cost of carry b: r − q for BSM, 0 for Black-76.
    var carry: Double { model == .black76 ? 0 : rate - dividendYield }

    /// Throws for non-finite inputs, non-positive prices or strike, negative volatility or time.
    public func validated() throws(RiskError) -> OptionParameters {
        try RiskError.require("underlying price", underlying, "> 0") { $0 > 0 }
        try RiskError.require("strike", strike, "> 0") { $0 > 0 }
        try RiskError.require("rate", rate, "finite") { _ in true }
        try RiskError.require("dividend yield", dividendYield, "finite") { _ in true }
        try RiskError.require("volatility", volatility, ">= 0") { $0 >= 0 }
        try RiskError.require("time to expiry", timeToExpiry, ">= 0") { $0 >= 0 }
        return self
    }

    /// The same contract with another underlying price (scenario revaluation).
    public func with(underlying: Double) -> OptionParameters {
        var copy = self
        copy.underlying = underlying
        return copy
    }

    /// The same contract with another volatility.
    public func with(volatility: Double) -> OptionParameters {
        var copy = self
        copy.volatility = volatility
        return copy
    }
}
