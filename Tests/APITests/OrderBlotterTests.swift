import API
import Foundation
import HummingbirdTesting
import PostgresNIO
import Testing

/// Issue 18: `GET /orders`, the blotter: filters, keyset pages that neither skip nor repeat, and
/// a 400 for every bad parameter.
@Suite struct OrderBlotterTests {
    @Test func filtersAndPages() async throws {
        try await APITest.withAPI { client, pg, logger in
            // Six more orders, a minute apart, for two accounts and two symbols; b-2 filled, a-3 cancelled.
            _ = try await pg.query("""
                INSERT INTO trading.orders (ts, order_id, symbol, side, order_type, time_in_force, price, quantity, account)
                SELECT now() - make_interval(mins => n), id, symbol, side, 'limit', 'day', 10, 5, account
                FROM (VALUES (1, 'a-1', 'AAA', 'buy', 'A'), (2, 'a-2', 'BBB', 'sell', 'A'), (3, 'a-3', 'AAA', 'sell', 'A'),
                             (4, 'b-1', 'AAA', 'buy', 'B'), (5, 'b-2', 'BBB', 'buy', 'B'), (6, 'b-3', 'AAA', 'buy', 'B'))
                     AS o(n, id, symbol, side, account)
                """, logger: logger)
            _ = try await pg.query("""
                INSERT INTO trading.order_events (ts, seq, order_id, symbol, event, side, price, filled_quantity, leaves_quantity)
                VALUES (now(), 100, 'b-2', 'BBB', 'filled', 'buy', 10, 5, 0), (now(), 101, 'a-3', 'AAA', 'cancelled', 'sell', 10, 0, 0),
                       (now(), 102, 'a-1', 'AAA', 'accepted', 'buy', 10, 0, 5)
                """, logger: logger)
            func ids(_ path: String) async throws -> [String] {
                try APITest.decode(OrderListBody.self, try await client.get(path)).orders.map(\.orderId)
            }
            #expect(try await ids("/api/v1/orders?account=A") == ["a-1", "a-2", "a-3"], "newest first")
            #expect(try await ids("/api/v1/orders?account=B&symbol=AAA") == ["b-1", "b-3"])
            #expect(try await ids("/api/v1/orders?side=sell&account=A") == ["a-2", "a-3"])
            let closed = Set(try await ids("/api/v1/orders?status=filled,cancelled"))
            #expect(closed == ["a-3", "b-2", "o-2"])
            let open = Set(try await ids("/api/v1/orders?status=open"))
            #expect(open == ["a-1", "a-2", "b-1", "b-3", "o-1"], "accepted, partially filled and pending orders")

            // Pages of two, followed to the end, give every order once, in the same order as one page.
            let all = try await ids("/api/v1/orders")
            #expect(all.count == 8)
            var paged: [String] = []
            var path = "/api/v1/orders?limit=2"
            for _ in 0..<10 {
                let page = try APITest.decode(OrderListBody.self, try await client.get(path))
                paged += page.orders.map(\.orderId)
                guard let next = page.nextCursor else { break }
                path = "/api/v1/orders?limit=2&cursor=\(next)"
            }
            #expect(paged == all)
            let listed = try APITest.decode(OrderListBody.self, try await client.get("/api/v1/orders?account=B&limit=1"))
            #expect(listed.orders.first?.fills == nil && listed.orders.first?.account == "B" && listed.nextCursor != nil)

            for bad in ["status=bogus", "status=", "side=both", "account=a%20b", "symbol=%20", "cursor=%21%21", "cursor=YWJj",
                        "limit=0", "from=yesterday"] {
                try APITest.expectProblem(try await client.get("/api/v1/orders?\(bad)"), .badRequest)
            }
        }
    }
}
