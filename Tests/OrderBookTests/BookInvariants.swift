import MarketCore
@testable import OrderBook

/// Structural checks of an `OrderBook`, and quantity bookkeeping driven by its events.
enum BookInvariants {
    /// Every way the book's internals could be inconsistent; empty when all is well.
    static func violations(_ book: OrderBook) -> [String] {
        var problems: [String] = []
        var seen = 0
        for (side, bookSide) in [(Side.buy, book.bids), (.sell, book.asks)] {
            if bookSide.keys.count != bookSide.levels.count { problems.append("\(side) keys and levels differ") }
            for i in bookSide.keys.indices {
                if i > 0 && bookSide.keys[i - 1] >= bookSide.keys[i] { problems.append("\(side) keys not strictly sorted") }
                let level = book.levels[Int(bookSide.levels[i])]
                if bookSide.keys[i] != (side == .buy ? level.price : -level.price) { problems.append("key/price mismatch") }
                if level.count <= 0 || level.head < 0 { problems.append("empty level at \(level.price)") }
                var count: Int32 = 0
                var quantity: Int64 = 0
                var previous: Int32 = -1
                var slot = level.head
                while slot >= 0 {
                    let order = book.orders[Int(slot)]
                    if order.prev != previous { problems.append("broken prev link at \(order.id)") }
                    if order.side != side || order.level != bookSide.levels[i] {
                        problems.append("order \(order.id) in the wrong level")
                    }
                    if order.remaining <= 0 { problems.append("order \(order.id) rests with \(order.remaining)") }
                    if book.index[order.id] != slot { problems.append("index does not point at \(order.id)") }
                    count += 1
                    quantity += order.remaining
                    previous = slot
                    slot = order.next
                }
                if previous != level.tail { problems.append("tail mismatch at \(level.price)") }
                if count != level.count || quantity != level.quantity { problems.append("level totals wrong at \(level.price)") }
                seen += Int(count)
            }
        }
        // Every resting order is found through the index and the counts agree, so the index holds
        // exactly the resting ids, each once.
        if seen != book.index.count { problems.append("index holds \(book.index.count) ids, levels \(seen) orders") }
        if let bid = book.bestBid, let ask = book.bestAsk, bid.price >= ask.price { problems.append("crossed book") }
        return problems
    }

    /// The open quantity of every level and every dormant stop, summed (the levels' own totals are checked above).
    static func restingQuantity(_ book: OrderBook) -> Int64 {
        var total: Int64 = 0
        for level in book.bids.levels { total += book.levels[Int(level)].quantity }
        for level in book.asks.levels { total += book.levels[Int(level)].quantity }
        for stop in book.stops { total += stop.quantity }
        return total
    }

    /// The same, plus a scan of the whole id index (slower: it is at least twice the book).
    static func violationsWithIndexScan(_ book: OrderBook) -> [String] {
        var problems = violations(book)
        var live = 0
        for (id, slot) in book.index.pairs {
            live += 1
            if book.orders[Int(slot)].id.rawValue != id { problems.append("index entry \(id) is stale") }
        }
        if live != book.index.count { problems.append("index count \(book.index.count) but \(live) entries") }
        return problems
    }
}

/// Conservation of quantity, from the events alone: submitted = filled + resting + cancelled,
/// where reductions by modify count as cancelled and increases as submitted.
struct QuantityLedger {
    var leaves: [OrderID: Int64] = [:]
    var submitted: Int64 = 0
    var filled: Int64 = 0
    var removed: Int64 = 0

    mutating func record(_ events: [BookEvent]) {
        for event in events {
            switch event {
            case .trade(let trade): filled += 2 * trade.quantity.value
            case .report(let report):
                let id = report.orderID
                switch report.kind {
                case .accepted, .dormant:
                    submitted += report.leavesQuantity.value
                    leaves[id] = report.leavesQuantity.value
                case .replaced:
                    let delta = report.leavesQuantity.value - (leaves[id] ?? 0)
                    if delta > 0 { submitted += delta } else { removed -= delta }
                    leaves[id] = report.leavesQuantity.value
                case .partiallyFilled, .filled:
                    leaves[id] = report.leavesQuantity.value
                    if report.leavesQuantity.value == 0 { leaves[id] = nil }
                case .cancelled, .expired:
                    removed += leaves[id] ?? 0
                    leaves[id] = nil
                case .rejected, .triggered: break
                }
            }
        }
    }

    /// Nil when balanced, else a description of the imbalance.
    func imbalance(resting: Int64) -> String? {
        submitted == filled + resting + removed
            ? nil : "submitted \(submitted) != filled \(filled) + resting \(resting) + removed \(removed)"
    }
}
