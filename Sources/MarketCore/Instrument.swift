/// What can be traded and how finely: the static data every core needs.
public struct Instrument: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case equity, option, future, index
    }

    public enum OptionRight: String, Sendable, Hashable, Codable, CaseIterable {
        case call, put
    }

    /// Contract terms of a listed option.
    public struct OptionTerms: Sendable, Hashable, Codable {
        public var underlying: Symbol
        public var strike: Price
        /// Expiry as an ISO date, `YYYY-MM-DD`.
        public var expiry: String
        public var right: OptionRight

        public init(underlying: Symbol, strike: Price, expiry: String, right: OptionRight) {
            self.underlying = underlying
            self.strike = strike
            self.expiry = expiry
            self.right = right
        }
    }

    public var symbol: Symbol
    public var kind: Kind
    public var currency: String
    /// The smallest price increment; every order price must be a multiple of it.
    public var tickSize: Price
    /// The smallest quantity increment; every order quantity must be a multiple of it.
    public var lotSize: Quantity
    /// Units of the underlying per contract (100 for a US equity option, 1 for a share).
    public var multiplier: Int64
    public var option: OptionTerms?

    public init(
        symbol: Symbol, kind: Kind = .equity, currency: String = "USD",
        tickSize: Price = Price(units: 1_000_000), lotSize: Quantity = Quantity(1),
        multiplier: Int64 = 1, option: OptionTerms? = nil
    ) {
        self.symbol = symbol
        self.kind = kind
        self.currency = currency
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.multiplier = multiplier
        self.option = option
    }
}
