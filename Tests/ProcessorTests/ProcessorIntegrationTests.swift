import Foundation
import Kafka
import Logging
import MarketCore
import MarketMessages
import OrderBook
import PostgresNIO
import Processor
import Store
import TestSupport
import Testing

/// The processor against the real broker and the real database of the local stack.
@Suite(.serialized) struct ProcessorIntegrationTests {
    static var brokers: String {
        get throws {
            guard let brokers = ProcessInfo.processInfo.environment["KAFKA_BROKERS"], !brokers.isEmpty else {
                throw TestDatabase.MissingService(description: "KAFKA_BROKERS is not set: run scripts/stack up (scripts/test does)")
            }
            return brokers
        }
    }

    static let symbols = ["AAA", "BBB", "CCC", "DDD"]

    /// Fresh topics under a unique prefix, with 4 partitions each.
    static func makeTopics(_ brokers: String) async throws -> TopicNames {
        let topics = TopicNames(prefix: "t\(UUID().uuidString.prefix(8).lowercased()).")
        let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(brokers: brokers))
        for name in topics.consumed + [topics.events] { try await admin.createTopicIfNeeded(name, partitions: 4) }
        return topics
    }

    /// Produces a realistic stream plus one malformed message in every `badEvery`; returns what was sent.
    static func produce(_ count: Int, topics: TopicNames, brokers: String, seed: UInt64, badEvery: Int = 100,
                        orderPrefix: String = "f") async throws -> [(topic: String, key: String, value: [UInt8], bad: Bool)] {
        var market = SyntheticMarket(symbols: symbols.map { (Symbol($0)!, Price("100")!) }, seed: seed, orderPrefix: orderPrefix)
        var sent: [(topic: String, key: String, value: [UInt8], bad: Bool)] = []
        let malformed = [
            #"{"type":"quote","symbol":"AAA","ts":"2026-11-26T14:30:00Z","bid":"1","bid_size":-1}"#,
            #"{"type":"quote","symbol":"ZZZ","ts":"2026-11-26T14:30:00Z","bid":"1"}"#, "not json at all",
            #"{"type":"trade","symbol":"AAA","ts":"nope","price":"1","size":1}"#,
        ]
        let now = Timestamp(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000))
        for i in 0..<count {
            if i % badEvery == badEvery - 1 {
                let payload = malformed[(i / badEvery) % malformed.count]
                let topic = payload.contains("trade") ? topics.trades : topics.quotes
                sent.append((topic, "AAA", Array(payload.utf8), true))
                continue
            }
            let m = market.next(at: Timestamp(microseconds: now.microseconds + Int64(i)))
            let topic = m.topic == "md.quotes" ? topics.quotes : m.topic == "md.trades" ? topics.trades : topics.commands
            sent.append((topic, m.key, m.value, false))
        }
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(brokers: brokers))
        _ = try await producer.sendAll(sent.map { KafkaProducerRecord(topic: $0.topic, key: Array($0.key.utf8), value: $0.value) })
        await producer.shutdown()
        return sent
    }

    static func seedInstruments(_ client: PostgresClient, logger: Logger) async throws {
        for symbol in symbols {
            try await client.query("INSERT INTO market.instruments (symbol, kind) VALUES (\(symbol), 'equity')", logger: logger)
        }
    }

    /// Waits until the offsets stored for `group` reach the topics' end offsets.
    static func waitUntilCaughtUp(_ client: PostgresClient, group: String, topics: TopicNames, brokers: String,
                                  logger: Logger, timeout: Duration = .seconds(90)) async throws {
        let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(brokers: brokers))
        var ends: [String: [Int32: Int64]] = [:]
        for topic in topics.consumed {
            ends[topic] = Dictionary(uniqueKeysWithValues: try await admin.endOffsets(topic: topic).map { ($0.key.rawValue, $0.value.rawValue) })
        }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var done = true
            for topic in topics.consumed {
                let stored = try await BatchWriter.storedOffsets(client: client, group: group, topic: topic, logger: logger)
                for (partition, end) in ends[topic]! where end > 0 && (stored[partition] ?? 0) < end { done = false }
            }
            if done { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestDatabase.MissingService(description: "processor did not catch up within \(timeout)")
    }

    static func count(_ client: PostgresClient, _ sql: PostgresQuery, logger: Logger) async throws -> Int {
        for try await n in try await client.query(sql, logger: logger).decode(Int.self) { return n }
        return -1
    }

    @Test func nMessagesInGiveExactlyNRowsOutAcrossARestart() async throws {
        let brokers = try Self.brokers
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.withClient { client in
                try await Self.seedInstruments(client, logger: db.logger)
                let topics = try await Self.makeTopics(brokers)
                let group = "g-\(UUID().uuidString.prefix(8))"
                let settings = ProcessorSettings(brokers: brokers, groupID: group, topics: topics, batchMaxMessages: 400,
                                                 batchMaxDelay: .milliseconds(50))
                let first = try await Self.produce(3_000, topics: topics, brokers: brokers, seed: 1)

                // First run: ingest everything, then stop gracefully.
                let run1 = Task { try await ProcessorService(settings: settings, client: client, logger: db.logger).run() }
                try await Self.waitUntilCaughtUp(client, group: group, topics: topics, brokers: brokers, logger: db.logger)
                run1.cancel()
                try await run1.value

                // More messages while it is down; a second instance resumes from the stored offsets.
                let second = try await Self.produce(2_000, topics: topics, brokers: brokers, seed: 2, orderPrefix: "g")
                let run2 = Task { try await ProcessorService(settings: settings, client: client, logger: db.logger).run() }
                try await Self.waitUntilCaughtUp(client, group: group, topics: topics, brokers: brokers, logger: db.logger)
                run2.cancel()
                try await run2.value

                let sent = first + second
                let goodQuotes = sent.filter { $0.topic == topics.quotes && !$0.bad }.count
                let goodTrades = sent.filter { $0.topic == topics.trades && !$0.bad }.count
                let bad = sent.filter(\.bad).count
                #expect(try await Self.count(client, "SELECT count(*)::int FROM market.quotes", logger: db.logger) == goodQuotes)
                #expect(try await Self.count(client, "SELECT count(*)::int FROM market.trades", logger: db.logger) == goodTrades)
                #expect(try await Self.count(client, "SELECT count(*)::int FROM ops.dead_letters", logger: db.logger) == bad)
                // No message produced two rows.
                #expect(try await Self.count(client, """
                    SELECT count(*)::int FROM (SELECT src_partition, src_offset FROM market.quotes
                    GROUP BY 1, 2 HAVING count(*) > 1) d
                    """, logger: db.logger) == 0)

                // Order events equal what the pure engine makes of the same commands, symbol by symbol.
                var engine = MatchingEngine(instruments: Self.symbols.map { Instrument(symbol: Symbol($0)!) })
                var expected: [String] = []
                for m in sent where m.topic == topics.commands {
                    for event in engine.handle(try JSONDecoder().decode(OrderCommandMessage.self, from: Data(m.value))) {
                        if case .report(let r) = event { expected.append("\(r.symbol)|\(r.seq ?? 0)|\(r.orderID)|\(r.status)") }
                    }
                }
                var stored: [String] = []
                let rows = try await client.query(
                    "SELECT symbol || '|' || seq || '|' || order_id || '|' || event FROM trading.order_events", logger: db.logger)
                for try await row in rows.decode(String.self) { stored.append(row) }
                #expect(stored.sorted() == expected.sorted())
                #expect(!expected.isEmpty)
            }
        }
    }
}
