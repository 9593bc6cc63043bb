import CRdKafka
import Logging
import ServiceLifecycle

/// A consumer-group member whose offsets belong to the application.
///
/// - Auto commit is off: the application stores the next offset of each processed message where
///   it keeps its data (for us PostgreSQL, in the same transaction) and returns those offsets from
///   `KafkaRebalanceHandler.assigned`, which runs before any partition is fetched.
/// - `messages` is an `AsyncSequence` fed by a dedicated poll thread through a buffer of
///   `bufferCapacity` messages; when it is full the thread stops polling until the application
///   catches up, so memory stays bounded (plus librdkafka's own prefetch bound).
/// - `pause`/`resume` stop and restart fetching of individual partitions.
/// - `close()` leaves the group (running the revoke handler) and releases librdkafka.
public final class KafkaConsumer: Sendable {
    private let client: RDKafkaClient
    private let context: RDKafkaConsumerContext
    private let poller: RDKafkaPollThread
    private let logger: Logger

    /// The consumed messages; iterate from one task.
    public let messages: KafkaConsumerMessages

    /// `statistics` receives librdkafka's statistics every `statisticsIntervalMilliseconds`, on the
    /// poll thread (keep it short).
    public init(configuration: KafkaConsumerConfiguration, rebalance: KafkaRebalanceHandler = KafkaRebalanceHandler(),
                logger: Logger = Logger(label: "kafka.consumer"),
                statistics: (@Sendable (KafkaStatistics) -> Void)? = nil) throws(KafkaError) {
        let buffer = RDKafkaMessageBuffer(capacity: configuration.bufferCapacity)
        let context = RDKafkaConsumerContext(logger: logger, handler: rebalance, buffer: buffer, onStatistics: statistics)
        let client = try RDKafkaClient(kind: .consumer, properties: configuration.librdkafkaProperties,
                                       context: context) { conf in
            rd_kafka_conf_set_rebalance_cb(conf, rdkafkaRebalanceCallback)
            // Client-level errors (all brokers down, a dropped connection) arrive here, in order with
            // the fetched messages, never as messages of `rd_kafka_consumer_poll`.
            rd_kafka_conf_set_error_cb(conf, rdkafkaConsumerErrorCallback)
        }
        // Serve everything (rebalances, errors) from the one queue the poll thread reads.
        rd_kafka_poll_set_consumer(client.handle)
        self.client = client
        self.context = context
        self.logger = logger
        self.messages = KafkaConsumerMessages(buffer: buffer)
        self.poller = RDKafkaPollThread(name: "kafka-consumer-poll") {
            Self.pollOnce(client: client, context: context)
        } finally: {
            // Leaving the group runs the revoke handler on this thread, then the handle goes away.
            let err = rd_kafka_consumer_close(client.handle)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                logger.warning("consumer close", metadata: ["error": "\(KafkaError.librdkafka(err))"])
            }
            client.destroy()
            buffer.finish()
        }
    }

    /// Joins the group for these topics; partitions arrive through the rebalance handler.
    public func subscribe(topics: [String]) throws(KafkaError) {
        try ensureOpen()
        let list = RDKafkaTopicPartitionList(topics.map { TopicPartition($0, .unassigned) })
        let err = rd_kafka_subscribe(client.handle, list.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .librdkafka(err, "subscribe \(topics)") }
    }

    /// Reads exactly these partitions from these offsets, without joining the group (no rebalance,
    /// no handler, no wait for a join): for replays and tools. Replaces any earlier manual assignment;
    /// do not combine with `subscribe`. librdkafka still wants a `groupID` in the configuration.
    public func assign(_ partitions: [TopicPartitionOffset]) throws(KafkaError) {
        try ensureOpen()
        // The ids of the topics' logs, so a log the broker replaces while it is read is noticed.
        _ = context.logGuard.describeForAssignment(client.handle, topics: Set(partitions.map(\.topic)))
        let list = RDKafkaTopicPartitionList(partitions)
        let err = rd_kafka_assign(client.handle, list.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .librdkafka(err, "assign") }
    }

    /// The partitions currently assigned to this member.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        try ensureOpen()
        var pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        let err = rd_kafka_assignment(client.handle, &pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let pointer else { throw .librdkafka(err, "assignment") }
        return RDKafkaTopicPartitionList(taking: pointer).elements.map(\.topicPartition).sorted()
    }

    /// Stops fetching these partitions (backpressure). Messages already in the buffer still arrive.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        try ensureOpen()
        let list = RDKafkaTopicPartitionList(partitions)
        let err = rd_kafka_pause_partitions(client.handle, list.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .librdkafka(err, "pause") }
        if let error = list.firstError { throw error }
    }

    /// Resumes fetching paused partitions from the message after the last one delivered.
    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        try ensureOpen()
        let list = RDKafkaTopicPartitionList(partitions)
        let err = rd_kafka_resume_partitions(client.handle, list.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .librdkafka(err, "resume") }
        if let error = list.firstError { throw error }
    }

    /// Moves the fetch position of assigned partitions (for starting offsets, prefer the
    /// assignment handler: it runs before anything is fetched).
    public func seek(_ positions: [TopicPartitionOffset], timeoutMilliseconds: Int = 5_000) async throws(KafkaError) {
        try ensureOpen()
        try await offloaded { [client] () throws(KafkaError) in
            let list = RDKafkaTopicPartitionList(positions)
            if let error = rd_kafka_seek_partitions(client.handle, list.pointer, Int32(timeoutMilliseconds)) {
                defer { rd_kafka_error_destroy(error) }
                throw .librdkafka(rd_kafka_error_code(error), "seek", detail: String(cString: rd_kafka_error_string(error)))
            }
            if let error = list.firstError { throw error }
        }
    }

    /// Commits offsets to Kafka's group coordinator. Optional: the application's own offset store is
    /// the source of truth; committing too merely lets Kafka tools show the group's lag.
    public func commit(_ offsets: [TopicPartitionOffset]) async throws(KafkaError) {
        try ensureOpen()
        try await offloaded { [client] () throws(KafkaError) in
            let list = RDKafkaTopicPartitionList(offsets)
            let err = rd_kafka_commit(client.handle, list.pointer, 0)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .librdkafka(err, "commit") }
            if let error = list.firstError { throw error }
        }
    }

    /// The offsets committed in Kafka for these partitions (`KafkaOffset.invalid` where none is).
    public func committed(_ partitions: [TopicPartition], timeoutMilliseconds: Int = 5_000) async throws(KafkaError)
        -> [TopicPartitionOffset]
    {
        try ensureOpen()
        return try await offloaded { [client] () throws(KafkaError) in
            let list = RDKafkaTopicPartitionList(partitions)
            let err = rd_kafka_committed(client.handle, list.pointer, Int32(timeoutMilliseconds))
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw .librdkafka(err, "committed") }
            if let error = list.firstError { throw error }
            return list.elements
        }
    }

    /// The high watermark (next offset to be written) of each assigned partition, as the latest
    /// fetch responses reported it (refreshed about once a second; no broker round trip). With the
    /// application's position it gives the consumer lag.
    public func highWatermarks() -> [TopicPartition: KafkaOffset] {
        context.highWatermarks.withLock { $0 }
    }

    /// How many messages wait in the buffer for the application.
    var bufferedCount: Int { context.buffer.count }

    /// Leaves the group (the revoke handler runs), stops the poll thread and releases librdkafka;
    /// `messages` then ends. Safe to call more than once.
    public func close() async {
        await poller.stopAndWait()
    }

    /// After `close()` the librdkafka handle is gone; calls must not reach it.
    private func ensureOpen() throws(KafkaError) {
        guard poller.isRunning else { throw .shutdown }
    }

    private static func pollOnce(client: RDKafkaClient, context: RDKafkaConsumerContext) -> Bool {
        if context.stopError.withLock({ $0 != nil }) { return false }
        refreshWatermarks(client: client, context: context)
        // Backpressure: while the application's buffer is full, do not take more from librdkafka.
        let room = context.buffer.waitForSpace(timeout: 0.05)
        guard room > 0 else { return true }
        // Wait up to 100 ms for the first message, then take what is already there, up to the room left.
        let logGuard = context.logGuard
        logGuard.verifyIfDue(client.handle)
        var batch: [KafkaConsumerMessage] = []
        var timeout: Int32 = logGuard.isVerifying ? 50 : 100
        var generation = logGuard.generation
        var topicIDs = logGuard.topicIDs
        while batch.count < min(room, 1_024), let message = rd_kafka_consumer_poll(client.handle, timeout) {
            timeout = 0
            defer { rd_kafka_message_destroy(message) }
            let err = message.pointee.err
            if err == RD_KAFKA_RESP_ERR_NO_ERROR {
                // An assignment served inside this poll may have brought new ids.
                if logGuard.generation != generation {
                    generation = logGuard.generation
                    topicIDs = logGuard.topicIDs
                }
                batch.append(context.reader.read(message, topicIDs: topicIDs, generation: generation))
            } else if err != RD_KAFKA_RESP_ERR__PARTITION_EOF {
                let text = rd_kafka_message_errstr(message).map { String(cString: $0) }
                let error = KafkaError.librdkafka(err, "consume", detail: text)
                if let fatal = client.fatalError() {
                    context.buffer.push(batch)
                    context.fail(fatal)
                    return false
                }
                context.logger.warning("consumer error", metadata: ["error": "\(error)"])
                // A broker restart or a topic that went away may mean a replaced log: everything
                // fetched from here on waits until the topic ids are verified.
                logGuard.suspect(client.handle, because: error)
                break
            }
        }
        context.buffer.push(batch)
        return true
    }

    /// Copies librdkafka's cached high watermarks of the assignment (local calls, no request).
    private static func refreshWatermarks(client: RDKafkaClient, context: RDKafkaConsumerContext) {
        guard context.watermarksReadAt.duration(to: .now) >= .seconds(1) else { return }
        context.watermarksReadAt = .now
        var pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(client.handle, &pointer) == RD_KAFKA_RESP_ERR_NO_ERROR, let pointer else { return }
        var result: [TopicPartition: KafkaOffset] = [:]
        for element in RDKafkaTopicPartitionList(taking: pointer).elements {
            var low: Int64 = 0
            var high: Int64 = 0
            let p = element.topicPartition
            if rd_kafka_get_watermark_offsets(client.handle, p.topic, p.partition.rawValue, &low, &high) == RD_KAFKA_RESP_ERR_NO_ERROR,
               high >= 0 {
                result[p] = KafkaOffset(rawValue: high)
            }
        }
        context.highWatermarks.withLock { $0 = result }
    }
}

/// As a `Service` in a `ServiceGroup`, the consumer closes (leaving the group cleanly) on graceful
/// shutdown or cancellation; the task iterating `messages` then sees the sequence end.
extension KafkaConsumer: Service {
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}
