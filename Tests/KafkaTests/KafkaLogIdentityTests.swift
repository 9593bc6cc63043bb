import Foundation
import Kafka
import Testing
import TestSupport

/// A broker that replaces a log under the same topic name (a restarted memory broker) while a
/// consumer reads it: the consumer must notice the new topic id and read the new log from its
/// beginning, never from its old position, which in the new log names other messages.
@Suite(.serialized) struct KafkaLogIdentityTests {
    @Test func aConsumerReadsAReplacedLogFromItsBeginningAndTagsItsMessagesWithTheNewID() async throws {
        let broker = try await PrivateBroker()
        defer { broker.remove() }
        let topic = "md.quotes"  // created with 4 partitions by every (re)start of the private broker
        let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(brokers: broker.brokers), logger: testLogger)
        let oldID = try #require(try await admin.topicIDs([topic])[topic])

        try await produce((0..<200).map { "a\($0)" }, topic: topic, brokers: broker.brokers)
        // A consumer that has fetched only a little of the old log: its buffer holds 10 messages and
        // librdkafka's prefetch stops at 1 KiB, so while nobody reads, its positions stay low.
        var configuration = KafkaConsumerConfiguration(brokers: broker.brokers, groupID: "log-identity")
        configuration.bufferCapacity = 10
        configuration.prefetchMaxKilobytes = 1
        let consumer = try KafkaConsumer(configuration: configuration, logger: testLogger)
        try consumer.assign((0..<4).map { TopicPartitionOffset(topic, KafkaPartition(rawValue: $0), .beginning) })
        try await Task.sleep(for: .seconds(1))

        // The broker restarts empty and its new log grows past every position the consumer had.
        try await broker.restart()
        let newID = try #require(try await admin.topicIDs([topic])[topic])
        #expect(newID != oldID)
        let regrown = (0..<400).map { "b\($0)" }
        try await produce(regrown, topic: topic, brokers: broker.brokers)

        // Read (one iteration: the sequence hands out chunks) until every message of the new log is
        // in, then a little longer for anything read twice; or until time runs out.
        let reader = Task {
            var received: [KafkaConsumerMessage] = []
            var newCount = 0
            for try await message in consumer.messages {
                received.append(message)
                if message.valueString.hasPrefix("b") { newCount += 1 }
                if newCount >= regrown.count { break }
            }
            return received
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(30))
            await consumer.close()
        }
        var received = try await reader.value
        timeout.cancel()
        received += try await take(1_000, from: consumer, timeout: .seconds(2), failOnTimeout: false)
        await consumer.close()

        let old = received.filter { $0.valueString.hasPrefix("a") }
        let new = received.filter { $0.valueString.hasPrefix("b") }
        #expect(old.allSatisfy { $0.topicID == oldID }, "messages of the old log carry its id")
        #expect(new.allSatisfy { $0.topicID == newID }, "messages of the new log carry the new id")
        #expect(Set(new.map(\.valueString)) == Set(regrown), "every message of the new log, from its first")
        #expect(new.count == regrown.count, "none twice")
        for partition in 0..<4 {
            let offsets = new.filter { $0.partition.rawValue == Int32(partition) }.map(\.offset.rawValue)
            #expect(offsets == Array(0..<Int64(offsets.count)), "partition \(partition): the new log from offset 0, in order: \(offsets.prefix(5))…")
        }
        // Within each partition the old log's messages all come before the new log's.
        for partition in 0..<4 {
            let values = received.filter { $0.partition.rawValue == Int32(partition) }.map(\.valueString)
            if let firstNew = values.firstIndex(where: { $0.hasPrefix("b") }) {
                #expect(!values[firstNew...].contains { $0.hasPrefix("a") }, "partition \(partition) went back to the old log")
            }
        }
    }

    /// An assignment the broker could not describe (a restarted broker re-creating its topics): the
    /// application names the log its offsets belong to, and the consumer holds the partitions until
    /// it can compare. A partition of another log is read from its beginning; one of the same log
    /// from the application's offset.
    @Test func aHeldPartitionOfAnotherLogStartsFromItsBeginningAndOneOfTheSameLogAtItsOffset() async throws {
        let (admin, topic) = try await makeTopic("held", partitions: 2)
        let id = try #require(try await admin.topicIDs([topic])[topic])
        let producer = try makeProducer()
        _ = try await producer.sendAll((0..<40).map {
            KafkaProducerRecord(topic: topic, partition: KafkaPartition(rawValue: Int32($0 % 2)), key: nil, value: "m\($0)")
        })
        await producer.shutdown()
        let consumer = try makeConsumer(group: uniqueName("held"), rebalance: KafkaRebalanceHandler(assigned: { assignment in
            for partition in assignment.partitions {
                assignment.expectLog(partition.partition.rawValue == 0 ? KafkaTopicID(rawValue: "a-log-the-broker-lost") : id, of: partition)
            }
            return Dictionary(uniqueKeysWithValues: assignment.partitions.map { ($0, KafkaOffset(rawValue: 5)) })
        }))
        try consumer.subscribe(topics: [topic])
        let messages = try await take(35, from: consumer, timeout: .seconds(30))
        await consumer.close()
        #expect(messages.filter { $0.partition.rawValue == 0 }.map(\.offset.rawValue) == Array(0..<20), "another log: from its beginning")
        #expect(messages.filter { $0.partition.rawValue == 1 }.map(\.offset.rawValue) == Array(5..<20), "the same log: from the offset")
        #expect(messages.allSatisfy { $0.topicID == id })
    }

    @Test func topicIDsAreTheBrokersAndAbsentForUnknownTopics() async throws {
        let (admin, topic) = try await makeTopic("ids", partitions: 2)
        let ids = try await admin.topicIDs([topic, uniqueName("missing")])
        #expect(ids.count == 1)
        #expect(ids[topic]?.rawValue.count == 22, "a UUID in base64 without padding")
    }

    private func produce(_ values: [String], topic: String, brokers: String) async throws {
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(brokers: brokers), logger: testLogger)
        _ = try await producer.sendAll(values.enumerated().map {
            KafkaProducerRecord(topic: topic, key: "k\($0.offset % 16)", value: $0.element)
        })
        await producer.shutdown()
    }
}
