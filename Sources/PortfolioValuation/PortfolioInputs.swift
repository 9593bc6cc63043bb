import MarketCore
import Risk

/// Everything the engine reads from Postgres to value one portfolio: its positions with their
/// instruments' terms, the daily closes of their underlyings and the latest option quote mids.
/// Plain values, so the valuation (`PortfolioRiskCalculator`) can be tested without a database.
public struct PortfolioInputs: Sendable {
    public var portfolioID: String
    public var positions: [HeldInstrument]
    public var closes: [DailyClose]
    /// Mid of the latest two-sided quote of each option held, by option symbol.
    public var optionMids: [String: Double]

    public init(portfolioID: String, positions: [HeldInstrument], closes: [DailyClose], optionMids: [String: Double] = [:]) {
        self.portfolioID = portfolioID
        self.positions = positions
        self.closes = closes
        self.optionMids = optionMids
    }

    /// The symbols whose closes the valuation needs: each position's own symbol, or an option's underlying.
    public var factorSymbols: [String] {
        var seen = Set<String>()
        return positions.map { $0.kind == .option ? ($0.underlying ?? $0.symbol) : $0.symbol }.filter { seen.insert($0).inserted }
    }
}

/// One position with the terms of its instrument (a row of `risk.positions` joined to `market.instruments`).
public struct HeldInstrument: Sendable, Hashable {
    public var symbol: String
    /// Signed units: shares or contracts.
    public var quantity: Double
    public var kind: Instrument.Kind
    public var multiplier: Double
    /// Options: the underlying, its kind (a future's options are priced with Black-76) and the terms.
    public var underlying: String?
    public var underlyingKind: Instrument.Kind?
    public var strike: Double?
    public var expiry: CivilDate?
    public var right: Instrument.OptionRight?

    public init(
        symbol: String, quantity: Double, kind: Instrument.Kind, multiplier: Double = 1, underlying: String? = nil,
        underlyingKind: Instrument.Kind? = nil, strike: Double? = nil, expiry: CivilDate? = nil,
        right: Instrument.OptionRight? = nil
    ) {
        self.symbol = symbol
        self.quantity = quantity
        self.kind = kind
        self.multiplier = multiplier
        self.underlying = underlying
        self.underlyingKind = underlyingKind
        self.strike = strike
        self.expiry = expiry
        self.right = right
    }
}

/// The close of one symbol on one UTC day (a row of `analytics.daily_closes`).
public struct DailyClose: Sendable, Hashable {
    public var symbol: String
    public var date: CivilDate
    public var close: Double

    public init(symbol: String, date: CivilDate, close: Double) {
        self.symbol = symbol
        self.date = date
        self.close = close
    }
}
