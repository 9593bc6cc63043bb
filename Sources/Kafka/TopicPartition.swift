/// One partition of one topic.
public struct TopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: KafkaPartition

    public init(_ topic: String, _ partition: KafkaPartition) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.topic, lhs.partition.rawValue) < (rhs.topic, rhs.partition.rawValue)
    }

    public var description: String { "\(topic)[\(partition)]" }
}
