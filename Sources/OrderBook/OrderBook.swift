// Module OrderBook: the pure limit order book and matching engine of quant-pipeline.
//
// It owns price-time priority matching, order validation against the instrument, execution
// reports and trades, book queries (BBO, L2, L3, fill estimates), snapshots, and the Codable
// wire messages of the `orders.commands` topic. It imports MarketCore and the standard library
// only: no Foundation, no I/O, no clocks, no randomness, so the same commands always give the
// same events. Adapters (the processor, `quant book replay`) depend on it, never the reverse.

import MarketCore

/// A limit order book for one instrument, with price-time priority matching.
///
/// Feed it `OrderCommand`s with `apply(_:)`; after each call `events` holds the execution reports
/// and trades that the command caused, in sequence order. Invalid commands are rejected with a
/// `Reason` and never change the book. See docs/orderbook.md for the full rules.
///
/// Storage is a pool of order nodes and a pool of levels addressed by 32-bit slots, plus one sorted
/// array of levels per side with the best price last. Once the pools and the id index have grown to
/// the working size, commands reuse slots and the event buffer and allocate nothing.
public struct OrderBook: Sendable {
    public let instrument: Instrument
    public let configuration: BookConfiguration

    /// The largest quantity of one order; keeps every level's total far from overflow.
    public static let maxQuantity: Int64 = 1_000_000_000_000

    var orders: ContiguousArray<RestingOrder> = []
    var freeOrders: ContiguousArray<Int32> = []
    var levels: ContiguousArray<PriceLevel> = []
    var freeLevels: ContiguousArray<Int32> = []
    var bids = BookSide()
    var asks = BookSide()
    var index = OrderIndex()
    var nextSequence: UInt64 = 1
    /// Dormant stop orders in acceptance order (the order in which one trade wakes several).
    var stops: [DormantStop] = []
    /// Stops woken but not yet entered; empty between commands.
    var triggeredStops: [DormantStop] = []
    /// The price of the book's latest trade; 0 before the first.
    public internal(set) var lastTradePrice: Int64 = 0
    let tick: Int64
    let lot: Int64

    /// The events caused by the last command, in sequence order.
    public internal(set) var events: [BookEvent] = []

    /// - Parameter expectedOrders: capacity to reserve, so that a book of that size never reallocates.
    public init(instrument: Instrument, configuration: BookConfiguration = .init(), expectedOrders: Int = 1024) {
        self.instrument = instrument
        self.configuration = configuration
        self.tick = max(1, instrument.tickSize.units)
        self.lot = max(1, instrument.lotSize.value)
        reserveCapacity(expectedOrders)
    }

    /// Grows the pools so that `orders` resting orders fit without reallocation.
    public mutating func reserveCapacity(_ orderCount: Int) {
        let count = max(16, orderCount)
        orders.reserveCapacity(count)
        freeOrders.reserveCapacity(count)
        levels.reserveCapacity(count / 4 + 64)
        freeLevels.reserveCapacity(count / 4 + 64)
        bids.reserve(count / 8 + 64)
        asks.reserve(count / 8 + 64)
        index.reserveCapacity(count)
        events.reserveCapacity(256)
    }

    /// Number of resting orders.
    public var orderCount: Int { index.count }

    /// Number of dormant stop orders.
    public var stopCount: Int { stops.count }

    /// Whether an order with this id is resting in the book or waiting as a dormant stop.
    public func contains(_ id: OrderID) -> Bool { index[id] != nil || stopPosition(id) != nil }

    /// The sequence number the next event will get.
    public var sequence: UInt64 { nextSequence }

    // MARK: commands

    /// Applies one command; afterwards `events` holds what it caused.
    public mutating func apply(_ command: OrderCommand) {
        events.removeAll(keepingCapacity: true)
        switch command {
        case .new(let order): submit(order)
        case .cancel(let id): cancel(id)
        case .modify(let modify): self.modify(modify)
        case .endOfDay: expireDayOrders()
        case .cancelAll(let owner): cancelAll(of: owner)
        }
        // Only books that hold stops look at the trades again.
        if !stops.isEmpty || !triggeredStops.isEmpty { cascadeStops() }
    }

    /// Records a reject decided outside the book (unknown client id, malformed message) so that
    /// the book's event sequence stays gapless. For a resting `id` the report describes that order;
    /// otherwise it carries `side` and `price`. Replaces `events` like `apply(_:)`.
    public mutating func reject(_ id: OrderID, side: Side? = nil, price: Price = .zero, reason: Reason) {
        events.removeAll(keepingCapacity: true)
        if let slot = index[id] {
            let order = orders[Int(slot)]
            report(.rejected, reason, order.id, order.side, priceOf(order), filled: order.filled, leaves: order.remaining)
        } else if let position = stopPosition(id) {
            let stop = stops[position]
            report(.rejected, reason, id, stop.side, stop.limit, filled: 0, leaves: stop.quantity)
        } else {
            report(.rejected, reason, id, side, price.units, filled: 0, leaves: 0)
        }
    }

