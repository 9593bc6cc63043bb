import Foundation
import Kafka
import MarketCore
import MarketMessages
import PostgresNIO
import Processor
import Store
import TestSupport
import Testing

/// Issue 18: an instrument inserted into `market.instruments` reaches a running processor without
/// a restart (migration 0021's `instruments` NOTIFY); a message for a symbol that arrives before
/// its instrument is dead-lettered with a reason that says so.
@Suite(.serialized) struct LiveInstrumentTests {
    @Test func anInstrumentAddedWhileRunningIsTakenWithoutARestart() async throws {
        try await ProcessorIntegrationTests.withFixture { f in
            let settings = ProcessorSettings(brokers: f.brokers, groupID: f.group, topics: f.topics, batchMaxMessages: 100,
                                             batchMaxDelay: .milliseconds(20))
            try await f.db.withClient(as: "quant_processor") { processorClient in
                let pipelines = PipelineList()
                let run = Task { try await ProcessorService(settings: settings, client: processorClient, logger: f.db.logger).run { await pipelines.add($0) } }
                defer { run.cancel() }
                let pipeline = try await Self.first(pipelines)

                // Before its instrument exists: a dead letter that names the reason.
                try await Self.produceQuote("NEWCO", topics: f.topics, brokers: f.brokers)
                try await ProcessorIntegrationTests.waitUntilCaughtUp(f.client, group: f.group, topics: f.topics, brokers: f.brokers, logger: f.db.logger)
                let reasons = try await f.client.query("SELECT error FROM ops.dead_letters", logger: f.db.logger).decode(String.self)
                var errors: [String] = []
                for try await error in reasons { errors.append(error) }
                #expect(errors == ["unknown symbol NEWCO: not an active instrument in market.instruments"])

                // Inserted while the processor runs: the processor hears of it and takes its quotes.
                try await f.client.query("INSERT INTO market.instruments (symbol, kind) VALUES ('NEWCO', 'equity')", logger: f.db.logger)
                let deadline = ContinuousClock.now + .seconds(10)
                while await !pipeline.knownSymbols.contains("NEWCO"), ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(await pipeline.knownSymbols.contains("NEWCO"), "the instruments NOTIFY reached the processor")
                try await Self.produceQuote("NEWCO", topics: f.topics, brokers: f.brokers)
                try await ProcessorIntegrationTests.waitUntilCaughtUp(f.client, group: f.group, topics: f.topics, brokers: f.brokers, logger: f.db.logger)
                #expect(try await ProcessorIntegrationTests.count(f.client, "SELECT count(*)::int FROM market.quotes WHERE symbol = 'NEWCO'", logger: f.db.logger) == 1)
                #expect(try await ProcessorIntegrationTests.count(f.client, "SELECT count(*)::int FROM ops.dead_letters", logger: f.db.logger) == 1)

                // Deactivated: its quotes are refused again, still without a restart.
                try await f.client.query("UPDATE market.instruments SET active = false WHERE symbol = 'NEWCO'", logger: f.db.logger)
                let gone = ContinuousClock.now + .seconds(10)
                while await pipeline.knownSymbols.contains("NEWCO"), ContinuousClock.now < gone {
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(await !pipeline.knownSymbols.contains("NEWCO"))
                try await Self.produceQuote("NEWCO", topics: f.topics, brokers: f.brokers)
                try await ProcessorIntegrationTests.waitUntilCaughtUp(f.client, group: f.group, topics: f.topics, brokers: f.brokers, logger: f.db.logger)
                #expect(try await ProcessorIntegrationTests.count(f.client, "SELECT count(*)::int FROM market.quotes WHERE symbol = 'NEWCO'", logger: f.db.logger) == 1)
                #expect(try await ProcessorIntegrationTests.count(f.client, "SELECT count(*)::int FROM ops.dead_letters", logger: f.db.logger) == 2)
                run.cancel()
                try await run.value
            }
        }
    }

    static func first(_ pipelines: PipelineList) async throws -> ProcessorPipeline {
        for _ in 0..<500 {
            if let pipeline = await pipelines.pipelines.first { return pipeline }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestDatabase.MissingService(description: "the processor did not start")
    }

    static func produceQuote(_ symbol: String, topics: TopicNames, brokers: String) async throws {
        let now = Timestamp(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000))
        let quote = QuoteMessage(symbol: Symbol(symbol)!, ts: now, bid: Price("10"), ask: Price("10.5"), bidSize: 1, askSize: 1)
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(brokers: brokers))
        _ = try await producer.sendAll([KafkaProducerRecord(topic: topics.quotes, key: Array(symbol.utf8), value: MessageEncoder.quote(quote))])
        await producer.shutdown()
    }
}
