/// Settings of a `KafkaConsumer`, translated to librdkafka configuration properties by
/// `librdkafkaProperties`. Anything not modelled here goes in `properties` verbatim.
///
/// Offsets are the application's: auto commit and auto offset store are always off, and the
/// application supplies starting offsets when partitions are assigned (see `KafkaRebalanceHandler`).
public struct KafkaConsumerConfiguration: Sendable, Hashable {
    /// Where to start a partition for which the application gives no offset and Kafka has none committed.
    public enum OffsetReset: String, Sendable, Hashable {
        case earliest, latest, error
    }

    /// `bootstrap.servers`.
    public var brokers: String
    /// `group.id`.
    public var groupID: String
    /// `client.id`.
    public var clientID: String = "quant-pipeline"
    /// `session.timeout.ms`. Small by default because Tansu only completes group joins quickly with a
    /// small session timeout.
    public var sessionTimeoutMilliseconds: Int = 6_000
    /// `heartbeat.interval.ms` (must be well under the session timeout).
    public var heartbeatIntervalMilliseconds: Int = 1_000
    /// `max.poll.interval.ms`: a consumer whose application has not taken a message for this long
    /// (its buffer stayed full) leaves the group, so its partitions move to a live member.
    public var maxPollIntervalMilliseconds: Int = 300_000
    /// `auto.offset.reset`.
    public var offsetReset: OffsetReset = .earliest
    /// `partition.assignment.strategy`, for example "range,roundrobin" (eager) or "cooperative-sticky".
    public var assignmentStrategy: String = "range,roundrobin"
    /// How many messages the consumer holds for the application before it stops polling (backpressure).
    public var bufferCapacity: Int = 1_000
    /// `queued.max.messages.kbytes`: the bound on librdkafka's own prefetch queue, in KiB.
    public var prefetchMaxKilobytes: Int = 16_384
    /// `fetch.queue.backoff.ms`: how long librdkafka waits before fetching again once its prefetch
    /// queue is over `prefetchMaxKilobytes`. librdkafka's default (1000 ms) stalled consumption for a
    /// second at a time whenever the application briefly fell behind; the bound is ours anyway.
    public var fetchQueueBackoffMilliseconds: Int = 20
    /// `fetch.wait.max.ms`: how long the broker may hold a fetch for new data.
    public var fetchWaitMaxMilliseconds: Int = 100
    /// `statistics.interval.ms`: how often librdkafka reports its queues (`KafkaStatistics`) to the
    /// handler given at init; 0 turns statistics off.
    public var statisticsIntervalMilliseconds: Int = 0
    /// `topic.metadata.refresh.interval.ms`: how soon a subscribed topic that did not exist when the
    /// group was joined (created late, or re-created by a restarted broker) is noticed and assigned.
    /// librdkafka's default (5 minutes) left such a topic unread that long; a metadata request of the
    /// subscribed topics every few seconds costs the broker next to nothing.
    public var metadataRefreshIntervalMilliseconds: Int = 5_000
    /// TLS and SASL towards the brokers (`security.protocol`, `ssl.*`, `sasl.*`).
    public var security = KafkaSecurity()
    /// Any other librdkafka property, passed through as is (it wins over the fields above, except the
    /// two offset-ownership settings, which this wrapper relies on).
    public var properties: [String: String] = [:]

    public init(brokers: String, groupID: String, clientID: String = "quant-pipeline") {
        self.brokers = brokers
        self.groupID = groupID
        self.clientID = clientID
    }

    /// The librdkafka properties this configuration stands for.
    public var librdkafkaProperties: [String: String] {
        var p: [String: String] = [
            "bootstrap.servers": brokers,
            "group.id": groupID,
            "client.id": clientID,
            "session.timeout.ms": String(sessionTimeoutMilliseconds),
            "heartbeat.interval.ms": String(heartbeatIntervalMilliseconds),
            "max.poll.interval.ms": String(maxPollIntervalMilliseconds),
            "auto.offset.reset": offsetReset.rawValue,
            "partition.assignment.strategy": assignmentStrategy,
            "queued.max.messages.kbytes": String(prefetchMaxKilobytes),
            "fetch.wait.max.ms": String(fetchWaitMaxMilliseconds),
            "fetch.queue.backoff.ms": String(fetchQueueBackoffMilliseconds),
            "statistics.interval.ms": String(statisticsIntervalMilliseconds),
            "topic.metadata.refresh.interval.ms": String(metadataRefreshIntervalMilliseconds),
        ]
        p.merge(security.properties) { _, secured in secured }
        p.merge(properties) { _, passthrough in passthrough }
        p["enable.auto.commit"] = "false"
        p["enable.auto.offset.store"] = "false"
        return p
    }
}
