import Kafka
import Metrics
import Telemetry

/// What the processor records (swift-metrics; `quant processor` exports it as Prometheus on
/// `metrics.processorPort`). Metric objects are made once and kept: the message path only
/// increments.
public struct ProcessorMetrics: Sendable {
    static let messagesConsumed = "quant_processor_messages_total"
    static let consumerLag = "quant_processor_consumer_lag_messages"
    static let batchMessages = "quant_processor_batch_messages"
    static let commitDuration = "quant_processor_commit_duration_seconds"
    static let deadLetters = "quant_processor_dead_letters_total"
    static let commitRetries = "quant_processor_commit_retries_total"
    static let bookCommands = "quant_book_commands_total"
    static let bookCommandDuration = "quant_book_command_duration_seconds"
    static let kafkaQueueMessages = "quant_kafka_queue_messages"
    static let kafkaQueueBytes = "quant_kafka_queue_bytes"
    static let replacedLogs = "quant_processor_replaced_logs_total"
    static let fencedStarts = "quant_processor_fenced_total"

    public static let catalog = MetricCatalog(
        help: [
            messagesConsumed: "Kafka messages consumed by the processor, by topic.",
            consumerLag: "Messages of a partition not yet consumed (high watermark minus next offset), by topic and partition.",
            batchMessages: "Messages per committed batch.",
            commitDuration: "Time to commit one batch: COPY of every table, dead letters and offsets in one transaction.",
            deadLetters: "Messages committed to ops.dead_letters, by topic.",
            commitRetries: "Batch commits or event publishes that failed and were retried (database or broker down).",
            bookCommands: "Order commands decoded and applied to the books (rejections included).",
            bookCommandDuration: "Time to decode and apply one order command, matching included.",
            kafkaQueueMessages: "Messages librdkafka holds for the processor, by queue: fetch (prefetched, not yet consumed) or produce (orders.events not yet delivered).",
            kafkaQueueBytes: "Bytes of the messages librdkafka holds for the processor, by queue (fetch, produce).",
            replacedLogs: "Partitions found reading a log the broker replaced (topic id changed, or stored offset beyond the end): read again from the new log's beginning, by topic.",
            fencedStarts: "Times this processor found another one had committed partitions it still held (it was paused past the session timeout) and started over from the stored offsets.",
        ],
        durationBuckets: [bookCommandDuration: MetricCatalog.submillisecond, commitDuration: MetricCatalog.milliseconds],
        valueBuckets: [batchMessages: [1, 10, 50, 100, 500, 1_000, 2_500, 5_000, 10_000]])

    let consumed: [String: Counter]
    let commands = Counter(label: bookCommands)
    let commandDuration = Timer(label: bookCommandDuration)
    let batchSize = Recorder(label: batchMessages)
    let commit = Timer(label: commitDuration)
    let retries = Counter(label: commitRetries)
    static let fenced = Counter(label: fencedStarts)

    init(topics: [String]) {
        consumed = Dictionary(uniqueKeysWithValues: topics.map { ($0, Counter(label: Self.messagesConsumed, dimensions: [("topic", $0)])) })
    }

    func consumed(topic: String) {
        if let counter = consumed[topic] { counter.increment() }
    }

    func deadLettered(_ byTopic: [String: Int]) {
        for (topic, count) in byTopic { Counter(label: Self.deadLetters, dimensions: [("topic", topic)]).increment(by: count) }
    }

    func replacedLog(topic: String) {
        Counter(label: Self.replacedLogs, dimensions: [("topic", topic)]).increment()
    }

    /// librdkafka's statistics: the consumer's fetch queue or the events producer's queue.
    static func kafkaQueue(_ queue: String, messages: Int, bytes: Int) {
        Gauge(label: kafkaQueueMessages, dimensions: [("queue", queue)]).record(messages)
        Gauge(label: kafkaQueueBytes, dimensions: [("queue", queue)]).record(bytes)
    }

    func lag(_ partition: TopicPartition, messages: Int64) {
        Gauge(label: Self.consumerLag, dimensions: [("topic", partition.topic), ("partition", String(partition.partition.rawValue))])
            .record(messages)
    }
}
