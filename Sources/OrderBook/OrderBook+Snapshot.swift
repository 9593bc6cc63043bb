import MarketCore

/// Why bytes could not be restored into a book.
public enum SnapshotError: Error, Sendable, Hashable {
    case badMagic
    case unsupportedVersion(UInt16)
    case truncated
    case checksumMismatch
    case instrumentMismatch
    case invalidContent(String)
}

extension OrderBook {
    /// Snapshot format version written by `snapshot()`; `init(restoring:instrument:)` reads 1 and 2.
    public static let snapshotVersion: UInt16 = 2
    static let snapshotMagic: [UInt8] = Array("QOBK".utf8)

    /// The whole book as compact, deterministic bytes (equal books give equal bytes).
    ///
    /// Format version 2, all integers little-endian:
    ///
    ///     magic       4 bytes  "QOBK"
    ///     version     UInt16   2
    ///     symbol      UInt8 length, then UTF-8 bytes
    ///     tick        Int64    tick size in 10⁻⁸ units
    ///     lot         Int64    lot size
    ///     stp         UInt8    SelfTradePrevention raw value
    ///     postOnly    UInt8    PostOnlyPolicy raw value
    ///     sequence    UInt64   the next event sequence number
    ///     bids, then asks, each:
    ///       levelCount UInt32, then per level from the best price outwards:
    ///         price Int64, orderCount UInt32, then per order in queue order:
    ///           id UInt64, leaves Int64, filled Int64, owner UInt32, flags UInt8 (bit 0 day, bit 1 post-only)
    ///     lastTrade   Int64    the last trade price (0: none)                      } version 2 only;
    ///     stopCount   UInt32, then per dormant stop in acceptance order (48 bytes): } version 1 has
    ///       id UInt64, side UInt8, type UInt8, tif UInt8 (`allCases` positions),  } no stops and
    ///       limit Int64, quantity Int64, owner UInt32, trigger kind UInt8          } no last trade
    ///       (0 price, 1 trail amount, 2 trail percent), trigger value Int64, watermark Int64
    ///     checksum    UInt64   FNV-1a over every byte before it
    ///
    /// A resting order takes 29 bytes and a level 12, so a million orders fit in about 30 MB.
    public func snapshot() -> [UInt8] {
        var out = SnapshotWriter()
        out.bytes.reserveCapacity(64 + index.count * 29 + (bids.levels.count + asks.levels.count) * 12)
        out.bytes += Self.snapshotMagic
        out.put(Self.snapshotVersion)
        let symbol = Array(instrument.symbol.rawValue.utf8)
        out.put(UInt8(symbol.count))
        out.bytes += symbol
        out.put(UInt64(bitPattern: tick))
        out.put(UInt64(bitPattern: lot))
        out.put(configuration.selfTradePrevention.rawValue)
        out.put(configuration.postOnlyPolicy.rawValue)
        out.put(nextSequence)
        for side in [bids, asks] {
            out.put(UInt32(side.levels.count))
            for level in side.levels.reversed() {
                out.put(UInt64(bitPattern: levels[Int(level)].price))
                out.put(UInt32(levels[Int(level)].count))
                var slot = levels[Int(level)].head
                while slot >= 0 {
                    let order = orders[Int(slot)]
                    out.put(order.id.rawValue)
                    out.put(UInt64(bitPattern: order.remaining))
                    out.put(UInt64(bitPattern: order.filled))
                    out.put(order.owner)
                    out.put(UInt8((order.isDay ? 1 : 0) | (order.postOnly ? 2 : 0)))
                    slot = order.next
                }
            }
        }
        out.put(UInt64(bitPattern: lastTradePrice))
        out.put(UInt32(stops.count))
        for stop in stops { out.put(stop) }
        out.put(fnv1a(out.bytes[...]))
        return out.bytes
    }

