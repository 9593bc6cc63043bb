import Foundation
import Kafka
import Logging
import MarketCore
import PostgresNIO
import Processor
import Store
import TestSupport
import Testing

/// Issue 23: one message must never stop ingest. Each hostile message here stopped or corrupted the
/// processor before (a poison pill retried forever, a second book for one symbol, a date that moved
/// the risk engine's valuation date); now each is a dead letter with its reason, and every good
/// message around it is stored once.
@Suite struct HostileInputTests {
    typealias Sent = (topic: String, key: String, value: [UInt8], bad: Bool)

    @Test func hostileMessagesBecomeDeadLettersAndIngestGoesOn() async throws {
        try await ProcessorIntegrationTests.withFixture { f in
            // A refusal only the database knows (as a constraint added by an operator would be):
            // the processor must find the one message PostgreSQL refuses and commit the rest.
            try await f.client.query("ALTER TABLE market.trades ADD CONSTRAINT refuses_size_777777 CHECK (size <> 777777)",
                                     logger: f.logger)
            let settings = ProcessorSettings(brokers: f.brokers, groupID: f.group, topics: f.topics, batchMaxMessages: 300,
                                             batchMaxDelay: .milliseconds(20))
            // As in production: the processor logs in as its own role (migration 0020), which may not
            // create tables, so the late trade's partition comes from ops.ensure_service_partitions.
            let sent = try await f.db.withClient(as: "quant_processor") { processorClient in
                let run = Task { try await ProcessorService(settings: settings, client: processorClient, logger: f.logger).run { _ in } }
                let before = try await ProcessorIntegrationTests.produce(600, topics: f.topics, brokers: f.brokers, seed: 71)
                let hostile = Self.hostile(f.topics)
                try await Self.send(hostile, brokers: f.brokers)
                let after = try await ProcessorIntegrationTests.produce(600, topics: f.topics, brokers: f.brokers, seed: 72, orderPrefix: "h")
                try await ProcessorIntegrationTests.waitUntilCaughtUp(f.client, group: f.group, topics: f.topics, brokers: f.brokers,
                                                                      logger: f.logger, timeout: .seconds(60))
                #expect(!run.isCancelled)
                run.cancel()
                try await value(of: run, within: .seconds(20), "the processor to stop")
                return before + hostile + after
            }
            try await ProcessorIntegrationTests.verify(f.client, sent: sent, topics: f.topics, logger: f.logger)
            // Each refusal says why.
            var reasons: [String] = []
            for try await reason in try await f.client.query("SELECT error FROM ops.dead_letters ORDER BY id", logger: f.logger)
                .decode(String.self) { reasons.append(reason) }
            for expected in ["outside 1970-01-01T00:00:00Z to 2200-01-01T00:00:00Z", "ahead of the processor's clock",
                             "behind the processor's clock", "PostgreSQL refused its rows", "is not the command's symbol",
                             "invalid symbol", "invalid account", "size 2000000000000 exceeds", "quantity 5000000000000 exceeds"] {
                #expect(reasons.contains { $0.contains(expected) }, "a dead letter saying \(expected)")
            }
            // One book per symbol: the mis-keyed command opened none.
            #expect(try await ProcessorIntegrationTests.count(
                f.client, "SELECT count(*)::int FROM (SELECT symbol FROM trading.book_depth GROUP BY symbol HAVING count(*) > 1) d",
                logger: f.logger) == 0)
        }
    }

    /// What an attacker or a broken producer sends; `bad` is whether it must become a dead letter.
    static func hostile(_ topics: TopicNames) -> [Sent] {
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        func ts(_ offsetSeconds: Int64) -> String { Timestamp(microseconds: now + offsetSeconds * 1_000_000).rfc3339 }
        func quote(_ time: String) -> String { #"{"type":"quote","symbol":"AAA","ts":"\#(time)","bid":"100","ask":"100.1","bid_size":1,"ask_size":1}"# }
        func trade(_ time: String, size: Int = 5) -> String { #"{"type":"trade","symbol":"AAA","ts":"\#(time)","price":"100","size":\#(size)}"# }
        let order = #""type":"new","side":"buy","order_type":"limit","price":"99","quantity":1"#
        let cases: [(String, String, String, Bool)] = [
            (topics.quotes, "AAA", quote("0000-01-01T00:00:00Z"), true),                // the poison pill of finding 2
            (topics.quotes, "AAA", quote("9999-12-31T00:00:00Z"), true),
            (topics.trades, "AAA", trade("9999-12-31T23:59:59Z"), true),                // finding 4: would move the valuation date
            (topics.trades, "AAA", trade(ts(3_600)), true),                             // an hour ahead of the clock
            (topics.trades, "AAA", trade("1971-01-01T00:00:00Z"), true),                // long ago: would open a partition in 1971
            (topics.trades, "AAA", trade(ts(0), size: 777_777), true),                  // refused by the database only
            (topics.trades, "AAA", trade(ts(0), size: 2_000_000_000_000), true),        // a size that would skew VWAP
            (topics.quotes, "BBB", quote(ts(0)), false),                                // market data may be keyed by anything
            (topics.trades, "AAA", trade(ts(-12 * 86_400)), false),                    // late but plausible: makes its day's partition
            (topics.commands, "MSFT", "{\(order),\"order_id\":\"k1\",\"symbol\":\"AAA\"}", true),  // finding 3: keyed by another symbol
            (topics.commands, String(repeating: "S", count: 200),
             "{\(order),\"order_id\":\"k2\",\"symbol\":\"\(String(repeating: "S", count: 200))\"}", true),
            (topics.commands, "AAA", "{\(order),\"order_id\":\"k3\",\"symbol\":\"AAA\",\"account\":\"a\\u0000b\"}", true),
            (topics.commands, "AAA", #"{"type":"new","side":"buy","order_type":"limit","price":"99","quantity":5000000000000,"order_id":"k4","symbol":"AAA"}"#, true),
        ]
        return cases.map { (topic: $0.0, key: $0.1, value: Array($0.2.utf8), bad: $0.3) }
    }

    static func send(_ messages: [Sent], brokers: String) async throws {
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(brokers: brokers))
        _ = try await producer.sendAll(messages.map { KafkaProducerRecord(topic: $0.topic, key: Array($0.key.utf8), value: $0.value) })
        await producer.shutdown()
    }
}
