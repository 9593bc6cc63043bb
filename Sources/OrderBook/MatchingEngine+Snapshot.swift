import MarketCore

extension MatchingEngine {
    static let snapshotMagic: [UInt8] = Array("QMEN".utf8)
    public static let snapshotVersion: UInt16 = 1

    /// Every book with its client-id table, and the account table, as deterministic bytes.
    ///
    /// Format version 1, little-endian: magic "QMEN", version UInt16, account count UInt32 and each
    /// account (UInt16 length + UTF-8) in owner-id order, book count UInt32, then per book in symbol
    /// order: client-id count UInt32 and each id (UInt16 length + UTF-8) in `OrderID` order, book
    /// snapshot length UInt32 and `OrderBook.snapshot()` bytes; last an FNV-1a 64 checksum.
    public func snapshot() -> [UInt8] {
        var out = SnapshotWriter()
        out.bytes += Self.snapshotMagic
        out.put(Self.snapshotVersion)
        let accounts = owners.sorted { $0.value.rawValue < $1.value.rawValue }.map(\.key)
        out.put(UInt32(accounts.count))
        for account in accounts { out.putString(account) }
        out.put(UInt32(books.count))
        for symbol in symbols {
            let entry = books[symbol]!
            out.put(UInt32(entry.clientIDs.count))
            for id in entry.clientIDs { out.putString(id) }
            let bytes = entry.book.snapshot()
            out.put(UInt32(bytes.count))
            out.bytes += bytes
        }
        out.put(fnv1a(out.bytes[...]))
        return out.bytes
    }

    /// Rebuilds the engine that `snapshot()` wrote. Instruments and the default come from the
    /// caller, and so do the pre-trade limits (configuration, not state); each book must match its
    /// instrument (see `OrderBook.init(restoring:instrument:)`).
    public init(
        restoring bytes: [UInt8], instruments: [Instrument] = [], defaultInstrument: Instrument? = nil,
        configuration: BookConfiguration = .init(), limits: PreTradeLimitTable = .init()
    ) throws(SnapshotError) {
        self.init(instruments: instruments, defaultInstrument: defaultInstrument, configuration: configuration, limits: limits)
        guard bytes.count >= 4 + 2 + 8 else { throw .truncated }
        guard Array(bytes[0..<4]) == Self.snapshotMagic else { throw .badMagic }
        var stored = SnapshotReader(bytes: bytes[...], offset: bytes.count - 8)
        guard try stored.read() as UInt64 == fnv1a(bytes[..<(bytes.count - 8)]) else { throw .checksumMismatch }
        var input = SnapshotReader(bytes: bytes[...].dropLast(8), offset: 4)
        let version: UInt16 = try input.read()
        guard version == Self.snapshotVersion else { throw .unsupportedVersion(version) }
        let accountCount: UInt32 = try input.read()
        for number in 0..<accountCount { owners[try input.readString()] = OwnerID(number + 1) }
        let bookCount: UInt32 = try input.read()
        for _ in 0..<bookCount {
            let idCount: UInt32 = try input.read()
            var entry = SymbolBook(book: OrderBook(instrument: Instrument(symbol: Symbol("X")!)))
            for _ in 0..<idCount {
                let id = try input.readString()
                entry.ids[id] = OrderID(UInt64(entry.clientIDs.count + 1))
                entry.clientIDs.append(id)
            }
            let length: UInt32 = try input.read()
            let bookBytes = Array(try input.take(Int(length)))
            guard bookBytes.count > 7, let symbolLength = bookBytes.dropFirst(6).first,
                let text = String(validating: bookBytes.dropFirst(7).prefix(Int(symbolLength)), as: UTF8.self),
                let symbol = Symbol(text)
            else { throw .invalidContent("book without a valid symbol") }
            guard let instrument = instrument(for: symbol) else { throw .invalidContent("no instrument for \(symbol)") }
            entry.book = try OrderBook(restoring: bookBytes, instrument: instrument)
            books[symbol] = entry
        }
        guard input.offset == input.bytes.endIndex else { throw .invalidContent("trailing bytes") }
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
