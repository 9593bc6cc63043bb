import Foundation
import Kafka
import Logging
import NIOCore
import OrderBook
import PostgresNIO
import Processor
import Store
import TestSupport
import Synchronization
import Testing

@Suite(.serialized) struct ProcessorFaultTests {
    /// The memory broker restarts mid-stream and comes back empty. The processor neither crashes nor
    /// writes anything twice: it notices the new topic ids (on the consumer error the restart
    /// brings, or on rejoining the group, whichever comes first), reads the new logs from their
    /// beginning, and the books carry on from their state. Timing-free: the processor follows along.
    @Test func aBrokerRestartThatLosesTheLogNeitherCrashesNorDuplicates() async throws {
        try await BrokerFaultRun.with { run in
            let processor = run.start()
            let before = try await run.produce(2_000, seed: 41)
            try await run.waitUntilCaughtUp()
            try await run.broker.restart()
            // Malformed messages too: their offsets repeat those of the old log's dead letters,
            // and both are kept (dead letters are keyed by the log's id as well).
            let after = try await run.produce(1_000, seed: 42, orderPrefix: "r")
            try await run.waitUntilCaughtUp()
            #expect(!processor.isCancelled)
            try await run.stop(processor)
            try await run.verify(sent: before + after)
        }
    }

    /// The data-loss path of issue 16, made deterministic: the processor is stopped, the broker
    /// loses its logs, and the new logs grow past every stored offset before the processor comes
    /// back. Only the topic ids stored with the offsets tell the processor that those offsets name
    /// other messages now; it must read the new logs from their beginning.
    @Test func aLostLogThatRegrewPastTheStoredOffsetsWhileTheProcessorWasStoppedIsReadWhole() async throws {
        try await BrokerFaultRun.with { run in
            var processor = run.start()
            let before = try await run.produce(1_500, seed: 51)
            try await run.waitUntilCaughtUp()
            try await run.stop(processor)
            let stored = try await Self.positions(run.client, group: run.settings.groupID, topics: .standard, logger: run.logger)
            try await run.broker.restart()
            let after = try await run.produce(3_000, seed: 52, orderPrefix: "r")
            try await Self.expectRegrown(past: stored, broker: run.broker)
            processor = run.start()
            try await run.waitUntilCaughtUp()
            try await run.stop(processor)
            try await run.verify(sent: before + after)
        }
    }

    /// The same while the processor runs but cannot move: PostgreSQL is down, so nothing commits and
    /// the consumer's buffers fill. The broker loses its logs and they grow past every stored offset
    /// before PostgreSQL returns. Whichever the processor meets first, the consumer error of the
    /// restart or the group's rebalance, it reads the new logs whole.
    @Test func aLostLogThatRegrewPastTheStoredOffsetsWhileTheProcessorWasStalledIsReadWhole() async throws {
        let postgres = try await PrivatePostgres()
        defer { postgres.remove() }
        try await BrokerFaultRun.with(postgres: postgres) { run in
            let processor = run.start()
            let before = try await run.produce(1_500, seed: 61)
            try await run.waitUntilCaughtUp()
            let stored = try await Self.positions(run.client, group: run.settings.groupID, topics: .standard, logger: run.logger)
            try await postgres.stack("pg-stop")
            try await run.broker.restart()
            let after = try await run.produce(3_000, seed: 62, orderPrefix: "r")
            try await Self.expectRegrown(past: stored, broker: run.broker)
            try await postgres.stack("pg-start")
            try await run.waitUntilCaughtUp()
            #expect(!processor.isCancelled)
            try await run.stop(processor)
            try await run.verify(sent: before + after)
        }
    }

