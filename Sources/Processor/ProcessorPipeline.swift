import Accounts
import Foundation
import Kafka
import Logging
import MarketCore
import OrderBook
import PostgresNIO
import Store

/// How the processor batches and where it reads and writes. Its defaults are the `kafka.*` and
/// `processor.*` settings' defaults (`ConfigKey`, what `quant config` shows; a test keeps them
/// equal), and `quant` maps settings to it in one place (`ProcessorSettings(settings:)`).
public struct ProcessorSettings: Sendable {
    public var brokers: String
    public var groupID: String
    public var clientID: String
    public var sessionTimeoutMilliseconds: Int
    public var topics: TopicNames
    /// A batch is committed when it holds this many messages…
    public var batchMaxMessages: Int
    /// …or when its first message is this old…
    public var batchMaxDelay: Duration
    /// …or as soon as every fetched message is handled (`processor.commitWhenCaughtUp`).
    public var commitWhenCaughtUp = true
    /// Publish execution reports and executions to `orders.events`.
    public var publishEvents: Bool
    /// How long the broker may hold a fetch waiting for data (`fetch.wait.max.ms`): it bounds the
    /// latency an idle partition adds, so it is small.
    public var fetchWaitMaxMilliseconds: Int = 10
    /// How often changed order books are snapshotted into the batch being committed.
    public var snapshotInterval: Duration = .seconds(60)
    /// How often the books that changed have their depth published to `trading.book_depth`.
    public var depthInterval: Duration = .milliseconds(250)
    /// Pre-trade limits every order command must pass (`limits.*` settings).
    public var limits = PreTradeLimitTable()
    /// The session scheduler (end_of_day at each close, `processor.sessions`); nil: off. `quant
    /// processor` turns it on from the settings (on by default); a pipeline made in code has it off.
    public var sessions: SessionScheduler.Settings?
    /// Refuse orders that name no account (`processor.requireAccount`); otherwise they trade but
    /// move no position.
    public var requireAccount = false
    /// Closed orders per engine whose client ids are remembered (`processor.closedOrderMemory`).
    public var closedOrderMemory = MatchingEngine.defaultClosedOrderMemory
    /// How often librdkafka reports its queues (`quant_kafka_queue_*`; `kafka.statisticsIntervalMs`); 0: never.
    public var statisticsIntervalMilliseconds = 5_000
    /// TLS and SASL of every Kafka client the processor makes (consumer, replay, events producer, admin).
    public var kafkaSecurity = KafkaSecurity()
    /// How far from the processor's clock an event may be dated (`processor.maxEvent*`).
    public var eventTime = EventTimeWindow.standard
    /// After a stop is requested, how long a failing commit is still retried (the database is down)
    /// before the processor gives up without committing (`processor.shutdownGraceSeconds`); what it
    /// had not committed is read again after a restart.
    public var shutdownGrace: Duration = .seconds(30)
    /// Partition upkeep and retention every `partitions.maintenanceIntervalSeconds` (`PartitionUpkeep`);
    /// nil: off. `quant processor` turns it on; a pipeline made in code has it off.
    public var upkeep: PartitionUpkeep.Settings?
    /// How long an assignment waits for the broker to describe the commands topic when the
    /// consumer could not (a restarted broker re-creating its topics) and the books must be rebuilt
    /// from the stored log; then the consumer stops with an error rather than replay an unknown log.
    public var logResolutionTimeout: Duration = .seconds(60)
    /// How often the batches' counts and commit times are stored in `ops.ingest_windows` (the
    /// console's pipeline view); nil: never. `quant processor` stores them every 5 s.
    public var ingestWindow: Duration?
    /// Extra librdkafka properties of the consumer, for diagnosis (for example `debug`); empty by default.
    public var consumerProperties: [String: String] = [:]

    public init(brokers: String, groupID: String, clientID: String = "quant-processor",
                sessionTimeoutMilliseconds: Int = 6_000,
                topics: TopicNames = .standard,
                batchMaxMessages: Int = 5_000, batchMaxDelay: Duration = .milliseconds(10), publishEvents: Bool = true) {
        self.brokers = brokers
        self.groupID = groupID
        self.clientID = clientID
        self.sessionTimeoutMilliseconds = sessionTimeoutMilliseconds
        self.topics = topics
        self.batchMaxMessages = batchMaxMessages
        self.batchMaxDelay = batchMaxDelay
        self.publishEvents = publishEvents
    }
}

