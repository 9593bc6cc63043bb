import Logging

/// Topic administration and offset queries: create topics, list topics, and watermark (end)
/// offsets per partition. Blocking librdkafka calls run off the cooperative pool.
public final class KafkaAdmin: Sendable {
    private let client: RDKafkaClient
    private let configuration: KafkaAdminConfiguration
    private let logger: Logger

    public init(configuration: KafkaAdminConfiguration, logger: Logger = Logger(label: "kafka.admin")) throws(KafkaError) {
        self.configuration = configuration
        self.logger = logger
        self.client = try RDKafkaClient(kind: .producer, properties: configuration.librdkafkaProperties,
                                        context: RDKafkaCallbackContext(logger: logger))
    }

    deinit { client.destroy() }

    /// Creates a topic with the broker's default replication. Throws a `KafkaError` whose
    /// `isTopicAlreadyExists` is true if it exists (see `createTopicIfNeeded`).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = -1,
                            config: [String: String] = [:]) async throws(KafkaError) {
        let timeout = Int32(configuration.requestTimeoutMilliseconds)
        try await offloaded { [client] () throws(KafkaError) in
            try client.createTopic(name, partitions: partitions, replicationFactor: replicationFactor, config: config,
                                   timeoutMilliseconds: timeout)
        }
        logger.info("topic created", metadata: ["topic": "\(name)", "partitions": "\(partitions)"])
    }

    /// Creates the topic unless it exists already.
    public func createTopicIfNeeded(_ name: String, partitions: Int) async throws(KafkaError) {
        do throws(KafkaError) { try await createTopic(name, partitions: partitions) } catch where error.isTopicAlreadyExists {}
    }

    /// All topics the broker knows, with their partitions, sorted by name.
    public func listTopics() async throws(KafkaError) -> [KafkaTopicMetadata] {
        let timeout = Int32(configuration.requestTimeoutMilliseconds)
        return try await offloaded { [client] () throws(KafkaError) in
            try client.topicMetadata(timeoutMilliseconds: timeout)
        }
    }

    /// The metadata of one topic, or nil if the broker does not know it.
    public func topic(_ name: String) async throws(KafkaError) -> KafkaTopicMetadata? {
        try await listTopics().first { $0.name == name }
    }

    /// The id of each of `topics` that the broker knows and gives an id for (see `KafkaTopicID`).
    public func topicIDs(_ topics: [String]) async throws(KafkaError) -> [String: KafkaTopicID] {
        let timeout = Int32(configuration.requestTimeoutMilliseconds)
        return try await offloaded { [client] () throws(KafkaError) in
            try RDKafkaTopicIDs.describe(client.handle, topics: topics, timeoutMilliseconds: timeout).compactMapValues { $0 }
        }
    }

    /// Low and high watermarks of every partition of `topic`.
    ///
    /// The high watermark comes from a Fetch response, not from ListOffsets: Tansu 0.6 answers
    /// ListOffsets(latest) with "base offset of the last record batch + 1", which is too small when
    /// the last batch holds several records. A Fetch response carries the true high watermark on
    /// every broker, so this is right on Kafka and on Tansu alike.
    public func watermarks(topic: String) async throws(KafkaError) -> [KafkaPartition: KafkaWatermarks] {
        guard let metadata = try await self.topic(topic) else {
            throw .unknownTopicOrPartition("watermarks of \(topic)")
        }
        let timeout = Int32(configuration.requestTimeoutMilliseconds)
        let listed = try await offloaded { [client] () throws(KafkaError) in
            try metadata.partitions.map { partition throws(KafkaError) in
                let offsets = try client.queryWatermarkOffsets(topic: topic, partition: partition, timeoutMilliseconds: timeout)
                return (partition, offsets.low, offsets.high)
            }
        }
        let fetched = try await fetchHighWatermarks(
            listed.map { TopicPartitionOffset(topic, $0.0, KafkaOffset(rawValue: max($0.2, $0.1, 0))) })
        var result: [KafkaPartition: KafkaWatermarks] = [:]
        for (partition, low, high) in listed {
            let fetchedHigh = fetched[TopicPartition(topic, partition)]?.rawValue ?? high
            result[partition] = KafkaWatermarks(low: KafkaOffset(rawValue: low), high: KafkaOffset(rawValue: max(high, fetchedHigh)))
        }
        return result
    }

    /// The end offsets (high watermarks) of every partition of `topic`.
    public func endOffsets(topic: String) async throws(KafkaError) -> [KafkaPartition: KafkaOffset] {
        try await watermarks(topic: topic).mapValues(\.high)
    }

    /// Assigns a throwaway group-less consumer at the given (valid) positions and polls until a
    /// Fetch response has reported each partition's high watermark.
    private func fetchHighWatermarks(_ positions: [TopicPartitionOffset]) async throws(KafkaError)
        -> [TopicPartition: KafkaOffset]
    {
        let properties = configuration.librdkafkaProperties.merging([
            // assign() needs a group id, though it joins no group.
            "group.id": "quant-watermarks-\(UInt64.random(in: 0...UInt64.max))", "enable.auto.commit": "false", "fetch.wait.max.ms": "10",
            "fetch.max.bytes": "1048576", "max.partition.fetch.bytes": "1048576",
        ]) { _, new in new }
        let timeoutMs = configuration.requestTimeoutMilliseconds
        let logger = logger
        return try await offloaded { () throws(KafkaError) in
            let client = try RDKafkaClient(kind: .consumer, properties: properties, context: RDKafkaCallbackContext(logger: logger))
            defer { client.destroy() }
            try client.assign(positions, errorContext: "assign for watermarks")
            var result: [TopicPartition: KafkaOffset] = [:]
            let deadline = ContinuousClock.now.advanced(by: .milliseconds(timeoutMs))
            while result.count < positions.count {
                if ContinuousClock.now > deadline { throw .timedOut("fetch watermarks") }
                client.pollDiscardingMessage(timeoutMilliseconds: 50)
                for p in positions where result[p.topicPartition] == nil {
                    result[p.topicPartition] = client.cachedHighWatermark(p.topicPartition)
                }
            }
            client.unassign()
            return result
        }
    }
}
