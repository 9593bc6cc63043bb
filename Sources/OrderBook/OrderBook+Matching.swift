import MarketCore

/// The incoming side of a match: a new order, or a resting order whose modify crossed the spread.
struct Taker {
    var id: OrderID
    var side: Side
    var isMarket: Bool
    var limit: Int64
    var owner: UInt32
    var remaining: Int64
    var filled: Int64

    /// Whether the taker may trade at a level with this price.
    @inline(__always) func accepts(_ price: Int64) -> Bool {
        isMarket || (side == .buy ? price <= limit : price >= limit)
    }
}

extension OrderBook {
    /// Matches the taker against the opposite side in price-time priority, emitting a trade and two
    /// reports per fill. Returns true if self-trade prevention stopped the taker.
    mutating func match(_ taker: inout Taker) -> Bool {
        let preventSelfTrade = configuration.selfTradePrevention != .none && taker.owner != 0
        while taker.remaining > 0 {
            guard let levelSlot = bestLevel(facing: taker.side) else { return false }
            let price = levels[Int(levelSlot)].price
            guard taker.accepts(price) else { return false }
            var slot = levels[Int(levelSlot)].head
            while slot >= 0, taker.remaining > 0 {
                let maker = orders[Int(slot)]
                let next = maker.next
                if preventSelfTrade && maker.owner == taker.owner {
                    if configuration.selfTradePrevention == .cancelIncoming { return true }
                    report(.cancelled, .selfTrade, maker.id, maker.side, price, filled: maker.filled, leaves: 0)
                    remove(slot)
                    slot = next
                    continue
                }
                let quantity = min(taker.remaining, maker.remaining)
                let makerRemaining = maker.remaining - quantity
                let makerFilled = maker.filled + quantity
                taker.remaining -= quantity
                taker.filled += quantity
                trade(maker: maker.id, taker: taker.id, price: price, quantity: quantity, aggressor: taker.side)
                report(
                    makerRemaining == 0 ? .filled : .partiallyFilled, .none, maker.id, maker.side, price,
                    lastQuantity: quantity, lastPrice: price, filled: makerFilled, leaves: makerRemaining)
                report(
                    taker.remaining == 0 ? .filled : .partiallyFilled, .none, taker.id, taker.side,
                    taker.isMarket ? 0 : taker.limit, lastQuantity: quantity, lastPrice: price, filled: taker.filled,
                    leaves: taker.remaining)
                levels[Int(levelSlot)].quantity -= quantity
                if makerRemaining == 0 {
                    orders[Int(slot)].remaining = 0
                    remove(slot)
                } else {
                    orders[Int(slot)].remaining = makerRemaining
                    orders[Int(slot)].filled = makerFilled
                }
                slot = next
            }
        }
        return false
    }

    /// Whether a fill-or-kill taker would fill completely, given the self-trade policy.
    func canFill(_ taker: Taker) -> Bool {
        let side = taker.side == .buy ? asks : bids
        let walkOrders = configuration.selfTradePrevention != .none && taker.owner != 0
        var needed = taker.remaining
        for position in side.levels.indices.reversed() {
            let level = levels[Int(side.levels[position])]
            guard taker.accepts(level.price) else { return false }
            if !walkOrders {
                needed -= level.quantity
                if needed <= 0 { return true }
                continue
            }
            var slot = level.head
            while slot >= 0 {
                let maker = orders[Int(slot)]
                if maker.owner == taker.owner {
                    if configuration.selfTradePrevention == .cancelIncoming { return false }
                } else {
                    needed -= maker.remaining
                    if needed <= 0 { return true }
                }
                slot = maker.next
            }
        }
        return false
    }

    // MARK: pools and queues

    mutating func allocateOrder(_ order: RestingOrder) -> Int32 {
        if let slot = freeOrders.popLast() {
            orders[Int(slot)] = order
            return slot
        }
        orders.append(order)
        return Int32(orders.count - 1)
    }

    /// Appends the order at `slot` to the tail of the level at `price`, creating the level if needed.
    mutating func attach(_ slot: Int32, price: Int64) {
        let isBuy = orders[Int(slot)].side == .buy
        let key = isBuy ? price : -price
        let position = isBuy ? bids.position(of: key) : asks.position(of: key)
        let existing: Int32? =
            isBuy
            ? (position < bids.keys.count && bids.keys[position] == key ? bids.levels[position] : nil)
            : (position < asks.keys.count && asks.keys[position] == key ? asks.levels[position] : nil)
        let levelSlot: Int32
        if let existing {
            levelSlot = existing
            let tail = levels[Int(levelSlot)].tail
            orders[Int(tail)].next = slot
            orders[Int(slot)].prev = tail
            orders[Int(slot)].next = -1
            levels[Int(levelSlot)].tail = slot
            levels[Int(levelSlot)].count += 1
            levels[Int(levelSlot)].quantity += orders[Int(slot)].remaining
        } else {
            let level = PriceLevel(price: price, quantity: orders[Int(slot)].remaining, count: 1, head: slot, tail: slot)
            if let free = freeLevels.popLast() {
                levels[Int(free)] = level
                levelSlot = free
            } else {
                levels.append(level)
                levelSlot = Int32(levels.count - 1)
            }
            orders[Int(slot)].prev = -1
            orders[Int(slot)].next = -1
            if isBuy {
                bids.insert(key: key, level: levelSlot, at: position)
            } else {
                asks.insert(key: key, level: levelSlot, at: position)
            }
        }
        orders[Int(slot)].level = levelSlot
    }

    /// Unlinks the order at `slot` from its level (dropping the level if it empties); the slot
    /// and the id stay allocated.
    mutating func detach(_ slot: Int32) {
        let order = orders[Int(slot)]
        let levelSlot = Int(order.level)
        if order.prev >= 0 { orders[Int(order.prev)].next = order.next } else { levels[levelSlot].head = order.next }
        if order.next >= 0 { orders[Int(order.next)].prev = order.prev } else { levels[levelSlot].tail = order.prev }
        levels[levelSlot].count -= 1
        levels[levelSlot].quantity -= order.remaining
        if levels[levelSlot].count == 0 {
            let price = levels[levelSlot].price
            if order.side == .buy { bids.remove(key: price) } else { asks.remove(key: -price) }
            freeLevels.append(Int32(levelSlot))
        }
    }

    /// Frees the slot and forgets the id of a detached order.
    mutating func release(_ slot: Int32) {
        index.remove(orders[Int(slot)].id)
        freeOrders.append(slot)
    }

    /// Detaches and releases.
    mutating func remove(_ slot: Int32) {
        detach(slot)
        release(slot)
    }
}