    /// Expires every resting `day` order: bids from the best level down, then asks, each level in
    /// queue order. Replaces `events` like `apply(_:)`.
    public mutating func endOfDay() { apply(.endOfDay) }

    /// Validates and enters an order. A `triggered` stop has been validated and reported already:
    /// it gets no `accepted` report, and what would reject a new order cancels it.
    mutating func submit(_ order: NewOrder, triggered: Bool = false) {
        if order.type.isStop { return submitStop(order) }
        let quantity = order.quantity.value
        let isMarket = order.type == .market
        let limit = isMarket ? 0 : order.price.units
        let side = order.side
        func refuse(_ reason: Reason) {
            report(triggered ? .cancelled : .rejected, reason, order.id, side, limit, filled: 0, leaves: 0)
        }
        guard quantity > 0, quantity <= Self.maxQuantity else { return refuse(.invalidQuantity) }
        guard quantity % lot == 0 else { return refuse(.quantityNotLotMultiple) }
        if !isMarket {
            guard limit > 0 else { return refuse(.invalidPrice) }
            guard limit % tick == 0 else { return refuse(.priceNotOnTick) }
        }
        guard triggered || !contains(order.id) else { return refuse(.duplicateOrderID) }
        if order.postOnly && (isMarket || order.timeInForce.isImmediate) { return refuse(.invalidPostOnly) }
        let oppositeBest = bestLevel(facing: side)
        if isMarket && oppositeBest == nil { return refuse(.noLiquidity) }

        var price = limit
        if order.postOnly, let best = oppositeBest, crosses(side, price, levels[Int(best)].price) {
            guard configuration.postOnlyPolicy == .reprice else { return refuse(.wouldCross) }
            let bestPrice = levels[Int(best)].price
            let (repriced, overflow) =
                side == .buy ? bestPrice.subtractingReportingOverflow(tick) : bestPrice.addingReportingOverflow(tick)
            guard !overflow, repriced > 0 else { return refuse(.wouldCross) }
            price = repriced
        }
        if !triggered { report(.accepted, .none, order.id, side, price, filled: 0, leaves: quantity) }

        var taker = Taker(
            id: order.id, side: side, isMarket: isMarket, limit: price, owner: order.owner.rawValue,
            remaining: quantity, filled: 0)
        if order.timeInForce == .fok && !canFill(taker) {
            report(.cancelled, .fillOrKill, order.id, side, price, filled: 0, leaves: 0)
            return
        }
        let stoppedBySelfTrade = match(&taker)
        guard taker.remaining > 0 else { return }
        if stoppedBySelfTrade || isMarket || order.timeInForce.isImmediate {
            let reason: Reason = stoppedBySelfTrade ? .selfTrade : .immediateOrCancel
            report(.cancelled, reason, order.id, side, price, filled: taker.filled, leaves: 0)
            return
        }
        let slot = allocateOrder(
            RestingOrder(
                id: order.id, remaining: taker.remaining, filled: taker.filled, prev: -1, next: -1,
                level: -1, owner: order.owner.rawValue, side: side, isDay: order.timeInForce == .day,
                postOnly: order.postOnly))
        attach(slot, price: price)
        index.set(order.id, slot)
    }

    mutating func cancel(_ id: OrderID) {
        guard let slot = index[id] else {
            if let position = stopPosition(id) { return cancelStop(at: position) }
            report(.rejected, .unknownOrder, id, nil, 0, filled: 0, leaves: 0)
            return
        }
        let order = orders[Int(slot)]
        report(.cancelled, .requested, id, order.side, priceOf(order), filled: order.filled, leaves: 0)
        remove(slot)
    }

    /// Mass cancel: every resting order of `owner` (every one when nil) in id (acceptance) order,
    /// then its dormant stops in their order.
    mutating func cancelAll(of owner: OwnerID?) {
        var slots: [(id: OrderID, slot: Int32)] = []
        for order in allOrders() where owner == nil || order.owner == owner {
            if let slot = index[order.id] { slots.append((order.id, slot)) }
        }
        for (id, slot) in slots.sorted(by: { $0.id.rawValue < $1.id.rawValue }) {
            let order = orders[Int(slot)]
            report(.cancelled, .massCancel, id, order.side, priceOf(order), filled: order.filled, leaves: 0)
            remove(slot)
        }
        let cancelled = stops.filter { owner == nil || $0.owner == owner!.rawValue }
        guard !cancelled.isEmpty else { return }
        for stop in cancelled { report(.cancelled, .massCancel, stop.id, stop.side, stop.limit, filled: 0, leaves: 0) }
        stops.removeAll { owner == nil || $0.owner == owner!.rawValue }
    }

