/// The low (first retained) and high (next to be written) offsets of one partition. The number
/// of messages in the partition is `high - low`; "end offsets" are the high watermarks.
public struct KafkaWatermarks: Sendable, Hashable, CustomStringConvertible {
    public var low: KafkaOffset
    public var high: KafkaOffset

    public init(low: KafkaOffset, high: KafkaOffset) {
        self.low = low
        self.high = high
    }

    public var description: String { "[\(low), \(high))" }
}
