/// A position in a partition: a real offset (>= 0) or one of librdkafka's logical offsets.
public struct KafkaOffset: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ value: Int) { self.rawValue = Int64(value) }
    public init(integerLiteral value: Int64) { self.rawValue = value }

    /// The oldest message still in the partition (`RD_KAFKA_OFFSET_BEGINNING`).
    public static let beginning = KafkaOffset(rawValue: -2)
    /// The next message produced after the assignment (`RD_KAFKA_OFFSET_END`).
    public static let end = KafkaOffset(rawValue: -1)
    /// The offset committed in Kafka for the group, else `auto.offset.reset` (`RD_KAFKA_OFFSET_STORED`).
    public static let stored = KafkaOffset(rawValue: -1000)
    /// No offset (`RD_KAFKA_OFFSET_INVALID`); on assignment librdkafka then behaves as for `stored`.
    public static let invalid = KafkaOffset(rawValue: -1001)

    /// Whether this is a concrete offset rather than a logical one.
    public var isConcrete: Bool { rawValue >= 0 }

    /// The offset after this one (what a consumer stores once it has processed this message).
    public var next: KafkaOffset { KafkaOffset(rawValue: rawValue + 1) }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .beginning: "beginning"
        case .end: "end"
        case .stored: "stored"
        case .invalid: "invalid"
        default: String(rawValue)
        }
    }
}
