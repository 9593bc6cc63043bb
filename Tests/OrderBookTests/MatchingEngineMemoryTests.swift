import MarketCore
import Testing
@testable import OrderBook

/// Which client ids the engine remembers: live orders always, the last `closedOrderMemory` closed
/// orders, none of a book's closed orders after its end of day; and that this bounds its memory.
@Suite("MatchingEngine forgets closed orders")
struct MatchingEngineMemoryTests {
    static func engine(memory: Int) -> MatchingEngine {
        MatchingEngine(defaultInstrument: Instrument(symbol: Symbol("X")!), closedOrderMemory: memory)
    }

    static func new(
        _ id: String, _ side: Side = .buy, price: String = "10", quantity: Int64 = 1, tif: TimeInForce = .gtc, symbol: String = "AAA"
    ) -> OrderCommandMessage {
        OrderCommandMessage(
            type: .new, orderID: id, symbol: symbol, side: side, orderType: .limit, price: Price(price)!, quantity: Quantity(quantity),
            timeInForce: tif)
    }

    static func cancel(_ id: String, symbol: String = "AAA") -> OrderCommandMessage {
        OrderCommandMessage(type: .cancel, orderID: id, symbol: symbol)
    }

    /// "status" or "status:reason" of each report, "trade" for each execution.
    static func outcome(_ events: [OrderEventMessage]) -> [String] {
        events.map {
            switch $0 {
            case .report(let report): report.reason.map { "\(report.status):\($0)" } ?? report.status
            case .execution: "trade"
            }
        }
    }

    @Test func rememberedIDsStayBounded() {
        var engine = Self.engine(memory: 50)
        for n in 0..<5_000 {
            _ = engine.handle(Self.new("s-\(n)", .sell, price: "10", quantity: 2))
            _ = engine.handle(Self.new("b-\(n)", .buy, price: "10", quantity: 1))  // fills half of s-n
            _ = engine.handle(Self.cancel("s-\(n)"))
            _ = engine.handle(Self.new("r-\(n)", .buy, price: "9"))
            if n % 2 == 0 { _ = engine.handle(Self.cancel("r-\(n)")) }
        }
        let live = engine.book(Symbol("AAA")!)!.orderCount
        #expect(live == 2_500)
        #expect(engine.rememberedClosedOrderCount == 50)
        #expect(engine.rememberedOrderCount == live + 50)
        #expect(engine.books[Symbol("AAA")!]!.ids.orderIDs.count == live + 50)
        #expect(engine.books[Symbol("AAA")!]!.ids.clientIDs.count == live)  // reverse entries of live orders only
        // OrderIDs are never reused: the last accepted order got the 15,000th.
        #expect(engine.books[Symbol("AAA")!]!.ids.nextID == 15_001)
        // The live orders are all still addressable by their client ids.
        #expect(Self.outcome(engine.handle(Self.cancel("r-1"))) == ["cancelled:requested"])
    }

    @Test func duplicateWithinTheWindowAcceptedAfterEviction() {
        var engine = Self.engine(memory: 2)
        var outcomes: [String] = []
        for message in [
            Self.new("a"), Self.cancel("a"),  // closed: [a]
            Self.new("a"), Self.cancel("a"),  // duplicate, order_closed
            Self.new("b"), Self.cancel("b"),  // closed: [a, b]
            Self.new("a"),  // still a duplicate
            Self.new("c"), Self.cancel("c"),  // closed: [b, c]; a forgotten
            Self.cancel("a"),  // unknown now
            Self.new("a"),  // a new order with a new OrderID
            Self.cancel("b"),
        ] {
            outcomes += Self.outcome(engine.handle(message))
        }
        #expect(outcomes == [
            "accepted", "cancelled:requested", "rejected:duplicate_order_id", "rejected:order_closed", "accepted",
            "cancelled:requested", "rejected:duplicate_order_id", "accepted", "cancelled:requested", "rejected:unknown_order",
            "accepted", "rejected:order_closed",
        ])
        #expect(engine.book(Symbol("AAA")!)!.allOrders().map(\.id) == [OrderID(4)])
        #expect(Self.outcome(engine.handle(Self.cancel("a"))) == ["cancelled:requested"])
    }

    @Test func liveOrdersAndDormantStopsAreNeverForgotten() {
        var engine = Self.engine(memory: 1)
        var stop = Self.new("stop", .buy, price: "12")
        stop.orderType = .stopLimit
        stop.stopPrice = Price("11")
        #expect(Self.outcome(engine.handle(stop)) == ["dormant"])
        _ = engine.handle(Self.new("rest", .sell, price: "20"))
        for n in 0..<20 {
            _ = engine.handle(Self.new("t-\(n)"))
            _ = engine.handle(Self.cancel("t-\(n)"))
        }
        #expect(engine.rememberedOrderCount == 3)
        #expect(Self.outcome(engine.handle(Self.new("stop"))) == ["rejected:duplicate_order_id"])
        #expect(Self.outcome(engine.handle(Self.cancel("stop"))) == ["cancelled:requested"])
        #expect(Self.outcome(engine.handle(Self.cancel("rest"))) == ["cancelled:requested"])
    }

    @Test func endOfDayForgetsTheClosedIDsOfItsBooks() {
        var engine = Self.engine(memory: 100)
        for symbol in ["AAA", "BBB"] {
            _ = engine.handle(Self.new("day", tif: .day, symbol: symbol))
            _ = engine.handle(Self.new("gone", symbol: symbol))
            _ = engine.handle(Self.cancel("gone", symbol: symbol))
            _ = engine.handle(Self.new("gtc", price: "9", symbol: symbol))
        }
        // One book's end of day: only its closed ids are free again.
        #expect(Self.outcome(engine.handle(OrderCommandMessage(type: .endOfDay, symbol: "AAA"))) == ["expired:end_of_day"])
        #expect(Self.outcome(engine.handle(Self.new("gone", symbol: "AAA"))) == ["accepted"])
        #expect(Self.outcome(engine.handle(Self.new("day", symbol: "AAA"))) == ["accepted"])
        #expect(Self.outcome(engine.handle(Self.new("gone", symbol: "BBB"))) == ["rejected:duplicate_order_id"])
        #expect(Self.outcome(engine.handle(Self.new("gtc", symbol: "AAA"))) == ["rejected:duplicate_order_id"])
        #expect(engine.rememberedClosedOrderCount == 1)  // BBB's "gone"

        // The end of day of all books, with the client ids on its messages.
        let expired = engine.handle(OrderCommandMessage(type: .endOfDay))
        #expect(expired.compactMap { if case .report(let r) = $0 { "\(r.symbol):\(r.orderID)" } else { nil } } == ["BBB:day"])
        #expect(engine.rememberedClosedOrderCount == 0)
        #expect(engine.rememberedOrderCount == 4)  // the live AAA gone, day, gtc and BBB gtc
        #expect(Self.outcome(engine.handle(Self.new("gone", symbol: "BBB"))) == ["accepted"])
        #expect(Self.outcome(engine.handle(Self.new("day", symbol: "BBB"))) == ["accepted"])
        #expect(Self.outcome(engine.handle(Self.cancel("gtc", symbol: "BBB"))) == ["cancelled:requested"])
    }
}
