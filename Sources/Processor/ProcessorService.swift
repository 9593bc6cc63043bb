import Kafka
import Logging
import PipelineContracts
import PostgresNIO
import ServiceLifecycle
import Store

/// `quant processor`: consumes market data and order commands in one consumer group, keeps the
/// order books, and commits everything to PostgreSQL in batches with the offsets.
///
/// Cancelling the task that runs `run()` (SIGTERM in `quant processor`) closes the consumer, which
/// leaves the group after the revoke handler has committed the current batch; then `run` returns.
public struct ProcessorService: Sendable {
    public let settings: ProcessorSettings
    public let client: PostgresClient
    public let logger: Logger

    public init(settings: ProcessorSettings, client: PostgresClient, logger: Logger) {
        self.settings = settings
        self.client = client
        self.logger = logger
    }

    /// Runs until cancelled. `onPipeline` hands out the pipeline, for progress reporting and tests
    /// (a new one each time the processor starts over after being fenced).
    public func run(onPipeline: @Sendable (ProcessorPipeline) async -> Void) async throws {
        let instruments = try await InstrumentCatalog.load(client: client, logger: logger)
        var producer: KafkaProducer?
        if settings.publishEvents {
            producer = try KafkaProducer(configuration: Self.eventsProducerConfiguration(settings), logger: logger) {
                ProcessorMetrics.kafkaQueue("produce", messages: $0.producerQueueMessages, bytes: $0.producerQueueBytes)
            }
        }
        var committed = 0
        while true {
            let pipeline = ProcessorPipeline(
                settings: settings, client: client, producer: producer, instruments: instruments, logger: logger)
            await onPipeline(pipeline)
            do {
                try await consume(with: pipeline, instruments: instruments.count)
                committed += await pipeline.committedMessages
                break
            } catch where PostgresErrorText.unwrap(error) is BatchWriter.OffsetsFenced {
                // The stored offsets moved under this instance: another one owns its partitions (it
                // was paused past the session timeout), or a commit whose answer was lost went
                // through. Nothing it had not committed is kept; it joins the group again and starts
                // from the stored offsets and books.
                committed += await pipeline.committedMessages
                logger.error("fenced: the stored offsets moved under this processor (another took its partitions over, or a commit whose answer was lost went through); starting over from them",
                             metadata: ["error": "\(PostgresErrorText.unwrap(error))"])
                ProcessorMetrics.fenced.increment()
                if Task.isCancelled { break }
            }
        }
        await producer?.shutdown()
        logger.info("processor stopped", metadata: ["committed_messages": "\(committed)"])
    }

    /// One membership of the consumer group: consumes until cancelled, then commits what it holds.
    private func consume(with pipeline: ProcessorPipeline, instruments: Int) async throws {
        var configuration = KafkaConsumerConfiguration(
            brokers: settings.brokers, groupID: settings.groupID, clientID: settings.clientID)
        configuration.sessionTimeoutMilliseconds = settings.sessionTimeoutMilliseconds
        configuration.fetchWaitMaxMilliseconds = settings.fetchWaitMaxMilliseconds
        configuration.statisticsIntervalMilliseconds = settings.statisticsIntervalMilliseconds
        configuration.security = settings.kafkaSecurity
        configuration.properties = settings.consumerProperties
        let consumer = try KafkaConsumer(
            configuration: configuration,
            rebalance: KafkaRebalanceHandler(
                assigned: { try await pipeline.assigned($0) },
                revoked: { await pipeline.revoked($0) }),
            logger: logger) {
            ProcessorMetrics.kafkaQueue("fetch", messages: $0.fetchQueueMessages, bytes: $0.fetchQueueBytes)
        }
        try consumer.subscribe(topics: settings.topics.consumed)
        logger.info("processor started", metadata: [
            "group": "\(settings.groupID)", "topics": "\(settings.topics.consumed)", "instruments": "\(instruments)"])

        let tick = settings.batchMaxDelay / 2
        do {
            try await withTaskCancellationHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: tick)
                        try await pipeline.flushIfDue()
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .seconds(1))
                        await pipeline.recordLag(highWatermarks: consumer.highWatermarks())
                    }
                }
                group.addTask { await self.followInstruments(pipeline) }
                if let interval = settings.ingestWindow {
                    group.addTask {
                        await IngestWindowRecorder(pipeline: pipeline, client: client, consumerGroup: settings.groupID,
                                                   interval: interval, logger: logger).run()
                    }
                }
                if let upkeep = settings.upkeep {
                    group.addTask { await PartitionUpkeep(settings: upkeep, client: client, logger: logger).run() }
                }
                if let sessions = settings.sessions {
                    let producer = try KafkaProducer(configuration: Self.eventsProducerConfiguration(settings), logger: logger)
                    group.addTask {
                        await SessionScheduler(settings: sessions, client: client, producer: producer,
                                               commandsTopic: settings.topics.commands, logger: logger).run()
                        await producer.shutdown()
                    }
                }
                try await pipeline.consume(consumer.messages)
                group.cancelAll()
            }
        } onCancel: {
            Task {
                await pipeline.beginStop()
                await consumer.close()
            }
        }
        } catch is CancellationError {
            // A requested stop: the consumer is closing and its revoke handler commits the batch.
        } catch {
            await consumer.close()  // leaves the group; its revoke handler's commit fails the same way
            throw error
        }
        // Wait until the consumer has left the group (its revoke handler commits the batch), then
        // commit anything the loop added after that, so nothing consumed is left uncommitted.
        await consumer.close()
        try await pipeline.flush()
        // The batches committed since the recorder's last window, the final one's too (in a task of
        // its own, as the commits: a stop cancels this one).
        if settings.ingestWindow != nil {
            let recorder = IngestWindowRecorder(pipeline: pipeline, client: client, consumerGroup: settings.groupID,
                                                interval: .zero, logger: logger)
            let window = await pipeline.takeIngestWindow()
            do {
                try await Task { try await recorder.write(window, endingAt: .now) }.value
            } catch {
                logger.warning("the last batch window could not be stored (ops.ingest_windows)", metadata: ["error": "\(error)"])
            }
        }
    }
}


