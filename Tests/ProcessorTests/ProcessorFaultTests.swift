import Foundation
import Kafka
import Logging
import PostgresNIO
import Processor
import Store
import TestSupport
import Testing

/// A private Tansu broker (scripts/stack with its own folder and port) that a test may restart,
/// losing its memory storage, without disturbing the shared broker.
struct PrivateBroker {
    let folder: String
    let port: Int

    init() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quant-kafka-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        self.folder = folder
        // A random port may still be taken (scripts/stack then refuses it): `onRandomPort` tries another.
        port = try await onRandomPort(in: 25_000..<29_000) { port in
            try await Self.start(folder: folder, port: port)
            return port
        }
    }

    var brokers: String { "127.0.0.1:\(port)" }

    /// Starts the broker (again), with the standard topics, empty.
    func restart() async throws { try await Self.start(folder: folder, port: port) }

    private static func start(folder: String, port: Int) async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["QUANT_STACK_DIR"] = "\(folder)/local"
        environment["QUANT_KAFKA_PORT"] = String(port)
        environment["QUANT_TOPIC_PARTITIONS"] = "4"
        let status = await runToCompletion("/bin/bash", ["\(TestDatabase.repositoryRoot)/scripts/stack", "restart-broker"], environment: environment)
        guard status == 0 else { throw TestDatabase.MissingService(description: "scripts/stack restart-broker failed (\(status))") }
    }

    func remove() {
        if let pid = try? String(contentsOfFile: "\(folder)/local/tansu.pid", encoding: .utf8), let p = Int32(pid.trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(p, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: folder)
    }
}

@Suite(.serialized) struct ProcessorFaultTests {
    /// The memory broker restarts mid-stream and comes back empty. The processor neither crashes nor
    /// writes anything twice: it rejoins, finds its stored offsets beyond the new (empty) logs, reads
    /// them from the beginning, and the books carry on from their state.
    @Test func aBrokerRestartThatLosesTheLogNeitherCrashesNorDuplicates() async throws {
        let broker = try await PrivateBroker()
        defer { broker.remove() }
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.withClient { client in
                try await ProcessorIntegrationTests.seedInstruments(client, logger: db.logger)
                let topics = TopicNames.standard
                let groupID = "g-\(UUID().uuidString.prefix(8))"
                let settings = ProcessorSettings(brokers: broker.brokers, groupID: groupID, topics: topics, batchMaxMessages: 300,
                                                 batchMaxDelay: .milliseconds(20))
                let run = Task { try await ProcessorService(settings: settings, client: client, logger: db.logger).run { _ in } }
                let before = try await ProcessorIntegrationTests.produce(2_000, topics: topics, brokers: broker.brokers, seed: 41)
                try await ProcessorIntegrationTests.waitUntilCaughtUp(client, group: groupID, topics: topics, brokers: broker.brokers,
                                                                      logger: db.logger, timeout: .seconds(30))

                try await broker.restart()
                // No malformed messages after the restart: dead letters are keyed by (topic,
                // partition, offset), and the new log reuses the offsets (docs/processor.md).
                let after = try await ProcessorIntegrationTests.produce(1_000, topics: topics, brokers: broker.brokers, seed: 42,
                                                                        badEvery: 1_000_000, orderPrefix: "r")
                let goodQuotes = (before + after).filter { $0.topic == topics.quotes && !$0.bad }.count
                let deadline = ContinuousClock.now + .seconds(45)
                var stored = 0
                while ContinuousClock.now < deadline {
                    stored = try await ProcessorIntegrationTests.count(client, "SELECT count(*)::int FROM market.quotes", logger: db.logger)
                    if stored >= goodQuotes { break }
                    #expect(!run.isCancelled)
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(stored == goodQuotes, "the messages sent after the restart should be ingested")
                try await Task.sleep(for: .seconds(1))  // anything written twice would show up now
                run.cancel()
                try await value(of: run, within: .seconds(20), "the processor to stop")
                try await ProcessorIntegrationTests.verify(client, sent: before + after, topics: topics, logger: db.logger,
                                                           duplicateKey: "src_partition, src_offset, ts")
            }
        }
    }

    @Test func postgresDownForSecondsPausesTheProcessorThenItCatchesUpLosingNothing() async throws {
        let brokers = try ProcessorIntegrationTests.brokers
        let postgres = try await PrivatePostgres()
        defer { postgres.remove() }
        let logger: Logger = {
            var logger = Logger(label: "fault-test")
            logger.logLevel = .error
            return logger
        }()
        try await Migrator(url: try postgres.url, migrationsDirectory: "\(TestDatabase.repositoryRoot)/migrations",
                           sqlDirectory: "\(TestDatabase.repositoryRoot)/sql", logger: logger).up()
        let client = PostgresClient(configuration: try postgres.url.clientConfiguration(poolSize: 4), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await ProcessorIntegrationTests.seedInstruments(client, logger: logger)
            let topics = try await ProcessorIntegrationTests.makeTopics(brokers)
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
