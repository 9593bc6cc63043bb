/// Facts about the librdkafka that is actually loaded at run time (not the headers compiled against).
public enum KafkaLibrary {
    /// For example "2.8.0".
    public static var version: String { RDKafkaVersion.string }

    /// The loaded version as (major, minor, patch).
    public static var versionNumber: (major: Int, minor: Int, patch: Int) {
        let v = RDKafkaVersion.number
        return ((v >> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff)
    }
}
