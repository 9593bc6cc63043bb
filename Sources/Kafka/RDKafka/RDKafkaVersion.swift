import CRdKafka

/// The librdkafka loaded at run time.
enum RDKafkaVersion {
    static var string: String { String(cString: rd_kafka_version_str()) }

    /// 0xMMmmrrxx: major, minor, revision, pre-release id.
    static var number: Int { Int(rd_kafka_version()) }
}
