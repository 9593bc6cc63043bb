import Foundation
import Kafka
import MarketCore
import PostgresNIO
import Processor
import Store
import TestSupport
import Testing

/// Issue 18: at a session's close the scheduler writes `end_of_day` for the symbol into
/// `orders.commands`; the symbol's book (on whichever partition) expires its DAY orders, and a
/// restart that replays the log reproduces the expiry.
@Suite(.serialized) struct SessionProcessorTests {
    @Test func dayOrdersExpireAtTheCloseAndAReplayAgrees() async throws {
        try await ProcessorIntegrationTests.withFixture { f in
            // AAA trades on a UTC calendar closing an hour from now (so it closed 23 h ago); once the
            // orders are in, the close moves to a second from now (however slow the machine was).
            try await f.client.query("""
                INSERT INTO market.trading_calendars (calendar_id, time_zone, opens_at, closes_at, weekdays)
                VALUES ('T', 'UTC', '00:00', ((now() AT TIME ZONE 'UTC') + interval '1 hour')::time, '{1,2,3,4,5,6,7}')
                """, logger: f.logger)
            try await f.client.query("UPDATE market.instruments SET calendar_id = 'T' WHERE symbol = 'AAA'", logger: f.logger)
            var configured = ProcessorSettings(brokers: f.brokers, groupID: f.group, topics: f.topics, batchMaxMessages: 100,
                                               batchMaxDelay: .milliseconds(20))
            configured.sessions = SessionScheduler.Settings(defaultCalendar: "XNYS", checkInterval: .milliseconds(200))
            let settings = configured
            try await f.db.withClient(as: "quant_processor") { processorClient in
                let pipelines = PipelineList()
                let run = Task { try await ProcessorService(settings: settings, client: processorClient, logger: f.logger).run { await pipelines.add($0) } }
                let pipeline = try await LiveInstrumentTests.first(pipelines)
                func sentCloses() async throws -> Int {
                    try await ProcessorIntegrationTests.count(
                        f.client, "SELECT count(*)::int FROM trading.session_closes WHERE symbol = 'AAA' AND sent_at IS NOT NULL", logger: f.logger)
                }
                // The close of 24 h ago is due at once: its end_of_day goes first.
                let started = ContinuousClock.now + .seconds(6)
                while try await sentCloses() < 1, ContinuousClock.now < started { try await Task.sleep(for: .milliseconds(50)) }
                #expect(try await sentCloses() == 1)
                try await AccountProcessorTests.send([
                    #"{"type":"new","v":1,"order_id":"day-1","symbol":"AAA","side":"buy","order_type":"limit","price":"10","quantity":5,"time_in_force":"day"}"#,
                    #"{"type":"new","v":1,"order_id":"gtc-1","symbol":"AAA","side":"buy","order_type":"limit","price":"9","quantity":5,"time_in_force":"gtc"}"#,
                ], f)
                let accepted = ContinuousClock.now + .seconds(30)
                func events() async throws -> Int {
                    try await ProcessorIntegrationTests.count(f.client, "SELECT count(*)::int FROM trading.order_events", logger: f.logger)
                }
                while try await events() < 2, ContinuousClock.now < accepted { try await Task.sleep(for: .milliseconds(50)) }
                try await f.client.query("""
                    UPDATE market.trading_calendars SET closes_at = ((now() AT TIME ZONE 'UTC') + interval '1 second')::time
                    WHERE calendar_id = 'T'
                    """, logger: f.logger)
                let closed = ContinuousClock.now + .seconds(20)
                while try await sentCloses() < 2, ContinuousClock.now < closed { try await Task.sleep(for: .milliseconds(100)) }
                #expect(try await sentCloses() == 2, "today's close was sent")
                try await ProcessorIntegrationTests.waitUntilCaughtUp(f.client, group: f.group, topics: f.topics, brokers: f.brokers, logger: f.logger)
                #expect(try await AccountProcessorTests.rows(f, """
                    SELECT order_id || ':' || event || coalesce(':' || reason, '') FROM trading.order_events ORDER BY seq
                    """) == ["day-1:accepted", "gtc-1:accepted", "day-1:expired:end_of_day"])
                let before = await AccountProcessorTests.state(pipeline)
                run.cancel()
                try await run.value

                // A restart that replays the whole log (no snapshot) expires the same order.
                try await f.client.query("DELETE FROM trading.engine_snapshots", logger: f.logger)
                var withoutSessions = settings
                withoutSessions.sessions = nil
                let quiet = withoutSessions
                let pipelines2 = PipelineList()
                let run2 = Task { try await ProcessorService(settings: quiet, client: processorClient, logger: f.logger).run { await pipelines2.add($0) } }
                let pipeline2 = try await LiveInstrumentTests.first(pipelines2)
                let assigned = ContinuousClock.now + .seconds(30)
                while await pipeline2.ownedPartitions.count < 12, ContinuousClock.now < assigned { try await Task.sleep(for: .milliseconds(50)) }
                let after = await AccountProcessorTests.state(pipeline2)
                #expect(after == before, "before:\n\(before)\nafter:\n\(after)")
                #expect(before.contains("x5"), "the GTC order rests: \(before)")
                run2.cancel()
                try await run2.value
            }
        }
    }
}
