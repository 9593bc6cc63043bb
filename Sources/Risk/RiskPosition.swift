import MarketCore

/// One holding: shares of an equity (or units of a future) or contracts of a European option.
///
/// JSON: `{"id": "…", "symbol": "AAPL", "quantity": 100, "multiplier": 1}` for an equity;
/// options add `"option": {"underlying": "AAPL", "right": "call", "strike": 200,
/// "expiry": "2025-06-20", "volatility": 0.25, "dividendYield": 0.005, "model": "bsm"}`
/// (`timeToExpiry` in years may replace `expiry`). `id` defaults to the symbol, `multiplier` to 1.
public struct RiskPosition: Sendable, Hashable, Codable {
    /// Label in reports; unique within a portfolio.
    public var id: String
    public var symbol: Symbol
    /// Signed: negative for a short position.
    public var quantity: Double
    /// Units of the underlying per contract (100 for a US equity option).
    public var multiplier: Double
    public var option: OptionLeg?

    public init(id: String? = nil, symbol: Symbol, quantity: Double, multiplier: Double = 1, option: OptionLeg? = nil) {
        self.id = id ?? symbol.rawValue
        self.symbol = symbol
        self.quantity = quantity
        self.multiplier = multiplier
        self.option = option
    }

    /// The risk factor this position moves with: itself, or the option's underlying.
    public var factor: Symbol { option?.underlying ?? symbol }

    private enum CodingKeys: String, CodingKey { case id, symbol, quantity, multiplier, option }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        symbol = try container.decode(Symbol.self, forKey: .symbol)
        id = try container.decodeIfPresent(String.self, forKey: .id) ?? symbol.rawValue
        quantity = try container.decode(Double.self, forKey: .quantity)
        multiplier = try container.decodeIfPresent(Double.self, forKey: .multiplier) ?? 1
        option = try container.decodeIfPresent(OptionLeg.self, forKey: .option)
    }
}

/// The terms of an option position, with the market inputs the price history does not carry.
public struct OptionLeg: Sendable, Hashable, Codable {
    public var underlying: Symbol
    public var right: Instrument.OptionRight
    public var strike: Double
    /// Expiry date; the time to expiry is ACT/365 from the valuation date.
    public var expiry: CivilDate?
    /// Time to expiry in years, used when `expiry` is absent.
    public var timeToExpiry: Double?
    /// Annualised volatility used to price the option (held fixed in every scenario).
    public var volatility: Double
    public var dividendYield: Double
    public var model: OptionPricingModel

    public init(
        underlying: Symbol, right: Instrument.OptionRight, strike: Double, expiry: CivilDate? = nil,
        timeToExpiry: Double? = nil, volatility: Double, dividendYield: Double = 0,
        model: OptionPricingModel = .blackScholesMerton
    ) {
        self.underlying = underlying
        self.right = right
        self.strike = strike
        self.expiry = expiry
        self.timeToExpiry = timeToExpiry
        self.volatility = volatility
        self.dividendYield = dividendYield
        self.model = model
    }

    /// Builds the leg from `MarketCore` option terms.
    public init(terms: Instrument.OptionTerms, volatility: Double, dividendYield: Double = 0) {
        self.init(
            underlying: terms.underlying, right: terms.right, strike: terms.strike.doubleValue,
            expiry: CivilDate(terms.expiry), volatility: volatility, dividendYield: dividendYield)
    }

    private enum CodingKeys: String, CodingKey {
        case underlying, right, strike, expiry, timeToExpiry, volatility, dividendYield, model
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        underlying = try container.decode(Symbol.self, forKey: .underlying)
        right = try container.decode(Instrument.OptionRight.self, forKey: .right)
        strike = try container.decode(Double.self, forKey: .strike)
        expiry = try container.decodeIfPresent(CivilDate.self, forKey: .expiry)
        timeToExpiry = try container.decodeIfPresent(Double.self, forKey: .timeToExpiry)
        volatility = try container.decode(Double.self, forKey: .volatility)
        dividendYield = try container.decodeIfPresent(Double.self, forKey: .dividendYield) ?? 0
        model = try container.decodeIfPresent(OptionPricingModel.self, forKey: .model) ?? .blackScholesMerton
    }

    /// Years from `valuationDate` to expiry.
    func yearsToExpiry(from valuationDate: CivilDate) throws(RiskError) -> Double {
        let years = expiry.map { valuationDate.yearFraction(to: $0) } ?? timeToExpiry
        guard let years else {
            throw .mismatchedInputs("option on \(underlying) needs expiry or timeToExpiry")
        }
        try RiskError.require("time to expiry of option on \(underlying)", years, ">= 0 (not expired)") { $0 >= 0 }
        return years
    }
}
