import Foundation
import PipelineContracts
import PostgresNIO
import TestSupport
import Testing
import Yams

/// Issue 17: every NOTIFY payload and every `/stream` event is one type of `PipelineContracts`,
/// and what that type writes is what the documentation says.
@Suite struct NotifyPayloadTests {
    /// One sample of every payload type, every optional set.
    static let samples: [any NotifyPayload] = [
        QuoteNotice(symbol: "AAPL", ts: "2026-11-27T14:30:00.000001Z", bid: "189.25", ask: "189.3", bidSize: 100, askSize: 200,
                    batch: "k3x9-12"),
        TradeNotice(symbol: "BRK.B", ts: "2026-11-27T14:30:00Z", price: "412.5", size: 10, count: 3, batch: "k3x9-12"),
        BookTopNotice(symbol: "MSFT", bid: "1", ask: "2"),
        ExecutionsNotice(symbol: "MSFT", count: 4),
        BookDepthNotice(symbol: "MSFT", seq: 42),
        RiskRunNotice(portfolioId: "P1", runId: "00000000-0000-0000-0000-000000000001", computedAt: "2026-11-27T14:30:00.5+00:00"),
        PositionsNotice(portfolioId: "P1"),
        InstrumentsNotice(changedAt: "2026-11-27T14:30:00.5+00:00"),
        AccountsNotice(changedAt: "2026-11-27T14:30:00.5+00:00"),
    ]

    @Test func everyChannelHasExactlyOnePayloadType() {
        let channels = Self.samples.map { type(of: $0).channel }
        #expect(Set(channels) == Set(NotifyChannel.allCases))
        #expect(channels.count == NotifyChannel.allCases.count)
    }

    @Test func eachPayloadHasItsDocumentedKeysInOrderAndReadsBack() throws {
        let docs = try ["docs/processor.md", "docs/risk.md", "docs/api.md"].map(NotifyChannelDocsTests.read).joined(separator: "\n")
        for sample in Self.samples {
            try Self.check(sample, docs: docs)
        }
    }