    mutating func modify(_ modify: ModifyOrder) {
        guard let slot = index[modify.id] else {
            if let position = stopPosition(modify.id) { return modifyStop(at: position, modify) }
            report(.rejected, .unknownOrder, modify.id, nil, 0, filled: 0, leaves: 0)
            return
        }
        let order = orders[Int(slot)]
        guard modify.stopPrice == nil else {
            return report(.rejected, .invalidStopPrice, order.id, order.side, priceOf(order), filled: order.filled, leaves: order.remaining)
        }
        let oldPrice = priceOf(order)
        func refuse(_ reason: Reason) {
            report(.rejected, reason, order.id, order.side, oldPrice, filled: order.filled, leaves: order.remaining)
        }
        let quantity = modify.quantity?.value ?? order.remaining
        let price = modify.price?.units ?? oldPrice
        guard quantity > 0, quantity <= Self.maxQuantity else { return refuse(.invalidQuantity) }
        guard quantity % lot == 0 else { return refuse(.quantityNotLotMultiple) }
        guard price > 0 else { return refuse(.invalidPrice) }
        guard price % tick == 0 else { return refuse(.priceNotOnTick) }
        let wouldCross = bestLevel(facing: order.side).map { crosses(order.side, price, levels[Int($0)].price) } ?? false
        if order.postOnly && wouldCross { return refuse(.wouldCross) }

        if price == oldPrice && quantity <= order.remaining {
            // Same price, not larger: the order keeps its place in the queue.
            levels[Int(order.level)].quantity -= order.remaining - quantity
            orders[Int(slot)].remaining = quantity
            report(.replaced, .none, order.id, order.side, price, filled: order.filled, leaves: quantity)
            return
        }
        detach(slot)
        report(.replaced, .none, order.id, order.side, price, filled: order.filled, leaves: quantity)
        var taker = Taker(
            id: order.id, side: order.side, isMarket: false, limit: price, owner: order.owner,
            remaining: quantity, filled: order.filled)
        let stoppedBySelfTrade = wouldCross ? match(&taker) : false
        if taker.remaining == 0 {
            release(slot)
            return
        }
        if stoppedBySelfTrade {
            report(.cancelled, .selfTrade, order.id, order.side, price, filled: taker.filled, leaves: 0)
            release(slot)
            return
        }
        orders[Int(slot)].remaining = taker.remaining
        orders[Int(slot)].filled = taker.filled
        attach(slot, price: price)
    }

    mutating func expireDayOrders() {
        var expiring: [Int32] = []
        for side in [bids, asks] {
            for position in side.levels.indices.reversed() {
                var slot = levels[Int(side.levels[position])].head
                while slot >= 0 {
                    if orders[Int(slot)].isDay { expiring.append(slot) }
                    slot = orders[Int(slot)].next
                }
            }
        }
        for slot in expiring {
            let order = orders[Int(slot)]
            report(.expired, .endOfDay, order.id, order.side, priceOf(order), filled: order.filled, leaves: 0)
            remove(slot)
        }
        expireDayStops()
    }

    // MARK: events

    @inline(__always)
    mutating func report(
        _ kind: ExecutionReport.Kind, _ reason: Reason, _ id: OrderID, _ side: Side?, _ price: Int64,
        lastQuantity: Int64 = 0, lastPrice: Int64 = 0, filled: Int64, leaves: Int64
    ) {
        events.append(
            .report(
                ExecutionReport(
                    sequence: nextSequence, kind: kind, reason: reason, orderID: id, side: side,
                    price: Price(units: price), lastQuantity: Quantity(lastQuantity), lastPrice: Price(units: lastPrice),
                    filledQuantity: Quantity(filled), leavesQuantity: Quantity(leaves))))
        nextSequence &+= 1
    }

    @inline(__always)
    mutating func trade(maker: OrderID, taker: OrderID, price: Int64, quantity: Int64, aggressor: Side) {
        events.append(
            .trade(
                Trade(
                    sequence: nextSequence, makerOrderID: maker, takerOrderID: taker, price: Price(units: price),
                    quantity: Quantity(quantity), aggressor: aggressor)))
        nextSequence &+= 1
        lastTradePrice = price
    }

    /// A resting order's price: its level's.
    @inline(__always) func priceOf(_ order: RestingOrder) -> Int64 { levels[Int(order.level)].price }

    /// The best level of the side an order of `side` would trade with.
    @inline(__always) func bestLevel(facing side: Side) -> Int32? {
        side == .buy ? asks.best : bids.best
    }

    @inline(__always) func crosses(_ side: Side, _ price: Int64, _ oppositeBest: Int64) -> Bool {
        side == .buy ? price >= oppositeBest : price <= oppositeBest
    }
}