    /// SIGTERM while PostgreSQL is down: the processor retries its commit for its grace period
    /// (`processor.shutdownGraceSeconds`), then stops without committing; a new processor reads the
    /// uncommitted messages again once PostgreSQL is back, and nothing is lost or doubled.
    @Test func aStopWhilePostgresIsDownEndsWithinTheGracePeriodLosingNothing() async throws {
        try await Self.withPrivatePostgres { postgres, client, brokers, topics, logger in
            var settings = ProcessorSettings(brokers: brokers, groupID: "g-\(UUID().uuidString.prefix(8))", topics: topics,
                                             batchMaxMessages: 300, batchMaxDelay: .milliseconds(20))
            settings.shutdownGrace = .seconds(2)
            let run = Task { try await ProcessorService(settings: settings, client: client, logger: logger).run { _ in } }
            let before = try await ProcessorIntegrationTests.produce(1_000, topics: topics, brokers: brokers, seed: 81)
            try await ProcessorIntegrationTests.waitUntilCaughtUp(client, group: settings.groupID, topics: topics, brokers: brokers, logger: logger)

            try await postgres.stack("pg-stop")
            let during = try await ProcessorIntegrationTests.produce(1_000, topics: topics, brokers: brokers, seed: 82, orderPrefix: "d")
            try await Task.sleep(for: .seconds(2))  // its commits fail and are retried
            let stopping = ContinuousClock.now
            run.cancel()
            do {
                try await value(of: run, within: .seconds(20), "the processor to stop while PostgreSQL is down")
            } catch let error as TestDatabase.MissingService {
                Issue.record("\(error)")
            } catch {}  // the commit's error: it stopped without committing, as documented
            #expect(stopping.duration(to: .now) < .seconds(12), "stopped within the grace period and a retry")

            try await postgres.stack("pg-start")
            let rerun = Task { try await ProcessorService(settings: settings, client: client, logger: logger).run { _ in } }
            try await ProcessorIntegrationTests.waitUntilCaughtUp(client, group: settings.groupID, topics: topics, brokers: brokers, logger: logger)
            rerun.cancel()
            try await value(of: rerun, within: .seconds(20), "the second processor to stop")
            try await ProcessorIntegrationTests.verify(client, sent: before + during, topics: topics, logger: logger)
        }
    }

    /// A private PostgreSQL (which the test may stop), migrated and seeded, and fresh topics on the shared broker.
    static func withPrivatePostgres(
        _ body: (PrivatePostgres, PostgresClient, _ brokers: String, TopicNames, Logger) async throws -> Void
    ) async throws {
        let brokers = try ProcessorIntegrationTests.brokers
        let postgres = try await PrivatePostgres()
        defer { postgres.remove() }
        let logger = Self.quietLogger
        try await postgres.withMigratedClient(logger: logger) { client in
            try await ProcessorIntegrationTests.seedInstruments(client, logger: logger)
            try await body(postgres, client, brokers, try await ProcessorIntegrationTests.makeTopics(brokers), logger)
        }
    }

    static func settings(_ broker: PrivateBroker) -> ProcessorSettings {
        ProcessorSettings(brokers: broker.brokers, groupID: "g-\(UUID().uuidString.prefix(8))", topics: .standard,
                          batchMaxMessages: 300, batchMaxDelay: .milliseconds(20))
    }

    static let quietLogger: Logger = {
        var logger = Logger(label: "fault-test")
        logger.logLevel = .error
        return logger
    }()

    /// Where the group stands in every partition of `topics`.
    static func positions(_ client: PostgresClient, group: String, topics: TopicNames, logger: Logger) async throws
        -> [String: [Int32: StoredPosition]]
    {
        var result: [String: [Int32: StoredPosition]] = [:]
        for topic in topics.consumed {
            result[topic] = try await BatchWriter.storedPositions(client: client, group: group, topic: topic, logger: logger)
        }
        return result
    }

