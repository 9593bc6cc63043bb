import MarketCore
@testable import OrderBook

/// The reference's stop orders: a flat list scanned in full for every trade, written from the
/// rules in docs/orderbook.md rather than from `OrderBook+Stops`.
extension ReferenceMatcher {
    struct Stop {
        var id: OrderID
        var side: Side
        var type: OrderType
        var limit: Int64
        var quantity: Int64
        var timeInForce: TimeInForce
        var owner: UInt32
        var trigger: StopTrigger
        /// Highest (sell) or lowest (buy) trade price seen while dormant; 0 before any.
        var best: Int64 = 0

        /// Where the trigger stands, or nil for a trail without a trade yet.
        var level: Int64? {
            var distance: Int64
            switch trigger {
            case .price(let price): return price.units
            case .trailAmount(let amount): distance = amount.units
            case .trailPercent(let percent): distance = Int64(Int128(best) * Int128(percent.units) / 10_000_000_000)
            }
            if best == 0 { return nil }
            if side == .buy { distance = -distance }
            return best - distance
        }

        mutating func see(_ price: Int64) -> Bool {
            switch trigger {
            case .price: break
            case .trailAmount, .trailPercent:
                if best == 0 || (side == .buy && price < best) || (side == .sell && price > best) { best = price }
            }
            guard let level else { return false }
            return side == .buy ? price >= level : price <= level
        }
    }

    func isLive(_ id: OrderID) -> Bool {
        resting.contains { $0.id == id } || stops.contains { $0.id == id }
    }

    /// Ids of resting orders and dormant stops, for the command stream to cancel and modify.
    var liveIDs: [OrderID] { resting.map(\.id) + stops.map(\.id) }

    mutating func submitStop(_ order: NewOrder) {
        let q = order.quantity.value
        let limit = order.type == .stopLimit ? order.price.units : 0
        var reason = Reason.none
        var triggerValid = false
        switch order.trigger {
        case .price(let p)?: triggerValid = order.type != .trailingStop && p.units > 0 && p.units % tick == 0
        case .trailAmount(let a)?: triggerValid = order.type == .trailingStop && a.units > 0
        case .trailPercent(let p)?: triggerValid = order.type == .trailingStop && p.units > 0 && p.units < 10_000_000_000
        case nil: break
        }
        if q <= 0 || q > OrderBook.maxQuantity {
            reason = .invalidQuantity
        } else if q % lot != 0 {
            reason = .quantityNotLotMultiple
        } else if order.type == .stopLimit && limit <= 0 {
            reason = .invalidPrice
        } else if order.type == .stopLimit && limit % tick != 0 {
            reason = .priceNotOnTick
        } else if !triggerValid {
            reason = order.type == .trailingStop ? .invalidTrail : .invalidStopPrice
        } else if isLive(order.id) {
            reason = .duplicateOrderID
        } else if order.postOnly {
            reason = .invalidPostOnly
        }
        if reason != .none { return report(.rejected, reason, order.id, order.side, limit, filled: 0, leaves: 0) }
        report(.dormant, .none, order.id, order.side, limit, filled: 0, leaves: q)
        var stop = Stop(
            id: order.id, side: order.side, type: order.type, limit: limit, quantity: q, timeInForce: order.timeInForce,
            owner: order.owner.rawValue, trigger: order.trigger!)
        if lastTrade > 0 && stop.see(lastTrade) { woken.append(stop) } else { stops.append(stop) }
    }

    mutating func modifyStop(_ i: Int, _ modify: ModifyOrder) {
        var stop = stops[i]
        let q = modify.quantity?.value ?? stop.quantity
        var reason = Reason.none
        if q <= 0 || q > OrderBook.maxQuantity {
            reason = .invalidQuantity
        } else if q % lot != 0 {
            reason = .quantityNotLotMultiple
        } else if let p = modify.price?.units, stop.type != .stopLimit || p <= 0 {
            reason = .invalidPrice
        } else if let p = modify.price?.units, p % tick != 0 {
            reason = .priceNotOnTick
        } else if let p = modify.stopPrice?.units, stop.type == .trailingStop || p <= 0 || p % tick != 0 {
            reason = .invalidStopPrice
        }
        if reason != .none {
            return report(.rejected, reason, stop.id, stop.side, stop.limit, filled: 0, leaves: stop.quantity)
        }
        stop.quantity = q
        if let p = modify.price { stop.limit = p.units }
        if let p = modify.stopPrice { stop.trigger = .price(p) }
        report(.replaced, .none, stop.id, stop.side, stop.limit, filled: 0, leaves: q)
        if modify.stopPrice != nil && lastTrade > 0 && stop.see(lastTrade) {
            stops.remove(at: i)
            woken.append(stop)
        } else {
            stops[i] = stop
        }
    }

    /// Shows every unseen trade to every stop, then enters the oldest woken stop, until none is left.
    mutating func runStops() {
        while true {
            for price in unseen {
                var still: [Stop] = []
                for var stop in stops {
                    if stop.see(price) { woken.append(stop) } else { still.append(stop) }
                }
                stops = still
            }
            unseen = []
            if woken.isEmpty { return }
            let stop = woken.removeFirst()
            report(.triggered, .none, stop.id, stop.side, stop.limit, filled: 0, leaves: stop.quantity)
            let order = NewOrder(
                id: stop.id, side: stop.side, type: stop.type == .stopLimit ? .limit : .market,
                price: Price(units: stop.limit), quantity: Quantity(stop.quantity), timeInForce: stop.timeInForce,
                owner: OwnerID(stop.owner))
            submit(order, triggered: true)
        }
    }
}
