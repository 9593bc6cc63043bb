import API
import Foundation
import HummingbirdTesting
import PipelineContracts
import Testing

/// Instruments, market data, trades, order book and bars against a real, seeded database.
@Suite struct MarketEndpointTests {
    @Test func instrumentsPageThroughWithCursor() async throws {
        try await APITest.withAPI { client, _, _ in
            let first = try APITest.decode(InstrumentListBody.self, try await client.get("/api/v1/instruments?limit=2"))
            #expect(first.instruments.map(\.symbol) == ["AAA", "BBB"])
            #expect(first.instruments[0].name == "Triple A")
            #expect(first.instruments[0].tickSize == "0.01")
            let cursor = try #require(first.nextCursor)
            let second = try APITest.decode(InstrumentListBody.self, try await client.get("/api/v1/instruments?limit=2&cursor=\(cursor)"))
            #expect(second.instruments.map(\.symbol) == ["CCC"])
            #expect(second.nextCursor == nil)
            try APITest.expectProblem(try await client.get("/api/v1/instruments?cursor=%25%25"), .badRequest)
            try APITest.expectProblem(try await client.get("/api/v1/instruments?limit=51"), .badRequest)
        }
    }

    @Test func marketDataHasLatestQuoteLastTradeAndTicks() async throws {
        try await APITest.withAPI { client, _, _ in
            let response = try await client.get("/api/v1/market/data/AAA?limit=2")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let body = try APITest.decode(MarketDataBody.self, response)
            #expect(body.quote?.bid == "10.04")
            #expect(body.quote?.mid == "10.05")
            #expect(body.quote?.spread == "0.02")
            #expect(body.lastTrade?.price == "10.2")
            #expect(body.lastTrade?.size == 10)
            #expect(body.ticks.map(\.bid) == ["10.04", "10.02"])
            #expect(body.ticks[0].ts.hasSuffix(":03.000000Z"))
            #expect(body.nextCursor != nil)
        }
    }

    /// Paging with the cursor returns every tick exactly once, also across two ticks at one instant.
    @Test func tickCursorVisitsEveryTickOnce() async throws {
        try await APITest.withAPI { client, _, _ in
            var seen: [String] = []
            var uri = "/api/v1/market/data/AAA?limit=1"
            for _ in 0..<10 {
                let body = try APITest.decode(MarketDataBody.self, try await client.get(uri))
                seen += body.ticks.map { "\($0.ts) \($0.bid ?? "")" }
                guard let next = body.nextCursor else { break }
                uri = "/api/v1/market/data/AAA?limit=1&cursor=\(next)"
            }
            #expect(seen.count == 5)
            #expect(Set(seen).count == 5)
            #expect(seen.map { $0.split(separator: " ")[1] } == ["10.04", "10.02", "10.03", "10.01", "10"])
        }
    }

    @Test func marketDataRefusesBadParameters() async throws {
        try await APITest.withAPI { client, _, _ in
            let unknown = try APITest.expectProblem(try await client.get("/api/v1/market/data/ZZZ"), .notFound)
            #expect(unknown.detail == "unknown symbol ZZZ")
            try APITest.expectProblem(try await client.get("/api/v1/market/data/A%20B"), .badRequest)
            try APITest.expectProblem(try await client.get("/api/v1/market/data/AAA?limit=abc"), .badRequest)
            try APITest.expectProblem(try await client.get("/api/v1/market/data/AAA?from=yesterday"), .badRequest)
            try APITest.expectProblem(try await client.get("/api/v1/market/data/AAA?cursor=bm9wZQ"), .badRequest)
            // maxRangeDays is 2 here.
            let wide = try APITest.expectProblem(
                try await client.get("/api/v1/market/data/AAA?from=2026-01-01T00:00:00Z&to=2026-01-04T00:00:00Z"), .badRequest)
            #expect(wide.errors?.first?.field == "to")
            try APITest.expectProblem(
                try await client.get("/api/v1/market/data/AAA?from=2026-01-04T00:00:00Z&to=2026-01-01T00:00:00Z"), .badRequest)
        }
    }

