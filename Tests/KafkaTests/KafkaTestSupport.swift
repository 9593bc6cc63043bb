import Foundation
import Kafka
import Logging
import Testing

/// The local stack's broker (`scripts/stack up` prints KAFKA_BROKERS). Missing is a failure, never a skip.
func brokers() throws -> String {
    guard let value = ProcessInfo.processInfo.environment["KAFKA_BROKERS"], !value.isEmpty else {
        throw MissingBroker()
    }
    return value
}

struct MissingBroker: Error, CustomStringConvertible {
    var description: String {
        "KAFKA_BROKERS is not set: start the local stack with `eval \"$(scripts/stack up)\"` before running KafkaTests"
    }
}

/// A name no other test (or earlier run against the same broker) uses.
func uniqueName(_ prefix: String) -> String {
    "test.\(prefix).\(UUID().uuidString.prefix(8).lowercased())"
}

let testLogger: Logger = {
    var logger = Logger(label: "kafka.tests")
    logger.logLevel = ProcessInfo.processInfo.environment["KAFKA_TEST_LOG"] == nil ? .warning : .debug
    return logger
}()

func makeTopic(_ prefix: String, partitions: Int) async throws -> (admin: KafkaAdmin, topic: String) {
    let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(brokers: try brokers()), logger: testLogger)
    let topic = uniqueName(prefix)
    try await admin.createTopic(topic, partitions: partitions)
    return (admin, topic)
}

func makeProducer(lingerMilliseconds: Int = 5) throws -> KafkaProducer {
    var configuration = KafkaProducerConfiguration(brokers: try brokers())
    configuration.lingerMilliseconds = lingerMilliseconds
    return try KafkaProducer(configuration: configuration, logger: testLogger)
}

func makeConsumer(group: String, bufferCapacity: Int = 1_000, rebalance: KafkaRebalanceHandler) throws -> KafkaConsumer {
    var configuration = KafkaConsumerConfiguration(brokers: try brokers(), groupID: group)
    configuration.bufferCapacity = bufferCapacity
    return try KafkaConsumer(configuration: configuration, rebalance: rebalance, logger: testLogger)
}

/// Takes `count` messages or fails after `timeout`.
func take(_ count: Int, from consumer: KafkaConsumer, timeout: Duration = .seconds(20), failOnTimeout: Bool = true) async throws -> [KafkaConsumerMessage] {
    try await withThrowingTaskGroup(of: [KafkaConsumerMessage]?.self) { group in
        group.addTask {
            var result: [KafkaConsumerMessage] = []
            for try await message in consumer.messages {
                result.append(message)
                if result.count == count { break }
            }
            return result
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        let first = try await group.next()!
        group.cancelAll()
        guard let messages = first else {
            if !failOnTimeout { return [] }
            Issue.record("timed out waiting for \(count) messages")
            return []
        }
        return messages
    }
}

/// Records the rebalance events a test can wait on.
final class AssignmentRecorder: Sendable {
    private let stream: AsyncStream<[TopicPartition]>
    private let continuation: AsyncStream<[TopicPartition]>.Continuation

    init() { (stream, continuation) = AsyncStream.makeStream() }

    func handler(startAt offsets: @escaping @Sendable (TopicPartition) -> KafkaOffset = { _ in .beginning }) -> KafkaRebalanceHandler {
        KafkaRebalanceHandler(assigned: { [continuation] assignment in
            continuation.yield(assignment.partitions)
            return Dictionary(uniqueKeysWithValues: assignment.partitions.map { ($0, offsets($0)) })
        })
    }

    /// Waits for the first assignment.
    func firstAssignment() async -> [TopicPartition] {
        for await partitions in stream { return partitions }
        return []
    }
}
