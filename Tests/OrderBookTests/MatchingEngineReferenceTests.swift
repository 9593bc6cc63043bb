import MarketCore
import Testing
@testable import OrderBook

/// Drives `MatchingEngine` and `ReferenceEngine` with the same random messages and demands identical
/// events and the same remembered ids after every one; the engine is also snapshotted halfway, and
/// the restored copy must go on exactly like the original.
@Suite("MatchingEngine against the reference engine")
struct MatchingEngineReferenceTests {
    struct Scenario: Sendable, CustomTestStringConvertible {
        var seed: UInt64
        var memory: Int
        var commands = 12_000
        var testDescription: String { "seed \(seed) closedOrderMemory \(memory)" }
    }

    static let scenarios = [
        Scenario(seed: 1, memory: 0), Scenario(seed: 2, memory: 1), Scenario(seed: 3, memory: 3), Scenario(seed: 4, memory: 10),
        Scenario(seed: 5, memory: 100_000, commands: 6_000),
    ]

    @Test("identical events and remembered ids; a restored engine continues identically", arguments: scenarios)
    func matchesReference(_ scenario: Scenario) throws {
        let template = Instrument(symbol: Symbol("X")!)
        let configuration = BookConfiguration(selfTradePrevention: .cancelResting)
        var engine = MatchingEngine(defaultInstrument: template, configuration: configuration, closedOrderMemory: scenario.memory)
        var reference = ReferenceEngine(instrument: template, configuration: configuration, memory: scenario.memory)
        var stream = EngineMessageStream(seed: scenario.seed, tick: template.tickSize.units)
        var restored: MatchingEngine?
        var reasons: [String: Int] = [:]
        var reused = 0
        var everAccepted: Set<String> = []

        for step in 0..<scenario.commands {
            let message = stream.next()
            let events = engine.handle(message)
            guard events == reference.handle(message) else {
                Issue.record("step \(step): \(message)\nengine: \(events)")
                return
            }
            let live = engine.books.values.reduce(0) { $0 + $1.book.orderCount + $1.book.stopCount }
            guard engine.rememberedOrderCount == reference.rememberedCount, engine.rememberedClosedOrderCount == reference.closed.count,
                live == reference.liveCount, engine.rememberedOrderCount <= live + scenario.memory
            else {
                Issue.record("step \(step): remembered \(engine.rememberedOrderCount) closed \(engine.rememberedClosedOrderCount) live \(live)")
                return
            }
            for case .report(let report) in events {
                if let reason = report.reason { reasons[reason, default: 0] += 1 }
                if report.status == "accepted" || report.status == "dormant",
                    !everAccepted.insert("\(report.symbol)/\(report.orderID)").inserted
                {
                    reused += 1
                }
            }
            if var copy = restored {
                let same = copy.handle(message) == events
                guard same else {
                    Issue.record("restored engine diverged at step \(step)")
                    return
                }
                restored = copy
            }
            if step == scenario.commands / 2 {
                let bytes = engine.snapshot()
                let copy = try MatchingEngine(
                    restoring: bytes, defaultInstrument: template, configuration: configuration, closedOrderMemory: scenario.memory)
                let roundTrips = copy.snapshot() == bytes
                #expect(roundTrips)
                restored = copy
            }
        }
        let sameBytes = restored?.snapshot() == engine.snapshot()
        #expect(sameBytes)
        // The stream must exercise every answer the retention rule decides between.
        #expect(reasons["duplicate_order_id", default: 0] > 20)
        if scenario.memory > 0 { #expect(reasons["order_closed", default: 0] > 20) }
        #expect(reasons["unknown_order", default: 0] > 20)
        #expect(reasons["end_of_day", default: 0] > 5)
        #expect(reused > 100)
    }
}
