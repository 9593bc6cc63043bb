@testable import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PipelineContracts
import PostgresNIO
import Synchronization
import Testing

/// The read cache against a real PostgreSQL: it serves a body until a NOTIFY of the processor's
/// channels names its symbol, then serves it stale for a bounded time while one load replaces it,
/// shares concurrent loads, never makes a request that wants fresh rows join a load a change
/// overtook, expires bodies after `maxAge`, and steps aside while it is not listening.
@Suite struct ReadCacheTests {
    /// Long enough that only an announcement can refresh a body within a test.
    static let configuration = APIConfiguration(limits: APITest.limits, cacheMaxAge: .seconds(60))

    static func waitUntilListening(_ cache: ReadCache) async throws {
        for _ in 0..<100 where !cache.isListening { try await Task.sleep(for: .milliseconds(50)) }
        #expect(cache.isListening)
    }

    /// Polls `probe` until it holds (a NOTIFY arrives asynchronously), for at most 5 s.
    static func eventually(_ probe: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<100 {
            if try await probe() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    static func book(_ client: some TestClientProtocol) async throws -> OrderBookBody {
        try APITest.decode(OrderBookBody.self, try await client.get("/api/v1/orderbook/AAA?depth=2"))
    }

    @Test func orderBookIsServedUntilItsSymbolIsAnnounced() async throws {
        try await APITest.withAPI(configuration: Self.configuration) { client, postgres, logger, cache in
            try await Self.waitUntilListening(cache)
            #expect(try await Self.book(client).sequence == 7)
            // A newer book written without an announcement: the cached body stays.
            try await postgres.query("""
                UPDATE trading.book_depth SET book_seq = 8, best_bid = 9.98, bid_depth = 20,
                    depth = '{"bids":[{"price":"9.98","quantity":20,"orders":2}],"asks":[{"price":"10.01","quantity":5,"orders":1}]}'
                WHERE symbol = 'AAA'
                """, logger: logger)
            #expect(try await Self.book(client).sequence == 7)
            // Another symbol's announcement changes nothing; AAA's does.
            try await postgres.query(#"SELECT pg_notify('book_depth', '{"symbol":"BBB","seq":1}')"#, logger: logger)
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await Self.book(client).sequence == 7)
            try await postgres.query(#"SELECT pg_notify('book_depth', '{"symbol":"AAA","seq":8}')"#, logger: logger)
            #expect(try await Self.eventually { try await Self.book(client).sequence == 8 })
        }
    }

    @Test func marketDataFirstPageFollowsQuoteAndTradeAnnouncements() async throws {
        try await APITest.withAPI(configuration: Self.configuration) { client, postgres, logger, cache in
            try await Self.waitUntilListening(cache)
            func data(_ query: String = "") async throws -> MarketDataBody {
                try APITest.decode(MarketDataBody.self, try await client.get("/api/v1/market/data/AAA\(query)"))
            }
            let before = try await data()
            try await postgres.query("""
                INSERT INTO market.quotes (ts, symbol, bid, ask, bid_size, ask_size)
                VALUES (\(unescaped: APITest.base) + interval '1 minute', 'AAA', 11.00, 11.02, 1, 2)
                """, logger: logger)
            #expect(try await data().quote?.bid == before.quote?.bid)
            // Ranges and other page sizes are not the cached first page: they see the row at once.
            let midnight = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 86400).rounded(.down) * 86400))
            #expect(try await data("?from=\(midnight)").ticks.first?.bid == "11")
            #expect(try await data("?limit=3").quote?.bid == "11")
            let quote = QuoteNotice(symbol: "AAA", ts: "2026-11-27T10:00:00Z", bid: "11", ask: nil, bidSize: 1, askSize: 0)
            try await postgres.query("SELECT pg_notify(\(QuoteNotice.channel.name), \(quote.payload))", logger: logger)
            #expect(try await Self.eventually { try await data().quote?.bid == "11" })

            try await postgres.query("""
                INSERT INTO market.trades (ts, symbol, price, size) VALUES (\(unescaped: APITest.base) + interval '2 minutes', 'AAA', 12.5, 7)
                """, logger: logger)
            #expect(try await data().lastTrade?.price != "12.5")
            let trade = TradeNotice(symbol: "AAA", ts: "2026-11-27T10:02:00Z", price: "12.5", size: 7, count: 1)
            try await postgres.query("SELECT pg_notify(\(TradeNotice.channel.name), \(trade.payload))", logger: logger)
            #expect(try await Self.eventually { try await data().lastTrade?.price == "12.5" })
        }
    }

