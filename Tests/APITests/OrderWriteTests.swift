import API
import Foundation
import HummingbirdTesting
import OrderBook
import Testing

/// POST/DELETE/PATCH /orders with a recording publisher (Kafka and the processor end to end: OrderFlowTests).
@Suite struct OrderWriteTests {
    struct Accepted: Decodable { var orderId: String; var symbol: String; var command: String }

    @Test func newOrderIsPublishedAndAccepted() async throws {
        let publisher = RecordingPublisher()
        try await APITest.withAPI(orders: publisher) { client, _, _ in
            let response = try await client.send(.post, "/api/v1/orders", json: """
                {"symbol":"AAA","side":"buy","order_type":"limit","price":"10.01","quantity":100,"time_in_force":"day"}
                """)
            #expect(response.status == .accepted)
            let accepted = try APITest.decode(Accepted.self, response)
            #expect(accepted.symbol == "AAA" && accepted.command == "new")
            #expect(response.headers[.location] == "/api/v1/orders/\(accepted.orderId)?symbol=AAA")
            let sent = await publisher.commands
            #expect(sent.count == 1)
            #expect(sent.first?.orderID == accepted.orderId)
            #expect(sent.first?.price?.decimalString == "10.01")
            #expect(sent.first?.timeInForce == .day)
        }
    }

    @Test func invalidOrdersAre422WithEveryReason() async throws {
        let publisher = RecordingPublisher()
        try await APITest.withAPI(orders: publisher) { client, _, _ in
            let problem = try APITest.expectProblem(try await client.send(.post, "/api/v1/orders", json: """
                {"symbol":"AAA","side":"hold","order_type":"limit","price":"10.005","quantity":-1,"qty":1}
                """), .unprocessableContent)
            #expect(Set(problem.errors?.map(\.field) ?? []) == ["side", "price", "quantity", "qty"])
            let market = try APITest.expectProblem(try await client.send(.post, "/api/v1/orders", json: """
                {"symbol":"ZZZ","side":"sell","order_type":"market","price":"1","quantity":1,"post_only":true}
                """), .unprocessableContent)
            #expect(Set(market.errors?.map(\.field) ?? []) == ["symbol", "price", "post_only"])
            try APITest.expectProblem(try await client.send(.post, "/api/v1/orders", json: "{not json"), .badRequest)
            try APITest.expectProblem(try await client.send(.post, "/api/v1/orders", json: "[1]"), .badRequest)
            try APITest.expectProblem(try await client.send(.post, "/api/v1/orders"), .badRequest)
            #expect(await publisher.commands.isEmpty)
        }
    }

    @Test func idempotencyKeyReplaysAndRefusesADifferentBody() async throws {
        let publisher = RecordingPublisher()
        try await APITest.withAPI(orders: publisher) { client, _, _ in
            let order = #"{"symbol":"AAA","side":"sell","order_type":"limit","price":"10","quantity":5}"#
            let first = try await client.send(.post, "/api/v1/orders", json: order, key: "k-1")
            // Same request spelled differently: same answer, nothing published again.
            let again = try await client.send(.post, "/api/v1/orders", json: #"{"quantity":5, "price":10, "order_type":"limit","side":"sell","symbol":"AAA"}"#, key: "k-1")
            #expect(first.status == .accepted && again.status == .accepted)
            #expect(String(buffer: first.body) == String(buffer: again.body))
            #expect(await publisher.commands.count == 1)
            let conflict = try APITest.expectProblem(try await client.send(
                .post, "/api/v1/orders", json: order.replacingOccurrences(of: "5", with: "6"), key: "k-1"), .conflict)
            #expect(conflict.type == "urn:quant:problem:idempotency-conflict")
            try APITest.expectProblem(try await client.send(.post, "/api/v1/orders", json: order, key: "bad key"), .badRequest)
            #expect(await publisher.commands.count == 1)
        }
    }

    @Test func cancelAndModifyPublishCommands() async throws {
        let publisher = RecordingPublisher()
        try await APITest.withAPI(orders: publisher) { client, _, _ in
            let cancel = try await client.send(.delete, "/api/v1/orders/o-1?symbol=AAA")
            #expect(cancel.status == .accepted)
            let modify = try await client.send(.patch, "/api/v1/orders/o-1", json: #"{"symbol":"AAA","price":"10.02"}"#)
            #expect(modify.status == .accepted)
            let sent = await publisher.commands
            #expect(sent.map(\.type) == [.cancel, .modify])
            #expect(sent.allSatisfy { $0.orderID == "o-1" && $0.symbol == "AAA" })
            try APITest.expectProblem(try await client.send(.delete, "/api/v1/orders/o-1"), .badRequest)
            try APITest.expectProblem(try await client.send(.delete, "/api/v1/orders/o-1?symbol=ZZZ"), .notFound)
            try APITest.expectProblem(try await client.send(.patch, "/api/v1/orders/o-1", json: #"{"symbol":"AAA"}"#), .unprocessableContent)
        }
    }

    @Test func kafkaDownIs503AndReleasesTheKey() async throws {
        try await APITest.withAPI(orders: RecordingPublisher(failing: true)) { client, _, _ in
            let order = #"{"symbol":"AAA","side":"buy","order_type":"market","quantity":5}"#
            try APITest.expectProblem(try await client.send(.post, "/api/v1/orders", json: order, key: "k-2"), .serviceUnavailable)
            // The key was released: a retry is tried again, not answered 409.
            try APITest.expectProblem(try await client.send(.post, "/api/v1/orders", json: order, key: "k-2"), .serviceUnavailable)
            #expect(try await client.get("/api/v1/health").status == .serviceUnavailable)
        }
        try await APITest.withAPI { client, _, _ in
            // Started without Kafka: writes are 503, reads work.
            let order = #"{"symbol":"AAA","side":"buy","order_type":"market","quantity":5}"#
            try APITest.expectProblem(try await client.send(.post, "/api/v1/orders", json: order), .serviceUnavailable)
        }
    }
}
