import API
import Foundation
import HummingbirdTesting
import OrderBook
import PostgresNIO
import Testing

/// Stop, stop-limit and trailing-stop orders through POST/PATCH /orders and GET /orders/{id}.
@Suite struct StopOrderEndpointTests {
    @Test func stopOrdersArePublishedWithTheirTriggers() async throws {
        let publisher = RecordingPublisher()
        try await APITest.withAPI(orders: publisher) { client, _, _ in
            for json in [
                #"{"symbol":"AAA","side":"buy","order_type":"stop","stop_price":"10.05","quantity":10}"#,
                #"{"symbol":"AAA","side":"sell","order_type":"stop_limit","stop_price":9.9,"price":"9.85","quantity":10,"time_in_force":"day"}"#,
                #"{"symbol":"AAA","side":"sell","order_type":"trailing_stop","trail_percent":"1.5","quantity":10}"#,
                #"{"symbol":"AAA","side":"buy","order_type":"trailing_stop","trail_amount":"0.25","quantity":10}"#,
            ] {
                let response = try await client.send(.post, "/api/v1/orders", json: json)
                #expect(response.status == .accepted, "\(json)")
            }
            let modify = try await client.send(.patch, "/api/v1/orders/o-9", json: #"{"symbol":"AAA","stop_price":"10.10"}"#)
            #expect(modify.status == .accepted)
            let sent = await publisher.commands
            #expect(sent.map(\.orderType) == [.stop, .stopLimit, .trailingStop, .trailingStop, nil])
            #expect(sent[0].stopPrice?.decimalString == "10.05" && sent[0].price == nil)
            #expect(sent[1].stopPrice?.decimalString == "9.9" && sent[1].price?.decimalString == "9.85")
            #expect(sent[2].trailPercent?.decimalString == "1.5" && sent[2].trailAmount == nil)
            #expect(sent[3].trailAmount?.decimalString == "0.25" && sent[3].stopPrice == nil)
            #expect(sent[4].type == .modify && sent[4].stopPrice?.decimalString == "10.1")
        }
    }

    @Test func inconsistentStopTermsAre422() async throws {
        let publisher = RecordingPublisher()
        try await APITest.withAPI(orders: publisher) { client, _, _ in
            let cases: [(String, Set<String>)] = [
                (#"{"symbol":"AAA","side":"buy","order_type":"stop","quantity":1}"#, ["stop_price"]),
                (#"{"symbol":"AAA","side":"buy","order_type":"stop","stop_price":"10","price":"10","quantity":1}"#, ["price"]),
                (#"{"symbol":"AAA","side":"buy","order_type":"stop_limit","stop_price":"10.001","quantity":1}"#, ["price", "stop_price"]),
                (#"{"symbol":"AAA","side":"buy","order_type":"limit","price":"10","stop_price":"10","quantity":1}"#, ["stop_price"]),
                (#"{"symbol":"AAA","side":"buy","order_type":"trailing_stop","quantity":1}"#, ["trail_amount"]),
                (#"{"symbol":"AAA","side":"buy","order_type":"trailing_stop","trail_amount":"1","trail_percent":"1","quantity":1}"#, ["trail_amount"]),
                (#"{"symbol":"AAA","side":"buy","order_type":"trailing_stop","trail_percent":"100","quantity":1}"#, ["trail_percent"]),
                (#"{"symbol":"AAA","side":"buy","order_type":"market","trail_amount":"1","quantity":1}"#, ["trail_amount"]),
                (#"{"symbol":"AAA","side":"buy","order_type":"stop","stop_price":"10","post_only":true,"quantity":1}"#, ["post_only"]),
            ]
            for (json, fields) in cases {
                let problem = try APITest.expectProblem(try await client.send(.post, "/api/v1/orders", json: json), .unprocessableContent)
                #expect(Set(problem.errors?.map(\.field) ?? []) == fields, "\(json)")
            }
            try APITest.expectProblem(try await client.send(.patch, "/api/v1/orders/o-1", json: #"{"symbol":"AAA","stop_price":"0"}"#),
                                      .unprocessableContent)
            #expect(await publisher.commands.isEmpty)
        }
    }

    @Test func dormantAndTriggeredStopsShowTheirStatusAndTerms() async throws {
        try await APITest.withAPI { client, database, logger in
            try await database.query("""
                INSERT INTO trading.orders (ts, order_id, symbol, side, order_type, time_in_force, price, quantity, stop_price, trail_percent)
                VALUES (now(), 's-1', 'AAA', 'buy', 'stop', 'gtc', NULL, 10, 10.50, NULL),
                       (now(), 's-2', 'AAA', 'sell', 'trailing_stop', 'gtc', NULL, 10, NULL, 1.5)
                """, logger: logger)
            try await database.query("""
                INSERT INTO trading.order_events (ts, seq, order_id, symbol, event, side, filled_quantity, leaves_quantity)
                VALUES (now(), 10, 's-1', 'AAA', 'dormant', 'buy', 0, 10), (now(), 11, 's-2', 'AAA', 'dormant', 'sell', 0, 10),
                       (now(), 12, 's-2', 'AAA', 'triggered', 'sell', 0, 10)
                """, logger: logger)
            let dormant = try APITest.decode(OrderStatusBody.self, try await client.get("/api/v1/orders/s-1?symbol=AAA"))
            #expect(dormant.status == "dormant" && dormant.orderType == "stop" && dormant.stopPrice == "10.5")
            #expect(dormant.leavesQuantity == 10 && dormant.trailPercent == nil)
            let triggered = try APITest.decode(OrderStatusBody.self, try await client.get("/api/v1/orders/s-2"))
            #expect(triggered.status == "triggered" && triggered.trailPercent == "1.5" && triggered.stopPrice == nil)
        }
    }
}
