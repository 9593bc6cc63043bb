/// How a client proves who it is to the brokers and protects the connection: librdkafka's
/// `security.protocol`, `sasl.*` and `ssl.*` properties (docs/kafka.md, "Security"). Every
/// configuration (`KafkaProducerConfiguration`, `KafkaConsumerConfiguration`,
/// `KafkaAdminConfiguration`) carries one, so a service's clients all connect the same way.
/// The default is plaintext without authentication, which is only for a private network.
public struct KafkaSecurity: Sendable, Hashable, CustomStringConvertible {
    public enum SecurityProtocol: String, Sendable, Hashable, CaseIterable {
        case plaintext, ssl
        case saslPlaintext = "sasl_plaintext"
        case saslSSL = "sasl_ssl"

        public var usesSASL: Bool { self == .saslPlaintext || self == .saslSSL }
        public var usesTLS: Bool { self == .ssl || self == .saslSSL }
    }

    /// SASL mechanisms librdkafka is built with here (the Debian source package, with OpenSSL).
    public static let mechanisms = ["SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"]

    public var securityProtocol: SecurityProtocol = .plaintext
    /// `sasl.mechanism`, `sasl.username`, `sasl.password` (SASL protocols only).
    public var saslMechanism = "SCRAM-SHA-512"
    public var saslUsername = ""
    public var saslPassword = ""
    /// `ssl.ca.location`: the CA that signed the brokers' certificates (empty: the system's store).
    public var caLocation = ""
    /// `ssl.certificate.location` and `ssl.key.location`: a client certificate (mutual TLS).
    public var certificateLocation = ""
    public var keyLocation = ""

    public init() {}

    public var properties: [String: String] {
        var p = ["security.protocol": securityProtocol.rawValue]
        if securityProtocol.usesSASL {
            p["sasl.mechanism"] = saslMechanism
            p["sasl.username"] = saslUsername
            p["sasl.password"] = saslPassword
        }
        if securityProtocol.usesTLS {
            if !caLocation.isEmpty { p["ssl.ca.location"] = caLocation }
            if !certificateLocation.isEmpty { p["ssl.certificate.location"] = certificateLocation }
            if !keyLocation.isEmpty { p["ssl.key.location"] = keyLocation }
        }
        return p
    }

    /// Never the password.
    public var description: String {
        var parts = [securityProtocol.rawValue]
        if securityProtocol.usesSASL { parts.append("\(saslMechanism) as \(saslUsername)") }
        if securityProtocol.usesTLS, !caLocation.isEmpty { parts.append("CA \(caLocation)") }
        return parts.joined(separator: ", ")
    }
}
