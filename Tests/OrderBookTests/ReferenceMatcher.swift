import MarketCore
@testable import OrderBook

/// A deliberately simple matcher with the same rules as `OrderBook`: every resting order in one
/// flat array, the best one found by a linear scan. Slow and obviously right is the point.
struct ReferenceMatcher {
    struct Order {
        var id: OrderID
        var side: Side
        var price: Int64
        var remaining: Int64
        var filled: Int64
        var owner: UInt32
        var isDay: Bool
        var postOnly: Bool
        var time: Int
    }

    let tick: Int64
    let lot: Int64
    let configuration: BookConfiguration
    var resting: [Order] = []
    var clock = 0
    var sequence: UInt64 = 1
    var events: [BookEvent] = []
    /// Dormant stops in acceptance order, the last trade price, stops woken and not yet entered,
    /// and the prices of trades the stops have not seen yet.
    var stops: [Stop] = []
    var lastTrade: Int64 = 0
    var woken: [Stop] = []
    var unseen: [Int64] = []

    init(instrument: Instrument, configuration: BookConfiguration) {
        tick = instrument.tickSize.units
        lot = instrument.lotSize.value
        self.configuration = configuration
    }

    /// Whether `a` has priority over `b` (same side).
    static func before(_ a: Order, _ b: Order) -> Bool {
        if a.price != b.price { return a.side == .buy ? a.price > b.price : a.price < b.price }
        return a.time < b.time
    }

    /// The opposite side's orders in priority order.
    func queue(facing side: Side) -> [Order] {
        resting.filter { $0.side != side }.sorted(by: Self.before)
    }

    /// Where the opposite side's best order sits in `resting`, by a linear scan.
    func bestIndex(facing side: Side) -> Int? {
        var best: Int?
        for i in resting.indices where resting[i].side != side {
            if best == nil || Self.before(resting[i], resting[best!]) { best = i }
        }
        return best
    }

    func bestPrice(facing side: Side) -> Int64? { bestIndex(facing: side).map { resting[$0].price } }

    func crosses(_ side: Side, _ price: Int64, _ best: Int64) -> Bool {
        side == .buy ? price >= best : price <= best
    }

    func acceptable(_ side: Side, market: Bool, limit: Int64, _ price: Int64) -> Bool {
        market || (side == .buy ? price <= limit : price >= limit)
    }

    mutating func report(
        _ kind: ExecutionReport.Kind, _ reason: Reason, _ id: OrderID, _ side: Side?, _ price: Int64,
        last: Int64 = 0, lastPrice: Int64 = 0, filled: Int64, leaves: Int64
    ) {
        events.append(
            .report(
                ExecutionReport(
                    sequence: sequence, kind: kind, reason: reason, orderID: id, side: side, price: Price(units: price),
                    lastQuantity: Quantity(last), lastPrice: Price(units: lastPrice), filledQuantity: Quantity(filled),
                    leavesQuantity: Quantity(leaves))))
        sequence += 1
    }

    mutating func apply(_ command: OrderCommand) {
        events = []
        defer { runStops() }
        switch command {
        case .new(let order): submit(order)
        case .cancel(let id):
            if let i = stops.firstIndex(where: { $0.id == id }) {
                let stop = stops.remove(at: i)
                return report(.cancelled, .requested, id, stop.side, stop.limit, filled: 0, leaves: 0)
            }
            guard let i = resting.firstIndex(where: { $0.id == id }) else {
                return report(.rejected, .unknownOrder, id, nil, 0, filled: 0, leaves: 0)
            }
            let order = resting.remove(at: i)
            report(.cancelled, .requested, id, order.side, order.price, filled: order.filled, leaves: 0)
        case .modify(let modify): self.modify(modify)
        case .endOfDay:
            let order = resting.filter { $0.side == .buy }.sorted(by: Self.before)
                + resting.filter { $0.side == .sell }.sorted(by: Self.before)
            for expired in order where expired.isDay {
                report(.expired, .endOfDay, expired.id, expired.side, expired.price, filled: expired.filled, leaves: 0)
                resting.removeAll { $0.id == expired.id }
            }
            for stop in stops where stop.timeInForce == .day {
                report(.expired, .endOfDay, stop.id, stop.side, stop.limit, filled: 0, leaves: 0)
            }
            stops.removeAll { $0.timeInForce == .day }
        case .cancelAll(let owner):
            for order in resting.sorted(by: { $0.id.rawValue < $1.id.rawValue }) where owner == nil || order.owner == owner!.rawValue {
                report(.cancelled, .massCancel, order.id, order.side, order.price, filled: order.filled, leaves: 0)
            }
            resting.removeAll { owner == nil || $0.owner == owner!.rawValue }
            for stop in stops where owner == nil || stop.owner == owner!.rawValue {
                report(.cancelled, .massCancel, stop.id, stop.side, stop.limit, filled: 0, leaves: 0)
            }
            stops.removeAll { owner == nil || $0.owner == owner!.rawValue }
        }
    }

