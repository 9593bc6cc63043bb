import MarketCore

/// One order resting in the book: a node of its level's doubly linked queue.
/// Nodes live in `OrderBook.orders` and link to each other by slot index (-1 is nil), so adding
/// and removing orders reuses slots and never allocates once the pools have grown.
/// The price is its level's, which keeps a node at 48 bytes.
struct RestingOrder: Sendable {
    var id: OrderID
    var remaining: Int64
    var filled: Int64
    var prev: Int32
    var next: Int32
    var level: Int32
    var owner: UInt32
    var side: Side
    var isDay: Bool
    var postOnly: Bool
}

/// A price level: its aggregate quantity and the head and tail of its FIFO queue.
struct PriceLevel: Sendable {
    var price: Int64
    var quantity: Int64
    var count: Int32
    var head: Int32
    var tail: Int32
}

/// The levels of one side, sorted by key with the best level last, so that the busy end of the
/// book is the cheap end of the arrays. The key is the price for bids and minus the price for asks:
/// on both sides a larger key is a better price.
struct BookSide: Sendable {
    var keys: ContiguousArray<Int64> = []
    var levels: ContiguousArray<Int32> = []

    @inline(__always) var best: Int32? { levels.last }
    @inline(__always) var isEmpty: Bool { levels.isEmpty }

    /// The first position whose key is not smaller than `key`. Orders arrive mostly near the touch,
    /// so the search starts with a short scan from the best end before bisecting.
    @inline(__always) func position(of key: Int64) -> Int {
        var index = keys.count
        var steps = 0
        while index > 0, steps < 8 {
            if keys[index - 1] < key { return index }
            index -= 1
            steps += 1
        }
        var low = 0
        var high = index
        while low < high {
            let mid = (low &+ high) >> 1
            if keys[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The level with exactly this key, if any.
    @inline(__always) func level(forKey key: Int64) -> Int32? {
        let index = position(of: key)
        return index < keys.count && keys[index] == key ? levels[index] : nil
    }

    mutating func insert(key: Int64, level: Int32, at index: Int) {
        keys.insert(key, at: index)
        levels.insert(level, at: index)
    }

    mutating func remove(key: Int64) {
        if keys.last == key {
            keys.removeLast()
            levels.removeLast()
            return
        }
        let index = position(of: key)
        precondition(index < keys.count && keys[index] == key, "level missing from its side")
        keys.remove(at: index)
        levels.remove(at: index)
    }

    mutating func reserve(_ capacity: Int) {
        keys.reserveCapacity(capacity)
        levels.reserveCapacity(capacity)
    }
}
