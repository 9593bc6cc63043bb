/// An error reported by librdkafka (or by this wrapper around it), with librdkafka's code and text.
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the error came from.
    public enum Kind: String, Sendable, Hashable {
        /// A configuration property was unknown or had an invalid value.
        case configuration
        /// librdkafka or the broker reported an error (`code` is one of its `RD_KAFKA_RESP_ERR_*` values).
        case librdkafka
        /// The client was already shut down.
        case shutdown
        /// An application callback (for example the assignment handler) failed.
        case application
    }

    public let kind: Kind
    /// librdkafka's `RD_KAFKA_RESP_ERR_*` value (0 for configuration errors, which have their own result type).
    public let code: Int32
    /// librdkafka's symbolic name of `code`, for example `TOPIC_ALREADY_EXISTS` or `_QUEUE_FULL`.
    public let name: String
    /// The human-readable text, from librdkafka where it gave one.
    public let message: String

    public init(kind: Kind, code: Int32, name: String, message: String) {
        self.kind = kind
        self.code = code
        self.name = name
        self.message = message
    }

    public var description: String { "KafkaError.\(kind)(\(name) [\(code)]: \(message))" }

    /// Broker error 36: the topic to create exists already.
    public var isTopicAlreadyExists: Bool { kind == .librdkafka && code == Self.topicAlreadyExistsCode }

    // Errors from librdkafka's C codes are made in RDKafka/RDKafkaError.swift.

    static func configuration(key: String, _ text: String) -> KafkaError {
        KafkaError(kind: .configuration, code: 0, name: "CONFIGURATION", message: "\(key): \(text)")
    }

    static let shutdown = KafkaError(kind: .shutdown, code: destroyedCode,
                                     name: "_DESTROY", message: "the client has been shut down")
}
