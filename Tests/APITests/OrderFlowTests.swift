import API
import Foundation
import Hummingbird
import HummingbirdTesting
import Kafka
import Logging
import PostgresNIO
import Processor
import TestSupport
import Testing

/// An order posted through the API travels through Kafka and the processor's book and comes
/// back through `GET /orders/{id}`: the whole loop, with the real broker and database.
@Suite struct OrderFlowTests {
    struct Accepted: Decodable { var orderId: String }

    @Test func anOrderPostedThroughTheAPIIsMatchedByTheProcessorAndReadBack() async throws {
        guard let brokers = ProcessInfo.processInfo.environment["KAFKA_BROKERS"], !brokers.isEmpty else {
            throw TestDatabase.MissingService(description: "KAFKA_BROKERS is not set: run scripts/stack up (scripts/test does)")
        }
        try await TestDatabase.with { db in
            try await db.migrator().up()
            try await db.withClient { client in
                try await client.query("INSERT INTO market.instruments (symbol, kind) VALUES ('AAA', 'equity')", logger: db.logger)
                let topics = TopicNames(prefix: "t\(UUID().uuidString.prefix(8).lowercased()).")
                let admin = try KafkaAdmin(configuration: KafkaAdminConfiguration(brokers: brokers))
                for topic in topics.consumed + [topics.events] { try await admin.createTopicIfNeeded(topic, partitions: 2) }

                let settings = ProcessorSettings(brokers: brokers, groupID: "g-\(UUID().uuidString.prefix(8))", topics: topics,
                                                 batchMaxMessages: 100, batchMaxDelay: .milliseconds(10))
                let processor = Task { try await ProcessorService(settings: settings, client: client, logger: db.logger).run { _ in } }

                let producer = try KafkaProducer(configuration: KafkaProducerConfiguration(brokers: brokers))
                let publisher = KafkaOrderPublisher(producer: producer, admin: admin, topic: topics.commands)
                try await APITest.insertKeys(client, logger: db.logger)
                let dependencies = APIDependencies(database: ReaderDatabase(client: client, timeout: .seconds(30), logger: db.logger), orders: publisher)
                let app = Application(router: buildRouter(configuration: APIConfiguration(), dependencies: dependencies))
                try await app.test(.router) { api in
                    func post(_ json: String) async throws -> String {
                        let response = try await api.execute(
                            uri: "/api/v1/orders", method: .post,
                            headers: [.contentType: "application/json", .authorization: "Bearer \(APITest.writerKey)"],
                            body: ByteBuffer(string: json))
                        #expect(response.status == .accepted)
                        let decoder = JSONDecoder()
                        decoder.keyDecodingStrategy = .convertFromSnakeCase
                        return try decoder.decode(Accepted.self, from: Data(buffer: response.body)).orderId
                    }
                    func status(_ id: String) async throws -> OrderStatusBody? {
                        let response = try await api.execute(uri: "/api/v1/orders/\(id)?symbol=AAA", method: .get)
                        guard response.status == .ok else { return nil }
                        let decoder = JSONDecoder()
                        decoder.keyDecodingStrategy = .convertFromSnakeCase
                        return try decoder.decode(OrderStatusBody.self, from: Data(buffer: response.body))
                    }
                    let maker = try await post(#"{"symbol":"AAA","side":"sell","order_type":"limit","price":"10.00","quantity":50,"time_in_force":"gtc"}"#)
                    let taker = try await post(#"{"symbol":"AAA","side":"buy","order_type":"limit","price":"10.05","quantity":20,"time_in_force":"gtc"}"#)

                    let deadline = ContinuousClock.now + .seconds(60)
                    var takerStatus: OrderStatusBody?
                    while ContinuousClock.now < deadline {
                        takerStatus = try await status(taker)
                        if takerStatus?.status == "filled" { break }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    #expect(takerStatus?.status == "filled")
                    #expect(takerStatus?.filledQuantity == 20)
                    #expect(takerStatus?.averagePrice == "10", "a trade's price is the resting order's")
                    let makerStatus = try await status(maker)
                    #expect(makerStatus?.status == "partially_filled")
                    #expect(makerStatus?.leavesQuantity == 30)
                }
                await producer.shutdown()
                // Stop the processor while its database pool still runs.
                processor.cancel()
                try await processor.value
            }
        }
    }
}