    /// The test's premise: every partition that held messages holds at least as many again in its new
    /// log, so a processor that resumed at its stored offsets would skip the new log's first messages.
    static func expectRegrown(past stored: [String: [Int32: StoredPosition]], broker: PrivateBroker) async throws {
        let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(brokers: broker.brokers))
        var regrown = 0
        for (topic, positions) in stored {
            let ends = try await admin.endOffsets(topic: topic)
            for (partition, position) in positions where position.nextOffset > 0 {
                let end = ends[KafkaPartition(rawValue: partition)]?.rawValue ?? 0
                #expect(end >= position.nextOffset, "\(topic)/\(partition): new log \(end) below the stored \(position.nextOffset)")
                regrown += 1
            }
        }
        #expect(regrown > 0)
    }

    @Test func postgresDownForSecondsPausesTheProcessorThenItCatchesUpLosingNothing() async throws {
        try await Self.withPrivatePostgres { postgres, client, brokers, topics, logger in
            let groupID = "g-\(UUID().uuidString.prefix(8))"
            let settings = ProcessorSettings(brokers: brokers, groupID: groupID, topics: topics, batchMaxMessages: 300,
                                             batchMaxDelay: .milliseconds(20))
            let holder = PipelineList()
            let run = Task { try await ProcessorService(settings: settings, client: client, logger: logger).run { await holder.add($0) } }

            let before = try await ProcessorIntegrationTests.produce(2_000, topics: topics, brokers: brokers, seed: 21)
            try await ProcessorIntegrationTests.waitUntilCaughtUp(client, group: groupID, topics: topics, brokers: brokers, logger: logger)

            // PostgreSQL goes away while messages keep arriving.
            try await postgres.stack("pg-stop")
            let during = try await ProcessorIntegrationTests.produce(3_000, topics: topics, brokers: brokers, seed: 22, orderPrefix: "d")
            try await Task.sleep(for: .seconds(3))
            let committedWhileDown = await holder.committedCounts().reduce(0, +)
            #expect(committedWhileDown == before.count, "nothing can commit while the database is down")
            try await postgres.stack("pg-start")

            try await ProcessorIntegrationTests.waitUntilCaughtUp(client, group: groupID, topics: topics, brokers: brokers, logger: logger)
            run.cancel()
            try await run.value
            try await ProcessorIntegrationTests.verify(client, sent: before + during, topics: topics, logger: logger)
        }
    }
}

