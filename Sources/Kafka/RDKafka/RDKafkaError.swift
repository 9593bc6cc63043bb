import CRdKafka

/// librdkafka's error codes turned into `KafkaError`s, so the public types never see a C enum.
extension KafkaError {
    static func librdkafka(_ err: rd_kafka_resp_err_t, _ context: String? = nil, detail: String? = nil) -> KafkaError {
        let text = detail.flatMap { $0.isEmpty ? nil : $0 } ?? String(cString: rd_kafka_err2str(err))
        return KafkaError(
            kind: .librdkafka, code: err.rawValue, name: String(cString: rd_kafka_err2name(err)),
            message: context.map { "\($0): \(text)" } ?? text)
    }

    /// Takes ownership of an `rd_kafka_error_t` (the newer, object-style error) and destroys it.
    static func librdkafka(taking error: OpaquePointer, _ context: String) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        return .librdkafka(rd_kafka_error_code(error), context, detail: String(cString: rd_kafka_error_string(error)))
    }

    /// A wait of ours that librdkafka's timeout code describes.
    static func timedOut(_ context: String) -> KafkaError { .librdkafka(RD_KAFKA_RESP_ERR__TIMED_OUT, context) }

    static func unknownTopicOrPartition(_ context: String) -> KafkaError {
        .librdkafka(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, context)
    }

    static let topicAlreadyExistsCode = RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS.rawValue
    static let destroyedCode = RD_KAFKA_RESP_ERR__DESTROY.rawValue
}
