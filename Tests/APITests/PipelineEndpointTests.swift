@testable import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Kafka
import MarketCore
import MarketMessages
import PipelineContracts
import PostgresNIO
import Processor
import TestSupport
import Testing

/// `GET /pipeline`, `/pipeline/commits`, `/pipeline/dead-letters` and the `pipeline:GROUP` stream
/// channel over a live processor, the real broker and the real database: lag and offsets against
/// what was produced, the processor's batch windows against what it committed, dead letters with
/// their reasons.
@Suite struct PipelineEndpointTests {
    static func decode<T: Decodable>(_ type: T.Type, _ body: ByteBuffer) throws -> T {
        try WireJSON.decoder().decode(type, from: Data(buffer: body))
    }

    static func quotes(_ count: Int, topic: String, from start: Int) -> [KafkaProducerRecord] {
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        return (0..<count).map { i in
            let quote = QuoteMessage(symbol: Symbol("AAA")!, ts: Timestamp(microseconds: now + Int64(start + i)),
                                     bid: Price("10.00")!, ask: Price("10.02")!, bidSize: 100, askSize: 100)
            return KafkaProducerRecord(topic: topic, key: Array("AAA".utf8), value: MessageEncoder.quote(quote))
        }
    }

    @Test func thePipelineShowsLagRatesCommitTimesAndDeadLettersOfALiveProcessor() async throws {
        guard let brokers = ProcessInfo.processInfo.environment["KAFKA_BROKERS"], !brokers.isEmpty else {
            throw TestDatabase.MissingService(description: "KAFKA_BROKERS is not set: run scripts/stack up (scripts/test does)")
        }
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.withClient { client in
                let logger = db.logger
                try await client.query("INSERT INTO market.instruments (symbol, kind) VALUES ('AAA', 'equity')", logger: logger)
                let topics = TopicNames(prefix: "t\(UUID().uuidString.prefix(8).lowercased()).")
                let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(brokers: brokers))
                for topic in topics.consumed + [topics.events] { try await admin.createTopicIfNeeded(topic, partitions: 2) }
                let group = "g-\(UUID().uuidString.prefix(8))"
                var settings = ProcessorSettings(brokers: brokers, groupID: group, topics: topics,
                                                 batchMaxMessages: 50, batchMaxDelay: .milliseconds(10))
                settings.ingestWindow = .milliseconds(300)
                let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(brokers: brokers))
                defer { Task { await producer.shutdown() } }
                // 200 quotes and 3 messages that are not quotes: dead letters with their reasons.
                let bad = (0..<3).map { KafkaProducerRecord(topic: topics.quotes, key: Array("AAA".utf8), value: Array("not a quote \($0)".utf8)) }
                _ = try await producer.sendAll(Self.quotes(200, topic: topics.quotes, from: 0) + bad)

                let ran = Task { try await ProcessorService(settings: settings, client: client, logger: logger).run { _ in } }
                let stored = { @Sendable () async throws -> Int64 in
                    try await client.query("""
                        SELECT coalesce(sum(next_offset), 0)::int8 FROM ops.kafka_offsets WHERE consumer_group = \(group) AND topic = \(topics.quotes)
                        """, logger: logger).collect().first!.decode(Int64.self)
                }
                let deadline = ContinuousClock.now + .seconds(60)
                while try await stored() < 203, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
                ran.cancel()  // a graceful stop stores the last window
                try await ran.value

                // Its windows hold every batch it committed, with commit times.
                let windows = try await client.query("""
                    SELECT sum(messages)::int8, sum(dead_letters)::int8, count(*) FILTER (WHERE batches > 0)::int8,
                           bool_and(commit_ms_p50 IS NULL OR (0 < commit_ms_p50 AND commit_ms_p50 <= commit_ms_p99 AND commit_ms_p99 <= commit_ms_max)),
                           bool_and((batches = 0) = (commit_ms_max IS NULL))
                    FROM ops.ingest_windows WHERE consumer_group = \(group)
                    """, logger: logger).collect().first!.decode((Int64, Int64, Int64, Bool, Bool).self)
                #expect(windows.0 == 203 && windows.1 == 3 && windows.2 >= 1, "\(windows)")
                #expect(windows.3 && windows.4, "commit percentiles ordered, absent only without batches")

