import CRdKafka

/// An owned `rd_kafka_topic_partition_list_t`. Always destroyed: a leaked list keeps partition
/// references alive and then `rd_kafka_destroy` never returns (seen with librdkafka 2.8).
struct RDKafkaTopicPartitionList: ~Copyable {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(capacity: Int = 1) {
        pointer = rd_kafka_topic_partition_list_new(Int32(max(capacity, 1)))
    }

    /// Takes ownership of a list librdkafka returned to us.
    init(taking pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.pointer = pointer
    }

    init(_ partitions: [TopicPartitionOffset]) {
        self.init(capacity: partitions.count)
        for p in partitions { add(p) }
    }

    init(_ partitions: [TopicPartition], offset: KafkaOffset = .invalid) {
        self.init(partitions.map { TopicPartitionOffset($0, offset) })
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    func add(_ p: TopicPartitionOffset) {
        let element = rd_kafka_topic_partition_list_add(pointer, p.topic, p.partition.rawValue)!
        element.pointee.offset = p.offset.rawValue
    }

    var elements: [TopicPartitionOffset] { Self.read(pointer) }

    /// The first per-partition error in the list, if any.
    var firstError: KafkaError? { Self.firstError(pointer) }

    /// Reads a list without owning it (for example the one passed to the rebalance callback).
    static func read(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [TopicPartitionOffset] {
        (0..<Int(list.pointee.cnt)).map { i in
            let e = list.pointee.elems[i]
            return TopicPartitionOffset(String(cString: e.topic), KafkaPartition(rawValue: e.partition),
                                        KafkaOffset(rawValue: e.offset))
        }
    }

    static func firstError(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> KafkaError? {
        for i in 0..<Int(list.pointee.cnt) {
            let e = list.pointee.elems[i]
            if e.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                return .librdkafka(e.err, "\(String(cString: e.topic))[\(e.partition)]")
            }
        }
        return nil
    }
}