@Suite struct LostLogTests {
    /// What a restarted memory broker leaves behind: offsets stored in PostgreSQL beyond the end of
    /// every partition. The processor must not wait for offsets that will never exist; it reads the
    /// new log from its beginning and ingests all of it.
    @Test func storedOffsetsBeyondTheEndOfTheLogDoNotStallTheProcessor() async throws {
        try await ProcessorIntegrationTests.withFixture { f in
            for topic in f.topics.consumed {
                try await f.client.query("""
                    INSERT INTO ops.kafka_offsets (consumer_group, topic, kafka_partition, next_offset)
                    SELECT \(f.group), \(topic), p, 50000 FROM generate_series(0, 3) AS p
                    """, logger: f.logger)
            }
            let sent = try await ProcessorIntegrationTests.produce(1_500, topics: f.topics, brokers: f.brokers, seed: 31)
            let settings = ProcessorSettings(brokers: f.brokers, groupID: f.group, topics: f.topics, batchMaxMessages: 300,
                                             batchMaxDelay: .milliseconds(20))
            let run = Task { try await ProcessorService(settings: settings, client: f.client, logger: f.logger).run { _ in } }
            // Caught up means: the stored offsets now equal the (new) end offsets.
            let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(brokers: f.brokers))
            let deadline = ContinuousClock.now + .seconds(60)
            var done = false
            while !done, ContinuousClock.now < deadline {
                done = true
                for topic in f.topics.consumed {
                    let ends = try await admin.endOffsets(topic: topic)
                    let stored = try await BatchWriter.storedOffsets(client: f.client, group: f.group, topic: topic, logger: f.logger)
                    for (partition, end) in ends where stored[partition.rawValue] != end.rawValue && end.rawValue > 0 { done = false }
                }
                if !done { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(done, "the processor should have read the new log to its end")
            run.cancel()
            try await run.value
            try await ProcessorIntegrationTests.verify(f.client, sent: sent, topics: f.topics, logger: f.logger)
        }
    }
}

extension LostLogTests {
    /// Offsets stored for a log the broker no longer has (another topic id) are never resumed from,
    /// even where the current log is longer: the processor reads the current log whole.
    @Test func storedOffsetsOfAnotherLogAreNotResumedFrom() async throws {
        try await ProcessorIntegrationTests.withFixture { f in
            for topic in f.topics.consumed {
                try await f.client.query("""
                    INSERT INTO ops.kafka_offsets (consumer_group, topic, kafka_partition, next_offset, log_id)
                    SELECT \(f.group), \(topic), p, 5, 'a-log-the-broker-lost' FROM generate_series(0, 3) AS p
                    """, logger: f.logger)
            }
            let sent = try await ProcessorIntegrationTests.produce(1_500, topics: f.topics, brokers: f.brokers, seed: 33)
            let settings = ProcessorSettings(brokers: f.brokers, groupID: f.group, topics: f.topics, batchMaxMessages: 300,
                                             batchMaxDelay: .milliseconds(20))
            let run = Task { try await ProcessorService(settings: settings, client: f.client, logger: f.logger).run { _ in } }
            try await ProcessorIntegrationTests.waitUntilCaughtUpOnCurrentLogs(
                f.client, group: f.group, topics: f.topics, brokers: f.brokers, logger: f.logger)
            run.cancel()
            try await run.value
            try await ProcessorIntegrationTests.verify(f.client, sent: sent, topics: f.topics, logger: f.logger)
        }
    }
}

extension LostLogTests {
    /// An assignment the consumer could not describe (the broker was re-creating its topics) must not
    /// rebuild books by replaying whatever log the broker has now. The pipeline asks the broker for
    /// the commands topic's id itself: a partition of the stored log is replayed up to its stored
    /// offset; one of a lost log is read from its beginning, and nothing waits for offsets that the
    /// new log does not hold (this hung the rebalance callback, and the processor with it).
    /// The broker's log is replayed only from a snapshot taken before the command log (migration
    /// 0029), as here: an empty engine at offset 0 whose `command_seq` is unknown.
    @Test func anUndescribedAssignmentReplaysOnlyTheStoredLog() async throws {
        try await ProcessorIntegrationTests.withFixture { f in
            _ = try await ProcessorIntegrationTests.produce(600, topics: f.topics, brokers: f.brokers, seed: 35)
            let commands = f.topics.commands
            let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(brokers: f.brokers))
            let id = try #require(try await admin.topicIDs([commands])[commands]).rawValue
            let ends = try await admin.endOffsets(topic: commands)
            let kept = try #require(ends.filter { $0.value.rawValue > 0 }.keys.min(), "no commands were produced")
            for partition in 0..<Int32(4) {
                let (offset, log) = partition == kept.rawValue ? (ends[kept]!.rawValue, id) : (5_000, "a-log-the-broker-lost")
                try await f.client.query("""
                    INSERT INTO ops.kafka_offsets (consumer_group, topic, kafka_partition, next_offset, log_id)
                    VALUES (\(f.group), \(commands), \(partition), \(offset), \(log))
                    """, logger: f.logger)
            }
            let empty = MatchingEngine().snapshot()
            try await f.client.query("""
                INSERT INTO trading.engine_snapshots (taken_at, consumer_group, topic, kafka_partition, next_offset, book_count, snapshot, log_id)
                VALUES (now(), \(f.group), \(commands), \(kept.rawValue), 0, 0, \(ByteBuffer(bytes: empty)), \(id))
                """, logger: f.logger)
            try await f.client.query("UPDATE trading.engine_snapshots SET command_seq = NULL", logger: f.logger)
            let settings = ProcessorSettings(brokers: f.brokers, groupID: f.group, topics: f.topics)
            let pipeline = ProcessorPipeline(settings: settings, client: f.client, producer: nil, instruments: [], logger: f.logger)
            let partitions = (0..<Int32(4)).map { TopicPartition(commands, KafkaPartition(rawValue: $0)) }
            let assigning = Task { try await pipeline.assigned(KafkaAssignment(partitions: partitions, topicIDs: [:])) }
            let starts = try await value(of: assigning, within: .seconds(60), "the assignment")
            for tp in partitions {
                let expected = tp.partition == kept ? ends[kept]! : KafkaOffset.beginning
                #expect(starts[tp] == expected, "\(tp)")
            }
            #expect(await pipeline.depth(partition: kept.rawValue).isEmpty == false, "the kept log's books were rebuilt")
        }
    }
}