    static func check<P: NotifyPayload>(_ sample: P, docs: String) throws {
        #expect(P.read(sample.payload) == sample, "\(P.channel.name): the payload reads back as the same value")
        #expect(keys(sample.payload) == P.wireKeys, "\(P.channel.name): the payload writes its keys in order")
        // What Codable would write has the same keys: the hand-written payload spells them right.
        let encoded = try JSONSerialization.jsonObject(with: WireJSON.encoder().encode(sample)) as? [String: Any]
        #expect(Set(encoded?.keys.map { $0 } ?? []) == Set(P.wireKeys), "\(P.channel.name)")
        let documented = "{" + P.wireKeys.map { "\"\($0)\"" }.joined(separator: ",") + "}"
        #expect(docs.contains("| `\(P.channel.name)` | `\(documented)` |"),
                "\(P.channel.name): documented as \(documented)")
    }

    /// The payloads heard up to and including the first that `last` accepts; ["timed out"] when
    /// none does within 10 s, so a missing notification fails the test instead of hanging it.
    static func payloads(_ notifications: PostgresNotificationSequence, until last: @escaping @Sendable (String) -> Bool) async throws -> [String] {
        try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask {
                var seen: [String] = []
                for try await notification in notifications {
                    seen.append(notification.payload)
                    if last(notification.payload) { break }
                }
                return seen
            }
            group.addTask { try await Task.sleep(for: .seconds(10)); return ["timed out"] }
            defer { group.cancelAll() }
            return try await group.next() ?? []
        }
    }

    /// The top-level keys of a flat JSON object, in the order written.
    static func keys(_ json: String) -> [String] {
        json.matches(of: /"([a-z_]+)":/).map { String($0.output.1) }
    }

    @Test func stringsThatNeedEscapingSurviveTheHandWrittenPayload() {
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("aZ09.\"\\/\n\r\t\u{0}\u{1f}\u{7f}é€😀 ,:{}[]")
        for _ in 0..<500 {
            let text = String((0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            let quote = QuoteNotice(symbol: text, ts: text, bid: text, ask: nil, bidSize: .min, askSize: .max)
            #expect(QuoteNotice.read(quote.payload) == quote, "\(quote.payload)")
        }
    }

    /// What the positions trigger (SQL, migration 0010) sends reads as its type.
    @Test func whatSQLSendsOnRiskPositionsReadsAsItsType() async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.connection { listener in
                try await listener.listen(on: PositionsNotice.channel.name) { notifications in
                    try await db.withClient { client in
                        _ = try await client.query("INSERT INTO market.instruments (symbol, kind) VALUES ('AAPL', 'equity')", logger: db.logger)
                        _ = try await client.query("INSERT INTO risk.portfolios (portfolio_id, name) VALUES ('P-doc', 'docs')", logger: db.logger)
                        _ = try await client.query("INSERT INTO risk.positions (portfolio_id, symbol, quantity) VALUES ('P-doc', 'AAPL', 1)", logger: db.logger)
                    }
                    let payloads = try await Self.payloads(notifications) { _ in true }
                    #expect(payloads.first.flatMap(PositionsNotice.read) == PositionsNotice(portfolioId: "P-doc"))
                }
            }
        }
    }

    /// What the table triggers (`ops.notify_table_change`) send reads as their type, once per
    /// statement: a two-row insert, then a marker on the same channel, give exactly one notice
    /// before the marker.
    @Test func whatSQLSendsOnInstrumentsReadsAsItsTypeOncePerStatement() async throws {
        try await Self.expectOneNotice(InstrumentsNotice.self, after: [
            "INSERT INTO market.instruments (symbol, kind) VALUES ('AAA', 'equity'), ('BBB', 'equity')"])
    }

    @Test func whatSQLSendsOnAccountsReadsAsItsTypeOncePerStatement() async throws {
        try await Self.expectOneNotice(AccountsNotice.self, after: [
            "INSERT INTO risk.portfolios (portfolio_id, name) VALUES ('P1', 'one')",
            "INSERT INTO trading.accounts (account, portfolio_id, max_open_orders) VALUES ('A1', 'P1', 5), ('A2', 'P1', NULL)"])
    }

    static func expectOneNotice<N: TableChangeNotice>(_ type: N.Type, after statements: [String]) async throws {
        try await TestDatabase.with { db in
            try await db.migrator().up()
            let payloads: [String] = try await db.connection { listener in
                try await listener.listen(on: N.channel.name) { notifications in
                    try await db.withClient { client in
                        for statement in statements { _ = try await client.query(PostgresQuery(unsafeSQL: statement), logger: db.logger) }
                        _ = try await client.query("SELECT pg_notify(\(N.channel.name), 'marker')", logger: db.logger)
                    }
                    return try await Self.payloads(notifications) { $0 == "marker" }
                }
            }
            #expect(payloads.count == 2 && payloads.last == "marker", "one notice for the statement, then the marker: \(payloads)")
            #expect(payloads.first.flatMap { N.read($0) }?.changedAt.hasPrefix("20") == true)
        }
    }
}

@Suite struct StreamEventDocsTests {
    /// One sample of every event, every optional set, so every documented key is written.
    static let samples: [StreamEvent] = [
        .subscribed(SubscribedEvent(channels: ["trades:AAPL", "risk:P1"])),
        .trade(TradeEvent(symbol: "AAPL", ts: "2026-11-27T14:30:00Z", price: "189.25", size: 10)),
        .quote(QuoteNotice(symbol: "AAPL", ts: "2026-11-27T14:30:00Z", bid: "1", ask: "2", bidSize: 1, askSize: 2, batch: "k3x9-12")),
        .book(OrderBookBody(symbol: "AAPL", takenAt: "2026-11-27T14:30:00Z", sequence: 1, bestBid: "1", bestAsk: "2", spread: "1",
                            bidDepth: 5, askDepth: 6, bids: [BookLevelBody(price: "1", quantity: 5, orders: 1)],
                            asks: [BookLevelBody(price: "2", quantity: 6, orders: 2)])),
        .risk(RiskBody(portfolioId: "P1", runId: "r", computedAt: "t", asOf: "2026-11-27", portfolioValue: "10",
                       greeks: GreeksBody(delta: 1, gamma: 2, vega: 3, theta: 4, rho: 5),
                       metrics: [RiskMetricBody(method: "historical", confidence: "0.99", horizonDays: 1, var: "1", expectedShortfall: "2",
                                                computedAt: "t", runId: "r", portfolioValue: "10")],
                       history: [RiskMetricBody(method: "historical", confidence: "0.99", horizonDays: 1, var: "1", expectedShortfall: "2",
                                                computedAt: "t", runId: "r", portfolioValue: "10")],
                       positions: [PositionRiskBody(positionId: "AAPL", method: "historical", confidence: "0.99", horizonDays: 1,
                                                    componentVar: 1, componentEs: 2, incrementalEs: 3)],
                       beta: BetaBody(index: "SPY", beta: 1.1, dollarBeta: 2, correlation: 0.9, observations: 250))),
        .positions(PositionListBody(portfolioId: "P1", positions: [
            PositionBody(symbol: "AAPL", kind: "equity", quantity: "1", averagePrice: "2", updatedAt: "t", enteredQuantity: "0",
                         tradedQuantity: "1", realizedPnl: "3", mark: "4", unrealizedPnl: "2")])),
        .pipeline(PipelineBody(
            consumerGroup: "quant-processor", asOf: "2026-12-04T10:00:00.000000Z",
            broker: PipelineBroker(reachable: false, error: "the broker did not answer within 2 seconds", readAt: "2026-12-04T09:59:57.000000Z"),
            topics: [PipelineTopic(topic: "md.quotes", partitions: 4, committedOffset: 120, endOffset: 130, lag: 10,
                                   producedPerSecond: 1000.5, consumedPerSecond: 990, lastCommit: "2026-12-04T09:59:59.900000Z",
                                   secondsSinceCommit: 0.1)],
            processors: [PipelineProcessor(instance: "host/42", windowEnd: "2026-12-04T09:59:58.000000Z", windowSeconds: 5, batches: 50,
                                           messages: 5000, messagesPerSecond: 1000, deadLetters: 1, commitMsP50: 2.5, commitMsP99: 9,
                                           commitMsMax: 12)],
            deadLetters: DeadLetterSummary(lastHour: 3, latestId: 17, latestAt: "2026-12-04T09:50:00.000000Z"))),
        .dropped(DroppedEvent(dropped: 3)),
        .reload(ReloadEvent(channel: "trades:AAPL", reason: "more than 10000 prints were missed")),
    ]

