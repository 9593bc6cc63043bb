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
        // The context installs the rebalance and error callbacks.
        let client = try RDKafkaClient(kind: .consumer, properties: configuration.librdkafkaProperties, context: context)
        // Serve everything (rebalances, errors) from the one queue the poll thread reads.
        client.redirectMainQueueToConsumer()
        self.client = client
        self.context = context
        self.logger = logger
        self.messages = KafkaConsumerMessages(buffer: buffer)
        self.poller = RDKafkaPollThread(name: "kafka-consumer-poll") {
            context.pollOnce(client: client)
        } finally: {
            // Leaving the group runs the revoke handler on this thread, then the handle goes away.
            if let error = client.closeConsumer() {
                logger.warning("consumer close", metadata: ["error": "\(error)"])
            }
            client.destroy()
            buffer.finish()
        }
    }

    /// Joins the group for these topics; partitions arrive through the rebalance handler.
    public func subscribe(topics: [String]) throws(KafkaError) {
        try ensureOpen()
        try client.subscribe(topics: topics)
    }

    /// Reads exactly these partitions from these offsets, without joining the group (no rebalance,
    /// no handler, no wait for a join): for replays and tools. Replaces any earlier manual assignment;
    /// do not combine with `subscribe`. librdkafka still wants a `groupID` in the configuration.
    public func assign(_ partitions: [TopicPartitionOffset]) throws(KafkaError) {
        try ensureOpen()
        // The ids of the topics' logs, so a log the broker replaces while it is read is noticed.
        _ = context.logGuard.describeForAssignment(client.handle, topics: Set(partitions.map(\.topic)))
        try client.assign(partitions)
    }

    /// The partitions currently assigned to this member.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        try ensureOpen()
        return try client.assignment().sorted()
    }

    /// Stops fetching these partitions (backpressure). Messages already in the buffer still arrive.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        try ensureOpen()
        try client.pause(partitions)
    }

    /// Resumes fetching paused partitions from the message after the last one delivered.
    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        try ensureOpen()
        try client.resume(partitions)
    }

    /// Moves the fetch position of assigned partitions (for starting offsets, prefer the
    /// assignment handler: it runs before anything is fetched).
    public func seek(_ positions: [TopicPartitionOffset], timeoutMilliseconds: Int = 5_000) async throws(KafkaError) {
        try ensureOpen()
        try await offloaded { [client] () throws(KafkaError) in
            try client.seek(positions, timeoutMilliseconds: timeoutMilliseconds)
        }
    }

    /// Commits offsets to Kafka's group coordinator. Optional: the application's own offset store is
    /// the source of truth; committing too merely lets Kafka tools show the group's lag.
    public func commit(_ offsets: [TopicPartitionOffset]) async throws(KafkaError) {
        try ensureOpen()
        try await offloaded { [client] () throws(KafkaError) in try client.commit(offsets) }
    }

    /// The offsets committed in Kafka for these partitions (`KafkaOffset.invalid` where none is).
    public func committed(_ partitions: [TopicPartition], timeoutMilliseconds: Int = 5_000) async throws(KafkaError)
        -> [TopicPartitionOffset]
    {
        try ensureOpen()
        return try await offloaded { [client] () throws(KafkaError) in
            try client.committed(partitions, timeoutMilliseconds: timeoutMilliseconds)
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
}

/// As a `Service` in a `ServiceGroup`, the consumer closes (leaving the group cleanly) on graceful
/// shutdown or cancellation; the task iterating `messages` then sees the sequence end.
extension KafkaConsumer: Service {
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}
