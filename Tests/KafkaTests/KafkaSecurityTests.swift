import Foundation
import Testing

@testable import Kafka

/// TLS and SASL reach librdkafka (issue 23, "librdkafka's security settings configurable"). The
/// local broker speaks only plaintext, so the end-to-end check is the other way round: a client set
/// to TLS cannot deliver to it, where the same client in plaintext can.
@Suite("Kafka security")
struct KafkaSecurityTests {
    @Test("plaintext by default; SASL and TLS properties only with their protocol; the password never printed")
    func properties() {
        #expect(KafkaSecurity().properties == ["security.protocol": "plaintext"])
        var security = KafkaSecurity()
        security.securityProtocol = .saslSSL
        security.saslMechanism = "SCRAM-SHA-256"
        security.saslUsername = "processor"
        security.saslPassword = "s3cret"
        security.caLocation = "/etc/quant/ca.pem"
        #expect(security.properties == [
            "security.protocol": "sasl_ssl", "sasl.mechanism": "SCRAM-SHA-256", "sasl.username": "processor",
            "sasl.password": "s3cret", "ssl.ca.location": "/etc/quant/ca.pem",
        ])
        #expect(!security.description.contains("s3cret"))
        security.securityProtocol = .saslPlaintext
        #expect(security.properties["ssl.ca.location"] == nil)
        var consumer = KafkaConsumerConfiguration(brokers: "b:1", groupID: "g")
        consumer.security = security
        var admin = KafkaAdminConfiguration(brokers: "b:1")
        admin.security = security
        var producer = KafkaProducerConfiguration(brokers: "b:1")
        producer.security = security
        for properties in [consumer.librdkafkaProperties, admin.librdkafkaProperties, producer.librdkafkaProperties] {
            #expect(properties["security.protocol"] == "sasl_plaintext" && properties["sasl.username"] == "processor")
        }
    }

    @Test("this librdkafka has TLS and SCRAM: a client is made with them, and a missing CA file is a configuration error")
    func builtWithTLSAndSCRAM() async throws {
        var configuration = KafkaProducerConfiguration(brokers: "127.0.0.1:1")
        configuration.security.securityProtocol = .saslSSL
        configuration.security.saslMechanism = "SCRAM-SHA-512"
        configuration.security.saslUsername = "u"
        configuration.security.saslPassword = "p"
        let made = try KafkaProducer(configuration: configuration, logger: testLogger)
        await made.shutdown()  // else it retries the unreachable broker for the rest of the run
        configuration.security.caLocation = "/nonexistent/ca.pem"
        let error = #expect(throws: KafkaError.self) { try KafkaProducer(configuration: configuration, logger: testLogger) }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("ssl.ca.location") == true || error?.message.contains("/nonexistent/ca.pem") == true,
                "\(String(describing: error))")
    }

    @Test("a client set to TLS does not deliver to the plaintext broker; the same client in plaintext does")
    func theSettingDecidesTheConnection() async throws {
        let (_, topic) = try await makeTopic("security", partitions: 1)
        var configuration = KafkaProducerConfiguration(brokers: try brokers())
        let plain = try KafkaProducer(configuration: configuration, logger: testLogger)
        try await plain.send(KafkaProducerRecord(topic: topic, key: "k", value: "plain"))
        await plain.shutdown()
        // Never delivered, so it fails when its message times out: soon.
        configuration.messageTimeoutMilliseconds = 3_000
        configuration.security.securityProtocol = .ssl
        let tls = try KafkaProducer(configuration: configuration, logger: testLogger)
        await #expect(throws: KafkaError.self) { try await tls.send(KafkaProducerRecord(topic: topic, key: "k", value: "tls")) }
        await tls.shutdown()
    }
}
