import Kafka
import OrderBook
import Foundation

/// Where the API sends order commands. `KafkaOrderPublisher` in production; tests may record.
public protocol OrderCommandPublisher: Sendable {
    /// Returns once the command is durably accepted (for Kafka: its delivery report arrived).
    func publish(_ command: OrderCommandMessage) async throws
    /// Throws when the destination cannot be reached (for `/health`).
    func probe() async throws
}

/// Publishes to `<prefix>orders.commands`, keyed by symbol so a symbol's commands stay in order
/// in one partition (docs/messages.md).
public struct KafkaOrderPublisher: OrderCommandPublisher {
    public let producer: KafkaProducer
    public let admin: KafkaAdmin
    public let topic: String

    public init(producer: KafkaProducer, admin: KafkaAdmin, topic: String) {
        self.producer = producer
        self.admin = admin
        self.topic = topic
    }

    public func publish(_ command: OrderCommandMessage) async throws {
        let value = try JSONEncoder().encode(command)
        _ = try await producer.send(KafkaProducerRecord(topic: topic, key: Array((command.symbol ?? "").utf8), value: Array(value)))
    }

    public func probe() async throws {
        struct MissingTopic: Error {}
        guard try await admin.topic(topic) != nil else { throw MissingTopic() }
    }
}