    mutating func submit(_ order: NewOrder, triggered: Bool = false) {
        if order.type.isStop { return submitStop(order) }
        let market = order.type == .market
        let limit = market ? 0 : order.price.units
        let q = order.quantity.value
        var reason = Reason.none
        if q <= 0 || q > OrderBook.maxQuantity {
            reason = .invalidQuantity
        } else if q % lot != 0 {
            reason = .quantityNotLotMultiple
        } else if !market && limit <= 0 {
            reason = .invalidPrice
        } else if !market && limit % tick != 0 {
            reason = .priceNotOnTick
        } else if !triggered && isLive(order.id) {
            reason = .duplicateOrderID
        } else if order.postOnly && (market || order.timeInForce == .ioc || order.timeInForce == .fok) {
            reason = .invalidPostOnly
        } else if market && bestPrice(facing: order.side) == nil {
            reason = .noLiquidity
        }
        var price = limit
        if reason == .none, order.postOnly, let best = bestPrice(facing: order.side), crosses(order.side, limit, best) {
            let (repriced, overflow) = order.side == .buy ? best.subtractingReportingOverflow(tick) : best.addingReportingOverflow(tick)
            price = repriced
            if configuration.postOnlyPolicy == .reject || overflow || price <= 0 { reason = .wouldCross }
        }
        if reason != .none {
            return report(triggered ? .cancelled : .rejected, reason, order.id, order.side, limit, filled: 0, leaves: 0)
        }
        if !triggered { report(.accepted, .none, order.id, order.side, price, filled: 0, leaves: q) }
        if order.timeInForce == .fok && !fillable(order.side, market: market, limit: price, owner: order.owner.rawValue, q) {
            return report(.cancelled, .fillOrKill, order.id, order.side, price, filled: 0, leaves: 0)
        }
        var taker = Order(
            id: order.id, side: order.side, price: price, remaining: q, filled: 0, owner: order.owner.rawValue,
            isDay: order.timeInForce == .day, postOnly: order.postOnly, time: 0)
        let stopped = match(&taker, market: market)
        if taker.remaining == 0 { return }
        if stopped || market || order.timeInForce == .ioc || order.timeInForce == .fok {
            return report(
                .cancelled, stopped ? .selfTrade : .immediateOrCancel, order.id, order.side, price, filled: taker.filled,
                leaves: 0)
        }
        clock += 1
        taker.time = clock
        resting.append(taker)
    }

    func fillable(_ side: Side, market: Bool, limit: Int64, owner: UInt32, _ quantity: Int64) -> Bool {
        var needed = quantity
        for maker in queue(facing: side) {
            if !acceptable(side, market: market, limit: limit, maker.price) { return false }
            if configuration.selfTradePrevention != .none && owner != 0 && maker.owner == owner {
                if configuration.selfTradePrevention == .cancelIncoming { return false }
                continue
            }
            needed -= maker.remaining
            if needed <= 0 { return true }
        }
        return false
    }

