import MarketCore
import Testing
@testable import OrderBook

@Suite("MatchingEngine snapshots")
struct MatchingEngineSnapshotTests {
    /// A random command as a wire message on one of three symbols.
    static func message(_ command: OrderCommand, symbol: String) -> OrderCommandMessage {
        switch command {
        case .new(let o):
            OrderCommandMessage(
                type: .new, orderID: "o-\(o.id)", symbol: symbol, side: o.side, orderType: o.type,
                price: o.type == .limit ? o.price : nil, quantity: o.quantity, timeInForce: o.timeInForce, postOnly: o.postOnly,
                account: o.owner.rawValue == 0 ? nil : "acct-\(o.owner)")
        case .cancel(let id): OrderCommandMessage(type: .cancel, orderID: "o-\(id)", symbol: symbol)
        case .modify(let m): OrderCommandMessage(type: .modify, orderID: "o-\(m.id)", symbol: symbol, price: m.price, quantity: m.quantity)
        case .endOfDay: OrderCommandMessage(type: .endOfDay, symbol: symbol)
        }
    }

    @Test func restoredEngineContinuesIdentically() throws {
        let template = Instrument(symbol: Symbol("X")!)
        let configuration = BookConfiguration(selfTradePrevention: .cancelResting)
        var engine = MatchingEngine(defaultInstrument: template, configuration: configuration)
        var stream = CommandStream(seed: 11, model: .tight, tick: template.tickSize.units, lot: 1)
        var random = SplitMix64(seed: 12)
        let symbols = ["AAA", "BBB", "CCC"]
        var messages: [OrderCommandMessage] = []
        for _ in 0..<6000 {
            let symbol = symbols[random.below(3)]
            let live = engine.book(Symbol(symbol)!)?.allOrders().map(\.id) ?? []
            let message = Self.message(stream.next(live: live), symbol: symbol)
            messages.append(message)
            _ = engine.handle(message)
        }
        let bytes = engine.snapshot()
        var restored = try MatchingEngine(restoring: bytes, defaultInstrument: template, configuration: configuration)
        let roundTrips = restored.snapshot() == bytes  // a Bool, so a failure does not print megabytes
        #expect(roundTrips)
        #expect(restored.depth() == engine.depth())
        // Replaying the first messages again exercises duplicate ids and closed orders as well.
        for message in messages.prefix(3000) + messages.suffix(3000) {
            #expect(restored.handle(message) == engine.handle(message))
        }
        let same = restored.snapshot() == engine.snapshot()
        #expect(same)

        var corrupt = bytes
        corrupt[10] ^= 1
        #expect(throws: SnapshotError.checksumMismatch) { try MatchingEngine(restoring: corrupt, defaultInstrument: template) }
        #expect(throws: SnapshotError.self) { try MatchingEngine(restoring: bytes) }  // no instruments
    }
}
