import Foundation
import Kafka
import Synchronization
import Testing

/// librdkafka's statistics as `KafkaStatistics`: what its queues hold, from real clients.
@Suite("librdkafka statistics", .timeLimit(.minutes(1)))
struct KafkaStatisticsTests {
    /// The latest statistics a client reported, and a way to wait for a condition on them.
    final class Latest: Sendable {
        private let value = Mutex<KafkaStatistics?>(nil)
        var handler: @Sendable (KafkaStatistics) -> Void { { stats in self.record(stats) } }

        var current: KafkaStatistics? { value.withLock { $0 } }

        private func record(_ stats: KafkaStatistics) { value.withLock { $0 = stats } }

        func wait(for condition: (KafkaStatistics) -> Bool, within timeout: Duration = .seconds(15)) async throws -> KafkaStatistics? {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if let stats = value.withLock({ $0 }), condition(stats) { return stats }
                try await Task.sleep(for: .milliseconds(50))
            }
            return value.withLock { $0 }
        }
    }

    @Test("messages a producer cannot deliver are counted in its queue, with their bytes")
    func producerQueue() async throws {
        // Nothing listens on port 1: every message stays queued in librdkafka.
        var configuration = KafkaProducerConfiguration(brokers: "127.0.0.1:1")
        configuration.statisticsIntervalMilliseconds = 100
        configuration.messageTimeoutMilliseconds = 30_000
        configuration.flushTimeoutMilliseconds = 0
        let latest = Latest()
        let producer = try KafkaProducer(configuration: configuration, logger: testLogger, statistics: latest.handler)
        let value = String(repeating: "x", count: 1_000)
        for i in 0..<500 { try await producer.enqueue(KafkaProducerRecord(topic: "t", key: "k\(i)", value: value)) }
        let stats = try await latest.wait { $0.producerQueueMessages == 500 }
        await producer.shutdown()
        #expect(stats?.producerQueueMessages == 500)
        #expect((stats?.producerQueueBytes ?? 0) >= 500 * 1_000)
        #expect(stats?.fetchQueueMessages == 0)
        #expect(stats?.name.hasPrefix("quant-pipeline") == true)
    }

    @Test("a consumer whose application reads slowly prefetches into its fetch queue, up to its bound")
    func fetchQueue() async throws {
        let (_, topic) = try await makeTopic("stats", partitions: 2)
        let producer = try makeProducer()
        let value = String(repeating: "y", count: 2_000)
        _ = try await producer.sendAll((0..<2_000).map { KafkaProducerRecord(topic: topic, key: "k\($0 % 7)", value: value) })
        await producer.shutdown()

        var configuration = KafkaConsumerConfiguration(brokers: try brokers(), groupID: uniqueName("stats"))
        configuration.bufferCapacity = 1
        configuration.prefetchMaxKilobytes = 1_024
        configuration.statisticsIntervalMilliseconds = 100
        let latest = Latest()
        let recorder = AssignmentRecorder()
        let consumer = try KafkaConsumer(configuration: configuration, rebalance: recorder.handler(), logger: testLogger,
                                         statistics: latest.handler)
        try consumer.subscribe(topics: [topic])
        _ = await recorder.firstAssignment()
        // Read one message at a time: librdkafka hands out its statistics in order with the messages.
        var largest: KafkaStatistics?
        var taken = 0
        for try await _ in consumer.messages {
            taken += 1
            if let stats = latest.current, stats.fetchQueueMessages > largest?.fetchQueueMessages ?? -1 { largest = stats }
            if taken == 2_000 { break }
            try await Task.sleep(for: .milliseconds(1))
        }
        await consumer.close()
        let queued = try #require(largest)
        #expect(queued.fetchQueueMessages > 100, "the fetch queue fills while the application reads slowly")
        #expect(queued.fetchQueueBytes >= queued.fetchQueueMessages * 2_000)
        // The bound: 1 MiB of prefetch plus a fetch of up to 1 MiB in flight per partition.
        #expect(queued.fetchQueueBytes <= 3 * 1_048_576 + 65_536, "\(queued)")
        #expect(queued.fetchQueueMessages <= queued.replyQueue, "the consumer queue holds the fetched messages")
        #expect(queued.producerQueueMessages == 0)
    }
}
