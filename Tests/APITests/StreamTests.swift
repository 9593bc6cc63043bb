@testable import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MarketCore
import MarketMessages
import PipelineContracts
import PostgresNIO
import Processor
import Store
import TestSupport
import Testing

/// `GET /stream` over real HTTP: trades committed the way the processor commits them reach a
/// client within a second; positions and risk events; heartbeats; bounded per-client buffers.
@Suite struct StreamTests {
    /// A live server (real socket) over a fresh seeded database.
    static func withLiveAPI(streaming: APIConfiguration.Streaming = .init(),
                            _ body: @escaping @Sendable (Int, PostgresClient, Logger) async throws -> Void) async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.withClient { client in
                try await APITest.insertKeys(client, logger: db.logger)
                try await APITest.seedRows(client, logger: db.logger)
                let configuration = APIConfiguration(limits: APITest.limits, streaming: streaming)
                let dependencies = APIDependencies(database: ReaderDatabase(client: client, timeout: .seconds(30), logger: db.logger))
                let app = Application(router: buildRouter(configuration: configuration, dependencies: dependencies),
                                      configuration: .init(address: .hostname("127.0.0.1", port: 0)))
                try await app.test(.live) { test in try await body(try #require(test.port), client, db.logger) }
            }
        }
    }

    /// Commits trades as `quant processor` does: rows, offsets and the coalesced md_trades NOTIFY in one batch.
    static func commitTrades(_ trades: [(price: String, size: Int64)], offset: Int64, client: PostgresClient, logger: Logger) async throws {
        var ingestor = MarketDataIngestor(knownSymbols: ["AAA"])
        var batch = IngestBatch()
        // After the seeded prints (today 10:00-10:01 UTC): the stream does not send prints older than one it sent.
        let today = Int64(Date().timeIntervalSince1970) / 86_400 * 86_400
        for (i, trade) in trades.enumerated() {
            let ts = Timestamp(microseconds: (today + 11 * 3600) * 1_000_000 + offset + Int64(i))
            let message = TradePrintMessage(symbol: Symbol("AAA")!, ts: ts,
                                            price: Price(trade.price)!, size: trade.size)
            MessageEncoder.tradePrint(message).withUnsafeBytes { payload in
                ingestor.ingest(topic: "md.trades", partition: 0, offset: offset + Int64(i), key: nil, payload: payload, into: &batch)
            }
        }
        ingestor.flushNotifications(into: &batch, id: "t-\(offset)")
        try await BatchWriter(client: client, consumerGroup: "g", logger: logger).commit(batch)
    }

    /// How fast is the benchmarks' business (docs/benchmarks.md, produce → NOTIFY); this waits
    /// generously and prints what it saw, so a loaded machine cannot fail it.
    @Test func aCommittedTradeReachesTheClient() async throws {
        try await Self.withLiveAPI { port, pg, logger in
            let client = try RawHTTPClient(port: port, path: "/api/v1/stream?channels=trades:AAA,quotes:AAA")
            try await client.wait { $0.contains("event: subscribed") }
            #expect(client.received.hasPrefix("HTTP/1.1 200"))
            #expect(client.received.lowercased().contains("content-type: text/event-stream"))
            #expect(client.events.first?.data == #"{"channels":["trades:AAA","quotes:AAA"]}"#)
            // The seeded (older) trades are not replayed: only what is committed from now on.
            try await Self.commitTrades([("10.5", 7)], offset: 0, client: pg, logger: logger)
            let committed = ContinuousClock.now
            try await client.wait(for: .seconds(20)) { $0.contains("event: trade") }
            let latency = committed.duration(to: .now)
            // Every trade of a batch, in order, exactly once, across batches.
            try await Self.commitTrades([("10.6", 1), ("10.7", 2)], offset: 1, client: pg, logger: logger)
            try await client.wait { text in text.components(separatedBy: "event: trade").count - 1 == 3 }
            let trades = client.events.filter { $0.name == "trade" }.map(\.data)
            #expect(trades.count == 3)
            #expect(trades[0].contains(#""price":"10.5""#) && trades[0].contains(#""size":7"#) && trades[0].contains(#""symbol":"AAA""#))
            #expect(trades[1].contains(#""price":"10.6""#) && trades[2].contains(#""price":"10.7""#))
            print("stream: commit-to-client latency \(latency)")
        }
    }

