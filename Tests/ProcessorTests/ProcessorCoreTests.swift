import Foundation
import MarketCore
import MarketMessages
import OrderBook
import PipelineContracts
import Processor
import Store
import Testing

/// Deterministic order flow for tests: limit orders around a mid, cancels and marketable orders.
struct OrderFlow {
    var generator: SplitMix64
    var nextID = 0
    var live: [String] = []

    init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    mutating func random() -> UInt64 { generator.next() }

    mutating func next(symbols: [String]) -> [UInt8] {
        let symbol = symbols[Int(random() % UInt64(symbols.count))]
        let roll = random() % 10
        if roll < 3, !live.isEmpty {
            let id = live.remove(at: Int(random() % UInt64(live.count)))
            return Array(#"{"type":"cancel","order_id":"\#(id)","symbol":"\#(symbol)"}"#.utf8)
        }
        nextID += 1
        let id = "o\(nextID)"
        live.append(id)
        let side = random() % 2 == 0 ? "buy" : "sell"
        let ticks = 10_000 + Int(random() % 40) - 20
        let price = "\(ticks / 100).\(String(format: "%02d", ticks % 100))"
        let quantity = 1 + random() % 20
        return Array(#"{"type":"new","order_id":"\#(id)","symbol":"\#(symbol)","side":"\#(side)","order_type":"limit","price":"\#(price)","quantity":\#(quantity),"time_in_force":"gtc"}"#.utf8)
    }
}

let testInstruments = ["AAA", "BBB", "CCC"].map { Instrument(symbol: Symbol($0)!) }
let t0 = Timestamp(rfc3339: "2026-11-26T14:30:00Z")!

/// A command message keyed by its symbol, as producers must key them.
func command(_ value: [UInt8], partition: Int32 = 0, offset: Int64) -> ConsumedMessage {
    let symbol = (try? JSONDecoder().decode(OrderCommandMessage.self, from: Data(value)))?.symbol
    return ConsumedMessage(topic: TopicNames.standard.commands, partition: partition, offset: offset, key: symbol.map { Array($0.utf8) },
                           value: value, timestamp: Timestamp(microseconds: t0.microseconds + offset))
}

@Suite struct ProcessorCoreTests {
    @Test func ordersThroughTheCoreGiveTheSameEventsAsThePureEngine() throws {
        var core = ProcessorCore(instruments: testInstruments)
        var engine = MatchingEngine(instruments: testInstruments)
        var flow = OrderFlow(seed: 7)
        var expected: [OrderEventMessage] = []
        for offset in 0..<3_000 {
            let value = flow.next(symbols: ["AAA", "BBB", "CCC"])
            core.handle(command(value, offset: Int64(offset)))
            expected += engine.handle(try JSONDecoder().decode(OrderCommandMessage.self, from: Data(value)))
        }
        let (batch, events) = core.takeBatch()
        let decoded = try events.map { try JSONDecoder().decode(OrderEventMessage.self, from: Data($0.value)) }
        #expect(decoded == expected)
        #expect(batch.nextOffsets[PartitionKey(topic: "orders.commands", partition: 0)] == 3_000)
        #expect(batch.orderEvents.rowCount == expected.filter { if case .report = $0 { true } else { false } }.count)
        #expect(batch.executions.rowCount == expected.count - batch.orderEvents.rowCount)
        #expect(batch.executions.rowCount > 0)
        #expect(batch.deadLetters.isEmpty)
    }

    @Test func replayingCommittedCommandsRebuildsIdenticalBooks() {
        var uninterrupted = ProcessorCore(instruments: testInstruments)
        var restarted = ProcessorCore(instruments: testInstruments)
        var flow = OrderFlow(seed: 11)
        let messages = (0..<2_000).map { command(flow.next(symbols: ["AAA", "BBB"]), offset: Int64($0)) }
        for m in messages { uninterrupted.handle(m) }
        // The restarted instance had committed the first 1,200: it replays them, then goes on live.
        for m in messages[..<1_200] { restarted.replay(m) }
        for m in messages[1_200...] { restarted.handle(m) }
        for symbol in ["AAA", "BBB"].map({ Symbol($0)! }) {
            let a = uninterrupted.engines[0]!.book(symbol)!
            let b = restarted.engines[0]!.book(symbol)!
            #expect(a.snapshot() == b.snapshot())
        }
        #expect(restarted.takeBatch().0.nextOffsets[PartitionKey(topic: "orders.commands", partition: 0)] == 2_000)
    }

    @Test func theClosedOrderMemoryReachesTheEnginesAndReplaysForgetTheSame() throws {
        var uninterrupted = ProcessorCore(instruments: testInstruments, closedOrderMemory: 5)
        var restarted = ProcessorCore(instruments: testInstruments, closedOrderMemory: 5)
        var engine = MatchingEngine(instruments: testInstruments, closedOrderMemory: 5)
        var flow = OrderFlow(seed: 13)
        let messages = (0..<2_000).map { command(flow.next(symbols: ["AAA", "BBB"]), offset: Int64($0)) }
        var expected: [OrderEventMessage] = []
        for m in messages {
            uninterrupted.handle(m)
            expected += engine.handle(try JSONDecoder().decode(OrderCommandMessage.self, from: Data(m.value)))
        }
        let decoded = try uninterrupted.takeBatch().1.map { try JSONDecoder().decode(OrderEventMessage.self, from: Data($0.value)) }
        #expect(decoded == expected)
        #expect(uninterrupted.engines[0]!.closedOrderMemory == 5 && uninterrupted.engines[0]!.rememberedClosedOrderCount == 5)
        for m in messages[..<1_200] { restarted.replay(m) }
        for m in messages[1_200...] { restarted.handle(m) }
        let same = restarted.engines[0]!.snapshot() == uninterrupted.engines[0]!.snapshot()
        #expect(same)
    }

    @Test func badMessagesBecomeDeadLettersWithReasonsAndProcessingGoesOn() {
        var core = ProcessorCore(instruments: testInstruments)
        let bad: [(String, String)] = [
            ("md.quotes", #"{"type":"quote","symbol":"AAA","ts":"2026-11-26T14:30:00Z","bid":"1","bid_size":-3}"#),
            ("md.quotes", #"{"type":"quote","symbol":"ZZZ","ts":"2026-11-26T14:30:00Z","bid":"1"}"#),
            ("md.trades", #"{"type":"trade","symbol":"AAA","ts":"2026-11-26T14:30:00Z","price":"abc","size":1}"#),
            ("md.trades", "\u{1}\u{2} binary"),
            ("orders.commands", #"{"type":"new","order_id":"#),
            ("orders.commands", #"{"type":"launch","order_id":"x","symbol":"AAA"}"#),
            ("orders.commands", #"{"type":"new","order_id":"x","symbol":"AAA","quantity":"lots"}"#),
        ]
        for (i, (topic, payload)) in bad.enumerated() {
            core.handle(ConsumedMessage(topic: topic, partition: 1, offset: Int64(i), key: nil, value: Array(payload.utf8), timestamp: t0))
        }
        core.handle(ConsumedMessage(topic: "md.quotes", partition: 1, offset: 99, key: nil,
                                    value: Array(#"{"type":"quote","symbol":"AAA","ts":"2026-11-26T14:30:00Z","bid":"1","ask":"2"}"#.utf8), timestamp: t0))
        let (batch, _) = core.takeBatch()
        #expect(batch.deadLetters.map(\.error) == [
            "bid_size must not be negative", "unknown symbol ZZZ: not an active instrument in market.instruments", "price is not a decimal with at most 8 places",
            "not a JSON object", "invalid JSON", "invalid type: Cannot initialize Kind from invalid String value launch",
            "invalid quantity: not an integer quantity: lots",
        ])
        #expect(batch.quotes.rowCount == 1)
        #expect(batch.nextOffsets[PartitionKey(topic: "md.quotes", partition: 1)] == 100)
        #expect(batch.nextOffsets[PartitionKey(topic: "orders.commands", partition: 1)] == 7)
        #expect(batch.notifications.contains { $0.channel == .mdQuotes })
    }

    /// A batch's market notices share its id, and every batch has a new one (the API's read cache
    /// reloads once per id).
    @Test func marketNoticesNameTheirBatch() {
        var core = ProcessorCore(instruments: testInstruments)
        func batchIDs(offset: Int64) -> [String?] {
            core.handle(ConsumedMessage(topic: "md.quotes", partition: 0, offset: offset, key: nil,
                                        value: Array(#"{"type":"quote","symbol":"AAA","ts":"2026-11-26T14:30:00Z","bid":"1","ask":"2"}"#.utf8), timestamp: t0))
            core.handle(ConsumedMessage(topic: "md.trades", partition: 0, offset: offset, key: nil,
                                        value: Array(#"{"type":"trade","symbol":"AAA","ts":"2026-11-26T14:30:00Z","price":"1.5","size":1}"#.utf8), timestamp: t0))
            let notices = core.takeBatch().0.notifications
            return notices.filter { $0.channel == .mdQuotes }.map { QuoteNotice.read($0.payload)?.batch }
                + notices.filter { $0.channel == .mdTrades }.map { TradeNotice.read($0.payload)?.batch }
        }
        let first = batchIDs(offset: 0), second = batchIDs(offset: 1)
        #expect(first.count == 2 && first[0] != nil && first[0] == first[1])
        #expect(second.count == 2 && second[0] != nil && second[0] == second[1])
        #expect(first[0] != second[0])
    }
}
