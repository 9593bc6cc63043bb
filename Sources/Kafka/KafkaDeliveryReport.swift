/// The broker's acknowledgement of one produced message: where it was written.
public struct KafkaDeliveryReport: Sendable, Hashable, CustomStringConvertible {
    public var topicPartition: TopicPartition
    public var offset: KafkaOffset

    public init(topicPartition: TopicPartition, offset: KafkaOffset) {
        self.topicPartition = topicPartition
        self.offset = offset
    }

    public var description: String { "\(topicPartition)@\(offset)" }
}
