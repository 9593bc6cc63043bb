import MarketCore

// Which closed orders an engine remembers: the last `closedOrderMemory` across its books, and none
// of a book after its end of day (see the doc comment of `MatchingEngine`).

extension MatchingEngine {
    /// Queues the orders the last command closed, in the order of their final reports, and forgets
    /// the oldest beyond `closedOrderMemory`. The book reports an order's end exactly once (filled,
    /// cancelled or expired), so no order is queued twice; O(events) per command.
    mutating func queueClosedOrders(of entry: inout SymbolBook, symbol: Symbol) {
        for case .report(let report) in entry.book.events where report.kind.isFinal {
            assert(!entry.book.contains(report.orderID), "a final report for a live order")
            guard let clientID = entry.ids.close(report.orderID) else { continue }
            closedOrders.append(.init(symbol: symbol, id: report.orderID, clientID: clientID))
        }
        while closedOrders.count > closedOrderMemory {
            let oldest = closedOrders.removeFirst()
            if oldest.symbol == symbol {
                entry.ids.forget(oldest.clientID, oldest.id)
            } else {
                books[oldest.symbol]?.ids.forget(oldest.clientID, oldest.id)
            }
        }
    }

    /// Forgets every closed order of one book: client ids are unique per trading day, so at its end
    /// all of them may be used again tomorrow. O(closed orders remembered), once a day.
    mutating func forgetClosedOrders(of entry: inout SymbolBook, symbol: Symbol) {
        for closed in closedOrders.removeAll(of: symbol) { entry.ids.forget(closed.clientID, closed.id) }
    }

    /// Client ids remembered over all books, live orders' included.
    public var rememberedOrderCount: Int { books.values.reduce(0) { $0 + $1.ids.count } }

    /// Closed orders whose client ids are still remembered.
    public var rememberedClosedOrderCount: Int { closedOrders.count }
}

extension ExecutionReport.Kind {
    /// The report that ends an order's life: nothing of it is live afterwards.
    var isFinal: Bool { self == .filled || self == .cancelled || self == .expired }
}
