import CRdKafka

/// Builds an `rd_kafka_conf_t` from properties; unknown keys and bad values become `KafkaError`s.
enum RDKafkaConfig {
    /// The returned conf is owned by the caller until passed to `rd_kafka_new`.
    static func make(_ properties: [String: String]) throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(kind: .configuration, code: 0, name: "CONFIGURATION", message: "rd_kafka_conf_new failed")
        }
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            var errstr = [CChar](repeating: 0, count: 512)
            let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                throw KafkaError.configuration(key: key, String(cBuffer: errstr))
            }
        }
        return conf
    }
}

extension String {
    /// Text of a NUL-terminated error buffer filled by librdkafka.
    init(cBuffer: [CChar]) {
        self = cBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
