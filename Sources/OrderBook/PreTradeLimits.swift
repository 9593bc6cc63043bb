import MarketCore

/// Pre-trade limits one order must pass before it reaches the book; nil means no limit.
///
/// Checked by `MatchingEngine` on every new order and every modify (on the order's terms after the
/// change). A violation is a reject with `maxQuantityExceeded`, `maxNotionalExceeded` or
/// `priceDeviationExceeded`, recorded in the book's event sequence like any other reject.
public struct PreTradeLimits: Sendable, Hashable {
    /// The largest quantity of one order.
    public var maxQuantity: Quantity?
    /// The largest price × quantity of one order, in the price's currency.
    public var maxNotional: Price?
    /// The largest distance of a limit price from the last trade price, in percent of it.
    public var maxDeviationPercent: Price?

    public init(maxQuantity: Quantity? = nil, maxNotional: Price? = nil, maxDeviationPercent: Price? = nil) {
        self.maxQuantity = maxQuantity
        self.maxNotional = maxNotional
        self.maxDeviationPercent = maxDeviationPercent
    }

    public static let none = PreTradeLimits()

    public var isNone: Bool { self == .none }

    /// The first limit the order breaks, or nil.
    ///
    /// - Parameters:
    ///   - limitPrice: the limit price in `Price` units, 0 for orders without one (market, stop).
    ///   - referencePrice: the price the notional is valued at: the limit price, else a stop's
    ///     trigger, else the last trade price; 0 when none is known (no notional check then).
    ///   - lastTradePrice: the book's last trade price, 0 before the first (no deviation check then).
    public func violation(quantity: Int64, limitPrice: Int64, referencePrice: Int64, lastTradePrice: Int64) -> Reason? {
        if let maxQuantity, quantity > maxQuantity.value { return .maxQuantityExceeded }
        if let maxNotional, referencePrice > 0,
            Int128(referencePrice) * Int128(quantity) > Int128(maxNotional.units)  // both in 10⁻⁸ units
        {
            return .maxNotionalExceeded
        }
        if let maxDeviationPercent, limitPrice > 0, lastTradePrice > 0 {
            let distance = Int128(limitPrice > lastTradePrice ? limitPrice - lastTradePrice : lastTradePrice - limitPrice)
            if distance * 100 * Int128(Price.scale) > Int128(lastTradePrice) * Int128(maxDeviationPercent.units) {
                return .priceDeviationExceeded
            }
        }
        return nil
    }
}

/// Pre-trade limits per symbol, with defaults for the symbols that have none of their own.
public struct PreTradeLimitTable: Sendable, Hashable {
    public var defaults: PreTradeLimits
    public var symbols: [Symbol: PreTradeLimits]

    public init(defaults: PreTradeLimits = .none, symbols: [Symbol: PreTradeLimits] = [:]) {
        self.defaults = defaults
        self.symbols = symbols
    }

    public func limits(for symbol: Symbol) -> PreTradeLimits { symbols[symbol] ?? defaults }
}
