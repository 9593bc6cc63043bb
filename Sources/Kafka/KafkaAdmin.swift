import CRdKafka
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
            var errstr = [CChar](repeating: 0, count: 512)
            guard let newTopic = rd_kafka_NewTopic_new(name, Int32(partitions), Int32(replicationFactor), &errstr, errstr.count)
            else { throw KafkaError(kind: .configuration, code: 0, name: "NEW_TOPIC", message: String(cBuffer: errstr)) }
            defer { rd_kafka_NewTopic_destroy(newTopic) }
            for (key, value) in config {
                let err = rd_kafka_NewTopic_set_config(newTopic, key, value)
                if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .librdkafka(err, "topic config \(key)") }
            }
            let options = rd_kafka_AdminOptions_new(client.handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
            defer { rd_kafka_AdminOptions_destroy(options) }
            _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout, &errstr, errstr.count)
            _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeout, &errstr, errstr.count)
            let queue = rd_kafka_queue_new(client.handle)
            defer { rd_kafka_queue_destroy(queue) }
            var topics: [OpaquePointer?] = [newTopic]
            rd_kafka_CreateTopics(client.handle, &topics, 1, options, queue)
            guard let event = rd_kafka_queue_poll(queue, timeout + 1_000) else {
                throw .librdkafka(RD_KAFKA_RESP_ERR__TIMED_OUT, "create topic \(name)")
            }
            defer { rd_kafka_event_destroy(event) }
            let eventError = rd_kafka_event_error(event)
            if eventError != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw .librdkafka(eventError, "create topic \(name)", detail: rd_kafka_event_error_string(event).map { String(cString: $0) })
            }
            var count = 0
            guard let result = rd_kafka_event_CreateTopics_result(event),
                  let results = rd_kafka_CreateTopics_result_topics(result, &count), count == 1,
                  let topicResult = results[0]
            else { throw .librdkafka(RD_KAFKA_RESP_ERR__BAD_MSG, "create topic \(name): no result") }
            let err = rd_kafka_topic_result_error(topicResult)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw .librdkafka(err, "create topic \(name)",
                                  detail: rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) })
            }
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
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let err = crdkafka_metadata_all(client.handle, &metadata, timeout)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { throw .librdkafka(err, "metadata") }
            defer { rd_kafka_metadata_destroy(metadata) }
            let md = metadata.pointee
            return (0..<Int(md.topic_cnt)).compactMap { i -> KafkaTopicMetadata? in
                let t = md.topics[i]
                guard t.err == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
                let partitions = (0..<Int(t.partition_cnt)).map { KafkaPartition(rawValue: t.partitions[$0].id) }
                return KafkaTopicMetadata(name: String(cString: t.topic), partitions: partitions.sorted())
            }.sorted { $0.name < $1.name }
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
            throw .librdkafka(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, "watermarks of \(topic)")
        }
        let timeout = Int32(configuration.requestTimeoutMilliseconds)
        let listed = try await offloaded { [client] () throws(KafkaError) in
            try metadata.partitions.map { partition throws(KafkaError) in
                var low: Int64 = -1
                var high: Int64 = -1
                let err = rd_kafka_query_watermark_offsets(client.handle, topic, partition.rawValue, &low, &high, timeout)
                if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .librdkafka(err, "watermarks of \(topic)[\(partition)]") }
                return (partition, low, high)
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
            let list = RDKafkaTopicPartitionList(positions)
            let err = rd_kafka_assign(client.handle, list.pointer)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .librdkafka(err, "assign for watermarks") }
            var result: [TopicPartition: KafkaOffset] = [:]
            let deadline = ContinuousClock.now.advanced(by: .milliseconds(timeoutMs))
            while result.count < positions.count {
                if ContinuousClock.now > deadline { throw .librdkafka(RD_KAFKA_RESP_ERR__TIMED_OUT, "fetch watermarks") }
                if let message = rd_kafka_consumer_poll(client.handle, 50) { rd_kafka_message_destroy(message) }
                for p in positions where result[p.topicPartition] == nil {
                    var low: Int64 = -1
                    var high: Int64 = -1
                    if rd_kafka_get_watermark_offsets(client.handle, p.topic, p.partition.rawValue, &low, &high)
                        == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0
                    {
                        result[p.topicPartition] = KafkaOffset(rawValue: high)
                    }
                }
            }
            _ = rd_kafka_assign(client.handle, nil)
            return result
        }
    }
}
