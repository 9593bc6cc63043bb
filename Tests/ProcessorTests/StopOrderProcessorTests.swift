import Foundation
import Kafka
import MarketCore
import OrderBook
import PostgresNIO
import Processor
import Store
import TestSupport
import Testing

/// Stop orders and pre-trade limits through the processor: commands on the real broker, rows in
/// the real database, read back through the tables and `api.order_status`.
@Suite(.serialized) struct StopOrderProcessorTests {
    static func command(_ fields: String) -> String { #"{"type":"new","v":1,"symbol":"AAA",\#(fields)}"# }

    static let commands = [
        command(#""order_id":"s1","side":"sell","order_type":"limit","price":"100","quantity":1"#),
        command(#""order_id":"s2","side":"sell","order_type":"limit","price":"101","quantity":1"#),
        command(#""order_id":"s3","side":"sell","order_type":"limit","price":"102","quantity":10"#),
        command(#""order_id":"stop-1","side":"buy","order_type":"stop","stop_price":"101","quantity":5"#),
        command(#""order_id":"stop-2","side":"sell","order_type":"stop_limit","stop_price":"90","price":"89","quantity":3"#),
        command(#""order_id":"trail-1","side":"sell","order_type":"trailing_stop","trail_percent":"20","quantity":2"#),
        command(#""order_id":"big","side":"buy","order_type":"limit","price":"99","quantity":5000"#),
        #"{"type":"cancel","symbol":"AAA","order_id":"stop-2"}"#,
        command(#""order_id":"b1","side":"buy","order_type":"market","quantity":1"#),  // trades at 100
        command(#""order_id":"b2","side":"buy","order_type":"market","quantity":1"#),  // trades at 101: wakes stop-1
    ]

    @Test func aStopTriggeredByTradesFillsAndEveryStepIsStored() async throws {
        try await ProcessorIntegrationTests.withFixture { f in
            var settings = ProcessorSettings(brokers: f.brokers, groupID: f.group, topics: f.topics, batchMaxMessages: 100,
                                             batchMaxDelay: .milliseconds(20))
            settings.limits = PreTradeLimitTable(defaults: PreTradeLimits(maxQuantity: Quantity(1_000)))
            let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(brokers: f.brokers))
            _ = try await producer.sendAll(Self.commands.map {
                KafkaProducerRecord(topic: f.topics.commands, key: Array("AAA".utf8), value: Array($0.utf8))
            })
            await producer.shutdown()

            let run = Task { try await ProcessorService(settings: settings, client: f.client, logger: f.logger).run() }
            try await ProcessorIntegrationTests.waitUntilCaughtUp(
                f.client, group: f.group, topics: f.topics, brokers: f.brokers, logger: f.logger)
            run.cancel()
            try await run.value

            var events: [String] = []
            for try await (id, event, reason, leaves) in try await f.client.query("""
                SELECT order_id, event, coalesce(reason, ''), leaves_quantity FROM trading.order_events
                WHERE order_id IN ('stop-1', 'stop-2', 'trail-1', 'big') ORDER BY seq
                """, logger: f.logger).decode((String, String, String, Int64).self) {
                events.append("\(id):\(event)\(reason.isEmpty ? "" : ":" + reason):\(leaves)")
            }
            #expect(events == [
                "stop-1:dormant:5", "stop-2:dormant:3", "trail-1:dormant:2", "big:rejected:max_quantity_exceeded:0",
                "stop-2:cancelled:requested:0", "stop-1:triggered:5", "stop-1:filled:0",
            ])

            var fills: [String] = []
            for try await (maker, price, quantity) in try await f.client.query("""
                SELECT maker_order_id, trim_scale(price)::text, quantity FROM trading.executions
                WHERE taker_order_id = 'stop-1' ORDER BY seq
                """, logger: f.logger).decode((String, String, Int64).self) {
                fills.append("\(maker)@\(price)x\(quantity)")
            }
            #expect(fills == ["s3@102x5"])

            var statuses: [String] = []
            for try await (id, type, status, stop, trail, filled) in try await f.client.query("""
                SELECT order_id, order_type, status, coalesce(trim_scale(stop_price)::text, '-'),
                       coalesce(trim_scale(trail_percent)::text, '-'), filled_quantity::bigint
                FROM api.order_status WHERE order_id IN ('stop-1', 'stop-2', 'trail-1') ORDER BY order_id
                """, logger: f.logger).decode((String, String, String, String, String, Int64).self) {
                statuses.append("\(id) \(type) \(status) \(stop) \(trail) \(filled)")
            }
            #expect(statuses == [
                "stop-1 stop filled 101 - 5", "stop-2 stop_limit cancelled 90 - 0", "trail-1 trailing_stop dormant - 20 0",
            ])
        }
    }
}