    @Test func positionAndRiskChangesAreStreamed() async throws {
        try await Self.withLiveAPI { port, pg, logger in
            let client = try RawHTTPClient(port: port, path: "/api/v1/stream?channels=positions:alpha,risk:alpha",
                                           headers: ["X-API-Key": APITest.readerKey])
            try await client.wait { $0.contains("event: subscribed") }
            try await pg.query("INSERT INTO risk.positions (portfolio_id, symbol, quantity) VALUES ('alpha', 'AAA', 42)", logger: logger)
            try await client.wait { $0.contains("event: positions") }
            let positions = try #require(client.events.first { $0.name == "positions" })
            #expect(positions.data.contains(#""symbol":"AAA""#) && positions.data.contains(#""quantity":"42""#))
            // As RiskRunWriter announces a stored run.
            try await pg.query("""
                SELECT pg_notify('risk_metrics', json_build_object('portfolio_id', 'alpha', 'run_id', '00000000-0000-0000-0000-000000000002', 'computed_at', now())::text)
                """, logger: logger)
            try await client.wait { $0.contains("event: risk") }
            let risk = try #require(client.events.first { $0.name == "risk" })
            #expect(risk.data.contains(#""run_id":"00000000-0000-0000-0000-000000000002""#))
        }
    }

    @Test func publishedBooksAreStreamed() async throws {
        try await Self.withLiveAPI { port, pg, logger in
            let client = try RawHTTPClient(port: port, path: "/api/v1/stream?channels=book:AAA")
            try await client.wait { $0.contains("event: subscribed") }
            // As the processor publishes a book: the row, then book_depth on commit.
            try await pg.query("""
                UPDATE trading.book_depth SET book_seq = 8, best_bid = 9.98,
                    depth = '{"bids":[{"price":"9.98","quantity":20,"orders":2}],"asks":[{"price":"10.01","quantity":5,"orders":1}]}'
                WHERE symbol = 'AAA'
                """, logger: logger)
            try await pg.query(#"SELECT pg_notify('book_depth', '{"symbol":"AAA","seq":8}')"#, logger: logger)
            try await client.wait { $0.contains("event: book") }
            let book = try #require(client.events.first { $0.name == "book" })
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            let body = try decoder.decode(OrderBookBody.self, from: Data(book.data.utf8))
            #expect(body.sequence == 8 && body.bestBid == "9.98")
            #expect(body.bids.map(\.price) == ["9.98"] && body.bids.map(\.quantity) == [20] && body.bids.map(\.orders) == [2])
        }
    }

    @Test func anIdleStreamGetsHeartbeatsAndAGoneClientIsForgotten() async throws {
        try await Self.withStreamOnly(.init(bufferEvents: 8, heartbeat: .milliseconds(100), maxClients: 1)) { hub, port in
            var client: RawHTTPClient? = try RawHTTPClient(port: port, path: "/api/v1/stream?channels=quotes:AAA")
            try await client!.wait { $0.contains(": heartbeat\n\n") }
            // One client at most: the next is refused with 503.
            let second = try RawHTTPClient(port: port, path: "/api/v1/stream?channels=quotes:BBB")
            try await second.wait { $0.contains("dependency-unavailable") }
            #expect(second.received.hasPrefix("HTTP/1.1 503"))
            client = nil  // closes the socket; the next heartbeat fails and the hub lets go
            // Generous: under a loaded CI machine the whole test process can stall for seconds.
            let deadline = ContinuousClock.now + .seconds(30)
            while hub.clientCount > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(hub.clientCount == 0)
            let bad = try RawHTTPClient(port: port, path: "/api/v1/stream?channels=bars:AAA")
            try await bad.wait { $0.contains("invalid-parameter") }
            #expect(bad.received.hasPrefix("HTTP/1.1 400"))
            let none = try RawHTTPClient(port: port, path: "/api/v1/stream")
            try await none.wait { $0.contains("invalid-parameter") }
        }
    }

    /// Only the stream route over its own hub (so a test can publish to it), on a live server.
    static func withStreamOnly(_ streaming: APIConfiguration.Streaming, readTimeout: Duration = .seconds(30),
                               _ body: @escaping @Sendable (StreamHub, Int) async throws -> Void) async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.withClient { pg in
                let hub = StreamHub(database: ReaderDatabase(client: pg, timeout: readTimeout, logger: db.logger),
                                    configuration: streaming)
                let router = Router(context: APIRequestContext.self)
                router.add(middleware: ProblemMiddleware())
                StreamController(hub: hub).addRoutes(to: router.group("api/v1"))
                let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
                try await app.test(.live) { test in try await body(hub, try #require(test.port)) }
            }
        }
    }

    /// A client that stops reading: the hub keeps at most `bufferEvents` for it, drops the oldest
    /// and, when the client reads again, says how many; received + dropped = published.
    @Test func aSlowClientSkipsTheOldestEventsAndIsToldHowMany() async throws {
        try await Self.withStreamOnly(.init(bufferEvents: 16, heartbeat: .seconds(15), maxClients: 10)) { hub, port in
            let client = try RawHTTPClient(port: port, path: "/api/v1/stream?channels=trades:AAA",
                                           receiveBuffer: 4096)
            try await client.wait { $0.contains("event: subscribed") }
            let topic = StreamTopic(kind: .trades, key: "AAA")
            let published = 100_000
            let padding = String(repeating: "x", count: 200)
            var maxBuffered = 0
            for i in 0..<published {
                hub.publish(StreamFrame(name: "trade", data: #"{"n":\#(i),"pad":"\#(padding)"}"#), to: topic)
                if i % 1000 == 0 {
                    maxBuffered = max(maxBuffered, hub.bufferedEvents)
                    await Task.yield()
                }
            }
            #expect(maxBuffered <= 16)
            try await client.wait(for: .seconds(20)) { $0.contains(#""n":\#(published - 1),"#) }
            let events = client.events
            let trades = events.filter { $0.name == "trade" }
            let dropped = events.filter { $0.name == "dropped" }.compactMap { event in
                Int(event.data.dropFirst(#"{"dropped":"#.count).dropLast())
            }
            #expect(!dropped.isEmpty, "a client that did not read must have missed events")
            #expect(trades.count + dropped.reduce(0, +) == published)
            // What arrives is in order: the sequence numbers only grow.
            let numbers = trades.compactMap { Int($0.data.split(separator: ",")[0].dropFirst(5)) }
            #expect(numbers == numbers.sorted() && numbers.last == published - 1)
        }
    }

    @Test func theMailboxIsBounded() async throws {
        let mailbox = StreamMailbox(capacity: 4)
        for i in 0..<10 { mailbox.push(StreamFrame(name: "e", data: "\(i)")) }
        #expect(mailbox.buffered == 4)
        #expect(await mailbox.next(timeout: .seconds(1)) == .dropped(6))
        for i in 6..<10 { #expect(await mailbox.next(timeout: .seconds(1)) == .event(StreamFrame(name: "e", data: "\(i)"))) }
        #expect(await mailbox.next(timeout: .milliseconds(50)) == .idle)
        // A waiting reader gets the next event at once.
        async let waiting = mailbox.next(timeout: .seconds(5))
        try await Task.sleep(for: .milliseconds(20))
        mailbox.push(StreamFrame(name: "e", data: "late"))
        #expect(await waiting == .event(StreamFrame(name: "e", data: "late")))
        mailbox.close()
        mailbox.push(StreamFrame(name: "e", data: "ignored"))
        #expect(await mailbox.next(timeout: .seconds(1)) == .closed)
    }

    @Test func channelsAreParsed() throws {
        let topics = try StreamTopic.parse("trades:AAPL,quotes:BRK.B,book:AAPL,risk:P1,positions:P1,trades:AAPL").get()
        #expect(topics.map(\.description) == ["trades:AAPL", "quotes:BRK.B", "book:AAPL", "risk:P1", "positions:P1"])
        #expect(throws: Problem.self) { try StreamTopic.parse("book:bad symbol").get() }
        #expect(throws: Problem.self) { try StreamTopic.parse("").get() }
        #expect(throws: Problem.self) { try StreamTopic.parse("trades").get() }
        #expect(throws: Problem.self) { try StreamTopic.parse("risk:bad id").get() }
        #expect(throws: Problem.self) { try StreamTopic.parse((0...50).map { "trades:S\($0)" }.joined(separator: ",")).get() }
    }
}
