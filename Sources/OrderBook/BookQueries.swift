import MarketCore

/// One aggregated price level (L2).
public struct DepthLevel: Sendable, Hashable {
    public var price: Price
    public var quantity: Quantity
    public var orderCount: Int

    public init(price: Price, quantity: Quantity, orderCount: Int) {
        self.price = price
        self.quantity = quantity
        self.orderCount = orderCount
    }
}

/// One resting order as seen from outside (L3).
public struct RestingOrderInfo: Sendable, Hashable {
    public var id: OrderID
    public var side: Side
    public var price: Price
    public var leavesQuantity: Quantity
    public var filledQuantity: Quantity
    public var owner: OwnerID
    public var timeInForce: TimeInForce
    public var postOnly: Bool
}

/// What a taker of a given size would get from the current book.
public struct FillEstimate: Sendable, Hashable {
    /// How much of the requested quantity the book can fill (less than asked when the side is too thin).
    public var quantity: Quantity
    /// Sum of price units × quantity over the fills, exact.
    public var notional: Int128
    /// The worst price touched.
    public var worstPrice: Price?

    /// The volume-weighted average price, or nil when nothing would fill.
    public var averagePrice: Double? {
        quantity.value > 0 ? Double(notional) / Double(quantity.value) / Double(Price.scale) : nil
    }
}

extension OrderBook {
    public var bestBid: DepthLevel? { bids.best.map(depthLevel) }
    public var bestAsk: DepthLevel? { asks.best.map(depthLevel) }

    /// Best ask minus best bid, when both sides have orders.
    public var spread: Price? {
        guard let bid = bids.best, let ask = asks.best else { return nil }
        return Price(units: levels[Int(ask)].price - levels[Int(bid)].price)
    }

    /// The midpoint of best bid and ask, rounded down to the 10⁻⁸ unit.
    public var mid: Price? {
        guard let bid = bids.best, let ask = asks.best else { return nil }
        let sum = Int128(levels[Int(ask)].price) + Int128(levels[Int(bid)].price)
        return Price(units: Int64(sum >> 1))
    }

    /// The best `count` levels of one side, best first (L2).
    public func depth(_ side: Side, levels count: Int = .max) -> [DepthLevel] {
        let bookSide = side == .buy ? bids : asks
        return bookSide.levels.reversed().prefix(max(0, count)).map(depthLevel)
    }

    /// The orders resting at one price, in queue order (L3).
    public func orders(_ side: Side, at price: Price) -> [RestingOrderInfo] {
        let bookSide = side == .buy ? bids : asks
        guard let level = bookSide.level(forKey: side == .buy ? price.units : -price.units) else { return [] }
        var result: [RestingOrderInfo] = []
        var slot = levels[Int(level)].head
        while slot >= 0 {
            result.append(info(slot))
            slot = orders[Int(slot)].next
        }
        return result
    }

    /// The resting order with this id.
    public func order(_ id: OrderID) -> RestingOrderInfo? { index[id].map(info) }

    /// What a market order of `side` for `quantity` would fill, and at what average price.
    public func fillEstimate(_ side: Side, quantity: Quantity) -> FillEstimate {
        let bookSide = side == .buy ? asks : bids
        var needed = quantity.value
        var filled: Int64 = 0
        var notional: Int128 = 0
        var worst: Price?
        for level in bookSide.levels.reversed() where needed > 0 {
            let take = min(needed, levels[Int(level)].quantity)
            needed -= take
            filled += take
            notional += Int128(take) * Int128(levels[Int(level)].price)
            worst = Price(units: levels[Int(level)].price)
        }
        return FillEstimate(quantity: Quantity(filled), notional: notional, worstPrice: worst)
    }

    /// (bid quantity − ask quantity) / (bid quantity + ask quantity) over the best `levels` of each
    /// side: +1 when only bids rest, −1 when only asks do, nil for an empty book.
    public func imbalance(levels count: Int = 1) -> Double? {
        let bid = depth(.buy, levels: count).reduce(0) { $0 + $1.quantity.value }
        let ask = depth(.sell, levels: count).reduce(0) { $0 + $1.quantity.value }
        guard bid + ask > 0 else { return nil }
        return Double(bid - ask) / Double(bid + ask)
    }

    /// Every resting order, bids best first then asks best first, each level in queue order.
    public func allOrders() -> [RestingOrderInfo] {
        var result: [RestingOrderInfo] = []
        result.reserveCapacity(index.count)
        for side in [Side.buy, .sell] {
            for level in (side == .buy ? bids : asks).levels.reversed() {
                var slot = levels[Int(level)].head
                while slot >= 0 {
                    result.append(info(slot))
                    slot = orders[Int(slot)].next
                }
            }
        }
        return result
    }

    func depthLevel(_ slot: Int32) -> DepthLevel {
        let level = levels[Int(slot)]
        return DepthLevel(price: Price(units: level.price), quantity: Quantity(level.quantity), orderCount: Int(level.count))
    }

    func info(_ slot: Int32) -> RestingOrderInfo {
        let order = orders[Int(slot)]
        return RestingOrderInfo(
            id: order.id, side: order.side, price: Price(units: priceOf(order)), leavesQuantity: Quantity(order.remaining),
            filledQuantity: Quantity(order.filled), owner: OwnerID(order.owner), timeInForce: order.isDay ? .day : .gtc,
            postOnly: order.postOnly)
    }
}
