import API
import Foundation
import HummingbirdTesting
import OrderBook
import PostgresNIO
import Testing

/// Issue 18: `POST /orders/mass-cancel`: one `mass_cancel` command per book, for an account or for
/// everyone; a key bound to accounts cancels only theirs.
@Suite struct MassCancelEndpointTests {
    @Test func commandsPerBookAndTheKeysAccounts() async throws {
        let recorder = RecordingPublisher()
        try await APITest.withAPI(orders: recorder) { client, pg, logger in
            // A-1 has open orders in AAA and BBB and a filled one in CCC; B one open in AAA.
            _ = try await pg.query("""
                INSERT INTO trading.orders (ts, order_id, symbol, side, order_type, time_in_force, price, quantity, account)
                VALUES (now(), 'm-1', 'AAA', 'buy', 'limit', 'gtc', 9, 5, 'A-1'), (now(), 'm-2', 'BBB', 'buy', 'limit', 'gtc', 9, 5, 'A-1'),
                       (now(), 'm-3', 'CCC', 'buy', 'limit', 'gtc', 9, 5, 'A-1'), (now(), 'm-4', 'AAA', 'sell', 'limit', 'gtc', 11, 5, 'B')
                """, logger: logger)
            _ = try await pg.query("""
                INSERT INTO trading.order_events (ts, seq, order_id, symbol, event, side, price, filled_quantity, leaves_quantity)
                VALUES (now(), 200, 'm-3', 'CCC', 'filled', 'buy', 9, 5, 0), (now(), 201, 'm-1', 'AAA', 'accepted', 'buy', 9, 0, 5)
                """, logger: logger)
            func send(_ json: String, key: String? = APITest.writerKey) async throws -> TestResponse {
                try await client.send(.post, "/api/v1/orders/mass-cancel", json: json, apiKey: key)
            }
            func sent() async -> [String] {
                await recorder.commands.map { "\($0.type.rawValue) \($0.symbol ?? "-") \($0.account ?? "everyone")" }
            }

            let book = try await send(#"{"symbol":"AAA"}"#)
            #expect(book.status == .accepted)
            #expect(await sent() == ["mass_cancel AAA everyone"])
            #expect(try await send(#"{"account":"A-1"}"#).status == .accepted)
            #expect(await sent().suffix(2) == ["mass_cancel AAA A-1", "mass_cancel BBB A-1"], "the books with its open orders")
            // A key bound to A-1 cancels A-1's orders, whatever it names as the symbol, and no one else's.
            #expect(try await send("{}", key: APITest.deskAKey).status == .accepted)
            #expect(await sent().suffix(2) == ["mass_cancel AAA A-1", "mass_cancel BBB A-1"])
            #expect(try await send(#"{"symbol":"CCC"}"#, key: APITest.deskAKey).status == .accepted)
            #expect(await sent().last == "mass_cancel CCC A-1")
            let count = await recorder.commands.count
            try APITest.expectProblem(try await send(#"{"account":"B"}"#, key: APITest.deskAKey), .forbidden)
            try APITest.expectProblem(try await send(#"{"symbol":"AAA"}"#, key: APITest.readerKey), .forbidden)
            try APITest.expectProblem(try await send(#"{"symbol":"AAA"}"#, key: nil), .unauthorized)
            for bad in ["{}", #"{"symbol":"NOPE"}"#, #"{"symbol":"bad symbol"}"#, #"{"account":"a b"}"#, #"{"symbol":"AAA","side":"buy"}"#] {
                try APITest.expectProblem(try await send(bad), .unprocessableContent)
            }
            try APITest.expectProblem(try await send("[]"), .badRequest)
            #expect(await recorder.commands.count == count, "nothing published for a refused request")
        }
        try await APITest.withAPI(orders: RecordingPublisher(failing: true)) { client, _, _ in
            try APITest.expectProblem(try await client.send(.post, "/api/v1/orders/mass-cancel", json: #"{"symbol":"AAA"}"#), .serviceUnavailable)
        }
    }
}