                // 30 more while the processor is stopped: that is the lag.
                _ = try await producer.sendAll(Self.quotes(30, topic: topics.quotes, from: 1000))
                let endOffsets: PipelineMonitor.EndOffsets = { topic in
                    Dictionary(uniqueKeysWithValues: try await admin.endOffsets(topic: topic).map { ($0.key.rawValue, $0.value.rawValue) })
                }
                var dependencies = APIDependencies(database: ReaderDatabase(client: client, timeout: .seconds(30), logger: logger))
                dependencies.endOffsets = endOffsets
                var configuration = APIConfiguration()
                configuration.pipelineGroup = group
                let app = Application(router: buildRouter(configuration: configuration, dependencies: dependencies),
                                      configuration: .init(address: .hostname("127.0.0.1", port: 0)))
                try await app.test(.live) { api in
                    // The broker's answer takes a fetch; on a loaded machine the first may miss its 2 s,
                    // and the monitor asks again in the background every 5 s.
                    var body: PipelineBody
                    let until = ContinuousClock.now + .seconds(60)
                    repeat {
                        let response = try await api.execute(uri: "/api/v1/pipeline", method: .get)
                        #expect(response.status == .ok)
                        body = try Self.decode(PipelineBody.self, response.body)
                        if body.broker.reachable { break }
                        try await Task.sleep(for: .seconds(1))
                    } while ContinuousClock.now < until
                    #expect(body.consumerGroup == group && body.broker.reachable)
                    let quotes = try #require(body.topics.first { $0.topic == topics.quotes })
                    #expect(quotes.partitions == 2 && quotes.committedOffset == 203 && quotes.endOffset == 233 && quotes.lag == 30, "\(quotes)")
                    #expect(quotes.secondsSinceCommit.map { $0 >= 0 } == true && quotes.lastCommit != nil)
                    #expect(body.processors.count == 1 && body.processors[0].instance.contains("/"))
                    #expect(body.deadLetters.lastHour == 3 && body.deadLetters.latestId != nil)

                    let commits = try Self.decode(PipelineController.CommitsBody.self,
                                                  try await api.execute(uri: "/api/v1/pipeline/commits?minutes=5", method: .get).body)
                    #expect(commits.windows.reduce(0) { $0 + $1.messages } == 203)
                    #expect(commits.windows.map(\.windowEnd) == commits.windows.map(\.windowEnd).sorted())

                    // Dead letters, newest first, page by page, with their reasons.
                    let first = try Self.decode(PipelineController.DeadLettersBody.self,
                                                try await api.execute(uri: "/api/v1/pipeline/dead-letters?limit=2", method: .get).body)
                    #expect(first.deadLetters.count == 2 && first.deadLetters[0].id > first.deadLetters[1].id)
                    #expect(first.deadLetters.allSatisfy { !$0.error.isEmpty && $0.topic == topics.quotes && $0.payloadPreview?.hasPrefix("not a quote") == true })
                    let cursor = try #require(first.nextCursor)
                    let rest = try Self.decode(PipelineController.DeadLettersBody.self,
                                               try await api.execute(uri: "/api/v1/pipeline/dead-letters?limit=2&cursor=\(cursor)", method: .get).body)
                    #expect(rest.deadLetters.count == 1 && rest.nextCursor == nil)

                    // Live: the pipeline channel sends the group's state each second.
                    let stream = try RawHTTPClient(port: try #require(api.port), path: "/api/v1/stream?channels=pipeline:\(group)")
                    try await stream.wait(for: .seconds(20)) { $0.contains("event: pipeline") }
                    let event = try #require(stream.events.first { $0.name == "pipeline" })
                    guard case .pipeline(let streamed) = try StreamEvent.read(name: event.name, data: event.data) else {
                        Issue.record("not a pipeline event"); return
                    }
                    #expect(streamed.consumerGroup == group && streamed.topics.contains { $0.topic == topics.quotes && $0.committedOffset == 203 })

                    // Bad requests are 4xx with their reason.
                    for (uri, status) in [("/api/v1/pipeline?group=no%20spaces", 400), ("/api/v1/pipeline?group=nobody", 404),
                                          ("/api/v1/pipeline/commits?minutes=0", 400), ("/api/v1/pipeline/dead-letters?cursor=zz", 400),
                                          ("/api/v1/pipeline/dead-letters?limit=100000", 400),
                                          ("/api/v1/stream?channels=pipeline:no%20spaces", 400)] {
                        let answer = try await api.execute(uri: uri, method: .get)
                        #expect(answer.status.code == status, "\(uri)")
                    }
                }

                // Rates: the monitor compares its samples (here asking the broker again each time, in
                // the background: the answer shows in a later sample).
                let monitor = PipelineMonitor(database: ReaderDatabase(client: client, timeout: .seconds(30), logger: logger), endOffsets: endOffsets,
                                              brokerSpacing: .zero)
                _ = try await monitor.snapshot(group: group)
                _ = try await producer.sendAll(Self.quotes(50, topic: topics.quotes, from: 2000))
                var quotes: PipelineTopic?
                let until = ContinuousClock.now + .seconds(30)
                repeat {
                    try await Task.sleep(for: .milliseconds(500))
                    quotes = try await monitor.snapshot(group: group)?.topics.first { $0.topic == topics.quotes }
                } while ContinuousClock.now < until && !(quotes?.lag == 80 && (quotes?.producedPerSecond ?? 0) > 0)
                #expect(quotes?.lag == 80 && (quotes?.producedPerSecond ?? 0) > 0 && quotes?.consumedPerSecond == 0, "\(String(describing: quotes))")

                // An unreachable broker: no lag, the reason, and still an answer.
                var nowhere = KafkaAdminConfiguration(brokers: "127.0.0.1:1")
                nowhere.requestTimeoutMilliseconds = 1000
                let unreachable = try KafkaAdmin(configuration: nowhere)
                let down = PipelineMonitor(database: ReaderDatabase(client: client, timeout: .seconds(30), logger: logger),
                                           endOffsets: { _ = try await unreachable.endOffsets(topic: $0); return [:] }, brokerSpacing: .zero)
                let blind = try #require(try await down.snapshot(group: group))
                #expect(!blind.broker.reachable && blind.broker.error != nil && blind.topics.allSatisfy { $0.lag == nil })
            }
        }
    }
}
