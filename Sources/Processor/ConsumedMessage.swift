import MarketCore

/// One Kafka message as the processor sees it, independent of the client library.
public struct ConsumedMessage: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]
    /// The message's create time: rows derived from it carry this time, so a replay after a
    /// crash produces byte-identical rows.
    public var timestamp: Timestamp

    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8], timestamp: Timestamp) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.timestamp = timestamp
    }
}

/// A message the processor publishes after its batch commits (to `orders.events`).
public struct OutgoingEvent: Sendable, Equatable {
    public var key: String
    public var value: [UInt8]
}