extension ProcessorService {
    /// LISTENs on `instruments` (migration 0021) and `accounts` (0022) and reloads what changed into
    /// the pipeline after notices, and both once each time the LISTEN is (re)established, since
    /// changes made while it was down were not announced to it. Notices are coalesced: at most one
    /// reload of each per `instrumentReloadInterval`, however many arrive (any database login may
    /// NOTIFY). Returns when cancelled.
    func followInstruments(_ pipeline: ProcessorPipeline) async {
        while !Task.isCancelled {
            do {
                try await client.withOpenConnection { connection in
                    try await connection.listen(on: InstrumentsNotice.channel.name) { instrumentNotices in
                        try await connection.listen(on: AccountsNotice.channel.name) { accountNotices in
                            try await Self.reload(pipeline, instruments: instrumentNotices, accounts: accountNotices)
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("instrument and account listener failed; retrying in 1 s", metadata: ["error": "\(PostgresErrorText.describe(error))"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Reloads both catalogues, then each after its notices, coalesced; returns when the notice
    /// sequences end (the connection closed).
    static func reload(
        _ pipeline: ProcessorPipeline, instruments: PostgresNotificationSequence, accounts: PostgresNotificationSequence
    ) async throws {
        try await pipeline.reloadInstruments()
        try await pipeline.reloadAccounts()
        try await withThrowingTaskGroup(of: Void.self) { group in
            follow(instruments, in: &group) { try await pipeline.reloadInstruments() }
            follow(accounts, in: &group) { try await pipeline.reloadAccounts() }
            try await group.waitForAll()
        }
    }

    /// Runs `reload` after notices, at most once per `instrumentReloadInterval`: however many
    /// notices arrive meanwhile, one reload follows.
    static func follow(
        _ notices: PostgresNotificationSequence, in group: inout ThrowingTaskGroup<Void, any Error>,
        reload: @escaping @Sendable () async throws -> Void
    ) {
        let (changes, changed) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        group.addTask {
            defer { changed.finish() }
            for try await _ in notices { changed.yield() }
        }
        group.addTask {
            for await _ in changes {
                try await reload()
                try await Task.sleep(for: instrumentReloadInterval)
            }
        }
    }

    /// The shortest time between two reloads of the instrument catalogue.
    static let instrumentReloadInterval = Duration.milliseconds(200)

    /// The `orders.events` producer is not idempotent. Idempotence keeps per-producer-id sequence
    /// state on the broker, and a broker that lost it (a restarted memory broker) wedges the producer
    /// for good: librdkafka either raises a fatal "out of order sequence number" error or, when the
    /// broker keeps answering "unknown producer id", bumps the epoch over and over without ever
    /// delivering. `orders.events` is at-least-once anyway (consumers deduplicate on `(symbol, seq)`);
    /// one request in flight keeps retried batches in order.
    static func eventsProducerConfiguration(_ settings: ProcessorSettings) -> KafkaProducerConfiguration {
        var configuration = KafkaProducerConfiguration(brokers: settings.brokers, clientID: settings.clientID)
        configuration.idempotence = false
        configuration.properties["acks"] = "all"
        configuration.properties["max.in.flight.requests.per.connection"] = "1"
        configuration.statisticsIntervalMilliseconds = settings.statisticsIntervalMilliseconds
        configuration.security = settings.kafkaSecurity
        return configuration
    }
}

extension ProcessorService: Service {
    /// As a `ServiceGroup` member: SIGTERM cancels the loop, which commits and leaves the group.
    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await self.run(onPipeline: { _ in }) }
    }
}
