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
    func kafkaProducer(clientSuffix: String) throws -> KafkaProducerConfiguration {
        var configuration = KafkaProducerConfiguration(brokers: kafka.brokers, clientID: "\(kafka.clientId)-\(clientSuffix)")
        configuration.security = try KafkaSecurity(settings: kafka)
        return configuration
    }

    func kafkaAdmin() throws -> KafkaAdminConfiguration {
        var configuration = KafkaAdminConfiguration(brokers: kafka.brokers)
        configuration.security = try KafkaSecurity(settings: kafka)
        return configuration
    }
}
