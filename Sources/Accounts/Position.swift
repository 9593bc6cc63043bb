import MarketCore

/// One account's holding of one symbol, kept by the average-cost method (docs/processor.md,
/// "Positions and P&L"). Amounts are exact integers in price units (10⁻⁸) × quantity; the
/// instrument's multiplier is applied by the readers (the `api` and `analytics` views).
///
/// A fill that adds to the position (or opens it) adds its price × quantity to the cost basis. A
/// fill against the position closes `c = min(fill, |quantity|)`: it takes `costBasis × c / |quantity|`
/// (truncated toward zero) out of the cost basis and realizes the difference between that and what
/// the `c` units traded at. What is left of the fill opens a position on the other side at its
/// price. So a flat position has a cost basis of exactly 0, and the average price is
/// `costBasis / quantity`.
public struct Position: Sendable, Hashable {
    /// Signed: negative is short.
    public private(set) var quantity: Int64
    /// What the open quantity cost, signed like it (a short's is what its sales brought in, negative).
    public private(set) var costBasis: Int128
    /// Profit (negative: loss) realized by closing fills.
    public private(set) var realizedPnL: Int128
    /// Fills applied so far.
    public private(set) var fills: Int64

    public init(quantity: Int64 = 0, costBasis: Int128 = 0, realizedPnL: Int128 = 0, fills: Int64 = 0) {
        self.quantity = quantity
        self.costBasis = costBasis
        self.realizedPnL = realizedPnL
        self.fills = fills
    }

    /// Applies one fill of `quantity` (> 0) at `price` units, bought or sold by this account.
    public mutating func apply(_ side: Side, quantity fill: Int64, price: Int64) {
        precondition(fill > 0 && price > 0, "a fill has a positive quantity and price")
        fills += 1
        let sign: Int64 = side == .buy ? 1 : -1
        var opening = fill
        if quantity != 0, (quantity > 0) != (sign > 0) {
            let held = quantity.magnitude
            let closing = min(UInt64(fill), held)
            let removed = costBasis * Int128(closing) / Int128(held)
            realizedPnL += -Int128(sign) * Int128(closing) * Int128(price) - removed
            costBasis -= removed
            quantity += sign * Int64(closing)
            opening -= Int64(closing)
        }
        if opening > 0 {
            quantity += sign * opening
            costBasis += Int128(sign * opening) * Int128(price)
        }
    }

    /// Profit of the open quantity if it were closed at `mark` units.
    public func unrealizedPnL(at mark: Int64) -> Int128 {
        Int128(quantity) * Int128(mark) - costBasis
    }

    /// The average price in units (truncated), nil when flat.
    public var averagePrice: Int128? {
        quantity == 0 ? nil : costBasis / Int128(quantity)
    }
}
