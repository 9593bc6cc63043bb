import Accounts
import Foundation
import Kafka
import MarketCore
import PostgresNIO
import Processor
import Store
import TestSupport
import Testing

/// Issue 18: orders checked against their account before matching, fills moving both sides'
/// positions, limits changed live, and a restart that replays the log past the refusals to the
/// same books, open orders and positions.
@Suite(.serialized) struct AccountProcessorTests {
    static func order(_ id: String, _ side: String, _ quantity: Int, at price: String? = nil, account: String) -> String {
        let terms = price.map { #""order_type":"limit","price":"\#($0)""# } ?? #""order_type":"market","time_in_force":"ioc""#
        return #"{"type":"new","v":1,"order_id":"\#(id)","symbol":"AAA","side":"\#(side)",\#(terms),"quantity":\#(quantity),"account":"\#(account)"}"#
    }

    static func send(_ commands: [String], _ f: ProcessorIntegrationTests.Fixture) async throws {
        let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(brokers: f.brokers))
        _ = try await producer.sendAll(commands.map {
            KafkaProducerRecord(topic: f.topics.commands, key: Array("AAA".utf8), value: Array($0.utf8))
        })
        await producer.shutdown()
        try await ProcessorIntegrationTests.waitUntilCaughtUp(f.client, group: f.group, topics: f.topics, brokers: f.brokers, logger: f.logger)
    }

    static func rows(_ f: ProcessorIntegrationTests.Fixture, _ sql: PostgresQuery) async throws -> [String] {
        var result: [String] = []
        for try await row in try await f.client.query(sql, logger: f.logger).decode(String.self) { result.append(row) }
        return result
    }

    /// What a processor holds for the accounts and books: equal before and after a restart.
    static func state(_ pipeline: ProcessorPipeline) async -> String {
        let book = await pipeline.accountBook
        var parts: [String] = []
        for account in ["A", "B"] {
            let open = book.openQuantity(account, "AAA")
            let position = book.positions[account]?["AAA"]
            parts.append("\(account): orders \(book.openOrderCount(account)) open \(open.buy)/\(open.sell) position \(position.map { "\($0.quantity)@\($0.costBasis) pnl \($0.realizedPnL)" } ?? "-")")
        }
        for partition in 0..<4 {
            let books = await pipeline.depth(partition: Int32(partition)).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            parts.append("\(partition): \(books)")
        }
        return parts.joined(separator: "\n")
    }

    @Test func limitsRefuseLiveChangesApplyAndARestartReplaysPastTheRefusals() async throws {
        try await ProcessorIntegrationTests.withFixture { f in
            try await f.client.query("INSERT INTO risk.portfolios (portfolio_id, name) VALUES ('P', 'desk')", logger: f.logger)
            try await f.client.query("""
                INSERT INTO trading.accounts (account, portfolio_id, max_open_orders, max_position) VALUES ('A', 'P', 1, 100), ('B', 'P', NULL, NULL)
                """, logger: f.logger)
            let settings = ProcessorSettings(brokers: f.brokers, groupID: f.group, topics: f.topics, batchMaxMessages: 100,
                                             batchMaxDelay: .milliseconds(20))
            try await f.db.withClient(as: "quant_processor") { processorClient in
                let pipelines = PipelineList()
                let run = Task { try await ProcessorService(settings: settings, client: processorClient, logger: f.logger).run { await pipelines.add($0) } }
                let pipeline = try await LiveInstrumentTests.first(pipelines)
                try await Self.send([
                    Self.order("a1", "sell", 10, at: "100", account: "A"),
                    Self.order("a2", "sell", 5, at: "101", account: "A"),   // a second open order: refused
                    Self.order("x1", "buy", 1, at: "99", account: "X"),     // no such account: refused
                    Self.order("b1", "buy", 4, account: "B"),               // fills 4 of a1
                ], f)
                #expect(try await Self.rows(f, "SELECT order_id || ':' || reason FROM trading.refused_commands ORDER BY kafka_offset") ==
                        ["a2:max_open_orders_exceeded", "x1:unknown_account"])
                #expect(try await Self.rows(f, "SELECT order_id || ':' || reason FROM trading.order_events WHERE event = 'rejected' ORDER BY order_id") ==
                        ["a2:max_open_orders_exceeded", "x1:unknown_account"])
                #expect(try await Self.rows(f, """
                    SELECT account || ' ' || quantity || ' ' || trim_scale(cost_basis) || ' ' || fills FROM trading.positions ORDER BY account
                    """) == ["A -4 -400 1", "B 4 400 1"])
                #expect(try await Self.rows(f, "SELECT maker_account || '/' || taker_account FROM trading.executions") == ["A/B"])

                // A limit raised while it runs reaches the processor without a restart.
                try await f.client.query("UPDATE trading.accounts SET max_open_orders = 5 WHERE account = 'A'", logger: f.logger)
                let deadline = ContinuousClock.now + .seconds(10)
                while await pipeline.accountBook.accounts["A"]?.maxOpenOrders != 5, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await Self.send([
                    Self.order("a3", "sell", 5, at: "101", account: "A"),
                    Self.order("a4", "sell", 95, at: "102", account: "A"),  // 6 + 5 + 95 open sells and short 4: over 100
                ], f)
                #expect(try await Self.rows(f, """
                    SELECT order_id || ':' || event || coalesce(':' || reason, '') FROM trading.order_events
                    WHERE order_id IN ('a3', 'a4') ORDER BY order_id
                    """) == ["a3:accepted", "a4:rejected:max_position_exceeded"])
                let before = await Self.state(pipeline)
                run.cancel()
                try await run.value

                // Restart from the beginning of the log (no snapshot): the replay skips the refused commands.
                try await f.client.query("DELETE FROM trading.engine_snapshots", logger: f.logger)
                let pipelines2 = PipelineList()
                let run2 = Task { try await ProcessorService(settings: settings, client: processorClient, logger: f.logger).run { await pipelines2.add($0) } }
                let pipeline2 = try await LiveInstrumentTests.first(pipelines2)
                let assigned = ContinuousClock.now + .seconds(30)
                while await pipeline2.ownedPartitions.count < 12, ContinuousClock.now < assigned {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(await Self.state(pipeline2) == before, "books, open orders and positions as before the restart")
                try await Self.send([Self.order("b2", "buy", 8, account: "B")], f)  // 6 of a1 at 100, 2 of a3 at 101
                #expect(try await Self.rows(f, """
                    SELECT account || ' ' || quantity || ' ' || trim_scale(cost_basis) || ' ' || trim_scale(realized_pnl) || ' ' || fills
                    FROM trading.positions ORDER BY account
                    """) == ["A -12 -1202 0 3", "B 12 1202 0 3"])
                run2.cancel()
                try await run2.value
            }
        }
    }
}
