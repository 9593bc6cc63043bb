import API
import Foundation
import HummingbirdTesting
import OrderBook
import PostgresNIO
import Testing

/// Finding 8 of the hostile-input review: a write key trades only for the accounts it is bound to
/// (migration 0019), and an `Idempotency-Key` belongs to the API key that sent it.
@Suite struct AccountBindingTests {
    @Test func aKeyBoundToAnAccountSendsOrdersOnlyForIt() async throws {
        let publisher = RecordingPublisher()
        try await APITest.withAPI(orders: publisher) { client, _, _ in
            let order = #"{"symbol":"AAA","side":"buy","order_type":"limit","price":"10.01","quantity":100"#
            // Without an account, the order is for the key's only account.
            #expect(try await client.send(.post, "/api/v1/orders", json: order + "}", apiKey: APITest.deskAKey).status == .accepted)
            #expect(await publisher.commands.last?.account == "A-1")
            #expect(try await client.send(.post, "/api/v1/orders", json: order + #","account":"A-1"}"#, apiKey: APITest.deskAKey)
                .status == .accepted)
            let other = try APITest.expectProblem(
                try await client.send(.post, "/api/v1/orders", json: order + #","account":"B-2"}"#, apiKey: APITest.deskAKey), .forbidden)
            #expect(other.type == "urn:quant:problem:account-forbidden")
            #expect(other.detail?.contains("B-2") == true)
            // The key bound to every account may send for any, and without an account.
            #expect(try await client.send(.post, "/api/v1/orders", json: order + #","account":"B-2"}"#).status == .accepted)
            #expect(try await client.send(.post, "/api/v1/orders", json: order + "}").status == .accepted)
            // A read key writes nothing.
            try APITest.expectProblem(try await client.send(.post, "/api/v1/orders", json: order + "}", apiKey: APITest.readerKey), .forbidden)
            #expect(await publisher.commands.count == 4)
        }
    }

    @Test func aKeyBoundToAnAccountCancelsAndModifiesOnlyItsOrders() async throws {
        let publisher = RecordingPublisher()
        try await APITest.withAPI(orders: publisher) { client, postgres, logger in
            try await postgres.query("""
                INSERT INTO trading.orders (ts, order_id, symbol, side, order_type, time_in_force, price, quantity, account) VALUES
                  (\(unescaped: APITest.base), 'mine', 'AAA', 'buy', 'limit', 'gtc', 9.50, 10, 'A-1'),
                  (\(unescaped: APITest.base), 'theirs', 'AAA', 'buy', 'limit', 'gtc', 9.50, 10, 'B-2')
                """, logger: logger)
            let desk = APITest.deskAKey
            #expect(try await client.send(.delete, "/api/v1/orders/mine?symbol=AAA", apiKey: desk).status == .accepted)
            #expect(try await client.send(.patch, "/api/v1/orders/mine", json: #"{"symbol":"AAA","price":"9.51"}"#, apiKey: desk)
                .status == .accepted)
            for response in [
                try await client.send(.delete, "/api/v1/orders/theirs?symbol=AAA", apiKey: desk),
                try await client.send(.patch, "/api/v1/orders/theirs", json: #"{"symbol":"AAA","price":"9.51"}"#, apiKey: desk),
                // o-1 of the seed names no account: only a key bound to every account may touch it.
                try await client.send(.delete, "/api/v1/orders/o-1?symbol=AAA", apiKey: desk),
            ] {
                #expect(try APITest.expectProblem(response, .forbidden).type == "urn:quant:problem:account-forbidden")
            }
            try APITest.expectProblem(try await client.send(.delete, "/api/v1/orders/nobody?symbol=AAA", apiKey: desk), .notFound)
            #expect(await publisher.commands.map(\.orderID) == ["mine", "mine"])
            // The key bound to every account needs no stored order (it may cancel one in flight).
            #expect(try await client.send(.delete, "/api/v1/orders/theirs?symbol=AAA").status == .accepted)
            #expect(try await client.send(.delete, "/api/v1/orders/in-flight?symbol=AAA").status == .accepted)
        }
    }

    @Test func idempotencyKeysAreScopedPerAPIKey() async throws {
        let publisher = RecordingPublisher()
        try await APITest.withAPI(orders: publisher) { client, _, _ in
            let buy = #"{"symbol":"AAA","side":"buy","order_type":"limit","price":"10","quantity":5,"account":"A-1"}"#
            let sell = #"{"symbol":"AAA","side":"sell","order_type":"limit","price":"11","quantity":7,"account":"B-2"}"#
            let first = try await client.send(.post, "/api/v1/orders", json: buy, key: "shared", apiKey: APITest.deskAKey)
            // The same Idempotency-Key from another API key is another request: no conflict, no replay.
            let second = try await client.send(.post, "/api/v1/orders", json: sell, key: "shared")
            #expect(first.status == .accepted && second.status == .accepted)
            #expect(String(buffer: first.body) != String(buffer: second.body))
            // Each key's retry still replays its own answer.
            let retry = try await client.send(.post, "/api/v1/orders", json: buy, key: "shared", apiKey: APITest.deskAKey)
            #expect(String(buffer: retry.body) == String(buffer: first.body))
            #expect(await publisher.commands.map(\.side) == [.buy, .sell])
        }
    }
}
