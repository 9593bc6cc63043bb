import Foundation
import Kafka
import Logging
import PostgresNIO
import RiskEngine
import Testing
import TestSupport

/// `risk.metrics` on the real broker: each stored run is published once, keyed by its portfolio,
/// with the run id, as-of date, measures and stress results of what PostgreSQL holds.
@Suite(.timeLimit(.minutes(2))) struct RiskMetricsKafkaTests {
    static let logger = RiskTestDatabase.logger

    static func brokers() throws -> String {
        guard let brokers = ProcessInfo.processInfo.environment["KAFKA_BROKERS"], !brokers.isEmpty else {
            throw TestDatabase.MissingService(description: "KAFKA_BROKERS is not set: export the local stack's `scripts/stack env`")
        }
        return brokers
    }

    @Test func eachStoredRunIsPublishedKeyedByPortfolio() async throws {
        let brokers = try Self.brokers()
        // The processor's prefix convention (TopicNames): a unique prefix per run keeps tests apart.
        let topic = "test.risk.\(UUID().uuidString.prefix(8).lowercased()).risk.metrics"
        let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(brokers: brokers), logger: Self.logger)
        try await admin.createTopic(topic, partitions: 2)
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(brokers: brokers), logger: Self.logger)
        let market = try RiskTestMarket(weekdays: 80)
        var settings = try StressAndTailRiskTests.configuration()
        settings.monteCarloPaths = 500
        let configuration = settings

        let report = try await RiskTestDatabase.withMigratedClient { client, _ in
            try await market.seed(client, logger: Self.logger)
            let engine = RiskEngineService(
                client: client, configuration: configuration, logger: Self.logger,
                publisher: KafkaRiskMetricsPublisher(producer: producer, topic: topic))
            return try await engine.runCycle()
        }
        await producer.shutdown()
        #expect(report.stored.map(\.portfolioID) == ["alpha", "beta"])
        #expect(report.stored.allSatisfy { $0.published == true })
        #expect(report.skipped.allSatisfy { $0.published == nil })

        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(brokers: brokers, groupID: "test.risk.\(UUID().uuidString.prefix(8))"),
            logger: Self.logger)
        try consumer.assign([TopicPartitionOffset(topic, 0, .beginning), TopicPartitionOffset(topic, 1, .beginning)])
        let messages = try await withTimeout(seconds: 20, "two risk.metrics messages") {
            var result: [KafkaConsumerMessage] = []
            for try await message in consumer.messages {
                result.append(message)
                if result.count == 2 { break }
            }
            return result
        }
        await consumer.close()
        let decoded = try messages.map { try RiskMetricsMessage.decode(Data($0.value)) }
        #expect(Set(messages.compactMap(\.keyString)) == ["alpha", "beta"])
        for (message, body) in zip(messages, decoded) {
            #expect(message.keyString == body.portfolioId)
            #expect(body.type == "risk_result" && body.v == 1)
            let outcome = try #require(report.stored.first { $0.portfolioID == body.portfolioId })
            #expect(body.runId == outcome.runID?.uuidString.lowercased())
            #expect(body.computedAt == outcome.computedAt)
            #expect(body.asOf == market.valuationDate.description)
            #expect(body.measures.count == 18)
            #expect(body.stress.map(\.scenario) == configuration.stressScenarios.map(\.name))
            #expect(body.beta?.index == "MSFT")
            // The wire format is snake_case, as every message of the pipeline.
            let text = String(decoding: message.value, as: UTF8.self)
            #expect(text.contains("\"expected_shortfall\"") && text.contains("\"portfolio_id\"") && !text.contains("portfolioId"))
        }
    }
}
