/// The client order ids one book knows, interned to `OrderID`s: those of its live (resting or
/// dormant) orders and those of closed orders not yet forgotten.
///
/// Both directions are sparse dictionaries so that forgetting a closed order frees its entries;
/// `nextID` only grows, so an `OrderID` is never reused, even after its order is forgotten.
struct ClientOrderIDs: Sendable, Equatable {
    private(set) var orderIDs: [String: OrderID] = [:]
    private(set) var clientIDs: [OrderID: String] = [:]
    /// The id the next accepted order gets.
    private(set) var nextID: UInt64 = 1

    init() {}

    /// Ids restored from a snapshot; `nextID` must exceed every id and the client ids be unique.
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

    func clientID(_ id: OrderID) -> String? { clientIDs[id] }

    func isRemembered(_ id: OrderID) -> Bool { clientIDs[id] != nil }

    /// Records an accepted order, which got `next`.
    mutating func remember(_ clientID: String) {
        orderIDs[clientID] = next
        clientIDs[next] = clientID
        nextID += 1
    }

    /// Drops a closed order's ids: its client id may then be used for a new order.
    mutating func forget(_ id: OrderID) {
        guard let clientID = clientIDs.removeValue(forKey: id) else { return }
        // A remembered client id names exactly one order: no other can take it before it is forgotten.
        let removed = orderIDs.removeValue(forKey: clientID)
        assert(removed == id, "client id \(clientID) named two orders")
    }

    /// Every remembered (OrderID, client id) pair in `OrderID` order: deterministic snapshot bytes.
    func sortedPairs() -> [(OrderID, String)] {
        clientIDs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
