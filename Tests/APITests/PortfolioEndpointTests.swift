import API
import Foundation
import HummingbirdTesting
import PipelineContracts
import PostgresNIO
import Testing

/// /portfolios and their positions: every success and error path, and the NOTIFY the risk engine hears.
@Suite struct PortfolioEndpointTests {
    @Test func listShowCreateAndPatch() async throws {
        try await APITest.withAPI { client, _, _ in
            let first = try APITest.decode(PortfolioListBody.self, try await client.get("/api/v1/portfolios?limit=1"))
            #expect(first.portfolios.map(\.portfolioId) == ["alpha"])
            let cursor = try #require(first.nextCursor)
            let second = try APITest.decode(PortfolioListBody.self, try await client.get("/api/v1/portfolios?limit=1&cursor=\(cursor)"))
            #expect(second.portfolios.map(\.portfolioId) == ["empty"] && second.nextCursor == nil)
            try APITest.expectProblem(try await client.get("/api/v1/portfolios?cursor=%21%21"), .badRequest)
            try APITest.expectProblem(try await client.get("/api/v1/portfolios?limit=0"), .badRequest)

            let alpha = try APITest.decode(PortfolioBody.self, try await client.get("/api/v1/portfolios/alpha"))
            #expect(alpha.name == "Alpha" && alpha.baseCurrency == "USD")
            try APITest.expectProblem(try await client.get("/api/v1/portfolios/nope"), .notFound)

            let created = try await client.send(.post, "/api/v1/portfolios", json: #"{"portfolio_id":"P1","name":"Desk one","base_currency":"EUR"}"#)
            #expect(created.status == .created)
            #expect(created.headers[.location] == "/api/v1/portfolios/P1")
            #expect(try APITest.decode(PortfolioBody.self, created).baseCurrency == "EUR")
            let again = try APITest.expectProblem(try await client.send(.post, "/api/v1/portfolios", json: #"{"portfolio_id":"P1","name":"x"}"#), .conflict)
            #expect(again.type == "urn:quant:problem:conflict")
            let invalid = try APITest.expectProblem(try await client.send(.post, "/api/v1/portfolios",
                json: #"{"portfolio_id":"bad id","base_currency":"usd","extra":1}"#), .unprocessableContent)
            #expect(Set(invalid.errors?.map(\.field) ?? []) == ["portfolio_id", "name", "base_currency", "extra"])
            try APITest.expectProblem(try await client.send(.post, "/api/v1/portfolios", json: "[]"), .badRequest)
            // A NUL (which PostgreSQL text cannot hold) or another control character is refused, not a 500.
            try APITest.expectProblem(try await client.send(.post, "/api/v1/portfolios", json: #"{"portfolio_id":"P9","name":"a\u0000b"}"#), .unprocessableContent)
            try APITest.expectProblem(try await client.send(.patch, "/api/v1/portfolios/P1", json: #"{"name":"a\nb"}"#), .unprocessableContent)

            let patched = try await client.send(.patch, "/api/v1/portfolios/P1", json: #"{"name":"Desk 1"}"#)
            #expect(patched.status == .ok)
            let body = try APITest.decode(PortfolioBody.self, patched)
            #expect(body.name == "Desk 1" && body.baseCurrency == "EUR")
            try APITest.expectProblem(try await client.send(.patch, "/api/v1/portfolios/P1", json: "{}"), .unprocessableContent)
            try APITest.expectProblem(try await client.send(.patch, "/api/v1/portfolios/P1", json: #"{"base_currency":"E"}"#), .unprocessableContent)
            try APITest.expectProblem(try await client.send(.patch, "/api/v1/portfolios/nope", json: #"{"name":"x"}"#), .notFound)
            // Writes need a write key.
            try APITest.expectProblem(try await client.send(.post, "/api/v1/portfolios", json: #"{"portfolio_id":"P2","name":"x"}"#, apiKey: nil), .unauthorized)
            try APITest.expectProblem(try await client.send(.patch, "/api/v1/portfolios/P1", json: #"{"name":"x"}"#, apiKey: APITest.readerKey), .forbidden)
        }
    }

    @Test func positionsAreSetReadAndDeleted() async throws {
        try await APITest.withAPI { client, pg, logger in
            let empty = try APITest.decode(PositionListBody.self, try await client.get("/api/v1/portfolios/alpha/positions"))
            #expect(empty.positions.isEmpty)
            try APITest.expectProblem(try await client.get("/api/v1/portfolios/nope/positions"), .notFound)

            let created = try await client.send(.put, "/api/v1/portfolios/alpha/positions/AAA", json: #"{"quantity":"-150.5","average_price":"10.25"}"#)
            #expect(created.status == .created)
            let position = try APITest.decode(PositionBody.self, created)
            #expect(position.quantity == "-150.5" && position.averagePrice == "10.25" && position.kind == "equity")
            let updated = try await client.send(.put, "/api/v1/portfolios/alpha/positions/AAA", json: #"{"quantity":200}"#)
            #expect(updated.status == .ok)
            #expect(try APITest.decode(PositionBody.self, updated).averagePrice == nil)
            _ = try await client.send(.put, "/api/v1/portfolios/alpha/positions/BBB", json: #"{"quantity":1}"#)
            let listed = try APITest.decode(PositionListBody.self, try await client.get("/api/v1/portfolios/alpha/positions"))
            #expect(listed.positions.map(\.symbol) == ["AAA", "BBB"] && listed.positions[0].quantity == "200")

            let invalid = try APITest.expectProblem(try await client.send(.put, "/api/v1/portfolios/alpha/positions/ZZZ",
                json: #"{"quantity":"1.123456789","average_price":"-1","qty":1}"#), .unprocessableContent)
            #expect(Set(invalid.errors?.map(\.field) ?? []) == ["quantity", "average_price", "qty", "symbol"])
            try APITest.expectProblem(try await client.send(.put, "/api/v1/portfolios/alpha/positions/AAA", json: "{}"), .unprocessableContent)
            try APITest.expectProblem(try await client.send(.put, "/api/v1/portfolios/alpha/positions/AAA", json: #"{"quantity":"1e5"}"#), .unprocessableContent)
            try APITest.expectProblem(try await client.send(.put, "/api/v1/portfolios/nope/positions/AAA", json: #"{"quantity":1}"#), .notFound)
            try APITest.expectProblem(try await client.send(.put, "/api/v1/portfolios/alpha/positions/bad%20symbol", json: #"{"quantity":1}"#), .badRequest)

            #expect(try await client.send(.delete, "/api/v1/portfolios/alpha/positions/BBB").status == .noContent)
            try APITest.expectProblem(try await client.send(.delete, "/api/v1/portfolios/alpha/positions/BBB"), .notFound)
            try APITest.expectProblem(try await client.send(.delete, "/api/v1/portfolios/nope/positions/BBB"), .notFound)
            try APITest.expectProblem(try await client.send(.delete, "/api/v1/portfolios/alpha/positions/AAA", apiKey: nil), .unauthorized)
            let rows = try await pg.query("SELECT symbol, quantity::text FROM risk.positions WHERE portfolio_id = 'alpha'", logger: logger)
            var stored: [String: String] = [:]
            for try await (symbol, quantity) in rows.decode((String, String).self) { stored[symbol] = quantity }
            #expect(stored == ["AAA": "200.00000000"])
        }
    }

    /// Issue 18: a position is what was entered plus what the portfolio's accounts traded, with its
    /// P&L marked to the last trade; /pnl gives the accounts' P&L now and as recorded.
    @Test func positionsAddTradedToEnteredWithTheirPnL() async throws {
        try await APITest.withAPI { client, pg, logger in
            for statement: PostgresQuery in [
                "INSERT INTO trading.accounts (account, portfolio_id) VALUES ('desk-a', 'alpha')",
                // Bought 40 AAA at 10 and sold 10 at 10.50: 30 left costing 300, 5 realized.
                "INSERT INTO trading.positions (account, symbol, quantity, cost_basis, realized_pnl, fills) VALUES ('desk-a', 'AAA', 30, 300, 5, 2)",
                """
                INSERT INTO risk.pnl_snapshots (taken_at, account, portfolio_id, symbol, quantity, mark, mark_source, realized_pnl, unrealized_pnl)
                VALUES (now() - interval '2 minutes', 'desk-a', 'alpha', 'AAA', 30, 10, 'trade', 5, 0),
                       (now() - interval '1 minute', 'desk-a', 'alpha', 'AAA', 30, 10.1, 'trade', 5, 3)
                """,
            ] { _ = try await pg.query(statement, logger: logger) }
            _ = try await client.send(.put, "/api/v1/portfolios/alpha/positions/AAA", json: #"{"quantity":100,"average_price":"8"}"#)
            let listed = try APITest.decode(PositionListBody.self, try await client.get("/api/v1/portfolios/alpha/positions"))
            // Marked to AAA's last print, 10.20: 130 × 10.20 − (800 + 300) = 226.
            #expect(listed.positions == [PositionBody(
                symbol: "AAA", kind: "equity", quantity: "130", averagePrice: "8.46153846", updatedAt: listed.positions[0].updatedAt,
                enteredQuantity: "100", tradedQuantity: "30", realizedPnl: "5", mark: "10.2", unrealizedPnl: "226")])

            let pnl = try APITest.decode(PnLBody.self, try await client.get("/api/v1/portfolios/alpha/pnl"))
            #expect(pnl.portfolioId == "alpha")
            #expect((pnl.current.realizedPnl, pnl.current.unrealizedPnl, pnl.current.totalPnl, pnl.current.positions) == ("5", "6", "11", 1))
            #expect(pnl.history.map(\.unrealizedPnl) == ["3", "0"], "newest first")
            let one = try APITest.decode(PnLBody.self, try await client.get("/api/v1/portfolios/alpha/pnl?limit=1"))
            #expect(one.history.count == 1)
            let none = try APITest.decode(PnLBody.self, try await client.get("/api/v1/portfolios/empty/pnl"))
            #expect((none.current.realizedPnl, none.current.unrealizedPnl, none.current.positions, none.history.count) == ("0", nil, 0, 0))
            try APITest.expectProblem(try await client.get("/api/v1/portfolios/nope/pnl"), .notFound)
            try APITest.expectProblem(try await client.get("/api/v1/portfolios/alpha/pnl?from=yesterday"), .badRequest)
            try APITest.expectProblem(try await client.get("/api/v1/portfolios/alpha/pnl?limit=0"), .badRequest)
        }
    }

    /// A PUT through the API is announced on risk_positions, which the risk engine listens to.
    @Test func aPositionWriteNotifiesTheRiskEngine() async throws {
        try await APITest.withAPI { client, pg, logger in
            try await pg.withConnection { connection in
                try await connection.listen(on: "risk_positions") { notifications in
                    let response = try await client.send(.put, "/api/v1/portfolios/empty/positions/CCC", json: #"{"quantity":5}"#)
                    #expect(response.status == .created, "\(String(buffer: response.body))")
                    var iterator = notifications.makeAsyncIterator()
                    let first = try await iterator.next()
                    #expect(first?.payload == #"{"portfolio_id" : "empty"}"#)
                }
            }
        }
    }
}
