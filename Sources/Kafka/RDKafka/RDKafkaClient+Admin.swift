import CRdKafka

/// The admin's calls on the handle; each blocks the calling thread.
extension RDKafkaClient {
    /// CreateTopics for one topic, waiting up to `timeoutMilliseconds` (+1 s for the answer).
    func createTopic(_ name: String, partitions: Int, replicationFactor: Int, config: [String: String],
                     timeoutMilliseconds timeout: Int32) throws(KafkaError) {
        var errstr = [CChar](repeating: 0, count: 512)
        guard let newTopic = rd_kafka_NewTopic_new(name, Int32(partitions), Int32(replicationFactor), &errstr, errstr.count)
        else { throw KafkaError(kind: .configuration, code: 0, name: "NEW_TOPIC", message: String(cBuffer: errstr)) }
        defer { rd_kafka_NewTopic_destroy(newTopic) }
        for (key, value) in config {
            let err = rd_kafka_NewTopic_set_config(newTopic, key, value)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .librdkafka(err, "topic config \(key)") }
        }
        let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout, &errstr, errstr.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeout, &errstr, errstr.count)
        let queue = rd_kafka_queue_new(handle)
        defer { rd_kafka_queue_destroy(queue) }
        var topics: [OpaquePointer?] = [newTopic]
        rd_kafka_CreateTopics(handle, &topics, 1, options, queue)
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

    /// A Metadata request for all topics; those the broker reports an error for are left out.
    /// Sorted by name, partitions ascending.
    func topicMetadata(timeoutMilliseconds timeout: Int32) throws(KafkaError) -> [KafkaTopicMetadata] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = crdkafka_metadata_all(handle, &metadata, timeout)
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

    /// ListOffsets (earliest and latest) for one partition. See `KafkaAdmin.watermarks` for why
    /// the high one may be too small on Tansu.
    func queryWatermarkOffsets(topic: String, partition: KafkaPartition, timeoutMilliseconds timeout: Int32)
        throws(KafkaError) -> (low: Int64, high: Int64)
    {
        var low: Int64 = -1
        var high: Int64 = -1
        let err = rd_kafka_query_watermark_offsets(handle, topic, partition.rawValue, &low, &high, timeout)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .librdkafka(err, "watermarks of \(topic)[\(partition)]") }
        return (low, high)
    }
}