    /// Rebuilds the book that `snapshot()` wrote. The instrument must have the snapshot's symbol,
    /// tick size and lot size; the configuration comes from the snapshot.
    public init(restoring bytes: [UInt8], instrument: Instrument) throws(SnapshotError) {
        guard bytes.count >= 14 else { throw bytes.count >= 4 && Array(bytes[0..<4]) != Self.snapshotMagic ? .badMagic : .truncated }
        guard Array(bytes[0..<4]) == Self.snapshotMagic else { throw .badMagic }
        var input = SnapshotReader(bytes: bytes[...].dropLast(8))
        input.offset = 4
        let version: UInt16 = try input.read()
        guard version == 1 || version == Self.snapshotVersion else { throw .unsupportedVersion(version) }
        var stored = SnapshotReader(bytes: bytes[...], offset: bytes.count - 8)
        guard try stored.read() as UInt64 == fnv1a(bytes[..<(bytes.count - 8)]) else { throw .checksumMismatch }

        let symbolLength: UInt8 = try input.read()
        let symbol = try input.take(Int(symbolLength))
        let tick = Int64(bitPattern: try input.read())
        let lot = Int64(bitPattern: try input.read())
        guard symbol.elementsEqual(instrument.symbol.rawValue.utf8), tick == max(1, instrument.tickSize.units),
            lot == max(1, instrument.lotSize.value)
        else { throw .instrumentMismatch }
        guard let stp = SelfTradePrevention(rawValue: try input.read()),
            let postOnly = PostOnlyPolicy(rawValue: try input.read())
        else { throw .invalidContent("unknown policy") }
        self.init(instrument: instrument, configuration: BookConfiguration(selfTradePrevention: stp, postOnlyPolicy: postOnly))
        nextSequence = try input.read()

        for side in [Side.buy, .sell] {
            let levelCount: UInt32 = try input.read()
            var previous: Int64?
            for _ in 0..<levelCount {
                let price = Int64(bitPattern: try input.read())
                let orderCount: UInt32 = try input.read()
                guard price > 0, price % tick == 0, orderCount > 0 else { throw .invalidContent("bad level \(price)") }
                if let previous, side == .buy ? price >= previous : price <= previous {
                    throw .invalidContent("levels out of order at \(price)")
                }
                previous = price
                for _ in 0..<orderCount {
                    let id = OrderID(try input.read() as UInt64)
                    let leaves = Int64(bitPattern: try input.read())
                    let filled = Int64(bitPattern: try input.read())
                    let owner: UInt32 = try input.read()
                    let flags: UInt8 = try input.read()
                    guard leaves > 0, leaves <= Self.maxQuantity, leaves % lot == 0, filled >= 0, flags < 4 else {
                        throw .invalidContent("bad order \(id)")
                    }
                    guard index[id] == nil else { throw .invalidContent("duplicate order \(id)") }
                    let slot = allocateOrder(
                        RestingOrder(
                            id: id, remaining: leaves, filled: filled, prev: -1, next: -1, level: -1,
                            owner: owner, side: side, isDay: flags & 1 != 0, postOnly: flags & 2 != 0))
                    attach(slot, price: price)
                    index.set(id, slot)
                }
            }
        }
        if let bid = bids.best, let ask = asks.best, levels[Int(bid)].price >= levels[Int(ask)].price {
            throw .invalidContent("crossed book")
        }
        if version >= 2 {
            lastTradePrice = Int64(bitPattern: try input.read())
            guard lastTradePrice >= 0 else { throw .invalidContent("negative last trade price") }
            let stopCount: UInt32 = try input.read()
            for _ in 0..<stopCount {
                let stop = try input.readStop()
                guard stop.quantity > 0, stop.quantity <= Self.maxQuantity, stop.quantity % lot == 0, stop.limit >= 0,
                    !contains(stop.id)
                else { throw .invalidContent("bad stop \(stop.id)") }
                stops.append(stop)
            }
        }
        guard input.offset == input.bytes.endIndex else { throw .invalidContent("trailing bytes") }
    }
}

/// FNV-1a, 64-bit: a cheap, dependency-free checksum against torn or truncated snapshots.
func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash &*= 0x0000_0100_0000_01b3
    }
    return hash
}

struct SnapshotWriter {
    var bytes: [UInt8] = []

    mutating func put<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

struct SnapshotReader {
    var bytes: ArraySlice<UInt8>
    var offset: Int

    init(bytes: ArraySlice<UInt8>, offset: Int = 0) {
        self.bytes = bytes
        self.offset = bytes.startIndex + offset
    }

    mutating func take(_ count: Int) throws(SnapshotError) -> ArraySlice<UInt8> {
        guard count <= bytes.endIndex - offset else { throw .truncated }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func read<T: FixedWidthInteger>() throws(SnapshotError) -> T {
        let raw = try take(MemoryLayout<T>.size)
        var value = T.zero
        for (shift, byte) in raw.enumerated() { value |= T(truncatingIfNeeded: byte) << (shift * 8) }
        return value
    }
}