    @Test func bodiesExpireAfterMaxAge() async throws {
        let configuration = APIConfiguration(limits: APITest.limits, cacheMaxAge: .milliseconds(300))
        try await APITest.withAPI(configuration: configuration) { client, postgres, logger, cache in
            try await Self.waitUntilListening(cache)
            #expect(try await Self.book(client).sequence == 7)
            try await postgres.query("UPDATE trading.book_depth SET book_seq = 9 WHERE symbol = 'AAA'", logger: logger)
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await Self.book(client).sequence == 9)
        }
    }

    /// Loads that sleep 300 ms and answer "load N", counted.
    final class CountedLoads: Sendable {
        private let count = Atomic<Int>(0)
        var started: Int { count.load(ordering: .relaxed) }
        var load: @Sendable () async throws -> ByteBuffer {
            { [self] in
                let n = count.add(1, ordering: .relaxed).newValue
                try await Task.sleep(for: .milliseconds(300))
                return ByteBuffer(string: "load \(n)")
            }
        }
    }

    /// The API's listening cache, AAA's key of `source`, and loads counted from zero.
    static func withCountedLoads(_ configuration: APIConfiguration = configuration, source: ReadCache.Source,
                                 _ body: @escaping @Sendable (ReadCache, ReadCache.Key, CountedLoads) async throws -> Void) async throws {
        try await APITest.withAPI(configuration: configuration) { _, _, _, cache in
            try await Self.waitUntilListening(cache)
            try await body(cache, ReadCache.Key(source: source, symbol: "AAA"), CountedLoads())
        }
    }

    @Test func concurrentMissesShareOneLoadAndFreshReadsNeverJoinAnOvertakenOne() async throws {
        try await Self.withCountedLoads(source: .book) { cache, key, loads in
            let load = loads.load
            let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 { group.addTask { String(buffer: try await cache.body(key, variant: 1, load: load)) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(loads.started == 1)
            #expect(Set(bodies) == ["load 1"])
            #expect(String(buffer: try await cache.body(key, variant: 1, acceptStale: false, load: load)) == "load 1")  // kept

            // A change announced while a load runs: its waiters get it, and a request after the
            // announcement that wants fresh rows starts a load of its own instead of joining.
            cache.invalidate(key)
            async let overtaken = cache.body(key, variant: 1, acceptStale: false, load: load)
            try await Task.sleep(for: .milliseconds(100))
            cache.invalidate(key)
            async let fresh = cache.body(key, variant: 1, acceptStale: false, load: load)
            #expect(String(buffer: try await overtaken) == "load 2")
            #expect(String(buffer: try await cache.body(key, variant: 1, acceptStale: false, load: load)) == "load 3")
            #expect(String(buffer: try await fresh) == "load 3")
            #expect(loads.started == 3)
            #expect(String(buffer: try await cache.body(key, variant: 1, acceptStale: false, load: load)) == "load 3")  // kept, fresh
        }
    }

    /// A batch's `md_quotes` and `md_trades` notices name the same symbol and batch: the second
    /// finds the load the first one caused already reading every row of that batch, and keeps it.
    @Test func theSecondNoticeOfOneCommittedBatchDoesNotReloadAgain() async throws {
        try await Self.withCountedLoads(source: .market) { cache, key, loads in
            let load = loads.load
            #expect(String(buffer: try await cache.body(key, variant: 1, load: load)) == "load 1")

            cache.invalidate(key, batch: "p-7")  // md_quotes of batch 7
            async let afterQuotes = cache.body(key, variant: 1, acceptStale: false, load: load)
            try await Task.sleep(for: .milliseconds(100))
            cache.invalidate(key, batch: "p-7")  // md_trades of the same batch
            #expect(String(buffer: try await cache.body(key, variant: 1, acceptStale: false, load: load)) == "load 2")
            #expect(String(buffer: try await afterQuotes) == "load 2")
            #expect(loads.started == 2)

            cache.invalidate(key, batch: "p-8")  // the next batch does reload
            #expect(String(buffer: try await cache.body(key, variant: 1, acceptStale: false, load: load)) == "load 3")
            cache.invalidate(key)  // an announcement without a batch (not the processor's) too
            #expect(String(buffer: try await cache.body(key, variant: 1, acceptStale: false, load: load)) == "load 4")
        }
        let quote = QuoteNotice(symbol: "AAA", ts: "2026-11-27T10:00:00Z", bid: "1", ask: "2", bidSize: 1, askSize: 1, batch: "p-7")
        #expect(ReadCache.announcement("md_quotes", quote.payload) == .init(symbol: "AAA", batch: "p-7"))
        let trade = TradeNotice(symbol: "AAA", ts: "2026-11-27T10:00:00Z", price: "1.5", size: 1, count: 1)
        #expect(ReadCache.announcement("md_trades", trade.payload) == .init(symbol: "AAA", batch: nil))
    }

    @Test func aStaleBodyAnswersAtOnceWhileOneLoadReplacesIt() async throws {
        // Long enough that no stall of a loaded machine outlasts it; expiry is the next test's.
        var configuration = Self.configuration
        configuration.cacheStaleFor = .seconds(60)
        try await Self.withCountedLoads(configuration, source: .market) { cache, key, loads in
            let load = loads.load
            #expect(String(buffer: try await cache.body(key, variant: 5, load: load)) == "load 1")

            // After an announcement the old body answers without waiting, and all such requests
            // share one load in the background, whose body then answers.
            // (Had they waited, they would have got "load 2".)
            cache.invalidate(key)
            for _ in 0..<5 { #expect(String(buffer: try await cache.body(key, variant: 5, load: load)) == "load 1") }
            #expect(try await Self.eventually { String(buffer: try await cache.body(key, variant: 5, load: load)) == "load 2" })
            #expect(loads.started == 2)

            // A load overtaken by a change is kept, as stale: it is newer than what was there.
            cache.invalidate(key)
            async let overtaken = cache.body(key, variant: 5, acceptStale: false, load: load)
            try await Task.sleep(for: .milliseconds(100))
            cache.invalidate(key)
            #expect(String(buffer: try await overtaken) == "load 3")
            #expect(String(buffer: try await cache.body(key, variant: 5, load: load)) == "load 3")  // stale, starts load 4
            #expect(String(buffer: try await cache.body(key, variant: 5, acceptStale: false, load: load)) == "load 4")
        }
    }

    @Test func aBodyAnnouncedEveryBatchReloadsAtMostOncePerInterval() async throws {
        var configuration = Self.configuration
        configuration.cacheStaleFor = .seconds(60)
        configuration.cacheReloadInterval = .seconds(2)  // longer than any stall of a loaded machine
        try await Self.withCountedLoads(configuration, source: .market) { cache, key, loads in
            let load = loads.load
            func body(fresh: Bool = false) async throws -> String {
                String(buffer: try await cache.body(key, variant: 5, acceptStale: !fresh, load: load))
            }
            #expect(try await body() == "load 1")
            // Announcements within the interval of the last load's start: the stale body answers,
            // and nothing loads.
            for batch in 0..<5 {
                cache.invalidate(key, batch: "p-\(batch)")
                #expect(try await body() == "load 1")
            }
            #expect(loads.started == 1)
            // A request that needs fresh rows does not wait for the interval.
            #expect(try await body(fresh: true) == "load 2")
            // Held back within the interval, the load starts by itself when it ends: a client
            // that polls less often than that finds the new rows without waiting.
            cache.invalidate(key, batch: "p-5")
            #expect(try await body() == "load 2")
            #expect(loads.started == 2)
            let loadedAlone = try await Self.eventually { loads.started == 3 }  // within ~2 s, with no request
            #expect(loadedAlone)
            let answered = try await Self.eventually { try await body() == "load 3" }
            #expect(answered && loads.started == 3)
        }
    }

    @Test func longerThanStaleForAfterAnAnnouncementRequestsWaitForNewRows() async throws {
        var configuration = Self.configuration
        configuration.cacheStaleFor = .milliseconds(300)
        try await Self.withCountedLoads(configuration, source: .market) { cache, key, loads in
            let load = loads.load
            #expect(String(buffer: try await cache.body(key, variant: 5, load: load)) == "load 1")
            cache.invalidate(key)
            try await Task.sleep(for: .milliseconds(400))
            #expect(String(buffer: try await cache.body(key, variant: 5, load: load)) == "load 2")
            #expect(loads.started == 2)
        }
    }

    @Test func cacheControlNoCacheAsksForFreshRows() {
        func accepts(_ value: String?) -> Bool {
            var headers = HTTPFields()
            if let value { headers[.cacheControl] = value }
            return MarketController.acceptsStale(Request(head: .init(method: .get, scheme: "http", authority: "x", path: "/", headerFields: headers),
                                                         body: .init(buffer: ByteBuffer())))
        }
        #expect(accepts(nil))
        #expect(accepts("max-age=5"))
        #expect(!accepts("no-cache"))
        #expect(!accepts("No-Cache, no-store"))
        #expect(!accepts("private, max-age=0"))
        #expect(accepts("max-age=0x"))
    }

    @Test func errorsAreNotCachedAndNothingIsCachedWhileNotListening() async throws {
        try await APITest.withAPI(configuration: Self.configuration) { client, postgres, logger, cache in
            try await Self.waitUntilListening(cache)
            try APITest.expectProblem(try await client.get("/api/v1/orderbook/DDD"), .notFound)
            try await postgres.query("INSERT INTO market.instruments (symbol, kind) VALUES ('DDD', 'equity')", logger: logger)
            let problem = try APITest.expectProblem(try await client.get("/api/v1/orderbook/DDD"), .notFound)
            #expect(problem.detail?.contains("no order book") == true)
        }
        // No listener running: every request reads the database.
        let database = ReaderDatabase(client: PostgresClient(configuration: .init(host: "127.0.0.1", username: "x", password: nil, database: nil, tls: .disable)),
                                      logger: Logger(label: "test"))
        let idle = ReadCache(database: database, maxAge: .seconds(60))
        let loads = Atomic<Int>(0)
        for _ in 0..<3 {
            _ = try await idle.body(.init(source: .market, symbol: "AAA"), variant: 1) {
                ByteBuffer(string: "\(loads.add(1, ordering: .relaxed).newValue)")
            }
        }
        #expect(loads.load(ordering: .relaxed) == 3)
    }

    @Test func announcementIsReadAsTheChannelsPayload() {
        #expect(ReadCache.announcement("book_depth", BookDepthNotice(symbol: "AAPL", seq: 3).payload)?.symbol == "AAPL")
        #expect(ReadCache.announcement("md_trades", TradeNotice(symbol: "BRK.B", ts: "2026-11-27T10:00:00Z", price: "1.5", size: 1, count: 1).payload)?.symbol == "BRK.B")
        #expect(ReadCache.announcement("md_quotes", #"{"symbol":"AAPL","seq":3}"#)?.symbol == nil, "not a quote")
        #expect(ReadCache.announcement("book_depth", #"{"portfolio_id":"P1"}"#)?.symbol == nil)
        #expect(ReadCache.announcement("book_depth", #"{"symbol":"UNTERMINATED"#)?.symbol == nil)
        #expect(ReadCache.announcement("risk_metrics", RiskRunNotice(portfolioId: "P1", runId: "r", computedAt: "t").payload)?.symbol == nil)
    }
}
