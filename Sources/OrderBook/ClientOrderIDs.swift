/// The client order ids one book knows, interned to `OrderID`s: those of its live (resting or
/// dormant) orders and those of closed orders not yet forgotten.
///
/// Both directions are sparse dictionaries so that forgetting a closed order frees its entries;
/// `nextID` only grows, so an `OrderID` is never reused, even after its order is forgotten.
struct ClientOrderIDs: Sendable, Equatable {
    /// Client id → `OrderID` of every remembered order, live or closed.
    private(set) var orderIDs: [String: OrderID] = [:]
    /// `OrderID` → client id of live orders only. Events name live orders, and the orders closing
    /// in the command that produced them; the one event naming an older closed order is the
    /// `order_closed` reject of a command that gave its client id itself. So a closed order's
    /// reverse entry is dropped when it closes, which halves what a closed order costs.
    private(set) var clientIDs: [OrderID: String] = [:]
    /// The id the next accepted order gets.
    private(set) var nextID: UInt64 = 1

    init() {}

    /// Ids restored from a snapshot, all as live; `close` the closed ones. `nextID` must exceed
    /// every id, and the client ids must be unique.
    init(nextID: UInt64, pairs: [(OrderID, String)]) throws(SnapshotError) {
        self.nextID = nextID
        orderIDs.reserveCapacity(pairs.count)
        clientIDs.reserveCapacity(pairs.count)
        for (id, clientID) in pairs {
            guard id.rawValue >= 1, id.rawValue < nextID, orderIDs.updateValue(id, forKey: clientID) == nil,
                clientIDs.updateValue(clientID, forKey: id) == nil
            else { throw .invalidContent("bad client order id \(id)") }
        }
    }

    /// Number of remembered orders, live and closed.
    var count: Int { orderIDs.count }

    /// The `OrderID` the next accepted order gets.
    var next: OrderID { OrderID(nextID) }

    subscript(clientID: String) -> OrderID? { orderIDs[clientID] }

    /// The client id of a live order, or of one that closed in the current command.
    func clientID(_ id: OrderID) -> String? { clientIDs[id] }

    /// Records an accepted order, which got `next`.
    mutating func remember(_ clientID: String) {
        orderIDs[clientID] = next
        clientIDs[next] = clientID
        nextID += 1
    }

    /// Marks a live order closed (after its command's messages are built): its client id stays
    /// taken until `forget`. Returns that client id, or nil for an order that was not live here.
    mutating func close(_ id: OrderID) -> String? { clientIDs.removeValue(forKey: id) }

    /// Drops a closed order's client id: it may then be used for a new order.
    mutating func forget(_ clientID: String, _ id: OrderID) {
        // A remembered client id names exactly one order: no other can take it before it is forgotten.
        let removed = orderIDs.removeValue(forKey: clientID)
        assert(removed == id, "client id \(clientID) named two orders")
    }

    /// Every remembered (OrderID, client id) pair in `OrderID` order: deterministic snapshot bytes.
    func sortedPairs() -> [(OrderID, String)] {
        orderIDs.map { ($0.value, $0.key) }.sorted { $0.0 < $1.0 }
    }
}
