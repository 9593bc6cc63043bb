import Foundation
import MarketCore
import Testing
@testable import OrderBook

/// Pre-trade limits at the engine, and the stop fields of the wire messages.
@Suite("Pre-trade limits and stop messages")
struct PreTradeLimitTests {
    static let limits = PreTradeLimitTable(
        defaults: PreTradeLimits(maxQuantity: Quantity(1_000), maxNotional: Price("50000"), maxDeviationPercent: Price("5")),
        symbols: [Symbol("MSFT")!: PreTradeLimits(maxQuantity: Quantity(10))])

    static func run(_ engine: inout MatchingEngine, _ lines: [String]) throws -> [ExecutionReportMessage] {
        try lines.flatMap { engine.handle(try JSONDecoder().decode(OrderCommandMessage.self, from: Data($0.utf8))) }
            .compactMap { if case .report(let report) = $0 { report } else { nil } }
    }

    static func new(_ id: String, _ symbol: String = "AAPL", side: String = "buy", type: String = "limit", extra: String)
        -> String
    {
        #"{"type":"new","order_id":"\#(id)","symbol":"\#(symbol)","side":"\#(side)","order_type":"\#(type)",\#(extra)}"#
    }

    @Test func violationsAreRejectedWithTheirReason() throws {
        var engine = MatchingEngine(defaultInstrument: Instrument(symbol: Symbol("X")!), limits: Self.limits)
        let reports = try Self.run(&engine, [
            Self.new("q", extra: #""price":"10","quantity":1001"#),
            Self.new("n", extra: #""price":"100","quantity":501"#),
            Self.new("ok-sell", side: "sell", extra: #""price":"100","quantity":500"#),
            Self.new("ok-buy", type: "market", extra: #""quantity":1"#),  // a trade at 100: the deviation applies from now
            Self.new("far", extra: #""price":"94.99","quantity":1"#),
            Self.new("near", extra: #""price":"95","quantity":1"#),
            Self.new("stop-far", type: "stop_limit", extra: #""price":"106","stop_price":"105","quantity":1"#),
            Self.new("stop-notional", type: "stop", extra: #""stop_price":"200","quantity":300"#),
            Self.new("trail-notional", type: "trailing_stop", extra: #""trail_amount":"1","quantity":501"#),
            Self.new("m", "MSFT", extra: #""price":"1","quantity":11"#),
            Self.new("m-ok", "MSFT", extra: #""price":"1000000","quantity":10"#),
            #"{"type":"modify","order_id":"near","symbol":"AAPL","quantity":1001}"#,
            #"{"type":"modify","order_id":"near","symbol":"AAPL","price":"106"}"#,
            #"{"type":"modify","order_id":"near","symbol":"AAPL","price":"96"}"#,
        ])
        let outcome = reports.filter { $0.status == "rejected" || $0.status == "accepted" || $0.status == "replaced" }
            .map { "\($0.orderID):\($0.reason ?? $0.status)" }
        #expect(outcome == [
            "q:max_quantity_exceeded", "n:max_notional_exceeded", "ok-sell:accepted", "ok-buy:accepted",
            "far:price_deviation_exceeded", "near:accepted", "stop-far:price_deviation_exceeded",
            "stop-notional:max_notional_exceeded", "trail-notional:max_notional_exceeded", "m:max_quantity_exceeded",
            "m-ok:accepted", "near:max_quantity_exceeded", "near:price_deviation_exceeded", "near:replaced",
        ])
        // A rejected modify leaves the order as it was and is reported against it.
        #expect(reports.first { $0.reason == "price_deviation_exceeded" && $0.orderID == "near" }?.leavesQuantity.value == 1)
    }

    @Test func noLimitsMeansNoChecks() {
        #expect(PreTradeLimits.none.violation(quantity: .max, limitPrice: 1, referencePrice: .max, lastTradePrice: 10) == nil)
        let notional = PreTradeLimits(maxNotional: Price("100"))
        #expect(notional.violation(quantity: 10, limitPrice: 0, referencePrice: Price("10")!.units, lastTradePrice: 0) == nil)
        #expect(notional.violation(quantity: 11, limitPrice: 0, referencePrice: Price("10")!.units, lastTradePrice: 0) == .maxNotionalExceeded)
        // Market orders before the first trade have no price to value them at.
        #expect(notional.violation(quantity: 1_000_000, limitPrice: 0, referencePrice: 0, lastTradePrice: 0) == nil)
    }

    @Test func stopMessagesRoundTripThroughTheEngine() throws {
        var engine = MatchingEngine(defaultInstrument: Instrument(symbol: Symbol("X")!))
        let reports = try Self.run(&engine, [
            Self.new("s", side: "sell", extra: #""price":"10","quantity":5"#),
            Self.new("b", type: "market", extra: #""quantity":1"#),
            Self.new("stop", type: "stop", extra: #""stop_price":"10.5","quantity":2"#),
            Self.new("trail", side: "sell", type: "trailing_stop", extra: #""trail_percent":"2","quantity":2"#),
            Self.new("both", side: "sell", type: "trailing_stop", extra: #""trail_percent":"2","trail_amount":"1","quantity":2"#),
            #"{"type":"modify","order_id":"stop","symbol":"AAPL","stop_price":"9.5"}"#,
            #"{"type":"cancel","order_id":"trail","symbol":"AAPL"}"#,
            #"{"type":"cancel","order_id":"trail","symbol":"AAPL"}"#,
        ])
        let line = reports.map { "\($0.orderID):\($0.status)\($0.reason.map { ":" + $0 } ?? "")" }
        #expect(line == [
            "s:accepted", "b:accepted", "s:partially_filled", "b:filled", "stop:dormant", "trail:dormant",
            "both:rejected:invalid_trail", "stop:replaced", "stop:triggered", "s:partially_filled", "stop:filled",
            "trail:cancelled:requested", "trail:rejected:order_closed",
        ])
    }
}
