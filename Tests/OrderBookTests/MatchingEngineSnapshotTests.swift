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
        case .cancelAll(let owner):
            OrderCommandMessage(type: .massCancel, symbol: symbol, account: owner.map { "acct-\($0)" })
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

    /// The version 1 format, as engines wrote it before closed orders were forgotten: per book a
    /// dense client-id list, no closed-order queue.
    static func version1Snapshot(_ engine: MatchingEngine) throws -> [UInt8] {
        var out = SnapshotWriter()
        out.bytes += Array("QMEN".utf8)
        out.put(UInt16(1))
        let accounts = engine.owners.sorted { $0.value.rawValue < $1.value.rawValue }.map(\.key)
        out.put(UInt32(accounts.count))
        for account in accounts { out.putString(account) }
        out.put(UInt32(engine.books.count))
        for symbol in engine.symbols {
            let entry = engine.books[symbol]!
            let pairs = entry.ids.sortedPairs()
            try #require(pairs.map(\.0.rawValue) == Array(1..<entry.ids.nextID))  // nothing forgotten: dense
            out.put(UInt32(pairs.count))
            for (_, clientID) in pairs { out.putString(clientID) }
            let bytes = entry.book.snapshot()
            out.put(UInt32(bytes.count))
            out.bytes += bytes
        }
        out.put(fnv1a(out.bytes[...]))
        return out.bytes
    }

    @Test func version1SnapshotsStillRestore() throws {
        let template = Instrument(symbol: Symbol("X")!)
        var engine = MatchingEngine(defaultInstrument: template)
        var stream = EngineMessageStream(seed: 21, tick: template.tickSize.units)
        var messages: [OrderCommandMessage] = []
        while messages.count < 3_000 {
            let message = stream.next()
            if message.type != .endOfDay { messages.append(message) }  // an end of day would forget ids: not dense
        }
        for message in messages { _ = engine.handle(message) }
        let bytes = try Self.version1Snapshot(engine)

        var restored = try MatchingEngine(restoring: bytes, defaultInstrument: template)
        #expect(restored.symbols == engine.symbols)
        for symbol in engine.symbols { #expect(restored.book(symbol)!.snapshot() == engine.book(symbol)!.snapshot()) }
        #expect(restored.rememberedOrderCount == engine.rememberedOrderCount)
        #expect(restored.rememberedClosedOrderCount == engine.rememberedClosedOrderCount)
        // Without evictions the queue's order does not matter: every answer is the same, and after
        // an end of day of all books (which empties the queue) so are the snapshots.
        for message in messages.prefix(1_500) + [OrderCommandMessage(type: .endOfDay)] + messages.suffix(1_500) {
            let same = restored.handle(message) == engine.handle(message)
            #expect(same)
        }
        let sameBytes = restored.snapshot() == engine.snapshot()
        #expect(sameBytes)

        // A small memory keeps the newest: the last book's closed orders, highest OrderIDs.
        let small = try MatchingEngine(restoring: bytes, defaultInstrument: template, closedOrderMemory: 5)
        let live = small.books.values.reduce(0) { $0 + $1.book.orderCount + $1.book.stopCount }
        #expect(small.rememberedClosedOrderCount == 5 && small.rememberedOrderCount == live + 5)
        let kept = Array(small.closedOrders.entries)
        #expect(kept.allSatisfy { $0.symbol == engine.symbols.last } && kept.map(\.id) == kept.map(\.id).sorted())
    }

    @Test func corruptClosedOrderQueuesAreRefused() throws {
        let template = Instrument(symbol: Symbol("X")!)
        var engine = MatchingEngine(defaultInstrument: template)
        var stream = EngineMessageStream(seed: 22, tick: template.tickSize.units)
        for _ in 0..<500 { _ = engine.handle(stream.next()) }
        var forgetful = engine
        forgetful.closedOrders = ClosedOrderQueue(Array(engine.closedOrders.entries.dropFirst()))
        #expect(throws: SnapshotError.self) { try MatchingEngine(restoring: forgetful.snapshot(), defaultInstrument: template) }
        var live = engine
        let liveID = try #require(engine.books.values.first { $0.book.orderCount > 0 }?.book.allOrders().first?.id)
        let symbol = engine.books.first { $0.value.book.allOrders().first?.id == liveID }!.key
        live.closedOrders.append(.init(symbol: symbol, id: liveID, clientID: engine.books[symbol]!.ids.clientID(liveID)!))
        #expect(throws: SnapshotError.self) { try MatchingEngine(restoring: live.snapshot(), defaultInstrument: template) }
    }
}
