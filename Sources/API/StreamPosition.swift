/// How far one `GET /stream` connection has got, sent as every event's SSE `id`: a client that
/// reconnects with `Last-Event-ID` (an `EventSource` does so by itself) resumes from there.
///
/// Only `trades:` channels need a place: every print is stored, so the prints after the client's
/// cursor can be read back. The other channels carry state (the latest quote, book, risk run or
/// positions), and a resumed stream sends their current state once instead.
///
/// Format: `1.<hash of the channel list, 8 hex>[.<cursor>…]`, one cursor per `trades:` channel in
/// channel order, each `micros_partition_offset` in base 36. At most a few dozen bytes per channel.
struct StreamPosition: Sendable, Equatable {
    static let version = "1"
    /// Longest `Last-Event-ID` read: 50 channels of cursors fit well within it.
    static let maxLength = 2048

    let topics: [StreamTopic]
    /// By symbol, for the `trades:` channels only.
    private(set) var cursors: [String: TradeCursor]

    init(topics: [StreamTopic], cursors: [String: TradeCursor]) {
        self.topics = topics
        self.cursors = cursors.filter { symbol, _ in topics.contains(StreamTopic(kind: .trades, key: symbol)) }
    }

    /// The symbols of the `trades:` channels, in channel order.
    var tradeSymbols: [String] { topics.filter { $0.kind == .trades }.map(\.key) }

    /// Moves the symbol's cursor to `cursor`; false (and unchanged) when the print is not after
    /// it, which is a print this client already has.
    mutating func advance(_ symbol: String, to cursor: TradeCursor) -> Bool {
        guard cursor > cursors[symbol, default: .origin] else { return false }
        cursors[symbol] = cursor
        return true
    }

    mutating func reset(_ symbol: String, to cursor: TradeCursor) { cursors[symbol] = cursor }

    var id: String {
        ([Self.version, Self.hash(topics)] + tradeSymbols.map { symbol in
            let c = cursors[symbol, default: .origin]
            return "\(String(c.micros, radix: 36))_\(String(c.partition, radix: 36))_\(String(c.offset, radix: 36))"
        }).joined(separator: ".")
    }

    enum ResumeError: Error, Equatable {
        /// Not an id this server writes: answered 400.
        case malformed(String)
        /// An id written for another list of channels (or by another version): the client reloads.
        case otherChannels
    }

    /// The position `id` names for a stream of `topics`.
    static func resume(_ id: String, topics: [StreamTopic]) -> Result<StreamPosition, ResumeError> {
        guard id.utf8.count <= maxLength else { return .failure(.malformed("longer than \(maxLength) bytes")) }
        guard id.utf8.allSatisfy({ c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
        }) else { return .failure(.malformed("only 0-9 a-z . _ - may appear")) }
        let parts = id.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, parts[1].count == 8, UInt32(parts[1], radix: 16) != nil else {
            return .failure(.malformed("not an event id of this stream"))
        }
        guard parts[0] == version, parts[1] == hash(topics) else { return .failure(.otherChannels) }
        var position = StreamPosition(topics: topics, cursors: [:])
        let symbols = position.tradeSymbols
        guard parts.count - 2 == symbols.count else { return .failure(.malformed("one cursor per trades channel expected")) }
        for (symbol, text) in zip(symbols, parts.dropFirst(2)) {
            let fields = text.split(separator: "_", omittingEmptySubsequences: false)
            guard fields.count == 3, let micros = Int64(fields[0], radix: 36), let partition = Int32(fields[1], radix: 36),
                  let offset = Int64(fields[2], radix: 36) else { return .failure(.malformed("a cursor is micros_partition_offset")) }
            position.cursors[symbol] = TradeCursor(micros: micros, partition: partition, offset: offset)
        }
        return .success(position)
    }

    /// FNV-1a (32 bits) of the channel list as `subscribed` names it.
    static func hash(_ topics: [StreamTopic]) -> String {
        var h: UInt32 = 0x811C_9DC5
        for byte in topics.map(\.description).joined(separator: ",").utf8 {
            h = (h ^ UInt32(byte)) &* 0x0100_0193
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
