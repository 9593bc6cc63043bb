/// Order id → pool slot, as an open-addressing hash table with linear probing.
///
/// Replaces `[OrderID: Int32]` on the hot path: one multiply instead of a seeded SipHash, and key and
/// slot side by side, so a lookup usually costs a single cache miss. Ids are hashed in blocks of 16:
/// Fibonacci hashing scatters the blocks, while the ids of one block stay neighbours. The sequential
/// ids `MatchingEngine` assigns therefore share cache lines and pages as they arrive, so inserting a
/// new order rarely misses the cache, and old and new orders still spread evenly over the table. Deletion shifts the following entries back (no
/// tombstones), so the table never degrades however many orders come and go. The load factor stays
/// at most one half; growing doubles the table (the only allocation, avoided by reserving capacity).
struct OrderIndex: Sendable {
    struct Entry: Sendable {
        var key: UInt64
        /// The pool slot, or -1 for an empty entry.
        var slot: Int32
    }

    private(set) var entries: ContiguousArray<Entry>
    private var shift: UInt64
    private(set) var count = 0

    init(capacity: Int = 16) {
        var size = 64
        while size < capacity * 2 { size <<= 1 }
        entries = ContiguousArray(repeating: Entry(key: 0, slot: -1), count: size)
        shift = UInt64(64 - size.trailingZeroBitCount + 4)
    }

    /// `shift` is 64 − log2(table size) + 4: the block number takes the top bits of the product.
    @inline(__always) private func home(_ key: UInt64) -> Int {
        let block = Int(truncatingIfNeeded: ((key >> 4) &* 0x9E37_79B9_7F4A_7C15) >> shift)
        return block << 4 | Int(truncatingIfNeeded: key & 15)
    }

    @inline(__always) subscript(id: OrderID) -> Int32? {
        let mask = entries.count - 1
        var i = home(id.rawValue)
        while true {
            let entry = entries[i]
            if entry.slot < 0 { return nil }
            if entry.key == id.rawValue { return entry.slot }
            i = (i + 1) & mask
        }
    }

    /// Inserts or replaces.
    mutating func set(_ id: OrderID, _ slot: Int32) {
        if (count + 1) * 2 > entries.count { grow(to: entries.count * 2) }
        let mask = entries.count - 1
        var i = home(id.rawValue)
        while entries[i].slot >= 0 {
            if entries[i].key == id.rawValue {
                entries[i].slot = slot
                return
            }
            i = (i + 1) & mask
        }
        entries[i] = Entry(key: id.rawValue, slot: slot)
        count += 1
    }

    mutating func remove(_ id: OrderID) {
        let mask = entries.count - 1
        var i = home(id.rawValue)
        while true {
            if entries[i].slot < 0 { return }
            if entries[i].key == id.rawValue { break }
            i = (i + 1) & mask
        }
        count -= 1
        // Backward-shift deletion: pull later entries of the probe run into the hole when their home
        // position does not lie cyclically between the hole and themselves.
        var hole = i
        var j = i
        while true {
            j = (j + 1) & mask
            let entry = entries[j]
            if entry.slot < 0 { break }
            let homeOfJ = home(entry.key)
            let between = hole <= j ? (hole < homeOfJ && homeOfJ <= j) : (hole < homeOfJ || homeOfJ <= j)
            if !between {
                entries[hole] = entry
                hole = j
            }
        }
        entries[hole] = Entry(key: 0, slot: -1)
    }

    mutating func reserveCapacity(_ capacity: Int) {
        if capacity * 2 > entries.count {
            var size = entries.count
            while size < capacity * 2 { size <<= 1 }
            grow(to: size)
        }
    }

    private mutating func grow(to size: Int) {
        let old = entries
        entries = ContiguousArray(repeating: Entry(key: 0, slot: -1), count: size)
        shift = UInt64(64 - size.trailingZeroBitCount + 4)
        count = 0
        for entry in old where entry.slot >= 0 { set(OrderID(entry.key), entry.slot) }
    }
}
