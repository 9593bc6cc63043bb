import Foundation
@testable import Kafka
import Testing

/// Two members of one group with offsets kept by the application (here an actor standing in for
/// PostgreSQL): the partitions are split, move on rebalance, and every message is processed once.
@Suite("Kafka consumer group with application-owned offsets", .timeLimit(.minutes(1)))
struct KafkaGroupTests {
    /// The application's offset store: accepts a message only at the partition's next offset, as
    /// the processor's transactional offset upsert does.
    actor OffsetStore {
        var next: [TopicPartition: KafkaOffset] = [:]
        var processed: [String] = []
        var rejected = 0

        func startingOffsets(_ partitions: [TopicPartition]) -> [TopicPartition: KafkaOffset] {
            Dictionary(uniqueKeysWithValues: partitions.map { ($0, next[$0] ?? .beginning) })
        }

        func process(_ message: KafkaConsumerMessage) {
            let expected = next[message.topicPartition] ?? 0
            guard message.offset == expected else {
                rejected += 1
                return
            }
            next[message.topicPartition] = message.offset.next
            processed.append(message.valueString)
        }

        var count: Int { processed.count }
    }

    @Test("two members share the partitions and together process every message once")
    func twoMembers() async throws {
        let (admin, topic) = try await makeTopic("group", partitions: 4)
        let group = uniqueName("group")
        let store = OffsetStore()
        let handler = KafkaRebalanceHandler(assigned: { await store.startingOffsets($0.partitions) })
        let producer = try makeProducer()
        let first = try makeConsumer(group: group, rebalance: handler)
        try first.subscribe(topics: [topic])
        let firstTask = Task { for try await message in first.messages { await store.process(message) } }

        _ = try await producer.sendAll((0..<40).map { KafkaProducerRecord(topic: topic, key: "k\($0 % 8)", value: "\($0)") })
        try await waitUntil { await store.count >= 10 }

        let second = try makeConsumer(group: group, rebalance: handler)
        try second.subscribe(topics: [topic])
        let secondTask = Task { for try await message in second.messages { await store.process(message) } }
        try await waitUntil { (try? second.assignment().isEmpty == false) ?? false }
        _ = try await producer.sendAll((40..<80).map { KafkaProducerRecord(topic: topic, key: "k\($0 % 8)", value: "\($0)") })
        await producer.shutdown()
        try await waitUntil { await store.count >= 80 }

        let firstPartitions = try first.assignment()
        let secondPartitions = try second.assignment()
        #expect(Set(firstPartitions).isDisjoint(with: secondPartitions))
        #expect(firstPartitions.count + secondPartitions.count == 4)
        await first.close()
        await second.close()
        _ = await (firstTask.result, secondTask.result)

        let processed = await store.processed
        #expect(processed.count == 80)
        #expect(Set(processed) == Set((0..<80).map(String.init)))
        let ends = try await admin.endOffsets(topic: topic)
        let stored = await store.next
        #expect(ends.allSatisfy { stored[TopicPartition(topic, $0.key)] ?? 0 == $0.value })
    }
}

/// Polls `condition` every 50 ms for up to `timeout`.
func waitUntil(timeout: Duration = .seconds(30), _ condition: @Sendable () async -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !(await condition()) {
        if ContinuousClock.now > deadline {
            Issue.record("condition not met within \(timeout)")
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(50))
    }
}
