/// Settings of a `KafkaProducer`, translated to librdkafka configuration properties by
/// `librdkafkaProperties`. Anything not modelled here goes in `properties` verbatim.
public struct KafkaProducerConfiguration: Sendable, Hashable {
    /// `bootstrap.servers`, for example "127.0.0.1:59092".
    public var brokers: String
    /// `client.id`.
    public var clientID: String = "quant-pipeline"
    /// `enable.idempotence`: exactly one copy of each message per partition, in order, despite retries
    /// (implies `acks=all`). On by default; Tansu 0.6 accepts it (InitProducerId works).
    public var idempotence: Bool = true
    /// `linger.ms`: how long to wait for more messages before sending a batch.
    public var lingerMilliseconds: Int = 5
    /// `batch.size`: upper bound of one batch in bytes.
    public var batchSizeBytes: Int = 1_000_000
    /// `batch.num.messages`: upper bound of one batch in messages.
    public var batchMaxMessages: Int = 10_000
    /// `message.timeout.ms`: how long delivery may take, retries included, before it fails.
    public var messageTimeoutMilliseconds: Int = 30_000
    /// `compression.codec`: none, gzip, snappy, lz4 or zstd.
    public var compression: String = "none"
    /// How long `shutdown()` waits for outstanding messages to be delivered.
    public var flushTimeoutMilliseconds: Int = 10_000
    /// `statistics.interval.ms`: how often librdkafka reports its queues (`KafkaStatistics`) to the
    /// handler given at init; 0 turns statistics off.
    public var statisticsIntervalMilliseconds: Int = 0
    /// TLS and SASL towards the brokers (`security.protocol`, `ssl.*`, `sasl.*`).
    public var security = KafkaSecurity()
    /// Any other librdkafka property, passed through as is (it wins over the fields above).
    public var properties: [String: String] = [:]

    public init(brokers: String, clientID: String = "quant-pipeline") {
        self.brokers = brokers
        self.clientID = clientID
    }

    /// The librdkafka properties this configuration stands for.
    public var librdkafkaProperties: [String: String] {
        var p: [String: String] = [
            "bootstrap.servers": brokers,
            "client.id": clientID,
            "enable.idempotence": idempotence ? "true" : "false",
            "linger.ms": String(lingerMilliseconds),
            "batch.size": String(batchSizeBytes),
            "batch.num.messages": String(batchMaxMessages),
            "message.timeout.ms": String(messageTimeoutMilliseconds),
            "compression.codec": compression,
            "statistics.interval.ms": String(statisticsIntervalMilliseconds),
        ]
        p.merge(security.properties) { _, secured in secured }
        p.merge(properties) { _, passthrough in passthrough }
        return p
    }
}
