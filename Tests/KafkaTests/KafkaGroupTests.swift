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

extension KafkaGroupTests {
    /// A restarted broker re-creates its topics one by one, and the group may rejoin in between: a
    /// subscribed topic that appears after the join must still be assigned within seconds (with
    /// librdkafka's default metadata refresh it waited five minutes, unread).
    @Test("a subscribed topic created after the group joined is assigned within seconds")
    func aTopicCreatedAfterTheJoinIsAssigned() async throws {
        let (admin, early) = try await makeTopic("early", partitions: 2)
        let late = uniqueName("late")
        let consumer = try makeConsumer(group: uniqueName("group"), rebalance: KafkaRebalanceHandler())
        try consumer.subscribe(topics: [early, late])
        let reading = Task { try await take(1, from: consumer, timeout: .seconds(40)) }
        try await waitUntil { (try? consumer.assignment().isEmpty == false) ?? false }
        #expect(try consumer.assignment().allSatisfy { $0.topic == early })
        try await admin.createTopic(late, partitions: 2)
        let created = ContinuousClock.now
        let producer = try makeProducer()
        _ = try await producer.sendAll([KafkaProducerRecord(topic: late, key: "k", value: "late")])
        await producer.shutdown()
        let messages = try await reading.value
        #expect(messages.map(\.topic) == [late])
        #expect(ContinuousClock.now - created < .seconds(20))
        await consumer.close()
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
