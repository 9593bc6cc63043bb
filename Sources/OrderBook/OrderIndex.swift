/// The power of two, at least `smallest`, that holds twice `capacity` (a load factor of at most ½).
private func tableSize(forCapacity capacity: Int, atLeast smallest: Int) -> Int {
    var size = smallest
    while size < capacity * 2 { size <<= 1 }
    return size
}

/// Order id → pool slot, as an open-addressing hash table with linear probing: where `OrderIndex`
/// keeps the ids older than its ring (and any id out of sequence).
///
/// Replaces `[OrderID: Int32]` on the hot path: one multiply instead of a seeded SipHash, and key and
/// slot side by side, so a lookup usually costs a single cache miss. Ids are hashed in blocks of 16:
/// Fibonacci hashing scatters the blocks, while the ids of one block stay neighbours. The sequential
/// ids `MatchingEngine` assigns therefore share cache lines and pages as they arrive, so inserting a
/// new order rarely misses the cache, and old and new orders still spread evenly over the table. Deletion shifts the following entries back (no
/// tombstones), so the table never degrades however many orders come and go. The load factor stays
/// at most one half; growing doubles the table (the only allocation, avoided by reserving capacity).
struct OrderHashTable: Sendable {
    struct Entry: Sendable {
        var key: UInt64
        /// The pool slot, or -1 for an empty entry.
        var slot: Int32
    }

    private(set) var entries: ContiguousArray<Entry>
    private var shift: UInt64
    private(set) var count = 0

    init(capacity: Int = 16) {
        let size = tableSize(forCapacity: capacity, atLeast: 64)
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
            grow(to: tableSize(forCapacity: capacity, atLeast: entries.count))
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

/// Order id → pool slot. `MatchingEngine` numbers each book's orders 1, 2, 3…, so the newest ids
/// are dense: they live in a ring of slots indexed by the id itself (4 bytes an id, neighbours
/// share cache lines, no key to compare), and only ids older than the ring's window, or out of
/// sequence, go to the hash table. As a new id advances the window, the live ids it passes move
/// to the table. The ring holds twice the reserved order count, so on a book of a million orders
/// the ids a run touches fit a server's last-level cache (16 MB, where the table alone spread them
/// over 64 MB). The table stays reserved too, for ids that outlive the ring: reserved memory grows
/// by the ring (docs/benchmarks.md, "Order book").
struct OrderIndex: Sendable {
    /// Slots of the ids in (newest − ring.count, newest], at `id & ringMask`; -1 for none.
    private(set) var ring: ContiguousArray<Int32>
    private var ringMask: UInt64
    /// The largest id the ring has taken.
    private var newest: UInt64 = 0
    private var ringCount = 0
    private(set) var table: OrderHashTable

    init(capacity: Int = 16) {
        let size = tableSize(forCapacity: capacity, atLeast: 64)
        ring = ContiguousArray(repeating: -1, count: size)
        ringMask = UInt64(size - 1)
        table = OrderHashTable(capacity: capacity)
    }

    var count: Int { ringCount + table.count }

    @inline(__always) private func inRing(_ key: UInt64) -> Bool {
        key <= newest && newest - key <= ringMask
    }

    @inline(__always) subscript(id: OrderID) -> Int32? {
        let key = id.rawValue
        if inRing(key) {
            let slot = ring[Int(truncatingIfNeeded: key & ringMask)]
            return slot >= 0 ? slot : nil
        }
        return table[id]
    }

    /// Inserts or replaces.
    mutating func set(_ id: OrderID, _ slot: Int32) {
        let key = id.rawValue
        if key > newest { advance(to: key) }
        guard inRing(key) else { return table.set(id, slot) }
        let position = Int(truncatingIfNeeded: key & ringMask)
        if ring[position] < 0 { ringCount += 1 }
        ring[position] = slot
    }

    mutating func remove(_ id: OrderID) {
        let key = id.rawValue
        guard inRing(key) else { return table.remove(id) }
        let position = Int(truncatingIfNeeded: key & ringMask)
        if ring[position] >= 0 {
            ring[position] = -1
            ringCount -= 1
        }
    }

    /// The id a ring position of `mask` holds: the one in the window that maps to it.
    private func ringID(at position: Int, mask: UInt64) -> UInt64 { newest - ((newest &- UInt64(position)) & mask) }

    /// Moves the window's top to `key`: the live ids that fall out of it go to the table.
    private mutating func advance(to key: UInt64) {
        let size = ringMask + 1
        // The ids leaving are the oldest min(key − newest, size) of the window (newest − size, newest].
        var leaving = min(key - newest, size)
        var id = newest &- size &+ 1  // wraps below zero while the ids are small
        while leaving > 0, ringCount > 0 {  // an empty ring has nothing to hand over
            if id <= newest, newest - id <= ringMask {  // an id the ring held (not a wrapped one)
                let position = Int(truncatingIfNeeded: id & ringMask)
                if ring[position] >= 0 {
                    table.set(OrderID(id), ring[position])
                    ring[position] = -1
                    ringCount -= 1
                }
            }
            id &+= 1
            leaving -= 1
        }
        newest = key
    }

    /// Every id with its slot, the table's then the ring's: for invariant checks, not the hot path.
    var pairs: [(id: UInt64, slot: Int32)] {
        var result = table.entries.filter { $0.slot >= 0 }.map { (id: $0.key, slot: $0.slot) }
        for position in ring.indices where ring[position] >= 0 {
            result.append((id: ringID(at: position, mask: ringMask), slot: ring[position]))
        }
        return result
    }

    mutating func reserveCapacity(_ capacity: Int) {
        table.reserveCapacity(capacity)
        guard capacity * 2 > ring.count else { return }
        let size = tableSize(forCapacity: capacity, atLeast: ring.count)
        // Re-place the live ids: the window widens upward from the same newest id.
        let old = ring, oldMask = ringMask
        ring = ContiguousArray(repeating: -1, count: size)
        ringMask = UInt64(size - 1)
        for position in old.indices where old[position] >= 0 {
            ring[Int(truncatingIfNeeded: ringID(at: position, mask: oldMask) & ringMask)] = old[position]
        }
        // Ids the narrower window had passed may now fall inside the wider one: they move back.
        for entry in table.entries where entry.slot >= 0 && inRing(entry.key) {
            table.remove(OrderID(entry.key))
            ring[Int(truncatingIfNeeded: entry.key & ringMask)] = entry.slot
            ringCount += 1
        }
    }
}
