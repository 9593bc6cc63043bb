import CRdKafka

/// Facts about the librdkafka that is actually loaded at run time (not the headers compiled against).
public enum KafkaLibrary {
    /// For example "2.8.0".
    public static var version: String { String(cString: rd_kafka_version_str()) }

    /// The loaded version as (major, minor, patch), from `rd_kafka_version()` (0xMMmmrrxx).
    public static var versionNumber: (major: Int, minor: Int, patch: Int) {
        let v = Int(rd_kafka_version())
        return ((v >> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff)
    }
}
