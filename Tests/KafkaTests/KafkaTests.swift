import Foundation
@testable import Kafka
import Testing

@Suite("Kafka wrapper against the local broker", .timeLimit(.minutes(1)))
struct KafkaTests {
    @Test("librdkafka >= 2.3 is the one actually loaded")
    func librdkafkaVersion() {
        let (major, minor, _) = KafkaLibrary.versionNumber
        #expect(major > 2 || (major == 2 && minor >= 3), "loaded librdkafka \(KafkaLibrary.version)")
        #expect(KafkaLibrary.version.hasPrefix("2.8"), "loaded librdkafka \(KafkaLibrary.version), expected the 2.8 build in /usr/local")
    }

    @Test("the Kafka wrapper can create a topic, produce and consume back a message through the local broker")
    func roundTrip() async throws {
        let (admin, topic) = try await makeTopic("roundtrip", partitions: 1)
        let metadata = try #require(try await admin.topic(topic))
        #expect(metadata.partitions == [0])

        let producer = try makeProducer()
        let report = try await producer.send(KafkaProducerRecord(
            topic: topic, key: "AAPL", value: #"{"type":"quote"}"#, headers: [KafkaHeader("schema", "1")]))
        #expect(report.topicPartition == TopicPartition(topic, 0))
        #expect(report.offset == 0)
        await producer.shutdown()

        let consumer = try makeConsumer(group: uniqueName("roundtrip"), rebalance: AssignmentRecorder().handler())
        try consumer.subscribe(topics: [topic])
        let messages = try await take(1, from: consumer)
        await consumer.close()
        let message = try #require(messages.first)
        #expect(message.topic == topic)
        #expect(message.partition == 0)
        #expect(message.offset == 0)
        #expect(message.keyString == "AAPL")
        #expect(message.valueString == #"{"type":"quote"}"#)
        #expect(message.header("schema") == Array("1".utf8))
        #expect(message.timestamp.map { abs($0.timeIntervalSinceNow) < 60 } == true)
    }

    @Test("keyed messages with delivery reports come back complete, per-key ordered, with application offsets")
    func keyedBatchRoundTrip() async throws {
        let (admin, topic) = try await makeTopic("keyed", partitions: 3)
        let producer = try makeProducer(lingerMilliseconds: 20)
        let symbols = ["AAPL", "MSFT", "GOOG", "AMZN", "TSLA", "NVDA"]
        let records = (0..<60).map { i in
            KafkaProducerRecord(topic: topic, key: symbols[i % symbols.count], value: "\(i)",
                                headers: [KafkaHeader("seq", "\(i)")])
        }
        let reports = try await producer.sendAll(records)
        await producer.shutdown()
        #expect(reports.count == 60)
        // One key, one partition.
        var partitionOfKey: [String: KafkaPartition] = [:]
        for (record, report) in zip(records, reports) {
            let key = String(decoding: record.key!, as: UTF8.self)
            #expect(partitionOfKey[key, default: report.topicPartition.partition] == report.topicPartition.partition)
            partitionOfKey[key] = report.topicPartition.partition
        }
        // End offsets agree with the delivery reports (the exact per-partition counts).
        var expectedEnd: [KafkaPartition: KafkaOffset] = [0: 0, 1: 0, 2: 0]
        for report in reports { expectedEnd[report.topicPartition.partition] = max(expectedEnd[report.topicPartition.partition]!, report.offset.next) }
        #expect(try await admin.endOffsets(topic: topic) == expectedEnd)

        let recorder = AssignmentRecorder()
        let consumer = try makeConsumer(group: uniqueName("keyed"), rebalance: recorder.handler())
        try consumer.subscribe(topics: [topic])
        let messages = try await take(60, from: consumer)
        #expect(try consumer.assignment().count == 3)
        await consumer.close()
        #expect(Set(messages.map(\.valueString)) == Set((0..<60).map(String.init)))
        for symbol in symbols {
            let sequence = messages.filter { $0.keyString == symbol }.map { Int($0.valueString)! }
            #expect(sequence == sequence.sorted(), "per-key order of \(symbol)")
        }
        #expect(messages.allSatisfy { $0.header("seq") == Array($0.valueString.utf8) })
    }

    @Test("the assignment handler's offsets are where consumption starts")
    func seekOnAssignment() async throws {
        let (_, topic) = try await makeTopic("seek", partitions: 1)
        let producer = try makeProducer()
        _ = try await producer.sendAll((0..<10).map { KafkaProducerRecord(topic: topic, key: "k", value: "m\($0)") })
        await producer.shutdown()

        let recorder = AssignmentRecorder()
        let consumer = try makeConsumer(group: uniqueName("seek"), rebalance: recorder.handler { _ in 6 })
        try consumer.subscribe(topics: [topic])
        let messages = try await take(4, from: consumer)
        await consumer.close()
        #expect(messages.map(\.offset) == [6, 7, 8, 9])
        #expect(messages.map(\.valueString) == ["m6", "m7", "m8", "m9"])
    }

    @Test("a paused partition delivers nothing until it is resumed")
    func pauseResume() async throws {
        let (_, topic) = try await makeTopic("pause", partitions: 1)
        let producer = try makeProducer()
        try await producer.send(KafkaProducerRecord(topic: topic, key: "k", value: "before"))

        let recorder = AssignmentRecorder()
        let consumer = try makeConsumer(group: uniqueName("pause"), rebalance: recorder.handler())
        try consumer.subscribe(topics: [topic])
        #expect(try await take(1, from: consumer).map(\.valueString) == ["before"])
        let partition = TopicPartition(topic, 0)
        try consumer.pause([partition])
        try await producer.send(KafkaProducerRecord(topic: topic, key: "k", value: "while paused"))

        // Nothing may arrive while paused.
        let early = try await take(1, from: consumer, timeout: .milliseconds(1_500), failOnTimeout: false)
        #expect(early.isEmpty, "delivered while paused: \(early.map(\.valueString))")

        try consumer.resume([partition])
        let late = try await take(1, from: consumer)
        #expect(late.map(\.valueString) == ["while paused"])
        #expect(late.map(\.offset) == [1])
        await consumer.close()
        await producer.shutdown()
    }

    @Test("watermarks count exactly what was produced, even in multi-record batches")
    func watermarks() async throws {
        let (admin, topic) = try await makeTopic("watermarks", partitions: 2)
        #expect(try await admin.watermarks(topic: topic) == [0: KafkaWatermarks(low: 0, high: 0), 1: KafkaWatermarks(low: 0, high: 0)])
        let producer = try makeProducer(lingerMilliseconds: 50)
        _ = try await producer.sendAll((0..<7).map { KafkaProducerRecord(topic: topic, partition: 0, key: "a", value: "\($0)") })
        _ = try await producer.sendAll((0..<3).map { KafkaProducerRecord(topic: topic, partition: 1, key: "b", value: "\($0)") })
        await producer.shutdown()
        #expect(try await admin.watermarks(topic: topic) == [0: KafkaWatermarks(low: 0, high: 7), 1: KafkaWatermarks(low: 0, high: 3)])
    }

    @Test("a full buffer stops polling: memory stays bounded until the application reads")
    func backpressure() async throws {
        let (_, topic) = try await makeTopic("backpressure", partitions: 1)
        let producer = try makeProducer()
        _ = try await producer.sendAll((0..<50).map { KafkaProducerRecord(topic: topic, key: "k", value: "\($0)") })
        await producer.shutdown()

        let recorder = AssignmentRecorder()
        let consumer = try makeConsumer(group: uniqueName("backpressure"), bufferCapacity: 5, rebalance: recorder.handler())
        try consumer.subscribe(topics: [topic])
        _ = await recorder.firstAssignment()
        try await Task.sleep(for: .seconds(1))
        #expect(consumer.bufferedCount <= 5)
        let messages = try await take(50, from: consumer)
        await consumer.close()
        #expect(messages.map(\.valueString) == (0..<50).map(String.init))
    }

    @Test("a cancelled send stops waiting for its delivery report at once, even with the broker down")
    func aCancelledSendEndsAtOnce() async throws {
        // Nothing listens on port 1: the message would wait out message.timeout.ms (30 s).
        var configuration = KafkaProducerConfiguration(brokers: "127.0.0.1:1")
        configuration.flushTimeoutMilliseconds = 100  // its shutdown below gives up on the undeliverable
        let producer = try KafkaProducer(configuration: configuration)
        let sending = Task { try await producer.send(KafkaProducerRecord(topic: "nowhere", key: "k", value: "v")) }
        try await Task.sleep(for: .milliseconds(200))
        let cancelled = ContinuousClock.now
        sending.cancel()
        await #expect(throws: KafkaError.self) { try await sending.value }
        #expect(cancelled.duration(to: .now) < .seconds(5))
        // The producer still works for others, and stops (flush timeout) without the report.
        let later = Task { try await producer.send(KafkaProducerRecord(topic: "nowhere", key: "k", value: "v")) }
        later.cancel()
        await #expect(throws: KafkaError.self) { try await later.value }
        await producer.shutdown()  // or it would go on reconnecting to port 1 for the rest of the run
    }

    @Test("an unknown configuration key is a typed configuration error")
    func badConfigurationKey() throws {
        var configuration = KafkaProducerConfiguration(brokers: "127.0.0.1:1")
        configuration.properties["no.such.key"] = "1"
        let error = #expect(throws: KafkaError.self) { try KafkaProducer(configuration: configuration) }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("no.such.key") == true)
    }

    @Test("creating an existing topic is a typed broker error")
    func topicAlreadyExists() async throws {
        let (admin, topic) = try await makeTopic("exists", partitions: 1)
        let error = await #expect(throws: KafkaError.self) { try await admin.createTopic(topic, partitions: 1) }
        #expect(error?.isTopicAlreadyExists == true)
        #expect(error?.name == "TOPIC_ALREADY_EXISTS")
        try await admin.createTopicIfNeeded(topic, partitions: 1)
    }

    @Test("offsets committed to Kafka read back through committed()")
    func commitAndCommitted() async throws {
        let (_, topic) = try await makeTopic("commit", partitions: 1)
        let producer = try makeProducer()
        _ = try await producer.sendAll((0..<3).map { KafkaProducerRecord(topic: topic, key: "k", value: "\($0)") })
        await producer.shutdown()
        let consumer = try makeConsumer(group: uniqueName("commit"), rebalance: AssignmentRecorder().handler())
        try consumer.subscribe(topics: [topic])
        let messages = try await take(3, from: consumer)
        let partition = TopicPartition(topic, 0)
        try await consumer.commit([TopicPartitionOffset(partition, messages.last!.offset.next)])
        #expect(try await consumer.committed([partition]) == [TopicPartitionOffset(partition, 3)])
        await consumer.close()
    }
}

@Suite("Kafka producer throughput path", .timeLimit(.minutes(1)))
struct KafkaProducerEnqueueTests {
    @Test("enqueued messages without awaited reports are all delivered by flush")
    func enqueueAndFlush() async throws {
        let (admin, topic) = try await makeTopic("enqueue", partitions: 2)
        let producer = try makeProducer()
        for i in 0..<2_000 {
            try await producer.enqueue(KafkaProducerRecord(topic: topic, key: "k\(i % 16)", value: "\(i)"))
        }
        try await producer.flush()
        #expect(producer.failedDeliveries == 0)
        await producer.shutdown()
        let ends = try await admin.endOffsets(topic: topic)
        #expect(ends.values.map(\.rawValue).reduce(0, +) == 2_000)
    }
}

@Suite("Kafka consumer without a group", .timeLimit(.minutes(1)))
struct KafkaManualAssignmentTests {
    @Test("manual assignment reads chosen partitions from chosen offsets without joining a group")
    func manualAssignment() async throws {
        let (_, topic) = try await makeTopic("assign", partitions: 2)
        let producer = try makeProducer()
        _ = try await producer.sendAll((0..<5).map { KafkaProducerRecord(topic: topic, partition: 1, key: "k", value: "p1-\($0)") })
        _ = try await producer.sendAll((0..<5).map { KafkaProducerRecord(topic: topic, partition: 0, key: "k", value: "p0-\($0)") })
        await producer.shutdown()

        let consumer = try makeConsumer(group: uniqueName("assign"), rebalance: KafkaRebalanceHandler(assigned: { _ in
            Issue.record("a manual assignment must not call the rebalance handler")
            return [:]
        }))
        let started = ContinuousClock.now
        try consumer.assign([TopicPartitionOffset(topic, 1, 2)])
        let messages = try await take(3, from: consumer)
        #expect(ContinuousClock.now - started < .seconds(2), "no group join to wait for")
        #expect(try consumer.assignment() == [TopicPartition(topic, 1)])
        await consumer.close()
        #expect(messages.map(\.valueString) == ["p1-2", "p1-3", "p1-4"])
    }
}

@Suite("Kafka clients as services", .timeLimit(.minutes(1)))
struct KafkaServiceTests {
    @Test("cancelling run() closes the consumer and ends its messages; the producer flushes")
    func runUntilCancelled() async throws {
        let (_, topic) = try await makeTopic("service", partitions: 1)
        let producer = try makeProducer()
        let consumer = try makeConsumer(group: uniqueName("service"), rebalance: AssignmentRecorder().handler())
        try consumer.subscribe(topics: [topic])
        let producerRun = Task { try await producer.run() }
        let consumerRun = Task { try await consumer.run() }
        try await producer.enqueue(KafkaProducerRecord(topic: topic, key: "k", value: "v"))
        #expect(try await take(1, from: consumer).map(\.valueString) == ["v"])
        consumerRun.cancel()
        producerRun.cancel()
        _ = await (consumerRun.result, producerRun.result)
        var rest = 0
        for try await _ in consumer.messages { rest += 1 }
        #expect(rest == 0)
        await #expect(throws: KafkaError.self) { try await producer.send(KafkaProducerRecord(topic: topic, key: "k", value: "late")) }
    }
}
