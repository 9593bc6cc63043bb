import MarketCore

extension MatchingEngine {
    static let snapshotMagic: [UInt8] = Array("QMEN".utf8)
    public static let snapshotVersion: UInt16 = 2

    /// Every book with its client-id table, the remembered closed orders and the account table, as
    /// deterministic bytes.
    ///
    /// Format version 2, little-endian:
    ///
    ///     magic        4 bytes  "QMEN"
    ///     version      UInt16   2
    ///     accounts     UInt32 count, then each (UInt16 length + UTF-8) in owner-id order
    ///     books        UInt32 count, then per book in symbol order:
    ///       nextID     UInt64   the OrderID the book's next accepted order gets
    ///       ids        UInt32 count, then per remembered order (live or closed) in OrderID order:
    ///                  OrderID UInt64, client id (UInt16 length + UTF-8)
    ///       book       UInt32 length, then `OrderBook.snapshot()` bytes
    ///     closed       UInt32 count, then per remembered closed order, oldest first:
    ///                  book UInt32 (position in symbol order), OrderID UInt64
    ///     checksum     UInt64   FNV-1a over every byte before it
    ///
    /// Version 1 (still read) had, per book, only a dense client-id list (UInt32 count, then each id
    /// in OrderID order from 1) before the book, and no closed-order queue: every id was remembered.
    public func snapshot() -> [UInt8] {
        var out = SnapshotWriter()
        out.bytes += Self.snapshotMagic
        out.put(Self.snapshotVersion)
        let accounts = owners.sorted { $0.value.rawValue < $1.value.rawValue }.map(\.key)
        out.put(UInt32(accounts.count))
        for account in accounts { out.putString(account) }
        let symbols = symbols
        out.put(UInt32(symbols.count))
        for symbol in symbols {
            let entry = books[symbol]!
            out.put(entry.ids.nextID)
            let pairs = entry.ids.sortedPairs()
            out.put(UInt32(pairs.count))
            for (id, clientID) in pairs {
                out.put(id.rawValue)
                out.putString(clientID)
            }
            let bytes = entry.book.snapshot()
            out.put(UInt32(bytes.count))
            out.bytes += bytes
        }
        let positions = Dictionary(uniqueKeysWithValues: symbols.enumerated().map { ($1, UInt32($0)) })
        out.put(UInt32(closedOrders.count))
        for closed in closedOrders.entries {
            out.put(positions[closed.symbol]!)
            out.put(closed.id.rawValue)
        }
        out.put(fnv1a(out.bytes[...]))
        return out.bytes
    }

    /// Rebuilds the engine that `snapshot()` wrote. Instruments and the default come from the
    /// caller, and so do the pre-trade limits and `closedOrderMemory` (configuration, not state);
    /// each book must match its instrument (see `OrderBook.init(restoring:instrument:)`).
    ///
    /// A version 1 snapshot remembered every id: its closed orders are queued book by book (symbol
    /// order), each book's in `OrderID` order, and all but the newest `closedOrderMemory` forgotten.
    /// A memory smaller than the snapshot's queue forgets the oldest the same way.
    public init(
        restoring bytes: [UInt8], instruments: [Instrument] = [], defaultInstrument: Instrument? = nil,
        configuration: BookConfiguration = .init(), limits: PreTradeLimitTable = .init(),
        closedOrderMemory: Int = MatchingEngine.defaultClosedOrderMemory
    ) throws(SnapshotError) {
        self.init(
            instruments: instruments, defaultInstrument: defaultInstrument, configuration: configuration, limits: limits,
            closedOrderMemory: closedOrderMemory)
        guard bytes.count >= 4 + 2 + 8 else { throw .truncated }
        guard Array(bytes[0..<4]) == Self.snapshotMagic else { throw .badMagic }
        var stored = SnapshotReader(bytes: bytes[...], offset: bytes.count - 8)
        guard try stored.read() as UInt64 == fnv1a(bytes[..<(bytes.count - 8)]) else { throw .checksumMismatch }
        var input = SnapshotReader(bytes: bytes[...].dropLast(8), offset: 4)
        let version: UInt16 = try input.read()
        guard version == 1 || version == Self.snapshotVersion else { throw .unsupportedVersion(version) }
        let accountCount: UInt32 = try input.read()
        for number in 0..<accountCount { owners[try input.readString()] = OwnerID(number + 1) }
        let bookCount: UInt32 = try input.read()
        var order: [Symbol] = []
        for _ in 0..<bookCount {
            let ids = version == 1 ? try input.readDenseClientIDs() : try input.readClientIDs()
            let length: UInt32 = try input.read()
            let bookBytes = Array(try input.take(Int(length)))
            guard bookBytes.count > 7, let symbolLength = bookBytes.dropFirst(6).first,
                let text = String(validating: bookBytes.dropFirst(7).prefix(Int(symbolLength)), as: UTF8.self),
                let symbol = Symbol(text)
            else { throw .invalidContent("book without a valid symbol") }
            guard let instrument = instrument(for: symbol) else { throw .invalidContent("no instrument for \(symbol)") }
            guard books[symbol] == nil, order.last.map({ $0 < symbol }) ?? true else { throw .invalidContent("books out of order") }
            books[symbol] = SymbolBook(book: try OrderBook(restoring: bookBytes, instrument: instrument), ids: ids)
            order.append(symbol)
        }
        let closed = version == 1 ? closedOrdersOfVersion1(order) : try input.readClosedOrders(books: order)
        try queueRestored(closed)
        while closedOrders.count > self.closedOrderMemory {
            let oldest = closedOrders.removeFirst()
            books[oldest.symbol]?.ids.forget(oldest.clientID, oldest.id)
        }
        guard input.offset == input.bytes.endIndex else { throw .invalidContent("trailing bytes") }
    }

