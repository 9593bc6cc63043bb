import Foundation
import MarketCore
import Testing
@testable import OrderBook

@Suite("MatchingEngine and wire messages")
struct MatchingEngineTests {
    static func engine(configuration: BookConfiguration = .init()) -> MatchingEngine {
        MatchingEngine(defaultInstrument: Instrument(symbol: Symbol("X")!), configuration: configuration)
    }

    static func run(_ engine: inout MatchingEngine, _ lines: [String]) throws -> [OrderEventMessage] {
        try lines.flatMap { engine.handle(try JSONDecoder().decode(OrderCommandMessage.self, from: Data($0.utf8))) }
    }

    static func report(_ event: OrderEventMessage?) -> ExecutionReportMessage? {
        if case .report(let report) = event { report } else { nil }
    }

    @Test func tradesCarryClientIDs() throws {
        var engine = Self.engine()
        let events = try Self.run(&engine, [
            #"{"type":"new","v":1,"order_id":"s-1","symbol":"AAPL","side":"sell","order_type":"limit","price":"189.25","quantity":100,"time_in_force":"gtc"}"#,
            #"{"type":"new","order_id":"b-1","symbol":"AAPL","side":"buy","order_type":"market","quantity":"60","time_in_force":"ioc","account":"a"}"#,
        ])
        guard case .execution(let execution) = events[2] else { Issue.record("no execution: \(events)"); return }
        #expect(execution.makerOrderID == "s-1" && execution.takerOrderID == "b-1")
        #expect(execution.price == Price("189.25") && execution.quantity.value == 60 && execution.seq == 3)
        #expect(Self.report(events[3])?.orderID == "s-1" && Self.report(events[3])?.status == "partially_filled")
        let encoded = String(decoding: try JSONEncoder().encode(events[2]), as: UTF8.self)
        #expect(encoded.contains(#""type":"execution""#) && encoded.contains(#""price":"189.25""#))
        let decoded = try JSONDecoder().decode(OrderEventMessage.self, from: Data(encoded.utf8))
        #expect(decoded == events[2])
        #expect(engine.depth().first?.asks.first?.quantity.value == 40)
    }

    @Test func engineLevelRejects() throws {
        var engine = Self.engine()
        let lines = [
            #"{"type":"new","order_id":"a","symbol":"AAPL","side":"buy","order_type":"limit","price":"10","quantity":1}"#,
            #"{"type":"cancel","order_id":"a","symbol":"AAPL"}"#,
            #"{"type":"cancel","order_id":"a","symbol":"AAPL"}"#,
            #"{"type":"new","order_id":"a","symbol":"AAPL","side":"buy","order_type":"limit","price":"10","quantity":1}"#,
            #"{"type":"cancel","order_id":"zzz","symbol":"AAPL"}"#,
            #"{"type":"new","order_id":"b","symbol":"AAPL","side":"buy","order_type":"limit","quantity":1}"#,
            #"{"type":"new","order_id":"c","symbol":"bad symbol!","side":"buy","order_type":"limit","price":"1","quantity":1}"#,
            #"{"type":"new","order_id":"","symbol":"AAPL","side":"buy","order_type":"limit","price":"1","quantity":1}"#,
            #"{"type":"modify","order_id":"a","symbol":"AAPL"}"#,
        ]
        let reasons = try Self.run(&engine, lines).compactMap { Self.report($0)?.reason }
        #expect(reasons == [
            "requested", "order_closed", "duplicate_order_id", "unknown_order", "invalid_price", "unknown_symbol", "invalid_command",
            "order_closed",
        ])
        var strict = MatchingEngine(instruments: [Instrument(symbol: Symbol("AAPL")!)])
        let refused = try Self.run(&strict, [#"{"type":"cancel","order_id":"a","symbol":"MSFT"}"#])
        #expect(Self.report(refused.first)?.reason == "unknown_symbol" && Self.report(refused.first)?.seq == nil)
    }

    @Test func endOfDayAcrossBooks() throws {
        var engine = Self.engine()
        let events = try Self.run(&engine, [
            #"{"type":"new","order_id":"d1","symbol":"B","side":"buy","order_type":"limit","price":"10","quantity":1,"time_in_force":"day"}"#,
            #"{"type":"new","order_id":"d2","symbol":"A","side":"sell","order_type":"limit","price":"10","quantity":1,"time_in_force":"day"}"#,
            #"{"type":"end_of_day"}"#,
        ])
        #expect(events.suffix(2).compactMap { Self.report($0).map { "\($0.symbol):\($0.orderID):\($0.status)" } } == ["A:d2:expired", "B:d1:expired"])
    }
}

/// Mass cancel (issue 18): every live order of an account in a book, or every one, resting and
/// dormant, in acceptance order; others untouched; an account with no orders there cancels nothing.
@Suite("Mass cancel")
struct MassCancelTests {
    static func new(_ id: String, _ side: String, _ price: String, account: String?, type: String = "limit", extra: String = "") -> OrderCommandMessage {
        let account = account.map { #","account":"\#($0)""# } ?? ""
        let terms = type == "stop" ? #""stop_price":"\#(price)""# : #""price":"\#(price)""#
        let json = #"{"type":"new","order_id":"\#(id)","symbol":"AAA","side":"\#(side)","order_type":"\#(type)",\#(terms),"quantity":10\#(account)\#(extra)}"#
        return try! JSONDecoder().decode(OrderCommandMessage.self, from: Data(json.utf8))
    }

    @Test func cancelsOneAccountsOrdersOrEveryOne() {
        var engine = MatchingEngine(defaultInstrument: Instrument(symbol: Symbol("X")!))
        for command in [Self.new("a1", "buy", "9", account: "A"), Self.new("b1", "buy", "9.5", account: "B"), Self.new("a2", "sell", "11", account: "A"),
                        Self.new("a3", "buy", "12", account: "A", type: "stop"), Self.new("n1", "sell", "12", account: nil)] {
            _ = engine.handle(command)
        }
        func cancelled(_ events: [OrderEventMessage]) -> [String] {
            events.compactMap { if case .report(let r) = $0, r.status == "cancelled" { "\(r.orderID):\(r.reason ?? "")" } else { nil } }
        }
        let none = engine.handle(OrderCommandMessage(type: .massCancel, symbol: "AAA", account: "Z"))
        #expect(none.isEmpty, "an account without orders here cancels nothing")
        let a = engine.handle(OrderCommandMessage(type: .massCancel, symbol: "AAA", account: "A"))
        #expect(cancelled(a) == ["a1:mass_cancel", "a2:mass_cancel", "a3:mass_cancel"], "resting in acceptance order, then stops")
        #expect(engine.book(Symbol("AAA")!)!.allOrders().count == 2)
        let again = engine.handle(OrderCommandMessage(type: .massCancel, symbol: "AAA", account: "A"))
        #expect(cancelled(again).isEmpty)
        let all = engine.handle(OrderCommandMessage(type: .massCancel, symbol: "AAA"))
        #expect(cancelled(all) == ["b1:mass_cancel", "n1:mass_cancel"])
        #expect(engine.book(Symbol("AAA")!)!.allOrders().isEmpty)
        // A cancelled id stays taken (remembered as closed) until the end of day.
        let reused = engine.handle(Self.new("a1", "buy", "9", account: "A"))
        if case .report(let r)? = reused.first { #expect(r.reason == "duplicate_order_id") } else { Issue.record("no report") }
    }
}
