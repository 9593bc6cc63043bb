import Foundation

/// What librdkafka holds in memory for one client, from the statistics it emits every
/// `statistics.interval.ms` (a subset of its STATISTICS.md JSON).
///
/// Both queues are bounded by configuration: the fetch queue by `queued.max.messages.kbytes`
/// (`KafkaConsumerConfiguration.prefetchMaxKilobytes`) plus the fetches in flight (up to
/// `max.partition.fetch.bytes`, 1 MiB, per partition), the producer queue by
/// `queue.buffering.max.messages` / `queue.buffering.max.kbytes`.
public struct KafkaStatistics: Sendable, Hashable {
    /// The client's name (`client.id` and an instance number), as librdkafka reports it.
    public var name: String
    /// Messages waiting in the producer's queues for delivery (`msg_cnt`), and their size (`msg_size`).
    public var producerQueueMessages: Int
    public var producerQueueBytes: Int
    /// Messages fetched ahead and not yet taken by the application (`fetchq_cnt`, `fetchq_size`).
    /// A group consumer forwards every partition's fetch queue to its one consumer queue, so each
    /// partition reports that queue's totals (delivery ops included): this is their maximum.
    public var fetchQueueMessages: Int
    public var fetchQueueBytes: Int
    /// Operations (delivery reports, rebalances, errors) waiting for the application's poll (`replyq`).
    public var replyQueue: Int

    public init(name: String, producerQueueMessages: Int = 0, producerQueueBytes: Int = 0,
                fetchQueueMessages: Int = 0, fetchQueueBytes: Int = 0, replyQueue: Int = 0) {
        self.name = name
        self.producerQueueMessages = producerQueueMessages
        self.producerQueueBytes = producerQueueBytes
        self.fetchQueueMessages = fetchQueueMessages
        self.fetchQueueBytes = fetchQueueBytes
        self.replyQueue = replyQueue
    }

    /// Reads librdkafka's statistics JSON.
    public init(json: some Collection<UInt8>) throws {
        let raw = try JSONDecoder().decode(Raw.self, from: Data(json))
        // Partition -1 is librdkafka's internal "unassigned" partition of each topic.
        let partitions = (raw.topics ?? [:]).values.flatMap { ($0.partitions ?? [:]).values }.filter { $0.partition >= 0 }
        self.init(
            name: raw.name, producerQueueMessages: raw.msg_cnt, producerQueueBytes: raw.msg_size,
            fetchQueueMessages: partitions.map(\.fetchq_cnt).max() ?? 0,
            fetchQueueBytes: partitions.map(\.fetchq_size).max() ?? 0,
            replyQueue: raw.replyq)
    }

    private struct Raw: Decodable {
        var name: String
        var replyq: Int
        var msg_cnt: Int
        var msg_size: Int
        var topics: [String: Topic]?
    }
    private struct Topic: Decodable {
        var partitions: [String: Partition]?
    }
    private struct Partition: Decodable {
        var partition: Int
        var fetchq_cnt: Int
        var fetchq_size: Int
    }
}
