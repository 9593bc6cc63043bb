import ArgumentParser
import Foundation
import Kafka
import QuantConfig

extension KafkaSecurity {
    /// The `kafka.security*`, `kafka.sasl*` and `kafka.ssl*` settings, with the SASL password read
    /// from its file (a trailing newline dropped), so it is never in a config file or the environment.
    init(settings: QuantSettings.Kafka) throws {
        self.init()
        guard let value = SecurityProtocol(rawValue: settings.securityProtocol) else {
            throw ValidationError("kafka.securityProtocol: \(settings.securityProtocol) is not plaintext, ssl, sasl_plaintext or sasl_ssl")
        }
        securityProtocol = value
        caLocation = settings.sslCaLocation
        certificateLocation = settings.sslCertificateLocation
        keyLocation = settings.sslKeyLocation
        guard value.usesSASL else { return }
        saslMechanism = settings.saslMechanism
        saslUsername = settings.saslUsername
        guard let text = FileManager.default.contents(atPath: settings.saslPasswordFile) else {
            throw ValidationError("kafka.saslPasswordFile: cannot read \(settings.saslPasswordFile)")
        }
        saslPassword = String(decoding: text, as: UTF8.self).trimmingCharacters(in: .newlines)
    }
}

extension QuantSettings {
    /// The producer every service makes, connecting as `kafka.*` says.
    ///
    /// The services' producers (`api` for order commands, `risk-engine` for `risk.metrics`) are not
    /// idempotent, as the processor's is not (`ProcessorService.eventsProducerConfiguration`): a
    /// broker that lost its producer state fenced an idempotent producer for good
    /// (`PRODUCER_FENCED` on every later send, found by the chaos campaign). A retried send may then
    /// reach the log twice: a repeated order command is rejected as a `duplicate_order_id` or
    /// `order_closed`, a repeated `risk.metrics` message carries the same `run_id`.
    func kafkaProducer(clientSuffix: String, idempotent: Bool = true) throws -> KafkaProducerConfiguration {
        var configuration = KafkaProducerConfiguration(brokers: kafka.brokers, clientID: "\(kafka.clientId)-\(clientSuffix)")
        configuration.security = try KafkaSecurity(settings: kafka)
        configuration.idempotence = idempotent
        if !idempotent {
            configuration.properties["acks"] = "all"
            configuration.properties["max.in.flight.requests.per.connection"] = "1"
        }
        return configuration
    }

    func kafkaAdmin() throws -> KafkaAdminConfiguration {
        var configuration = KafkaAdminConfiguration(brokers: kafka.brokers)
        configuration.security = try KafkaSecurity(settings: kafka)
        return configuration
    }
}