    @Test func marketDataOfSymbolWithoutTicks() async throws {
        try await APITest.withAPI { client, _, _ in
            let body = try APITest.decode(MarketDataBody.self, try await client.get("/api/v1/market/data/BBB"))
            #expect(body.quote == nil && body.lastTrade == nil && body.ticks.isEmpty && body.nextCursor == nil)
        }
    }

    @Test func tradesNewestFirstWithinRange() async throws {
        try await APITest.withAPI { client, _, _ in
            let all = try APITest.decode(TradeListBody.self, try await client.get("/api/v1/trades/AAA"))
            #expect(all.trades.map(\.price) == ["10.2", "9.9", "10.5", "10"])
            #expect(all.trades[0].notional == "102")
            let start = try #require(all.trades.last?.ts), end = all.trades[1].ts
            let ranged = try APITest.decode(TradeListBody.self, try await client.get("/api/v1/trades/AAA?from=\(start)&to=\(end)"))
            #expect(ranged.trades.map(\.price) == ["10.5", "10"])
            try APITest.expectProblem(try await client.get("/api/v1/trades/NOPE"), .notFound)
            try APITest.expectProblem(try await client.get("/api/v1/trades/AAA?limit=0"), .badRequest)
        }
    }

    @Test func orderBookDepthFromLatestSnapshot() async throws {
        try await APITest.withAPI { client, _, _ in
            let book = try APITest.decode(OrderBookBody.self, try await client.get("/api/v1/orderbook/AAA?depth=1"))
            #expect(book.sequence == 7)
            #expect(book.bestBid == "9.99" && book.bestAsk == "10.01" && book.spread == "0.02")
            #expect(book.bids.map(\.price) == ["9.99"])
            #expect(book.asks.map(\.quantity) == [5])
            let full = try APITest.decode(OrderBookBody.self, try await client.get("/api/v1/orderbook/AAA"))
            #expect(full.bids.map(\.quantity) == [10, 20])
            let noBook = try APITest.expectProblem(try await client.get("/api/v1/orderbook/BBB"), .notFound)
            #expect(noBook.detail?.contains("no order book") == true)
            try APITest.expectProblem(try await client.get("/api/v1/orderbook/ZZZ"), .notFound)
            try APITest.expectProblem(try await client.get("/api/v1/orderbook/AAA?depth=11"), .badRequest)
        }
    }

    @Test func barsComputedInSQL() async throws {
        try await APITest.withAPI { client, _, _ in
            let trades = try APITest.decode(TradeListBody.self, try await client.get("/api/v1/trades/AAA"))
            let first = try #require(trades.trades.last?.ts)  // 10:00:00 today
            let day = first.prefix(10)
            let uri = "/api/v1/bars/AAA?interval=1m&from=\(day)T09:30:00Z&to=\(day)T10:20:00Z"
            let body = try APITest.decode(BarListBody.self, try await client.get(uri))
            #expect(body.bars.count == 2)
            let bar = try #require(body.bars.first)
            #expect(bar.start == "\(day)T10:00:00.000000Z")
            #expect([bar.open, bar.high, bar.low, bar.close, bar.volume] == ["10", "10.5", "9.9", "9.9", "200"])
            #expect(bar.vwap == "10.1")  // (10×100 + 10.5×50 + 9.9×50) / 200
            #expect(bar.tradeCount == 3)
            let daily = try APITest.decode(BarListBody.self, try await client.get(
                "/api/v1/bars/AAA?interval=1d&from=\(day)T00:00:00Z&to=\(day)T23:59:59Z"))
            #expect(daily.bars.map(\.tradeCount) == [4])
            try APITest.expectProblem(try await client.get("/api/v1/bars/AAA?interval=7m"), .badRequest)
            // 51 one-minute bars > maxPageSize 50.
            try APITest.expectProblem(try await client.get(
                "/api/v1/bars/AAA?interval=1m&from=\(day)T09:00:00Z&to=\(day)T09:51:00Z"), .badRequest)
            try APITest.expectProblem(try await client.get("/api/v1/bars/ZZZ?interval=1m"), .notFound)
        }
    }
}
