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