/// A processor on a private broker (which a test may restart, losing its logs) and a fresh database.
struct BrokerFaultRun: Sendable {
    let broker: PrivateBroker
    let client: PostgresClient
    let logger: Logger
    let settings: ProcessorSettings

    /// On a private PostgreSQL (which a test may stop) instead of the shared one.
    static func with(postgres: PrivatePostgres, _ body: @escaping @Sendable (BrokerFaultRun) async throws -> Void) async throws {
        let broker = try await PrivateBroker()
        defer { broker.remove() }
        let logger = Self.logger(ProcessorFaultTests.quietLogger)
        try await postgres.withMigratedClient(logger: logger) { client in
            try await ProcessorIntegrationTests.seedInstruments(client, logger: logger)
            try await body(BrokerFaultRun(broker: broker, client: client, logger: logger, settings: ProcessorFaultTests.settings(broker)))
        }
    }

    static func with(_ body: @escaping @Sendable (BrokerFaultRun) async throws -> Void) async throws {
        let broker = try await PrivateBroker()
        defer { broker.remove() }
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.withClient { client in
                try await ProcessorIntegrationTests.seedInstruments(client, logger: db.logger)
                try await body(BrokerFaultRun(broker: broker, client: client, logger: Self.logger(db.logger),
                                              settings: ProcessorFaultTests.settings(broker)))
            }
        }
    }

    /// QUANT_FAULT_TEST_LOG=info (or debug) shows what the processors of these tests do.
    static func logger(_ base: Logger) -> Logger {
        var logger = base
        if let level = ProcessInfo.processInfo.environment["QUANT_FAULT_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) {
            logger.logLevel = level
        }
        return logger
    }

    /// QUANT_FAULT_KAFKA_DEBUG=cgrp,topic,fetch (librdkafka's `debug`) logs the consumer's
    /// librdkafka debug lines too (with QUANT_FAULT_TEST_LOG=debug).
    func start() -> Task<Void, any Error> {
        var settings = settings
        if let debug = ProcessInfo.processInfo.environment["QUANT_FAULT_KAFKA_DEBUG"] { settings.consumerProperties["debug"] = debug }
        return Task { [settings, client, logger] in try await ProcessorService(settings: settings, client: client, logger: logger).run { _ in } }
    }

    /// Lets anything written twice show up, then stops the processor (SIGTERM's path).
    func stop(_ processor: Task<Void, any Error>) async throws {
        try await Task.sleep(for: .seconds(1))
        processor.cancel()
        try await value(of: processor, within: .seconds(20), "the processor to stop")
    }

    func produce(_ count: Int, seed: UInt64, orderPrefix: String = "f") async throws
        -> [(topic: String, key: String, value: [UInt8], bad: Bool)]
    {
        try await ProcessorIntegrationTests.produce(count, topics: .standard, brokers: broker.brokers, seed: seed, orderPrefix: orderPrefix)
    }

    func waitUntilCaughtUp() async throws {
        try await ProcessorIntegrationTests.waitUntilCaughtUpOnCurrentLogs(
            client, group: settings.groupID, topics: .standard, brokers: broker.brokers, logger: logger)
    }

    /// Rows of the two logs can share (src_partition, src_offset): the message's timestamp tells them apart.
    func verify(sent: [(topic: String, key: String, value: [UInt8], bad: Bool)]) async throws {
        try await ProcessorIntegrationTests.verify(client, sent: sent, topics: .standard, logger: logger,
                                                   duplicateKey: "src_partition, src_offset, ts")
    }
}

