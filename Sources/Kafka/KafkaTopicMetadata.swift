/// A topic as the broker's metadata describes it.
public struct KafkaTopicMetadata: Sendable, Hashable {
    public var name: String
    public var partitions: [KafkaPartition]

    public init(name: String, partitions: [KafkaPartition]) {
        self.name = name
        self.partitions = partitions
    }
}
