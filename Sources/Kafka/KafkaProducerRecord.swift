/// A message to produce. Records with the same key land in the same partition (librdkafka's
/// default `consistent_random` partitioner) unless `partition` is set.
public struct KafkaProducerRecord: Sendable, Hashable {
    public var topic: String
    public var partition: KafkaPartition
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]

    public init(topic: String, partition: KafkaPartition = .unassigned, key: [UInt8]?, value: [UInt8],
                headers: [KafkaHeader] = []) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }

    public init(topic: String, partition: KafkaPartition = .unassigned, key: String?, value: String,
                headers: [KafkaHeader] = []) {
        self.init(topic: topic, partition: partition, key: key.map { Array($0.utf8) }, value: Array(value.utf8),
                  headers: headers)
    }
}