extension PrivatePostgres {
    /// Migrates the private cluster and runs `body` with a client of it.
    func withMigratedClient(logger: Logger, _ body: (PostgresClient) async throws -> Void) async throws {
        try await Migrator(url: try url, migrationsDirectory: "\(TestDatabase.repositoryRoot)/migrations",
                           sqlDirectory: "\(TestDatabase.repositoryRoot)/sql", logger: logger).up()
        let client = PostgresClient(configuration: try url.clientConfiguration(poolSize: 4), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await body(client)
        }
    }
}

extension LostLogTests {
    /// The books come back from PostgreSQL alone (migration 0029): with no engine snapshot (a
    /// `kill -9` before the first) and the stored offsets in a log the broker lost, the commands
    /// logged in `trading.command_log` rebuild exactly the books the snapshot held. Before the
    /// command log, nothing could be replayed from the lost log and the books came back empty.
    @Test func theBooksComeBackFromTheCommandLogWithoutTheBrokersLog() async throws {
        try await ProcessorIntegrationTests.withFixture { f in
            _ = try await ProcessorIntegrationTests.produce(1_200, topics: f.topics, brokers: f.brokers, seed: 41)
            let settings = ProcessorSettings(brokers: f.brokers, groupID: f.group, topics: f.topics, batchMaxMessages: 150,
                                             batchMaxDelay: .milliseconds(20))
            let run = Task { try await ProcessorService(settings: settings, client: f.client, logger: f.logger).run { _ in } }
            try await ProcessorIntegrationTests.waitUntilCaughtUpOnCurrentLogs(
                f.client, group: f.group, topics: f.topics, brokers: f.brokers, logger: f.logger)
            run.cancel()
            try await run.value
            let fromSnapshots = try await Self.restoredBooks(settings, client: f.client, logger: f.logger)
            #expect(fromSnapshots.values.contains { !$0.isEmpty }, "the feed's orders rest in some book")
            try await f.client.query("DELETE FROM trading.engine_snapshots", logger: f.logger)
            try await f.client.query("UPDATE ops.kafka_offsets SET log_id = 'a-log-the-broker-lost' WHERE topic = \(f.topics.commands)",
                                     logger: f.logger)
            #expect(try await Self.restoredBooks(settings, client: f.client, logger: f.logger) == fromSnapshots)
        }
    }

    /// The books (depth per symbol, per commands partition) a processor assigned every commands
    /// partition would restore from what PostgreSQL holds now.
    static func restoredBooks(_ settings: ProcessorSettings, client: PostgresClient, logger: Logger) async throws
        -> [Int32: [String: String]]
    {
        let partitions = (0..<Int32(4)).map { TopicPartition(settings.topics.commands, KafkaPartition(rawValue: $0)) }
        let pipeline = ProcessorPipeline(settings: settings, client: client, producer: nil, instruments: [], logger: logger)
        _ = try await pipeline.assigned(KafkaAssignment(partitions: partitions, topicIDs: [:]))
        var result: [Int32: [String: String]] = [:]
        for p in 0..<Int32(4) { result[p] = await pipeline.depth(partition: p) }
        return result
    }

