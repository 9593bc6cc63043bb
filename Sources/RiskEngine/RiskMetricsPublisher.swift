import Foundation
import Kafka

/// Where the risk engine announces each stored run besides `NOTIFY risk_metrics`. Publishing
/// comes after the commit, so a message always describes a run that is in PostgreSQL; a publish
/// that fails is logged and the run stays stored (PostgreSQL is the record, Kafka a feed).
public protocol RiskMetricsPublisher: Sendable {
    func publish(_ message: RiskMetricsMessage) async throws
}

/// Publishes to `<prefix>risk.metrics` (docs/messages.md), keyed by portfolio id so one
/// portfolio's runs stay in order in one partition; waits for the delivery report.
public struct KafkaRiskMetricsPublisher: RiskMetricsPublisher {
    public let producer: KafkaProducer
    public let topic: String

    public init(producer: KafkaProducer, topic: String) {
        self.producer = producer
        self.topic = topic
    }

    public func publish(_ message: RiskMetricsMessage) async throws {
        _ = try await producer.send(KafkaProducerRecord(
            topic: topic, key: Array(message.portfolioId.utf8), value: Array(try message.json())))
    }
}