/// Owns the processor's state between the Kafka consumer, PostgreSQL and the events producer.
///
/// One batch is built while at most one commits: when the building batch is full and the previous
/// one is still committing (say PostgreSQL is down), `handle` waits, the message loop stops pulling,
/// and the consumer's bounded buffer stops the fetching. Memory stays bounded; nothing is dropped.
public actor ProcessorPipeline {
    public let settings: ProcessorSettings
    let client: PostgresClient
    let writer: BatchWriter
    let producer: KafkaProducer?
    let logger: Logger
    var core: ProcessorCore
    var batchOpenedAt: ContinuousClock.Instant?
    var lastSnapshot = ContinuousClock.now
    var lastDepth = ContinuousClock.now
    var isFlushing = false
    var commitInFlight: Task<Void, any Error>?
    var flushWaiters: [CheckedContinuation<Void, Never>] = []
    /// The consumer had handed out everything fetched after the last message (`commitWhenCaughtUp`):
    /// the open batch commits now, or when the commit in flight ends if it is still so then. Under a
    /// backlog it rarely is, and batches fill up to `batchMaxMessages` as before.
    var isCaughtUp = false
    /// A commit task is running (`commitInFlight` stays set after it ends, until someone waits).
    var isCommitting = false
    /// Where the time of each committed batch went, for `quant bench ingest` (nil: not asked).
    var commitObserver: (@Sendable (BatchTiming) -> Void)?
    /// The open batch's first message: when it was produced (its Kafka timestamp) and handled.
    var batchFirst: (produced: Date?, handled: Timestamp)?
    let metrics: ProcessorMetrics
    /// The next offset committed to PostgreSQL per partition: with the broker's high watermark it
    /// gives the consumer lag.
    var committedNext: [PartitionKey: Int64] = [:]
    /// Where each owned partition's stored offsets will be once every batch handed to a commit has
    /// committed (nil: no row yet). A batch moves them only from there (`BatchWriter.moveOffsets`).
    var expectedPositions: [PartitionKey: StoredPosition?] = [:]

    /// Messages committed since start (rows and dead letters), for progress reports and tests.
    public private(set) var committedMessages = 0
    public private(set) var committedBatches = 0
    /// The batches committed since the last `takeIngestWindow` (`IngestWindowRecorder`).
    private var ingestWindow = IngestWindow()
    /// The partitions this instance owns right now.
    public private(set) var ownedPartitions: Set<TopicPartition> = []
    /// The partition and log of the last message `followLog` saw (a cheap check on the hot path).
    var lastLog: (topic: String, partition: KafkaPartition, id: KafkaTopicID?) = ("", KafkaPartition(rawValue: -1), nil)
    /// Set by `beginStop`: when retries give up.
    var stopDeadline: ContinuousClock.Instant?
    /// The messages of the batch being built, kept until it commits: if PostgreSQL refuses a
    /// message's rows, that message becomes a dead letter with its raw bytes.
    var batchMessages: [ConsumedMessage] = []
    /// Partitions assigned with a stored offset of a lost log: their first message starts the new log.
    var pendingReplacement: Set<PartitionKey> = []

    public init(settings: ProcessorSettings, client: PostgresClient, producer: KafkaProducer?, instruments: [Instrument], logger: Logger) {
        self.settings = settings
        self.client = client
        self.producer = producer
        self.logger = logger
        writer = BatchWriter(client: client, consumerGroup: settings.groupID, logger: logger)
        core = ProcessorCore(
            instruments: instruments, topics: settings.topics, limits: settings.limits, closedOrderMemory: settings.closedOrderMemory,
            accounts: AccountBook(requireAccount: settings.requireAccount))
        core.eventTime = settings.eventTime
        core.consumerGroup = settings.groupID
        metrics = ProcessorMetrics(topics: settings.topics.consumed)
    }

    // MARK: messages

    /// The message loop. It runs on this actor, and the consumer's iterator hands out buffered
    /// messages on the caller's executor, so a message costs no task switch.
    public func consume(_ messages: KafkaConsumerMessages) async throws {
        var iterator = messages.makeAsyncIterator()
        while let message = try await iterator.next(isolation: self) {
            try await handle(message)
            guard settings.commitWhenCaughtUp else { continue }
            isCaughtUp = iterator.isCaughtUp
            if isCaughtUp, !isCommitting, batchOpenedAt != nil { try await startCommit() }
        }
    }

    public func handle(_ message: KafkaConsumerMessage) async throws {
        metrics.consumed(topic: message.topic)
        // Per message only a comparison with the previous message's partition and log: the log of a
        // partition changes rarely, and looking it up hashes the topic name.
        if message.partition != lastLog.partition || message.topicID != lastLog.id || message.topic != lastLog.topic {
            try await followLog(of: message)
            lastLog = (message.topic, message.partition, message.topicID)
        }
        if batchOpenedAt == nil {
            core.now = Self.now()  // the event-time window is a minute wide
            if commitObserver != nil { batchFirst = (message.timestamp, core.now) }
        }
        let consumed = Self.convert(message)
        batchMessages.append(consumed)
        if message.topic == settings.topics.commands {
            let started = ContinuousClock.now
            core.handle(consumed)
            metrics.commandDuration.record(duration: ContinuousClock.now - started)
            metrics.commands.increment()
        } else {
            core.handle(consumed)
        }
        if batchOpenedAt == nil { batchOpenedAt = .now }
        if core.batch.messageCount >= settings.batchMaxMessages { try await startCommit() }
    }

    public func flushIfDue() async throws {
        core.now = Self.now()
        if let opened = batchOpenedAt, opened.duration(to: .now) >= settings.batchMaxDelay {
            try await startCommit()
        } else if core.hasUnpublishedDepth, lastDepth.duration(to: .now) >= settings.depthInterval {
            try await startCommit()  // a book changed and then the feed went quiet: publish it anyway
        }
    }

    /// Commits everything consumed so far and waits until it is durable.
    public func flush(snapshot forceSnapshot: Bool = false) async throws {
        try await startCommit(snapshot: forceSnapshot)
        try await waitForCommitInFlight()
    }

    /// Hands the current batch to a commit task and returns, so the next batch builds while this one
    /// commits. At most one commit runs: a second waits for the first (that is the backpressure).
    /// Events go to Kafka before the rows commit, so `orders.events` is at-least-once while
    /// PostgreSQL is exactly-once.
    func startCommit(snapshot forceSnapshot: Bool = false) async throws {
        while isFlushing { await withCheckedContinuation { flushWaiters.append($0) } }
        isFlushing = true
        defer {
            isFlushing = false
            let waiters = flushWaiters
            flushWaiters.removeAll()
            for waiter in waiters { waiter.resume() }
        }
        try await waitForCommitInFlight()
        if forceSnapshot || lastSnapshot.duration(to: .now) >= settings.snapshotInterval {
            core.appendSnapshots(consumerGroup: settings.groupID, takenAt: Self.now())
            lastSnapshot = .now
        }
        if core.hasUnpublishedDepth, forceSnapshot || lastDepth.duration(to: .now) >= settings.depthInterval {
            core.appendDepth(takenAt: Self.now())
            lastDepth = .now
        }
        guard !core.batch.isEmpty else { return }
        var (batch, events) = core.takeBatch()
        var expected: [PartitionKey: StoredPosition?] = [:]
        for (key, next) in batch.nextOffsets {
            expected[key] = expectedPositions[key] ?? nil
            expectedPositions[key] = StoredPosition(nextOffset: next, logID: batch.logIDs[key] ?? "")
        }
        batch.expectedPositions = expected
        let messages = batchMessages
        batchMessages = []
        batchOpenedAt = nil
        let timing = batchFirst.map { BatchTiming(firstProduced: $0.produced, firstHandled: $0.handled, commitStarted: Self.now()) }
        batchFirst = nil
        isCommitting = true
        commitInFlight = Task {
            defer { isCommitting = false }
            try await self.commit(batch, events: events, messages: messages, timing: timing)
        }
    }

    /// Forgets what was consumed and not committed, and the failed commit (after being fenced).
    private func dropUncommitted() {
        commitInFlight = nil
        _ = core.takeBatch()
        batchMessages = []
        batchOpenedAt = nil
    }

    /// A failed commit stays in flight, so every later wait throws its error: after a stop gave up
    /// on a commit, nothing starts another (`dropUncommitted` clears it after being fenced).
    func waitForCommitInFlight() async throws {
        guard let task = commitInFlight else { return }
        try await task.value
        if commitInFlight == task { commitInFlight = nil }
    }

    func commit(_ batch: IngestBatch, events: [OutgoingEvent], messages: [ConsumedMessage] = [], timing: BatchTiming? = nil) async throws {
        var batch = batch
        if let producer, settings.publishEvents, !events.isEmpty {
            let records = events.map {
                KafkaProducerRecord(topic: settings.topics.events, key: Array($0.key.utf8), value: $0.value)
            }
            try await retrying("publish orders.events") { _ = try await producer.sendAll(records) }
        }
        try await retrying("commit batch") {
            while true {
                let started = ContinuousClock.now
                do {
                    try await writer.commit(batch)
                    let took = ContinuousClock.now - started
                    metrics.commit.record(duration: took)
                    ingestWindow.record(commit: took, messages: batch.messageCount, deadLetters: batch.deadLetters.count)
                    return
                } catch where BatchWriter.isDataError(error) {
                    // Retrying the same rows would fail forever: set aside the message whose rows
                    // PostgreSQL refuses (a dead letter with its message) and commit the rest.
                    batch = try await DataErrorIsolation(writer: writer, topics: settings.topics, logger: logger)
                        .isolate(batch, messages: messages, failure: error)
                }
            }
        }
        committedMessages += batch.messageCount
        committedBatches += 1
        committedNext.merge(batch.nextOffsets) { _, new in new }
        metrics.batchSize.record(batch.messageCount)
        if !batch.deadLetters.isEmpty {
            metrics.deadLettered(Dictionary(grouping: batch.deadLetters, by: \.topic).mapValues(\.count))
        }
        if var timing, let commitObserver {
            timing.committed = Self.now()
            timing.messages = batch.messageCount
            commitObserver(timing)
        }
        if isCaughtUp, batchOpenedAt != nil {
            // In a task of its own: starting a commit waits for this one, which ends on return. A
            // failure stays in `commitInFlight`, where the message loop and the ticker meet it.
            Task { try? await self.startCommit() }
        }
    }

    /// Calls `observer` after each batch commits with where its time went (`quant bench ingest`).
    public func observeCommits(_ observer: @escaping @Sendable (BatchTiming) -> Void) { commitObserver = observer }

    /// The batches committed since the last call, and a new window from now.
    func takeIngestWindow() -> IngestWindow {
        defer { ingestWindow = IngestWindow() }
        return ingestWindow
    }

    /// Records the lag of every owned partition: the broker's high watermark minus the next offset
    /// committed to PostgreSQL (what a restart would resume from).
    public func recordLag(highWatermarks: [TopicPartition: KafkaOffset]) {
        for partition in ownedPartitions {
            guard let high = highWatermarks[partition]?.rawValue,
                  let next = committedNext[PartitionKey(topic: partition.topic, partition: partition.partition.rawValue)]
            else { continue }
            metrics.lag(partition, messages: max(0, high - next))
        }
    }

    /// Retries transient failures (database or broker down) with capped backoff until they pass,
    /// the task is cancelled, or a requested stop's grace period (`shutdownGrace`) runs out. Data
    /// never moves on without being committed: what is given up is read again after a restart.
    func retrying(_ what: String, _ body: () async throws -> Void) async throws {
        var delay = Duration.milliseconds(100)
        while true {
            do {
                try await body()
                return
            } catch {
                // A closed pool never comes back (the process is shutting down): stop, uncommitted.
                // Fenced offsets never move: another instance owns the partitions (ProcessorService).
                if Task.isCancelled || PostgresErrorText.isPoolClosed(error)
                    || PostgresErrorText.unwrap(error) is BatchWriter.OffsetsFenced { throw error }
                var wait = delay
                if let deadline = stopDeadline {
                    let left = ContinuousClock.now.duration(to: deadline)
                    if left <= .zero {
                        logger.error("\(what) still failing when the stop's grace period ran out; stopping without committing (the messages are read again after a restart)",
                                     metadata: ["error": "\(PostgresErrorText.describe(error))"])
                        throw error
                    }
                    wait = min(wait, left)
                }
                metrics.retries.increment()
                logger.warning("\(what) failed; retrying", metadata: [
                    "error": "\(PostgresErrorText.describe(error))", "retry_in": "\(wait)"])
                try await Task.sleep(for: wait)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    /// A stop was requested (SIGTERM): failing commits are retried for `shutdownGrace` at most, and
    /// a commit still under way then (waiting for a connection to a database that is down: that
    /// fails no attempt, it just waits) is cancelled. Either way nothing half-done is committed:
    /// the batch's transaction holds its offsets, so its messages are read again after a restart.
    public func beginStop() {
        guard stopDeadline == nil else { return }
        stopDeadline = .now + settings.shutdownGrace
        let grace = settings.shutdownGrace
        Task { [weak self] in
            try? await Task.sleep(for: grace)
            await self?.cancelCommitInFlight()
        }
    }

    private func cancelCommitInFlight() {
        guard let commitInFlight else { return }
        logger.error("a commit was still under way when the stop's grace period ran out; cancelling it (its messages are read again after a restart)")
        commitInFlight.cancel()
    }

    // MARK: the instrument catalogue

    /// Reads `market.instruments` again and applies it between two messages: what arrives after
    /// this for a new instrument is taken, a removed or deactivated one's is dead-lettered.
    public func reloadInstruments() async throws {
        let instruments = try await InstrumentCatalog.load(client: client, logger: logger)
        core.update(instruments: instruments)
        logger.info("instrument catalogue reloaded", metadata: ["instruments": "\(instruments.count)"])
    }

    /// Reads `trading.accounts` again and applies it between two messages: an order checked after
    /// this meets the new accounts and limits.
    public func reloadAccounts() async throws {
        let accounts = try await AccountCatalog.load(client: client, logger: logger)
        core.accounts.accounts = accounts
        logger.info("accounts reloaded", metadata: ["accounts": "\(accounts.count)"])
    }

    /// The account book as it stands (for tests and diagnostics).
    public var accountBook: AccountBook { core.accounts }

    /// The symbols the processor takes now (for tests and diagnostics).
    public var knownSymbols: Set<String> { Set(core.instruments.map(\.symbol.rawValue)) }

    // MARK: rebalancing

    /// Starts assigned partitions at the offsets stored in PostgreSQL and rebuilds the order books
    /// of assigned `orders.commands` partitions by replaying them up to those offsets. A partition
    /// whose stored offset belongs to another log than the broker's (its topic id changed: the
    /// broker lost or re-created it) is read from its beginning instead.
    public func assigned(_ assignment: KafkaAssignment) async throws -> [TopicPartition: KafkaOffset] {
        // Every step reads or rebuilds state from PostgreSQL and can run again from the start (it
        // does at every rebalance), so a database restart meanwhile is waited out, not fatal.
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await prepare(assignment)
            } catch where PostgresErrorText.isTransient(error) && !PostgresErrorText.isPoolClosed(error)
                && !Task.isCancelled && stopDeadline == nil && attempt < Self.assignmentAttempts {
                metrics.retries.increment()
                logger.warning("preparing the assigned partitions failed; trying again", metadata: [
                    "error": "\(PostgresErrorText.describe(error))", "attempt": "\(attempt)"])
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// About a minute of a database that cannot be reached while partitions are assigned.
    static let assignmentAttempts = 60

    private func prepare(_ assignment: KafkaAssignment) async throws -> [TopicPartition: KafkaOffset] {
        let partitions = assignment.partitions
        lastLog.partition = KafkaPartition(rawValue: -1)
        do { try await flush() } catch where PostgresErrorText.unwrap(error) is BatchWriter.OffsetsFenced {
            // What was consumed under the previous assignment cannot commit: another instance (or a
            // commit whose answer was lost) moved those offsets. It is dropped; every partition
            // assigned now starts from its stored offsets and books.
            logger.error("fenced: the batch consumed under the previous assignment is dropped; the assigned partitions start from the stored offsets",
                         metadata: ["error": "\(PostgresErrorText.unwrap(error))"])
            ProcessorMetrics.fenced.increment()
            dropUncommitted()
        }
        core.update(instruments: try await InstrumentCatalog.load(client: client, logger: logger))
        // Positions as committed: the books are rebuilt to the same offsets below.
        core.accounts.accounts = try await AccountCatalog.load(client: client, logger: logger)
        core.accounts.load(positions: try await AccountCatalog.positions(client: client, logger: logger))
        var starts: [TopicPartition: KafkaOffset] = [:]
        var storedOffsets: [TopicPartition: Int64] = [:]
        var storedLogs: [TopicPartition: String] = [:]
        var logLost: Set<TopicPartition> = []
        var admin: KafkaAdmin?
        for topic in Set(partitions.map(\.topic)) {
            let stored = try await BatchWriter.storedPositions(client: client, group: settings.groupID, topic: topic, logger: logger)
            var currentLog = assignment.topicIDs[topic]?.rawValue
            if currentLog == nil, topic == settings.topics.commands,
               partitions.contains(where: { $0.topic == topic && stored[$0.partition.rawValue].map { !$0.logID.isEmpty } == true }) {
                // Rebuilding the books below replays the stored log from the broker: the consumer's
                // hold (`expectLog`) would come too late to keep another log out of the books.
                let a = try admin ?? makeAdmin()
                admin = a
                currentLog = try await LogResolution(admin: a, timeout: settings.logResolutionTimeout, logger: logger)
                    .id(of: topic)?.rawValue
            }
            var ends: [KafkaPartition: KafkaOffset]?
            for tp in partitions where tp.topic == topic {
                let key = PartitionKey(topic: tp.topic, partition: tp.partition.rawValue)
                guard let position = stored[tp.partition.rawValue] else {
                    starts[tp] = .beginning
                    core.setLog(key, id: currentLog ?? "")
                    continue
                }
                storedOffsets[tp] = position.nextOffset
                storedLogs[tp] = position.logID
                let lost: Bool
                if let currentLog, !position.logID.isEmpty {
                    lost = position.logID != currentLog
                    if lost {
                        logger.error("the stored offset belongs to a log the broker no longer has (its topic id changed); reading the partition from its beginning",
                                     metadata: ["partition": "\(tp)", "stored": "\(position.nextOffset)",
                                                "stored_log": "\(position.logID)", "log": "\(currentLog)"])
                    }
                } else if !position.logID.isEmpty {
                    // The broker could not describe the topic just now (a restarted broker still
                    // re-creating its topics): the consumer holds the partition until it can, and
                    // reads it from its beginning if the log is not the stored one (`followLog`
                    // then commits the switch).
                    assignment.expectLog(KafkaTopicID(rawValue: position.logID), of: tp)
                    lost = false
                } else {
                    // No id to compare (offsets stored before migration 0018, or a broker without
                    // topic ids): only a stored offset beyond the end of the log reveals a lost log.
                    if ends == nil {
                        let a = try admin ?? makeAdmin()
                        admin = a
                        ends = try await endOffsets(a, topic: topic)
                    }
                    let end = ends?[tp.partition]?.rawValue ?? -1
                    lost = end >= 0 && position.nextOffset > end
                    if lost {
                        logger.error("stored offset beyond the end of the partition; the broker lost messages, reading it from its beginning",
                                     metadata: ["partition": "\(tp)", "stored": "\(position.nextOffset)", "end": "\(end)"])
                    }
                }
                if lost {
                    starts[tp] = .beginning
                    logLost.insert(tp)
                    metrics.replacedLog(topic: topic)
                    // The first message of the new log commits the switch (see `followLog`).
                    core.setLog(key, id: position.logID)
                    pendingReplacement.insert(key)
                } else {
                    starts[tp] = KafkaOffset(rawValue: position.nextOffset)
                    core.setLog(key, id: currentLog ?? position.logID)
                }
            }
        }
        for tp in partitions {
            let key = PartitionKey(topic: tp.topic, partition: tp.partition.rawValue)
            committedNext[key] = logLost.contains(tp) ? 0 : storedOffsets[tp] ?? 0
            expectedPositions[key] = storedOffsets[tp].map { StoredPosition(nextOffset: $0, logID: storedLogs[tp] ?? "") }
        }
        var replays: [Int32: Range<Int64>] = [:]
        for tp in partitions where tp.topic == settings.topics.commands {
            let partition = tp.partition.rawValue
            core.revoke(commandsPartition: partition)
            let storedOffset = storedOffsets[tp] ?? 0
            guard storedOffset > 0 || logLost.contains(tp) else { continue }
            let snapshot = try await EngineSnapshotStore.latest(
                client: client, group: settings.groupID, topic: tp.topic, partition: partition,
                logID: storedLogs[tp] ?? "", notAfter: storedOffset, logger: logger)
            var restored = false
            if let snapshot {
                do {
                    let engine = try MatchingEngine(
                        restoring: snapshot.bytes, instruments: core.instruments, limits: core.limits,
                        closedOrderMemory: core.closedOrderMemory)
                    core.restore(commandsPartition: partition, engine: engine, nextOffset: snapshot.nextOffset)
                    restored = true
                } catch {
                    logger.warning("unusable book snapshot; rebuilding the books from the whole command log",
                                   metadata: ["partition": "\(tp)", "error": "\(error)"])
                }
            }
            if let seq = restored ? snapshot?.commandSeq : 0 {
                // The commands applied after the snapshot, from PostgreSQL: committed with their
                // effects, so the books come back exactly as committed, whatever the broker still holds.
                try await replayLoggedCommands(partition: partition, afterSeq: seq)
                // A lost log's partition follows the new log from its first message (`followLog`).
                if !logLost.contains(tp) { core.caughtUp(commandsPartition: partition, nextOffset: storedOffset) }
            } else if let snapshot, snapshot.nextOffset < storedOffset, !logLost.contains(tp) {
                // A snapshot from before migration 0029: the commands after it are only in the broker's log.
                replays[partition] = snapshot.nextOffset..<storedOffset
            }
        }
        if !replays.isEmpty {
            let a = try admin ?? makeAdmin()
            admin = a
            try await rebuildBooks(replays, admin: a)
        }
        for tp in partitions where tp.topic == settings.topics.commands {
            core.rebuildAccounts(commandsPartition: tp.partition.rawValue)
        }
        ownedPartitions.formUnion(partitions)
        logger.info("partitions assigned", metadata: ["partitions": "\(partitions.sorted().map(\.description))"])
        return starts
    }

    /// Notices a message from another log than its partition's (the consumer found the topic's id
    /// changed and reads the new log from its beginning, or an assignment found the stored offset
    /// belongs to a lost log): what was read from the old log commits under the old id first, so
    /// no batch mixes two logs of one partition, then the partition follows the new log.
    func followLog(of message: KafkaConsumerMessage) async throws {
        let key = PartitionKey(topic: message.topic, partition: message.partition.rawValue)
        let id = message.topicID?.rawValue ?? ""
        if !pendingReplacement.isEmpty, pendingReplacement.contains(key) {
            pendingReplacement.remove(key)
            try await startReplacedLog(key, id: id)
            return
        }
        guard !id.isEmpty, let current = core.logIDs[key], current != id else { return }
        if current.isEmpty {
            core.setLog(key, id: id)  // an id learnt on the way: nothing was lost
            return
        }
        logger.error("the broker replaced the partition's log (its topic id changed); reading the new log from its beginning",
                     metadata: ["partition": "\(key)", "old_log": "\(current)", "log": "\(id)", "offset": "\(message.offset)"])
        metrics.replacedLog(topic: key.topic)
        try await startReplacedLog(key, id: id)
    }

    private func startReplacedLog(_ key: PartitionKey, id: String) async throws {
        // The books as the old log left them commit with its last offsets. No snapshot is taken at
        // offset 0 of the new log: it would share a batch with the new log's first commands, and
        // its `command_seq` (the batch's last logged command) would claim them, so a restore from
        // it skipped them (chaos seed 65130). A restart before the next snapshot restores this one
        // and replays the new log's commands from `trading.command_log`.
        try await startCommit(snapshot: true)
        core.startReplacedLog(key, id: id)
        committedNext[key] = 0
    }

    func makeAdmin() throws -> KafkaAdmin {
        var configuration = KafkaAdminConfiguration(brokers: settings.brokers)
        configuration.security = settings.kafkaSecurity
        return try KafkaAdmin(configuration: configuration, logger: logger)
    }

    static func now() -> Timestamp { Timestamp(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000)) }

    /// The end offsets of `topic`, asked up to three times. Without them a lost log cannot be told
    /// from a live one, and starting at a stored offset beyond the end of a lost log would skip the
    /// new log's first messages, so in the end this throws (the consumer then stops) rather than guess.
    func endOffsets(_ admin: KafkaAdmin, topic: String) async throws -> [KafkaPartition: KafkaOffset] {
        var attempt = 1
        while true {
            do { return try await admin.endOffsets(topic: topic) } catch {
                guard attempt < 3, !Task.isCancelled else { throw error }
                logger.warning("end offsets unavailable; retrying", metadata: ["topic": "\(topic)", "error": "\(error)"])
                try await Task.sleep(for: .milliseconds(500 * attempt))
                attempt += 1
            }
        }
    }

    /// Commits what was consumed so far, then forgets the books of partitions that move away.
    public func revoked(_ partitions: [TopicPartition]) async {
        // Snapshot now, so the partitions' next owner replays only what comes after this batch.
        do { try await flush(snapshot: true) } catch {
            // Not committed: the partitions' next owner re-reads those messages from the stored offsets.
            logger.warning("flush on revoke failed", metadata: ["error": "\(PostgresErrorText.describe(error))"])
        }
        for tp in partitions where tp.topic == settings.topics.commands {
            core.revoke(commandsPartition: tp.partition.rawValue)
        }
        for tp in partitions {
            let key = PartitionKey(topic: tp.topic, partition: tp.partition.rawValue)
            core.setLog(key, id: nil)
            pendingReplacement.remove(key)
            expectedPositions[key] = nil
        }
        lastLog.partition = KafkaPartition(rawValue: -1)
        ownedPartitions.subtract(partitions)
        logger.info("partitions revoked", metadata: ["partitions": "\(partitions.sorted().map(\.description))"])
    }

    /// Replays `orders.commands` offsets (from a snapshot's offset, or the beginning, up to the
    /// committed offset) with a private consumer, applying commands without writing anything.
    func rebuildBooks(_ ranges: [Int32: Range<Int64>], admin: KafkaAdmin) async throws {
        // Offsets the log does not hold would be waited for forever, in the rebalance callback.
        let ends = try await endOffsets(admin, topic: settings.topics.commands)
        for (partition, range) in ranges.sorted(by: { $0.key < $1.key }) {
            let end = ends[KafkaPartition(rawValue: partition)]?.rawValue ?? 0
            guard end >= range.upperBound else {
                throw LogResolution.Failure(
                    "\(settings.topics.commands)/\(partition) ends at offset \(end), before the stored offset \(range.upperBound), under the same topic id: the broker lost committed messages; the books cannot be rebuilt")
            }
        }
        var configuration = KafkaConsumerConfiguration(
            brokers: settings.brokers, groupID: "\(settings.groupID)-rebuild-\(UUID().uuidString.prefix(8))",
            clientID: "\(settings.clientID)-rebuild")
        configuration.sessionTimeoutMilliseconds = settings.sessionTimeoutMilliseconds
        configuration.security = settings.kafkaSecurity
        // A plain assignment, no group join: replays start at once and never disturb the group.
        let replayer = try KafkaConsumer(configuration: configuration, logger: logger)
        try replayer.assign(ranges.keys.sorted().map {
            let from = ranges[$0]!.lowerBound
            return TopicPartitionOffset(settings.topics.commands, KafkaPartition(rawValue: $0),
                                        from == 0 ? .beginning : KafkaOffset(rawValue: from))
        })
        let targets = ranges.mapValues(\.upperBound)
        var remaining = targets
        let skipped = try await deadLetteredCommands(ranges)
        var replayed = 0
        do {
            for try await message in replayer.messages {
                let p = message.partition.rawValue
                guard let target = remaining[p], message.offset.rawValue < target else { continue }
                let log = core.logIDs[PartitionKey(topic: message.topic, partition: p)] ?? ""
                if let id = message.topicID?.rawValue, !log.isEmpty, id != log {
                    throw LogResolution.Failure(
                        "replaying \(message.topic)/\(p): the broker's log \(id) is not the stored log \(log)")
                }
                core.replay(Self.convert(message), skipped: skipped[p]?.contains(message.offset.rawValue) == true)
                replayed += 1
                if message.offset.rawValue + 1 >= target { remaining[p] = nil }
                if remaining.isEmpty { break }
            }
        } catch {
            await replayer.close()
            throw error
        }
        await replayer.close()
        logger.info("order books rebuilt", metadata: [
            "commands": "\(replayed)", "ranges": "\(ranges.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" })"])
    }

    /// Applies the commands logged for a commands partition after `afterSeq` (`trading.command_log`,
    /// in commit order) to its books, writing nothing. Read in chunks, each on a watched connection
    /// (`PostgresClient.rows`): a replay without a snapshot reads the whole log.
    func replayLoggedCommands(partition: Int32, afterSeq: Int64) async throws {
        let topic = settings.topics.commands
        var last = afterSeq
        var replayed = 0
        while true {
            let rows = try await client.rows("""
                SELECT seq, kafka_offset, (extract(epoch FROM message_ts) * 1000000)::int8, message_key, payload FROM trading.command_log
                WHERE consumer_group = \(settings.groupID) AND topic = \(topic) AND kafka_partition = \(partition) AND seq > \(last)
                ORDER BY seq LIMIT \(Self.replayChunk)
                """, logger: logger)
            for row in rows {
                let (seq, offset, micros, key, payload) = try row.decode((Int64, Int64, Int64, ByteBuffer?, ByteBuffer).self)
                core.replay(ConsumedMessage(topic: topic, partition: partition, offset: offset, key: key.map { Array(buffer: $0) },
                                            value: Array(buffer: payload), timestamp: Timestamp(microseconds: micros)))
                last = seq
            }
            replayed += rows.count
            if rows.count < Self.replayChunk { break }
        }
        logger.info("order books rebuilt from the command log",
                    metadata: ["partition": "\(topic)/\(partition)", "after_seq": "\(afterSeq)", "commands": "\(replayed)"])
    }

    static let replayChunk = 10_000

    /// The offsets of `ranges` (commands partitions) that went to dead letters, or were refused by
    /// the account book, when they were consumed: the engine never saw them, so a replay skips them too.
    func deadLetteredCommands(_ ranges: [Int32: Range<Int64>]) async throws -> [Int32: Set<Int64>] {
        var result: [Int32: Set<Int64>] = [:]
        for (partition, range) in ranges {
            let log = core.logIDs[PartitionKey(topic: settings.topics.commands, partition: partition)] ?? ""
            let rows = try await client.rows("""
                SELECT kafka_offset FROM ops.dead_letters
                WHERE topic = \(settings.topics.commands) AND kafka_partition = \(partition) AND log_id IN (\(log), '')
                  AND kafka_offset >= \(range.lowerBound) AND kafka_offset < \(range.upperBound)
                UNION ALL
                SELECT kafka_offset FROM trading.refused_commands
                WHERE topic = \(settings.topics.commands) AND kafka_partition = \(partition) AND log_id IN (\(log), '')
                  AND kafka_offset >= \(range.lowerBound) AND kafka_offset < \(range.upperBound)
                """, logger: logger)
            for row in rows { result[partition, default: []].insert(try row.decode(Int64.self)) }
        }
        return result
    }

    /// The books of a commands partition (for tests and snapshots).
    public func depth(partition: Int32) -> [String: String] {
        guard let engine = core.engines[partition] else { return [:] }
        var result: [String: String] = [:]
        for message in engine.depth() {
            result[message.symbol] = "\(message.bids.map { "\($0.price)x\($0.quantity)" }) / \(message.asks.map { "\($0.price)x\($0.quantity)" })"
        }
        return result
    }

    static func convert(_ m: KafkaConsumerMessage) -> ConsumedMessage {
        // The producer sets the timestamp: one that is missing or does not fit reads as 1970-01-01,
        // which the event-time check then refuses.
        let timestamp = m.timestamp.flatMap { Timestamp(secondsSince1970: $0.timeIntervalSince1970) } ?? Timestamp(microseconds: 0)
        return ConsumedMessage(topic: m.topic, partition: m.partition.rawValue, offset: m.offset.rawValue,
                               key: m.key, value: m.value, timestamp: timestamp)
    }
}

/// Where a committed batch's time went, on the wall clock: its first message's produce time (the
/// Kafka timestamp) and handling, the start and end of its commit.
public struct BatchTiming: Sendable {
    public var firstProduced: Date?
    public var firstHandled: Timestamp
    public var commitStarted: Timestamp
    public var committed = Timestamp(microseconds: 0)
    public var messages = 0
}

