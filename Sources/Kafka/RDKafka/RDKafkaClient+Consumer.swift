import CRdKafka

/// The consumer's calls on the handle. Each list built here is destroyed when the call returns:
/// librdkafka copies what it keeps.
extension RDKafkaClient {
    /// Serves rebalances and errors from the consumer queue, the one the poll thread reads.
    func redirectMainQueueToConsumer() {
        rd_kafka_poll_set_consumer(handle)
    }

    /// Leaves the group; the revoke handler runs on the calling thread.
    func closeConsumer() -> KafkaError? {
        let err = rd_kafka_consumer_close(handle)
        return err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : .librdkafka(err)
    }

    func subscribe(topics: [String]) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(topics.map { TopicPartition($0, .unassigned) })
        let err = rd_kafka_subscribe(handle, list.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .librdkafka(err, "subscribe \(topics)") }
    }

    /// `errorContext` names the operation in the error's message.
    func assign(_ partitions: [TopicPartitionOffset], errorContext: String = "assign") throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(partitions)
        let err = rd_kafka_assign(handle, list.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .librdkafka(err, errorContext) }
    }

    /// Drops the whole assignment; errors are ignored (the handle is about to go).
    func unassign() {
        _ = rd_kafka_assign(handle, nil)
    }

    /// The current assignment, in librdkafka's order.
    func assignment() throws(KafkaError) -> [TopicPartition] {
        var pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let err = rd_kafka_assignment(handle, &pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let pointer else { throw .librdkafka(err, "assignment") }
        return RDKafkaTopicPartitionList(taking: pointer).elements.map(\.topicPartition)
    }

    func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(partitions)
        let err = rd_kafka_pause_partitions(handle, list.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .librdkafka(err, "pause") }
        if let error = list.firstError { throw error }
    }

    func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(partitions)
        let err = rd_kafka_resume_partitions(handle, list.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .librdkafka(err, "resume") }
        if let error = list.firstError { throw error }
    }

    /// Blocks up to `timeoutMilliseconds`.
    func seek(_ positions: [TopicPartitionOffset], timeoutMilliseconds: Int) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(positions)
        if let error = rd_kafka_seek_partitions(handle, list.pointer, Int32(timeoutMilliseconds)) {
            throw .librdkafka(taking: error, "seek")
        }
        if let error = list.firstError { throw error }
    }

    /// Synchronous commit: blocks until the coordinator answers.
    func commit(_ offsets: [TopicPartitionOffset]) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(offsets)
        let err = rd_kafka_commit(handle, list.pointer, 0)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .librdkafka(err, "commit") }
        if let error = list.firstError { throw error }
    }

    /// Blocks up to `timeoutMilliseconds`.
    func committed(_ partitions: [TopicPartition], timeoutMilliseconds: Int) throws(KafkaError) -> [TopicPartitionOffset] {
        let list = RDKafkaTopicPartitionList(partitions)
        let err = rd_kafka_committed(handle, list.pointer, Int32(timeoutMilliseconds))
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .librdkafka(err, "committed") }
        if let error = list.firstError { throw error }
        return list.elements
    }

    /// The high watermark the last fetch response reported for the partition (a local call, no
    /// request); nil until one did.
    func cachedHighWatermark(_ p: TopicPartition) -> KafkaOffset? {
        var low: Int64 = -1
        var high: Int64 = -1
        guard rd_kafka_get_watermark_offsets(handle, p.topic, p.partition.rawValue, &low, &high) == RD_KAFKA_RESP_ERR_NO_ERROR,
              high >= 0
        else { return nil }
        return KafkaOffset(rawValue: high)
    }

    /// Serves one consumer poll and destroys whatever message it returns.
    func pollDiscardingMessage(timeoutMilliseconds: Int32) {
        if let message = rd_kafka_consumer_poll(handle, timeoutMilliseconds) { rd_kafka_message_destroy(message) }
    }
}
