import MarketCore
import Testing
@testable import OrderBook

/// Drives `OrderBook` and `ReferenceMatcher` with the same random stream and demands identical
/// events, depth and resting orders, with the book's invariants checked after every command.
@Suite("OrderBook against the reference matcher")
struct PropertyTests {
    struct Scenario: Sendable, CustomTestStringConvertible {
        var seed: UInt64
        var model: CommandStream.PriceModel
        var configuration: BookConfiguration
        var tick: Int64 = 1_000_000  // 0.01
        var lot: Int64 = 1
        var commands = 100_000

        var testDescription: String {
            "seed \(seed) \(model) stp=\(configuration.selfTradePrevention) postOnly=\(configuration.postOnlyPolicy) tick=\(tick) lot=\(lot)"
        }
    }

    static let scenarios: [Scenario] = [
        Scenario(seed: 1, model: .tight, configuration: .init()),
        Scenario(seed: 2, model: .wide, configuration: .init(selfTradePrevention: .cancelResting, postOnlyPolicy: .reprice)),
        Scenario(seed: 3, model: .drifting, configuration: .init(selfTradePrevention: .cancelIncoming), lot: 100),
        Scenario(seed: 4, model: .bursty, configuration: .init(selfTradePrevention: .cancelResting), tick: 5_000_000, lot: 10),
        Scenario(seed: 5, model: .bursty, configuration: .init(selfTradePrevention: .cancelIncoming, postOnlyPolicy: .reprice)),
        Scenario(seed: 6, model: .tight, configuration: .init(postOnlyPolicy: .reprice), tick: 1),
    ]

    @Test("identical reports, trades and depth; invariants hold", arguments: scenarios)
    func matchesReference(_ scenario: Scenario) throws {
        let symbol = Symbol("TEST")!
        let instrument = Instrument(symbol: symbol, tickSize: Price(units: scenario.tick), lotSize: Quantity(scenario.lot))
        var book = OrderBook(instrument: instrument, configuration: scenario.configuration)
        var reference = ReferenceMatcher(instrument: instrument, configuration: scenario.configuration)
        var stream = CommandStream(seed: scenario.seed, model: scenario.model, tick: scenario.tick, lot: scenario.lot)
        var ledger = QuantityLedger()
        var restored: OrderBook?
        var trades = 0
        var rejects = 0
        var triggers = 0

        for step in 0..<scenario.commands {
            let command = stream.next(live: reference.liveIDs)
            book.apply(command)
            reference.apply(command)
            guard book.events == reference.events else {
                Issue.record("step \(step): \(command)\nbook: \(book.events)\nreference: \(reference.events)")
                return
            }
            ledger.record(book.events)
            for case .trade in book.events { trades += 1 }
            for case .report(let report) in book.events where report.kind == .rejected { rejects += 1 }
            for case .report(let report) in book.events where report.kind == .triggered { triggers += 1 }

            let problems = step % 1024 == 0 ? BookInvariants.violationsWithIndexScan(book) : BookInvariants.violations(book)
            guard problems.isEmpty else {
                Issue.record("step \(step) after \(command): \(problems)")
                return
            }
            let resting = BookInvariants.restingQuantity(book)
            if let imbalance = ledger.imbalance(resting: resting) {
                Issue.record("step \(step): \(imbalance)")
                return
            }
            if step % 97 == 0 {
                #expect(book.depth(.buy) == reference.depth(.buy))
                #expect(book.depth(.sell) == reference.depth(.sell))
            }

            // A book restored from a snapshot must behave identically on the rest of the stream.
            if var copy = restored {
                copy.apply(command)
                guard copy.events == book.events else {
                    Issue.record("restored book diverged at step \(step)")
                    return
                }
                restored = copy
            }
            if step == scenario.commands / 3 || step == 2 * scenario.commands / 3 {
                let bytes = book.snapshot()
                let copy = try OrderBook(restoring: bytes, instrument: instrument)
                let roundTrips = copy.snapshot() == bytes
                #expect(roundTrips)
                #expect(BookInvariants.violations(copy).isEmpty)
                restored = copy
            }
        }
        #expect(book.depth(.buy) == reference.depth(.buy))
        #expect(book.depth(.sell) == reference.depth(.sell))
        #expect(book.allOrders().map { "\($0.id):\($0.leavesQuantity)" } == reference.allOrders().map { "\($0.0):\($0.1)" })
        #expect(book.dormantStops().map { "\($0.id):\($0.quantity.value)" } == reference.stops.map { "\($0.id):\($0.quantity)" })
        let restoredMatches = restored?.snapshot() == book.snapshot()
        #expect(restoredMatches)
        // The stream must actually exercise matching and rejection, or the comparison proves little.
        #expect(trades > scenario.commands / 20)
        #expect(rejects > scenario.commands / 50)
        #expect(triggers > scenario.commands / 200)
    }
}