    /// Returns true when self-trade prevention stopped the taker.
    mutating func match(_ taker: inout Order, market: Bool) -> Bool {
        while taker.remaining > 0 {
            guard let i = bestIndex(facing: taker.side),
                acceptable(taker.side, market: market, limit: taker.price, resting[i].price)
            else { return false }
            let maker = resting[i]
            if configuration.selfTradePrevention != .none && taker.owner != 0 && maker.owner == taker.owner {
                if configuration.selfTradePrevention == .cancelIncoming { return true }
                report(.cancelled, .selfTrade, maker.id, maker.side, maker.price, filled: maker.filled, leaves: 0)
                resting.remove(at: i)
                continue
            }
            let q = min(taker.remaining, maker.remaining)
            resting[i].remaining -= q
            resting[i].filled += q
            taker.remaining -= q
            taker.filled += q
            events.append(
                .trade(
                    Trade(
                        sequence: sequence, makerOrderID: maker.id, takerOrderID: taker.id, price: Price(units: maker.price),
                        quantity: Quantity(q), aggressor: taker.side)))
            sequence += 1
            lastTrade = maker.price
            unseen.append(maker.price)
            let m = resting[i]
            report(
                m.remaining == 0 ? .filled : .partiallyFilled, .none, m.id, m.side, m.price, last: q,
                lastPrice: maker.price, filled: m.filled, leaves: m.remaining)
            report(
                taker.remaining == 0 ? .filled : .partiallyFilled, .none, taker.id, taker.side, market ? 0 : taker.price,
                last: q, lastPrice: maker.price, filled: taker.filled, leaves: taker.remaining)
            if m.remaining == 0 { resting.remove(at: i) }
        }
        return false
    }

    mutating func modify(_ modify: ModifyOrder) {
        if let i = stops.firstIndex(where: { $0.id == modify.id }) { return modifyStop(i, modify) }
        guard let i = resting.firstIndex(where: { $0.id == modify.id }) else {
            return report(.rejected, .unknownOrder, modify.id, nil, 0, filled: 0, leaves: 0)
        }
        let order = resting[i]
        if modify.stopPrice != nil {
            return report(.rejected, .invalidStopPrice, order.id, order.side, order.price, filled: order.filled, leaves: order.remaining)
        }
        let q = modify.quantity?.value ?? order.remaining
        let price = modify.price?.units ?? order.price
        var reason = Reason.none
        let best = bestPrice(facing: order.side)
        let crossing = best.map { crosses(order.side, price, $0) } ?? false
        if q <= 0 || q > OrderBook.maxQuantity {
            reason = .invalidQuantity
        } else if q % lot != 0 {
            reason = .quantityNotLotMultiple
        } else if price <= 0 {
            reason = .invalidPrice
        } else if price % tick != 0 {
            reason = .priceNotOnTick
        } else if order.postOnly && crossing {
            reason = .wouldCross
        }
        if reason != .none {
            return report(.rejected, reason, order.id, order.side, order.price, filled: order.filled, leaves: order.remaining)
        }
        report(.replaced, .none, order.id, order.side, price, filled: order.filled, leaves: q)
        if price == order.price && q <= order.remaining {
            resting[i].remaining = q
            return
        }
        var taker = resting.remove(at: i)
        taker.price = price
        taker.remaining = q
        let stopped = crossing ? match(&taker, market: false) : false
        if taker.remaining == 0 { return }
        if stopped {
            return report(.cancelled, .selfTrade, order.id, order.side, price, filled: taker.filled, leaves: 0)
        }
        clock += 1
        taker.time = clock
        resting.append(taker)
    }

    /// L2 of one side, best first: (price, quantity, order count).
    func depth(_ side: Side) -> [DepthLevel] {
        var result: [DepthLevel] = []
        for order in resting.filter({ $0.side == side }).sorted(by: Self.before) {
            if let last = result.last, last.price.units == order.price {
                result[result.count - 1].quantity.value += order.remaining
                result[result.count - 1].orderCount += 1
            } else {
                result.append(DepthLevel(price: Price(units: order.price), quantity: Quantity(order.remaining), orderCount: 1))
            }
        }
        return result
    }

    /// Every resting order in the same order as `OrderBook.allOrders()`: (id, leaves).
    func allOrders() -> [(OrderID, Int64)] {
        (resting.filter { $0.side == .buy }.sorted(by: Self.before) + resting.filter { $0.side == .sell }.sorted(by: Self.before))
            .map { ($0.id, $0.remaining) }
    }
}