    /// At the switch to a replaced log, the first batch of the new log used to carry a snapshot
    /// taken at its offset 0, and its `command_seq` (the batch's last logged command, filled in as
    /// it was inserted) claimed the new log's first commands: a restore from it skipped them, and
    /// the books diverged from the command log (found by the chaos campaign, seed 65130).
    @Test func aRestoreAfterAReplacedLogReplaysTheNewLogsFirstCommands() async throws {
        try await BrokerFaultRun.with { run in
            var settings = run.settings
            settings.snapshotInterval = .seconds(3_600)  // only the switch snapshots the books
            let processor = Task { [settings, client = run.client, logger = run.logger] in
                try await ProcessorService(settings: settings, client: client, logger: logger).run { _ in }
            }
            _ = try await run.produce(1_000, seed: 43)
            try await run.waitUntilCaughtUp()
            try await run.broker.restart()
            _ = try await run.produce(1_000, seed: 44, orderPrefix: "r")
            try await run.waitUntilCaughtUp()
            // No snapshot claims a command at or after its own offset in its own log...
            let claimed = try await run.client.query("""
                SELECT count(*) FROM trading.engine_snapshots s JOIN trading.command_log c
                  ON (c.consumer_group, c.topic, c.kafka_partition, c.log_id) = (s.consumer_group, s.topic, s.kafka_partition, s.log_id)
                 AND c.kafka_offset >= s.next_offset AND c.seq <= s.command_seq
                """, logger: run.logger).decode(Int64.self).reduce(0, +)
            #expect(claimed == 0, "commands claimed by a snapshot taken before them")
            // ...and what a restart now would restore (after a kill -9: no snapshot on the way out)...
            let restored = try await Self.restoredBooks(settings, client: run.client, logger: run.logger)
            processor.cancel()
            try await value(of: processor, within: .seconds(20), "the processor to stop")
            // ...equals the whole command log replayed on empty books.
            try await run.client.query("DELETE FROM trading.engine_snapshots", logger: run.logger)
            let replayed = try await Self.restoredBooks(settings, client: run.client, logger: run.logger)
            #expect(replayed.values.contains { !$0.isEmpty }, "orders rest in some book")
            #expect(restored == replayed)
        }
    }
}

extension LostLogTests {
    /// A processor whose partitions another instance committed meanwhile (as after a pause past the
    /// session timeout) is fenced: it drops its batch, starts over with a new pipeline from the
    /// stored offsets, and goes on consuming.
    @Test func aFencedProcessorStartsOverFromTheStoredOffsets() async throws {
        try await ProcessorIntegrationTests.withFixture { f in
            _ = try await ProcessorIntegrationTests.produce(400, topics: f.topics, brokers: f.brokers, seed: 51, badEvery: 1_000_000)
            let settings = ProcessorSettings(brokers: f.brokers, groupID: f.group, topics: f.topics, batchMaxMessages: 100,
                                             batchMaxDelay: .milliseconds(20))
            let pipelines = PipelineCount()
            let run = Task {
                try await ProcessorService(settings: settings, client: f.client, logger: f.logger).run { _ in pipelines.add() }
            }
            try await ProcessorIntegrationTests.waitUntilCaughtUpOnCurrentLogs(
                f.client, group: f.group, topics: f.topics, brokers: f.brokers, logger: f.logger)
            // "Another instance" committed: the stored offsets are no longer where this one left them.
            try await f.client.query("UPDATE ops.kafka_offsets SET next_offset = next_offset - 1 WHERE next_offset > 0 AND topic = \(f.topics.quotes)",
                                     logger: f.logger)
            _ = try await ProcessorIntegrationTests.produce(400, topics: f.topics, brokers: f.brokers, seed: 52, badEvery: 1_000_000)
            let deadline = ContinuousClock.now + .seconds(60)
            while pipelines.value < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(pipelines.value >= 2, "the fenced processor started over")
            try await ProcessorIntegrationTests.waitUntilCaughtUpOnCurrentLogs(
                f.client, group: f.group, topics: f.topics, brokers: f.brokers, logger: f.logger)
            run.cancel()
            try await run.value
        }
    }
}

final class PipelineCount: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
