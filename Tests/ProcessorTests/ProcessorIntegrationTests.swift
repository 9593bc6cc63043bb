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
                        orderPrefix: String = "f", accounts: [String] = []) async throws -> [(topic: String, key: String, value: [UInt8], bad: Bool)] {
        var market = SyntheticMarket(symbols: symbols.map { (Symbol($0)!, Price("100")!) }, seed: seed, orderPrefix: orderPrefix)
        market.accounts = accounts
        var sent: [(topic: String, key: String, value: [UInt8], bad: Bool)] = []
        let malformed = Self.malformed
        let now = Timestamp(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000))
        for i in 0..<count {
            if i % badEvery == badEvery - 1 {
                let (kind, payload) = malformed[(i / badEvery) % malformed.count]
                let topic = kind == "quote" ? topics.quotes : kind == "trade" ? topics.trades : topics.commands
                sent.append((topic, "AAA", payload, true))
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

    /// Bad messages of every kind a producer gets wrong, for the quote, trade and command topics.
    /// (A well-formed order with a bad value, say a negative quantity or an unknown symbol, is not
    /// among them: the book rejects it with a reason in `trading.order_events`.)
    static let malformed: [(topic: String, payload: [UInt8])] = {
        let ts = "2026-11-26T14:30:00Z"
        let texts: [(String, String)] = [
            ("quote", #"{"type":"quote","symbol":"AAA","ts":"\#(ts)","bid":"1","bid_size":-1}"#),       // negative size
            ("quote", #"{"type":"quote","symbol":"ZZZ","ts":"\#(ts)","bid":"1"}"#),                     // unknown symbol
            ("quote", "not json at all"),                                                               // bad JSON
            ("trade", #"{"type":"trade","symbol":"AAA","ts":"nope","price":"1","size":1}"#),            // bad timestamp
            ("trade", #"{"type":"trade","symbol":"AAA","ts":"\#(ts)","size":1}"#),                      // missing price
            ("trade", #"{"type":"trade","symbol":"AAA","ts":"\#(ts)","price":true,"size":1}"#),         // wrong type
            ("trade", #"{"type":"trade","symbol":"AAA","ts":"\#(ts)","price":"1","size":-5}"#),         // negative size
            ("quote", "[1,2,3]"),                                                                       // not an object
            ("quote", ""),                                                                              // empty
            ("command", #"{"type":"new","order_id":"#),                                                // truncated
            ("command", #"{"type":"launch","order_id":"x3","symbol":"AAA"}"#),                         // unknown type
            ("quote", #"{"type":"quote","symbol":"AAA","ts":"\#(ts)","bid":"1e400"}"#),                 // out of range
        ]
        var all = texts.map { ($0.0, Array($0.1.utf8)) }
        all.append(("quote", [0xff, 0xfe, 0x00, 0x01]))                                               // binary garbage
        // A huge payload (600 kB, under the broker's 1 MB limit): a quote with a giant field.
        all.append(("quote", Array((#"{"type":"quote","symbol":"AAA","ts":"\#(ts)","bid":"1","note":""# + String(repeating: "x", count: 600_000) + #""}"#).utf8)))
        all.append(("trade", Array(("{" + String(repeating: "[", count: 10_000)).utf8)))            // deep nesting
        return all
    }()

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

    /// Waits until the offsets stored for `group` reach the end of the broker's current logs and
    /// carry their topic ids (after a broker lost its logs, offsets of the old logs do not count).
    static func waitUntilCaughtUpOnCurrentLogs(_ client: PostgresClient, group: String, topics: TopicNames, brokers: String,
                                               logger: Logger, timeout: Duration = .seconds(120)) async throws {
        let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(brokers: brokers))
        let ids = try await admin.topicIDs(topics.consumed)
        var ends: [String: [KafkaPartition: KafkaOffset]] = [:]
        for topic in topics.consumed { ends[topic] = try await admin.endOffsets(topic: topic) }
        let deadline = ContinuousClock.now + timeout
        var behind: [String] = []
        while ContinuousClock.now < deadline {
            behind = []
            for topic in topics.consumed {
                let stored = try await BatchWriter.storedPositions(client: client, group: group, topic: topic, logger: logger)
                for (partition, end) in ends[topic]! where end.rawValue > 0 {
                    let position = stored[partition.rawValue]
                    if position?.nextOffset != end.rawValue || position?.logID != ids[topic]?.rawValue {
                        behind.append("\(topic)/\(partition): \(position.map { "\($0.nextOffset)@\($0.logID)" } ?? "none") of \(end)@\(ids[topic]?.rawValue ?? "?")")
                    }
                }
            }
            if behind.isEmpty { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestDatabase.MissingService(description: "processor did not catch up on the current logs within \(timeout): \(behind)")
    }

    static func count(_ client: PostgresClient, _ sql: PostgresQuery, logger: Logger) async throws -> Int {
        for try await n in try await client.query(sql, logger: logger).decode(Int.self) { return n }
        return -1
    }

    /// Exactly one row per valid message, one dead letter per bad one, no duplicates, and order
    /// events equal to what the pure engine makes of the same commands, symbol by symbol.
    /// `duplicateKey` identifies one consumed message; after a broker lost its log, offsets repeat
    /// and the message's own timestamp tells the two apart.
    static func verify(_ client: PostgresClient, sent: [(topic: String, key: String, value: [UInt8], bad: Bool)],
                       topics: TopicNames, logger: Logger, duplicateKey: String = "src_partition, src_offset") async throws {
        let goodQuotes = sent.filter { $0.topic == topics.quotes && !$0.bad }.count
        let goodTrades = sent.filter { $0.topic == topics.trades && !$0.bad }.count
        let bad = sent.filter(\.bad).count
        #expect(try await count(client, "SELECT count(*)::int FROM market.quotes", logger: logger) == goodQuotes)
        #expect(try await count(client, "SELECT count(*)::int FROM market.trades", logger: logger) == goodTrades)
        #expect(try await count(client, "SELECT count(*)::int FROM ops.dead_letters", logger: logger) == bad)
        // Each dead letter keeps the payload byte for byte and says why, briefly.
        let reasons = try await client.query("""
            SELECT count(*)::int FROM ops.dead_letters WHERE error = '' OR length(error) > 300 OR payload IS NULL
            """, logger: logger)
        for try await n in reasons.decode(Int.self) { #expect(n == 0, "dead letters without a short reason") }
        let badPayloads = Set(sent.filter(\.bad).map(\.value))
        for try await payload in try await client.query("SELECT payload FROM ops.dead_letters", logger: logger).decode(ByteBuffer.self) {
            #expect(badPayloads.contains(Array(buffer: payload)))
        }
        for table in ["market.quotes", "market.trades", "trading.orders"] {
            #expect(try await count(client, PostgresQuery(unsafeSQL: """
                SELECT count(*)::int FROM (SELECT \(duplicateKey) FROM \(table)
                GROUP BY \(duplicateKey) HAVING count(*) > 1) d
                """), logger: logger) == 0, "duplicates in \(table)")
        }
        var engine = MatchingEngine(instruments: symbols.map { Instrument(symbol: Symbol($0)!) })
        var expected: [String] = []
        for m in sent where m.topic == topics.commands && !m.bad {
            for event in engine.handle(try JSONDecoder().decode(OrderCommandMessage.self, from: Data(m.value))) {
                switch event {
                case .report(let r): expected.append("\(r.symbol)|\(r.seq ?? 0)|\(r.orderID)|\(r.status)|\(r.leavesQuantity)")
                case .execution(let x): expected.append("\(x.symbol)|\(x.seq)|\(x.makerOrderID)>\(x.takerOrderID)|\(x.price)x\(x.quantity)")
                }
            }
        }
        var stored: [String] = []
        let rows = try await client.query("""
            SELECT symbol || '|' || seq || '|' || order_id || '|' || event || '|' || leaves_quantity FROM trading.order_events
            UNION ALL
            SELECT symbol || '|' || seq || '|' || maker_order_id || '>' || taker_order_id || '|' || trim_scale(price) || 'x' || quantity
            FROM trading.executions
            """, logger: logger)
        for try await row in rows.decode(String.self) { stored.append(row) }
        #expect(stored.count == expected.count)
        #expect(stored.sorted() == expected.sorted())
        #expect(!expected.isEmpty)
    }

    /// A migrated database with the test instruments, fresh topics and a fresh consumer group.
    struct Fixture: Sendable {
        var db: TestDatabase
        var client: PostgresClient
        var topics: TopicNames
        var group: String
        var brokers: String
        var logger: Logger { db.logger }
    }

    static func withFixture(_ body: @escaping @Sendable (Fixture) async throws -> Void) async throws {
        let brokers = try Self.brokers
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.withClient { client in
                try await Self.seedInstruments(client, logger: db.logger)
                let topics = try await Self.makeTopics(brokers)
                try await body(Fixture(db: db, client: client, topics: topics, group: "g-\(UUID().uuidString.prefix(8))", brokers: brokers))
            }
        }
    }

    @Test func nMessagesInGiveExactlyNRowsOutAcrossARestart() async throws {
        try await Self.withFixture { f in
            let (db, client, topics, group, brokers) = (f.db, f.client, f.topics, f.group, f.brokers)
            var settings = ProcessorSettings(brokers: brokers, groupID: group, topics: topics, batchMaxMessages: 400,
                                             batchMaxDelay: .milliseconds(50))
            settings.snapshotInterval = .milliseconds(100)
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

            try await Self.verify(client, sent: first + second, topics: topics, logger: db.logger)
            // The second run restored the books from snapshots (the events above prove they were right).
            #expect(try await Self.count(client, "SELECT count(*)::int FROM trading.engine_snapshots", logger: db.logger) > 0)
            #expect(try await Self.count(client, """
                SELECT count(*)::int FROM trading.book_snapshots WHERE jsonb_typeof(depth -> 'bids') = 'array'
                """, logger: db.logger) >= Self.symbols.count)
            // The published depth is the final state of every book, as the snapshot taken on stop.
            #expect(try await Self.count(client, """
                SELECT count(*)::int FROM api.book_tops t
                WHERE jsonb_typeof(depth -> 'bids') = 'array'
                  AND (book_seq, depth) = (SELECT book_seq, depth FROM trading.book_snapshots s
                                           WHERE s.symbol = t.symbol ORDER BY taken_at DESC LIMIT 1)
                """, logger: db.logger) == Self.symbols.count)
        }
    }

    @Test func killDashNineMidStreamThenRestartLosesAndDuplicatesNothing() async throws {
        let brokers = try Self.brokers
        let binary = "\(TestDatabase.repositoryRoot)/.build/debug/quant"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw TestDatabase.MissingService(description: "\(binary) is missing: scripts/test builds it before the tests")
        }
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.withClient { client in
                try await Self.seedInstruments(client, logger: db.logger)
                try await Self.seedAccounts(client, logger: db.logger)
                let topics = try await Self.makeTopics(brokers)
                let prefix = String(topics.quotes.dropLast("md.quotes".count))
                let group = "g-\(UUID().uuidString.prefix(8))"
                var environment = ProcessInfo.processInfo.environment
                environment["DATABASE_URL"] = "postgres://\(db.url.username)@\(db.url.host):\(db.url.port)/\(db.url.database)"
                environment["KAFKA_BROKERS"] = brokers
                environment["QUANT_KAFKA_GROUP_ID"] = group
                environment["QUANT_PROCESSOR_TOPIC_PREFIX"] = prefix
                environment["QUANT_PROCESSOR_SESSIONS"] = "false"  // no end_of_day beside what the test sends
                environment["QUANT_PROCESSOR_BATCH_MAX_MESSAGES"] = "100"
                environment["QUANT_PROCESSOR_BATCH_MAX_DELAY_MS"] = "20"
                environment["QUANT_PROCESSOR_SNAPSHOT_INTERVAL_SECONDS"] = "1"
                environment["QUANT_METRICS_PROCESSOR_PORT"] = "0"  // tests run several at once
                environment["QUANT_LOG_LEVEL"] = "warning"
                func start() throws -> Process {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: binary)
                    process.arguments = ["processor"]
                    process.environment = environment
                    process.currentDirectoryURL = URL(fileURLWithPath: TestDatabase.repositoryRoot)
                    try process.run()
                    return process
                }

                let first = try await Self.produce(8_000, topics: topics, brokers: brokers, seed: 5, accounts: Self.accounts)
                let victim = try start()
                // Kill it once some, but not all, batches have committed.
                let deadline = ContinuousClock.now + .seconds(60)
                while ContinuousClock.now < deadline {
                    let committed = try await Self.count(client, "SELECT coalesce(sum(next_offset), 0)::int FROM ops.kafka_offsets", logger: db.logger)
                    if committed > 500 { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                kill(victim.processIdentifier, SIGKILL)
                await victim.exited()
                #expect(victim.terminationReason == .uncaughtSignal)
                let committedAtKill = try await Self.count(client, "SELECT coalesce(sum(next_offset), 0)::int FROM ops.kafka_offsets", logger: db.logger)
                #expect(committedAtKill < first.count, "the kill should land mid-stream")

                let second = try await Self.produce(3_000, topics: topics, brokers: brokers, seed: 6, orderPrefix: "k", accounts: Self.accounts)
                let survivor = try start()
                try await Self.waitUntilCaughtUp(client, group: group, topics: topics, brokers: brokers, logger: db.logger)
                kill(survivor.processIdentifier, SIGTERM)
                await survivor.exited()
                #expect(survivor.terminationReason == .exit)
                #expect(survivor.terminationStatus == 0)

                try await Self.verify(client, sent: first + second, topics: topics, logger: db.logger)
                try await Self.verifyPositions(client, logger: db.logger)
                // Issue 19: the bars the triggers kept through the kill equal a recomputation.
                #expect(try await Self.count(client, "SELECT count(*)::int FROM market.bars WHERE trade_count > 0", logger: db.logger) > 0)
                #expect(try await BarChecks.differences(client, logger: db.logger) == [])
            }
        }
    }

    /// Accounts of two portfolios, and market flow without one ("").
    static let accounts = ["A1", "A2", "B1", ""]

    static func seedAccounts(_ client: PostgresClient, logger: Logger) async throws {
        try await client.query("INSERT INTO risk.portfolios (portfolio_id, name) VALUES ('PA', 'desk A'), ('PB', 'desk B')", logger: logger)
        try await client.query("""
            INSERT INTO trading.accounts (account, portfolio_id) VALUES ('A1', 'PA'), ('A2', 'PA'), ('B1', 'PB')
            """, logger: logger)
    }

    /// Issue 18: every fill moved both sides' positions exactly once, whatever was killed: the
    /// stored positions equal a recomputation from `trading.executions` alone, in SQL.
    static func verifyPositions(_ client: PostgresClient, logger: Logger) async throws {
        let sides = try await count(client, """
            SELECT (count(maker_account) + count(taker_account))::int FROM trading.executions
            """, logger: logger)
        #expect(sides > 100, "the run should fill many orders of accounts")
        #expect(try await count(client, "SELECT coalesce(sum(fills), 0)::int FROM trading.positions", logger: logger) == sides,
                "each side of each fill applied once")
        #expect(try await count(client, """
            SELECT count(*)::int FROM (
                (SELECT account, symbol, quantity, cost_basis, realized_pnl, fills FROM trading.positions
                 EXCEPT SELECT * FROM analytics.positions_from_executions())
                UNION ALL
                (SELECT * FROM analytics.positions_from_executions()
                 EXCEPT SELECT account, symbol, quantity, cost_basis, realized_pnl, fills FROM trading.positions)) d
            """, logger: logger) == 0, "trading.positions equals its recomputation from the executions")
        // Every fill has a buyer and a seller: what accounts hold sums to minus what the market flow holds.
        #expect(try await count(client, """
            SELECT count(*)::int FROM trading.executions WHERE maker_account IS NULL AND taker_account IS NULL
            """, logger: logger) > 0, "some fills are between market flow only")
        #expect(try await count(client, """
            SELECT count(*)::int FROM api.positions WHERE traded_quantity <> 0 AND portfolio_id NOT IN ('PA', 'PB')
            """, logger: logger) == 0)
    }

    @Test func twoInstancesShareThePartitionsAndIngestEverythingOnce() async throws {
        try await Self.withFixture { f in
            let (db, client, topics, group, brokers) = (f.db, f.client, f.topics, f.group, f.brokers)
            let settings = ProcessorSettings(brokers: brokers, groupID: group, topics: topics, batchMaxMessages: 300,
                                             batchMaxDelay: .milliseconds(50))
            let pipelines = PipelineList()
            let a = Task { try await ProcessorService(settings: settings, client: client, logger: db.logger).run { await pipelines.add($0) } }
            let b = Task { try await ProcessorService(settings: settings, client: client, logger: db.logger).run { await pipelines.add($0) } }
            // Produce once the group has settled with both members owning partitions.
            let settle = ContinuousClock.now + .seconds(45)
            while await pipelines.ownedCounts().filter({ $0 > 0 }).count < 2, ContinuousClock.now < settle {
                try await Task.sleep(for: .milliseconds(100))
            }
            let owned = await pipelines.ownedCounts()
            #expect(owned.count == 2 && owned.allSatisfy { $0 > 0 } && owned.reduce(0, +) == 12,
                    "3 topics × 4 partitions should be split between the two members: \(owned)")
            let sent = try await Self.produce(6_000, topics: topics, brokers: brokers, seed: 8)
            try await Self.waitUntilCaughtUp(client, group: group, topics: topics, brokers: brokers, logger: db.logger)
            a.cancel()
            b.cancel()
            try await a.value
            try await b.value
            let committed = await pipelines.committedCounts()
            #expect(committed.count == 2)
            #expect(committed.reduce(0, +) == sent.count)
            try await Self.verify(client, sent: sent, topics: topics, logger: db.logger)
        }
    }
}

/// Collects the pipelines of in-process processor instances.
actor PipelineList {
    var pipelines: [ProcessorPipeline] = []
    func add(_ pipeline: ProcessorPipeline) { pipelines.append(pipeline) }
    func ownedCounts() async -> [Int] {
        var result: [Int] = []
        for p in pipelines { result.append(await p.ownedPartitions.count) }
        return result
    }

    func committedCounts() async -> [Int] {
        var result: [Int] = []
        for p in pipelines { result.append(await p.committedMessages) }
        return result
    }
}
