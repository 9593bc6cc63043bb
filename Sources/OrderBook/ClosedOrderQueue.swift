import MarketCore

/// The closed orders an engine still remembers, oldest first, across all its books.
///
/// A first-in-first-out queue in an array with a head index: appending and taking the oldest are
/// amortised O(1) (the taken prefix is dropped once it is a quarter of the array: at most three
/// moves per entry taken, and the array stays within a third of the entries it holds), so the
/// engine's hot path never does work proportional to the number of remembered orders.
struct ClosedOrderQueue: Sendable, Equatable {
    struct Entry: Sendable, Hashable {
        var symbol: Symbol
        var id: OrderID
        /// Kept here because the book's reverse entry went when the order closed.
        var clientID: String
    }

    private var storage: [Entry] = []
    private var head = 0

    init() {}

    init(_ entries: [Entry]) { storage = entries }

    var count: Int { storage.count - head }
    var isEmpty: Bool { head == storage.count }

    /// The entries, oldest first.
    var entries: ArraySlice<Entry> { storage[head...] }

    mutating func append(_ entry: Entry) { storage.append(entry) }

    mutating func removeFirst() -> Entry {
        let entry = storage[head]
        head += 1
        if head >= 64 && head * 4 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return entry
    }

    /// Takes out every entry of one symbol (end of day), keeping the others' order. O(count).
    mutating func removeAll(of symbol: Symbol) -> [Entry] {
        var removed: [Entry] = []
        var kept: [Entry] = []
        kept.reserveCapacity(count)
        for entry in entries {
            if entry.symbol == symbol { removed.append(entry) } else { kept.append(entry) }
        }
        storage = kept
        head = 0
        return removed
    }

    /// Takes out every entry (end of day of all books).
    mutating func removeAll() -> [Entry] {
        let all = Array(entries)
        storage = []
        head = 0
        return all
    }

    static func == (lhs: Self, rhs: Self) -> Bool { lhs.entries.elementsEqual(rhs.entries) }
}
