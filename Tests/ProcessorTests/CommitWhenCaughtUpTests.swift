import Foundation
import Processor
import Testing

/// `processor.commitWhenCaughtUp`: once the consumer has handed out everything fetched, the batch
/// commits without waiting for `batchMaxDelay`, on the real broker and PostgreSQL.
@Suite struct CommitWhenCaughtUpTests {
    @Test func aCaughtUpConsumerCommitsWithoutWaitingForTheBatchDelay() async throws {
        try await ProcessorIntegrationTests.withFixture { f in
            // Neither size nor age would ever end a batch here: only catching up can.
            var settings = ProcessorSettings(brokers: f.brokers, groupID: f.group, topics: f.topics,
                                             batchMaxMessages: 1_000_000, batchMaxDelay: .seconds(3_600))
            settings.commitWhenCaughtUp = true
            let sent = try await ProcessorIntegrationTests.produce(600, topics: f.topics, brokers: f.brokers, seed: 7)
            let run = Task { try await ProcessorService(settings: settings, client: f.client, logger: f.logger).run() }
            try await ProcessorIntegrationTests.waitUntilCaughtUp(f.client, group: f.group, topics: f.topics, brokers: f.brokers,
                                                                  logger: f.logger, timeout: .seconds(60))
            // More while it runs, in several sends: each is committed as it is caught up with.
            var more: [(topic: String, key: String, value: [UInt8], bad: Bool)] = []
            for round in 0..<3 {
                more += try await ProcessorIntegrationTests.produce(50, topics: f.topics, brokers: f.brokers,
                                                                    seed: 10 + UInt64(round), orderPrefix: "c\(round)")
                try await ProcessorIntegrationTests.waitUntilCaughtUp(f.client, group: f.group, topics: f.topics, brokers: f.brokers,
                                                                      logger: f.logger, timeout: .seconds(30))
            }
            run.cancel()
            try await run.value
            try await ProcessorIntegrationTests.verify(f.client, sent: sent + more, topics: f.topics, logger: f.logger)
        }
    }
}