    /// Version 1 remembered every id: the closed ones, book by book, each in `OrderID` order.
    func closedOrdersOfVersion1(_ symbols: [Symbol]) -> [(Symbol, OrderID)] {
        symbols.flatMap { symbol in
            let entry = books[symbol]!
            return entry.ids.sortedPairs().filter { !entry.book.contains($0.0) }.map { (symbol, $0.0) }
        }
    }

    /// Closes the restored orders the queue names, in its order. Each must be remembered and not
    /// live, and every other remembered order live: exactly the state the running engine had.
    mutating func queueRestored(_ closed: [(Symbol, OrderID)]) throws(SnapshotError) {
        for (symbol, id) in closed {
            guard books[symbol]?.book.contains(id) == false, let clientID = books[symbol]!.ids.close(id) else {
                throw .invalidContent("bad closed order \(symbol) \(id)")
            }
            closedOrders.append(.init(symbol: symbol, id: id, clientID: clientID))
        }
        for (symbol, entry) in books {
            let live = entry.book.allOrders().map(\.id) + entry.book.dormantStops().map(\.id)
            guard live.count == entry.ids.clientIDs.count, live.allSatisfy({ entry.ids.clientID($0) != nil }) else {
                throw .invalidContent("client ids of \(symbol) that are neither live nor queued as closed")
            }
        }
    }
}

extension SnapshotReader {
    /// Version 1: every client id the book accepted, the n-th being `OrderID(n)`.
    mutating func readDenseClientIDs() throws(SnapshotError) -> ClientOrderIDs {
        let count: UInt32 = try read()
        var pairs: [(OrderID, String)] = []
        for number in 0..<UInt64(count) { pairs.append((OrderID(number + 1), try readString())) }
        return try ClientOrderIDs(nextID: UInt64(count) + 1, pairs: pairs)
    }

    mutating func readClientIDs() throws(SnapshotError) -> ClientOrderIDs {
        let nextID: UInt64 = try read()
        let count: UInt32 = try read()
        var pairs: [(OrderID, String)] = []
        for _ in 0..<count { pairs.append((OrderID(try read() as UInt64), try readString())) }
        return try ClientOrderIDs(nextID: nextID, pairs: pairs)
    }

    mutating func readClosedOrders(books symbols: [Symbol]) throws(SnapshotError) -> [(Symbol, OrderID)] {
        let count: UInt32 = try read()
        var entries: [(Symbol, OrderID)] = []
        for _ in 0..<count {
            let position = Int(try read() as UInt32)
            let id = OrderID(try read() as UInt64)
            guard position < symbols.count else { throw .invalidContent("closed order of book \(position)") }
            entries.append((symbols[position], id))
        }
        return entries
    }
}

extension SnapshotWriter {
    mutating func putString(_ text: String) {
        let utf8 = Array(text.utf8.prefix(Int(UInt16.max)))
        put(UInt16(utf8.count))
        bytes += utf8
    }
}

extension SnapshotReader {
    mutating func readString() throws(SnapshotError) -> String {
        let length: UInt16 = try read()
        guard let text = String(validating: try take(Int(length)), as: UTF8.self) else { throw .invalidContent("not UTF-8") }
        return text
    }
}
