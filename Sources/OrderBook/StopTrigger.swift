import MarketCore

/// What wakes a dormant stop order. The book compares it with each trade's price in turn (the
/// symbol's last trade price as it moves).
public enum StopTrigger: Sendable, Hashable {
    /// A fixed trigger: a buy wakes when the last trade price is at or above it, a sell at or below.
    case price(Price)
    /// A trailing trigger at a fixed distance behind the best last price since acceptance: below
    /// the highest for a sell, above the lowest for a buy.
    case trailAmount(Price)
    /// As `trailAmount`, with the distance a percentage of that best price (`Price("1.5")` is 1.5 %).
    case trailPercent(Price)
}

/// A stop order waiting off the book. `watermark` is the best last trade price seen since
/// acceptance (highest for a sell, lowest for a buy; 0 before any), from which a trail is measured.
struct DormantStop: Sendable, Hashable {
    var id: OrderID
    var side: Side
    var type: OrderType
    /// The limit price a `stopLimit` enters with; 0 for the market kinds.
    var limit: Int64
    var quantity: Int64
    var timeInForce: TimeInForce
    var owner: UInt32
    var trigger: StopTrigger
    var watermark: Int64 = 0

    /// 100 % in `Price` units: a percentage trail of `p` units is `watermark × p / percentBase`.
    static let percentBase = Int128(100) * Int128(Price.scale)

    /// The trigger price right now, or nil for a trail that has seen no trade yet.
    var triggerPrice: Int64? {
        let offset: Int64
        switch trigger {
        case .price(let price): return price.units
        case .trailAmount(let amount): offset = amount.units
        case .trailPercent(let percent): offset = Int64(Int128(watermark) * Int128(percent.units) / Self.percentBase)
        }
        guard watermark > 0 else { return nil }
        return side == .sell ? watermark - offset : watermark + offset
    }

    /// Moves a trail's watermark with a trade at `last` and tells whether that trade wakes the stop.
    mutating func observe(_ last: Int64) -> Bool {
        switch trigger {
        case .price: break
        case .trailAmount, .trailPercent:
            if watermark == 0 || (side == .sell ? last > watermark : last < watermark) { watermark = last }
        }
        guard let trigger = triggerPrice else { return false }
        return side == .buy ? last >= trigger : last <= trigger
    }

    /// The order it becomes once triggered.
    var entering: NewOrder {
        NewOrder(
            id: id, side: side, type: type == .stopLimit ? .limit : .market, price: Price(units: limit),
            quantity: Quantity(quantity), timeInForce: timeInForce, owner: OwnerID(owner))
    }
}
