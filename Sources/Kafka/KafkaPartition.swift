/// A partition number of a topic.
public struct KafkaPartition: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public init(_ value: Int) { self.rawValue = Int32(value) }
    public init(integerLiteral value: Int32) { self.rawValue = value }

    /// Let the partitioner choose (by key hash; librdkafka's `RD_KAFKA_PARTITION_UA`).
    public static let unassigned = KafkaPartition(rawValue: -1)

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}