    static func spec() throws -> [String: Any] {
        try #require(try Yams.load(yaml: NotifyChannelDocsTests.read("docs/api.yaml")) as? [String: Any])
    }

    @Test func everyEventIsNamedInTheSpecAndTheGuide() throws {
        #expect(Set(Self.samples.map(\.name)) == Set(StreamEvent.Name.allCases))
        let spec = try Self.spec()
        let stream = ((spec["paths"] as? [String: Any])?["/api/v1/stream"] as? [String: Any])?["get"] as? [String: Any]
        let events = try #require(stream?["x-stream-events"] as? [String: Any])
        #expect(Set(events.keys) == Set(StreamEvent.Name.allCases.map(\.rawValue)))
        let guide = try NotifyChannelDocsTests.read("docs/api.md")
        for name in StreamEvent.Name.allCases {
            #expect(guide.contains("`\(name.rawValue)`"), "docs/api.md names the \(name.rawValue) event")
        }
    }

    @Test func everyEventWritesExactlyItsSchemasKeysAndReadsBack() throws {
        let spec = try Self.spec()
        let schemas = try #require((spec["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let stream = ((spec["paths"] as? [String: Any])?["/api/v1/stream"] as? [String: Any])?["get"] as? [String: Any]
        let events = try #require(stream?["x-stream-events"] as? [String: Any])
        for sample in Self.samples {
            let data = try sample.data()
            #expect(try StreamEvent.read(name: sample.name.rawValue, data: data) == sample)
            let ref = try #require((events[sample.name.rawValue] as? [String: Any])?["$ref"] as? String)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
            Self.compare(object, schemaRef: ref, schemas: schemas, path: sample.name.rawValue)
        }
        #expect(throws: (any Error).self) { try StreamEvent.read(name: "nonsense", data: "{}") }
    }

    /// The object's keys equal the schema's properties, recursively through `$ref`s and arrays.
    static func compare(_ object: [String: Any], schemaRef: String, schemas: [String: Any], path: String) {
        let name = String(schemaRef.split(separator: "/").last ?? "")
        guard let schema = schemas[name] as? [String: Any], let properties = schema["properties"] as? [String: Any] else {
            Issue.record("\(path): no schema \(name)")
            return
        }
        #expect(Set(object.keys) == Set(properties.keys), "\(path) (\(name)): written \(object.keys.sorted()), documented \(properties.keys.sorted())")
        for (key, value) in object {
            guard let property = properties[key] as? [String: Any] else { continue }
            if let nested = value as? [String: Any], let ref = property["$ref"] as? String {
                compare(nested, schemaRef: ref, schemas: schemas, path: "\(path).\(key)")
            } else if let items = value as? [[String: Any]], let ref = (property["items"] as? [String: Any])?["$ref"] as? String {
                for item in items { compare(item, schemaRef: ref, schemas: schemas, path: "\(path).\(key)[]") }
            }
        }
    }
}
