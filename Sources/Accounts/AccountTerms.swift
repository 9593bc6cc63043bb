import MarketCore

/// One row of `trading.accounts`: the portfolio an account trades for and its limits (nil: none).
public struct AccountTerms: Sendable, Hashable {
    public var portfolioID: String
    /// The largest absolute position in any one symbol, counting the account's open orders on the
    /// side of the order being checked.
    public var maxPosition: Quantity?
    /// The largest sum over symbols of |position| × price × multiplier, in the price's currency,
    /// with the order being checked included at its price.
    public var maxGrossNotional: Price?
    /// The most live orders (resting or dormant) at once.
    public var maxOpenOrders: Int?

    public init(portfolioID: String, maxPosition: Quantity? = nil, maxGrossNotional: Price? = nil, maxOpenOrders: Int? = nil) {
        self.portfolioID = portfolioID
        self.maxPosition = maxPosition
        self.maxGrossNotional = maxGrossNotional
        self.maxOpenOrders = maxOpenOrders
    }
}

/// Exact decimal text for amounts in 10⁻⁸ units wider than `Price` (cost bases, P&L), as
/// PostgreSQL's `numeric` reads and prints them.
public enum DecimalUnits {
    /// `units` / 10⁸ with eight decimals: `-12.50000000` for -1_250_000_000.
    public static func text(_ units: Int128) -> String {
        let negative = units < 0
        let magnitude = units.magnitude
        let scale = UInt128(Price.scale)
        var fraction = String(magnitude % scale)
        fraction = String(repeating: "0", count: 8 - fraction.count) + fraction
        return "\(negative ? "-" : "")\(magnitude / scale).\(fraction)"
    }

    /// Units of a decimal with at most eight decimals (`"-12.5"`, `"3"`); nil for anything else.
    public static func units(_ text: String) -> Int128? {
        var digits = Substring(text)
        let negative = digits.first == "-"
        if negative { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCII), let integer = Int128(whole) else { return nil }
        var fraction: Int128 = 0
        if parts.count == 2 {
            let decimals = parts[1]
            guard !decimals.isEmpty, decimals.count <= 8, decimals.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int128(decimals) else { return nil }
            fraction = value
            for _ in decimals.count..<8 { fraction *= 10 }
        }
        let (scaled, overflow) = integer.multipliedReportingOverflow(by: Int128(Price.scale))
        guard !overflow, integer >= 0 else { return nil }
        return (negative ? -1 : 1) * (scaled + fraction)
    }
}
