import MarketCore

extension PreTradeLimitTable {
    /// Why a limits setting could not be read; `description` names the setting and what it expects.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// Reads the `limits.*` settings (docs/configuration.md). Empty means no limit. `instruments`
    /// lists per-symbol overrides as `SYMBOL:maxQuantity:maxNotional:maxDeviationPercent`, comma
    /// separated; an empty field keeps the global value (`AAPL:5000::2,MSFT::1000000:`).
    public init(
        maxOrderQuantity: String, maxOrderNotional: String, maxPriceDeviationPercent: String, instruments: String
    ) throws(ParseError) {
        let defaults = try Self.limits(
            PreTradeLimits(), maxOrderQuantity, maxOrderNotional, maxPriceDeviationPercent, context: "limits")
        var symbols: [Symbol: PreTradeLimits] = [:]
        for entry in instruments.split(separator: ",") {
            let fields = entry.trimmingPrefix(" ").split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4, let symbol = Symbol(fields[0]) else {
                throw ParseError(description: "limits.instruments: \"\(entry)\" is not SYMBOL:maxQuantity:maxNotional:maxDeviationPercent")
            }
            symbols[symbol] = try Self.limits(defaults, fields[1], fields[2], fields[3], context: "limits.instruments \(symbol)")
        }
        self.init(defaults: defaults, symbols: symbols)
    }

    static func limits(
        _ base: PreTradeLimits, _ quantity: String, _ notional: String, _ deviation: String, context: String
    ) throws(ParseError) -> PreTradeLimits {
        var limits = base
        if !quantity.isEmpty {
            guard let value = Int64(quantity), value > 0 else {
                throw ParseError(description: "\(context): max order quantity \"\(quantity)\" is not a positive whole number")
            }
            limits.maxQuantity = Quantity(value)
        }
        if !notional.isEmpty {
            guard let value = Price(notional), value.units > 0 else {
                throw ParseError(description: "\(context): max order notional \"\(notional)\" is not a positive decimal")
            }
            limits.maxNotional = value
        }
        if !deviation.isEmpty {
            guard let value = Price(deviation), value.units > 0 else {
                throw ParseError(description: "\(context): max price deviation \"\(deviation)\" is not a positive percentage")
            }
            limits.maxDeviationPercent = value
        }
        return limits
    }
}
