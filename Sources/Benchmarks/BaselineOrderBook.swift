import MarketCore
import OrderBook

/// The benchmark's baseline: the book most people would write first. Each side is a dictionary
/// from price to an array of orders (FIFO) plus a sorted array of prices; an order id maps to its
/// side and price. It handles only what the benchmark sends (GTC and IOC limit orders, market orders,
/// cancels) and emits the same events as `OrderBook` for them, so the two runs can be compared.
struct BaselineOrderBook {
    struct Order {
        var id: OrderID
        var remaining: Int64
        var filled: Int64
    }

    var bids: [Int64: [Order]] = [:]
    var asks: [Int64: [Order]] = [:]
    /// Ascending; the best bid is last, the best ask first.
    var bidPrices: [Int64] = []
    var askPrices: [Int64] = []
    var locations: [OrderID: (side: Side, price: Int64)] = [:]
    var sequence: UInt64 = 1
    var events: [BookEvent] = []

    mutating func apply(_ command: OrderCommand) {
        events = []
        switch command {
        case .new(let order): submit(order)
        case .cancel(let id): cancel(id)
        case .modify, .endOfDay, .cancelAll: break
        }
    }

    mutating func emit(
        _ kind: ExecutionReport.Kind, _ reason: Reason, _ id: OrderID, _ side: Side?, _ price: Int64, last: Int64 = 0,
        lastPrice: Int64 = 0, filled: Int64, leaves: Int64
    ) {
        events.append(
            .report(
                ExecutionReport(
                    sequence: sequence, kind: kind, reason: reason, orderID: id, side: side, price: Price(units: price),
                    lastQuantity: Quantity(last), lastPrice: Price(units: lastPrice), filledQuantity: Quantity(filled),
                    leavesQuantity: Quantity(leaves))))
        sequence += 1
    }

    mutating func submit(_ order: NewOrder) {
        let market = order.type == .market
        let limit = market ? 0 : order.price.units
        if market && (order.side == .buy ? askPrices.isEmpty : bidPrices.isEmpty) {
            return emit(.rejected, .noLiquidity, order.id, order.side, 0, filled: 0, leaves: 0)
        }
        emit(.accepted, .none, order.id, order.side, limit, filled: 0, leaves: order.quantity.value)
        var remaining = order.quantity.value
        var filled: Int64 = 0
        while remaining > 0 {
            guard let best = order.side == .buy ? askPrices.first : bidPrices.last else { break }
            if !market && (order.side == .buy ? best > limit : best < limit) { break }
            // Taking the level out of the dictionary keeps the array uniquely owned: no copy on write.
            var queue = (order.side == .buy ? asks.removeValue(forKey: best) : bids.removeValue(forKey: best))!
            while remaining > 0 && !queue.isEmpty {
                let quantity = min(remaining, queue[0].remaining)
                remaining -= quantity
                filled += quantity
                queue[0].remaining -= quantity
                queue[0].filled += quantity
                let maker = queue[0]
                events.append(
                    .trade(
                        Trade(
                            sequence: sequence, makerOrderID: maker.id, takerOrderID: order.id, price: Price(units: best),
                            quantity: Quantity(quantity), aggressor: order.side)))
                sequence += 1
                emit(
                    maker.remaining == 0 ? .filled : .partiallyFilled, .none, maker.id, order.side.opposite, best, last: quantity,
                    lastPrice: best, filled: maker.filled, leaves: maker.remaining)
                emit(
                    remaining == 0 ? .filled : .partiallyFilled, .none, order.id, order.side, limit, last: quantity, lastPrice: best,
                    filled: filled, leaves: remaining)
                if maker.remaining == 0 {
                    queue.removeFirst()
                    locations[maker.id] = nil
                }
            }
            if queue.isEmpty {
                if order.side == .buy { askPrices.removeFirst() } else { bidPrices.removeLast() }
            } else if order.side == .buy {
                asks[best] = queue
            } else {
                bids[best] = queue
            }
        }
        guard remaining > 0 else { return }
        if market || order.timeInForce.isImmediate {
            return emit(.cancelled, .immediateOrCancel, order.id, order.side, limit, filled: filled, leaves: 0)
        }
        let resting = Order(id: order.id, remaining: remaining, filled: filled)
        if order.side == .buy {
            if bids[limit] == nil { bidPrices.insert(limit, at: insertionPoint(bidPrices, limit)) }
            bids[limit, default: []].append(resting)
        } else {
            if asks[limit] == nil { askPrices.insert(limit, at: insertionPoint(askPrices, limit)) }
            asks[limit, default: []].append(resting)
        }
        locations[order.id] = (order.side, limit)
    }

    mutating func cancel(_ id: OrderID) {
        guard let (side, price) = locations.removeValue(forKey: id) else {
            return emit(.rejected, .unknownOrder, id, nil, 0, filled: 0, leaves: 0)
        }
        var queue = (side == .buy ? bids.removeValue(forKey: price) : asks.removeValue(forKey: price))!
        let order = queue.remove(at: queue.firstIndex { $0.id == id }!)
        emit(.cancelled, .requested, id, side, price, filled: order.filled, leaves: 0)
        if queue.isEmpty {
            if side == .buy {
                bidPrices.remove(at: insertionPoint(bidPrices, price))
            } else {
                askPrices.remove(at: insertionPoint(askPrices, price))
            }
        } else if side == .buy {
            bids[price] = queue
        } else {
            asks[price] = queue
        }
    }

    func insertionPoint(_ prices: [Int64], _ price: Int64) -> Int {
        var low = 0
        var high = prices.count
        while low < high {
            let mid = (low + high) / 2
            if prices[mid] < price { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
