import MarketCore
import Testing
@testable import OrderBook

@Suite("OrderBook snapshots")
struct SnapshotTests {
    static let instrument = Instrument(symbol: Symbol("ESZ6")!, tickSize: Price("0.25")!, lotSize: Quantity(1))

    static func sampleBook() -> OrderBook {
        var book = OrderBook(instrument: instrument, configuration: .init(selfTradePrevention: .cancelResting, postOnlyPolicy: .reprice))
        var stream = CommandStream(seed: 42, model: .drifting, tick: instrument.tickSize.units, lot: 1)
        for _ in 0..<3000 { book.apply(stream.next(live: book.allOrders().map(\.id))) }
        return book
    }

    @Test func roundTripIsExactAndDeterministic() throws {
        let book = Self.sampleBook()
        let bytes = book.snapshot()
        #expect(bytes == Self.sampleBook().snapshot())
        #expect(Array(bytes.prefix(4)) == Array("QOBK".utf8))
        let restored = try OrderBook(restoring: bytes, instrument: Self.instrument)
        #expect(restored.allOrders() == book.allOrders())
        #expect(restored.sequence == book.sequence)
        #expect(restored.configuration == book.configuration)
        let roundTrips = restored.snapshot() == bytes
        #expect(roundTrips)
        let empty = OrderBook(instrument: Self.instrument)
        #expect(try OrderBook(restoring: empty.snapshot(), instrument: Self.instrument).orderCount == 0)
    }

    @Test func corruptBytesAreRefused() {
        let bytes = Self.sampleBook().snapshot()
        #expect(throws: SnapshotError.badMagic) { try OrderBook(restoring: [0, 1, 2, 3] + bytes.dropFirst(4), instrument: Self.instrument) }
        #expect(throws: SnapshotError.truncated) { try OrderBook(restoring: Array(bytes.prefix(3)), instrument: Self.instrument) }
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        #expect(throws: SnapshotError.checksumMismatch) { try OrderBook(restoring: flipped, instrument: Self.instrument) }
        var future = bytes
        future[4] = 9
        #expect(throws: SnapshotError.unsupportedVersion(9)) { try OrderBook(restoring: future, instrument: Self.instrument) }
        let other = Instrument(symbol: Symbol("ESZ6")!, tickSize: Price("0.5")!)
        #expect(throws: SnapshotError.instrumentMismatch) { try OrderBook(restoring: bytes, instrument: other) }
        for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 50)) {
            #expect(throws: SnapshotError.self) { try OrderBook(restoring: Array(bytes.prefix(length)), instrument: Self.instrument) }
        }
    }
}
