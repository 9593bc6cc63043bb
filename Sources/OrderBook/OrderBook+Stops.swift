import MarketCore

// Stop, stop-limit and trailing-stop orders. They wait off the book in `stops` until a trade's
// price reaches their trigger, then enter as market or limit orders with the time priority of that
// moment. The rules, the cascade order included, are in docs/orderbook.md ("Stop orders").

extension OrderBook {
    /// Where the dormant stop with this id sits in `stops`.
    @inline(__always) func stopPosition(_ id: OrderID) -> Int? {
        stops.isEmpty ? nil : stops.firstIndex { $0.id == id }
    }

    /// The dormant stops in acceptance order.
    public func dormantStops() -> [DormantStopInfo] {
        stops.map {
            DormantStopInfo(
                id: $0.id, side: $0.side, type: $0.type, limitPrice: Price(units: $0.limit), quantity: Quantity($0.quantity),
                timeInForce: $0.timeInForce, trigger: $0.trigger, triggerPrice: $0.triggerPrice.map(Price.init(units:)),
                owner: OwnerID($0.owner))
        }
    }

    /// A live order's open quantity, limit price (0 if none) and fixed trigger (0 if none), for
    /// the pre-trade limits of a modify.
    func limitTerms(_ id: OrderID) -> (quantity: Int64, limit: Int64, stop: Int64)? {
        if let slot = index[id] { return (orders[Int(slot)].remaining, priceOf(orders[Int(slot)]), 0) }
        guard let position = stopPosition(id) else { return nil }
        let stop = stops[position]
        if case .price(let trigger) = stop.trigger { return (stop.quantity, stop.limit, trigger.units) }
        return (stop.quantity, stop.limit, 0)
    }

    mutating func submitStop(_ order: NewOrder) {
        let quantity = order.quantity.value
        let limit = order.type == .stopLimit ? order.price.units : 0
        func refuse(_ reason: Reason) { report(.rejected, reason, order.id, order.side, limit, filled: 0, leaves: 0) }
        guard quantity > 0, quantity <= Self.maxQuantity else { return refuse(.invalidQuantity) }
        guard quantity % lot == 0 else { return refuse(.quantityNotLotMultiple) }
        if order.type == .stopLimit {
            guard limit > 0 else { return refuse(.invalidPrice) }
            guard limit % tick == 0 else { return refuse(.priceNotOnTick) }
        }
        switch (order.type, order.trigger) {
        case (.trailingStop, .trailAmount(let amount)?) where amount.units > 0: break
        case (.trailingStop, .trailPercent(let percent)?) where percent.units > 0 && percent.units < 100 * Price.scale: break
        case (.trailingStop, _): return refuse(.invalidTrail)
        case (_, .price(let stop)?) where stop.units > 0 && stop.units % tick == 0: break
        default: return refuse(.invalidStopPrice)
        }
        guard !contains(order.id) else { return refuse(.duplicateOrderID) }
        if order.postOnly { return refuse(.invalidPostOnly) }
        report(.dormant, .none, order.id, order.side, limit, filled: 0, leaves: quantity)
        var stop = DormantStop(
            id: order.id, side: order.side, type: order.type, limit: limit, quantity: quantity,
            timeInForce: order.timeInForce, owner: order.owner.rawValue, trigger: order.trigger!)
        // A stop whose trigger the last trade has already reached wakes at once.
        if lastTradePrice > 0 && stop.observe(lastTradePrice) {
            triggeredStops.append(stop)
        } else {
            stops.append(stop)
        }
    }

    mutating func cancelStop(at position: Int) {
        let stop = stops.remove(at: position)
        report(.cancelled, .requested, stop.id, stop.side, stop.limit, filled: 0, leaves: 0)
    }

    /// Changes a dormant stop's quantity, limit price (stop-limit) or trigger (fixed stops). It
    /// keeps its place among the stops, and wakes at once if the new trigger has been reached.
    mutating func modifyStop(at position: Int, _ modify: ModifyOrder) {
        var stop = stops[position]
        func refuse(_ reason: Reason) {
            report(.rejected, reason, stop.id, stop.side, stop.limit, filled: 0, leaves: stop.quantity)
        }
        let quantity = modify.quantity?.value ?? stop.quantity
        guard quantity > 0, quantity <= Self.maxQuantity else { return refuse(.invalidQuantity) }
        guard quantity % lot == 0 else { return refuse(.quantityNotLotMultiple) }
        if let price = modify.price?.units {
            guard stop.type == .stopLimit, price > 0 else { return refuse(.invalidPrice) }
            guard price % tick == 0 else { return refuse(.priceNotOnTick) }
        }
        if let trigger = modify.stopPrice?.units {
            guard case .price = stop.trigger, trigger > 0, trigger % tick == 0 else { return refuse(.invalidStopPrice) }
        }
        stop.quantity = quantity
        if let price = modify.price { stop.limit = price.units }
        if let trigger = modify.stopPrice { stop.trigger = .price(trigger) }
        report(.replaced, .none, stop.id, stop.side, stop.limit, filled: 0, leaves: quantity)
        if modify.stopPrice != nil && lastTradePrice > 0 && stop.observe(lastTradePrice) {
            stops.remove(at: position)
            triggeredStops.append(stop)
        } else {
            stops[position] = stop
        }
    }

    /// Expires the dormant `day` stops, in acceptance order (after the resting day orders).
    mutating func expireDayStops() {
        guard !stops.isEmpty else { return }
        for stop in stops where stop.timeInForce == .day {
            report(.expired, .endOfDay, stop.id, stop.side, stop.limit, filled: 0, leaves: 0)
        }
        stops.removeAll { $0.timeInForce == .day }
    }

    /// Runs after every command of a book that holds stops. Trades are taken in sequence order; each
    /// moves the trails and wakes the stops it reaches, in acceptance order, onto a FIFO queue. The
    /// queue's head then enters the book (a `triggered` report, then its matching), its trades are
    /// taken the same way, and so on until the queue is empty: a cascade is breadth-first.
    mutating func cascadeStops() {
        var cursor = 0
        var next = 0
        while true {
            while cursor < events.count {
                if case .trade(let trade) = events[cursor] { observeTrade(trade.price.units) }
                cursor += 1
            }
            guard next < triggeredStops.count else { break }
            let stop = triggeredStops[next]
            next += 1
            report(.triggered, .none, stop.id, stop.side, stop.limit, filled: 0, leaves: stop.quantity)
            submit(stop.entering, triggered: true)
        }
        triggeredStops.removeAll(keepingCapacity: true)
    }

    /// Moves every trail with one trade and queues the stops it wakes.
    mutating func observeTrade(_ price: Int64) {
        var kept = 0
        for position in stops.indices {
            var stop = stops[position]
            if stop.observe(price) {
                triggeredStops.append(stop)
            } else {
                stops[kept] = stop
                kept += 1
            }
        }
        stops.removeLast(stops.count - kept)
    }
}

/// A dormant stop as the queries show it.
public struct DormantStopInfo: Sendable, Hashable {
    public var id: OrderID
    public var side: Side
    public var type: OrderType
    /// The limit price of a stop-limit; zero otherwise.
    public var limitPrice: Price
    public var quantity: Quantity
    public var timeInForce: TimeInForce
    public var trigger: StopTrigger
    /// Where the trigger stands now; nil for a trail that has seen no trade yet.
    public var triggerPrice: Price?
    public var owner: OwnerID
}
