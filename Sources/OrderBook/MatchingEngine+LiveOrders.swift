import MarketCore

extension MatchingEngine {
    /// A live (resting or dormant) order as its account sees it.
    public struct LiveOrder: Sendable, Hashable {
        public var symbol: Symbol
        public var clientID: String
        /// The account the order was sent for; nil when it named none.
        public var account: String?
        public var side: Side
        /// Its open quantity: what is left to fill.
        public var leavesQuantity: Quantity
    }

    /// Every live order of every book, in symbol then book order (resting orders, then dormant
    /// stops). For rebuilding what is derived from the books, such as the open orders per account
    /// after a restore; O(live orders).
    public func liveOrders() -> [LiveOrder] {
        var accounts = [String?](repeating: nil, count: owners.count + 1)
        for (account, owner) in owners { accounts[Int(owner.rawValue)] = account }
        var result: [LiveOrder] = []
        for symbol in symbols {
            let entry = books[symbol]!
            func add(_ id: OrderID, _ owner: OwnerID, _ side: Side, _ leaves: Quantity) {
                guard let clientID = entry.ids.clientID(id) else { return }
                let account = Int(owner.rawValue) < accounts.count ? accounts[Int(owner.rawValue)] : nil
                result.append(LiveOrder(symbol: symbol, clientID: clientID, account: account, side: side, leavesQuantity: leaves))
            }
            for order in entry.book.allOrders() { add(order.id, order.owner, order.side, order.leavesQuantity) }
            for stop in entry.book.dormantStops() { add(stop.id, stop.owner, stop.side, stop.quantity) }
        }
        return result
    }
}
