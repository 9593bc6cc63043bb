import Foundation

/// One consumed message. All bytes are copied out of librdkafka, so the value is independent of it.
public struct KafkaConsumerMessage: Sendable, Hashable {
    public var topic: String
    public var partition: KafkaPartition
    public var offset: KafkaOffset
    public var key: [UInt8]?
    public var value: [UInt8]
    /// The message timestamp (create or log-append time, as the topic says), if the broker sent one.
    public var timestamp: Date?
    public var headers: [KafkaHeader]
    /// The id of the log the message was read from, as the consumer last verified it (nil when the
    /// broker gives no topic ids). When a broker replaces a log (a topic re-created, a memory broker
    /// restarted), the consumer reads the new log from its beginning and its messages carry the new
    /// id, so the same offset in two logs is never mistaken for the same message.
    public var topicID: KafkaTopicID?

    public init(topic: String, partition: KafkaPartition, offset: KafkaOffset, key: [UInt8]?, value: [UInt8],
                timestamp: Date?, headers: [KafkaHeader], topicID: KafkaTopicID? = nil) {
        self.topicID = topicID
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.headers = headers
    }

    public var topicPartition: TopicPartition { TopicPartition(topic, partition) }
    /// The key as UTF-8 text, if there is a key.
    public var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }
    /// The value as UTF-8 text.
    public var valueString: String { String(decoding: value, as: UTF8.self) }
    /// The value of the first header named `name`.
    public func header(_ name: String) -> [UInt8]? { headers.first { $0.name == name }?.value ?? nil }
}
