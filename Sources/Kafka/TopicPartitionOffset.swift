/// A partition of a topic with an offset in it (a position to start from, or a committed position).
public struct TopicPartitionOffset: Hashable, Sendable, CustomStringConvertible {
    public var topicPartition: TopicPartition
    public var offset: KafkaOffset

    public init(_ topicPartition: TopicPartition, _ offset: KafkaOffset) {
        self.topicPartition = topicPartition
        self.offset = offset
    }

    public init(_ topic: String, _ partition: KafkaPartition, _ offset: KafkaOffset) {
        self.init(TopicPartition(topic, partition), offset)
    }

    public var topic: String { topicPartition.topic }
    public var partition: KafkaPartition { topicPartition.partition }
    public var description: String { "\(topicPartition)@\(offset)" }
}
