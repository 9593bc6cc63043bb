/// The identity of a topic's log, which Kafka (2.8+, KIP-516) and Tansu give each topic when it is
/// created: a topic deleted and created again, or a memory broker that restarted and lost its
/// logs, has the same name but a new id. Offsets mean something only within one id.
///
/// Held as librdkafka prints it (the UUID in URL-safe base64 without padding, as Kafka's tools do).
public struct KafkaTopicID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The all-zero id a broker without topic ids answers with: no identity.
    static let zero = "AAAAAAAAAAAAAAAAAAAAAA"

    /// nil for the zero id or an empty string.
    init?(librdkafka text: String) {
        guard !text.isEmpty, text != Self.zero else { return nil }
        rawValue = text
    }

    public var description: String { rawValue }
}
