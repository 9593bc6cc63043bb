@testable import Kafka
import Testing

/// Configuration structs translate to librdkafka keys (no broker needed).
@Suite("Kafka configuration")
struct KafkaConfigurationTests {
    @Test("producer defaults: idempotence on, batching settings, passthrough wins")
    func producer() {
        var configuration = KafkaProducerConfiguration(brokers: "127.0.0.1:59092", clientID: "feed")
        configuration.lingerMilliseconds = 20
        configuration.properties["compression.codec"] = "lz4"
        let p = configuration.librdkafkaProperties
        #expect(p["bootstrap.servers"] == "127.0.0.1:59092")
        #expect(p["client.id"] == "feed")
        #expect(p["enable.idempotence"] == "true")
        #expect(p["linger.ms"] == "20")
        #expect(p["batch.size"] == "1000000")
        #expect(p["compression.codec"] == "lz4")
    }

    @Test("consumer: offsets always owned by the application, small session timeout")
    func consumer() {
        var configuration = KafkaConsumerConfiguration(brokers: "b:1", groupID: "processor")
        configuration.properties["enable.auto.commit"] = "true"
        let p = configuration.librdkafkaProperties
        #expect(p["group.id"] == "processor")
        #expect(p["enable.auto.commit"] == "false")
        #expect(p["enable.auto.offset.store"] == "false")
        #expect(p["session.timeout.ms"] == "6000")
        #expect(p["auto.offset.reset"] == "earliest")
    }

    @Test("an invalid value is a typed configuration error naming the key")
    func invalidValue() {
        var configuration = KafkaConsumerConfiguration(brokers: "b:1", groupID: "g")
        configuration.sessionTimeoutMilliseconds = -5
        let error = #expect(throws: KafkaError.self) { try KafkaConsumer(configuration: configuration) }
        #expect(error?.kind == .configuration)
        #expect(error?.message.hasPrefix("session.timeout.ms") == true)
    }
}
