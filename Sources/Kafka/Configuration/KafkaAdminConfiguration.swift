/// Settings of a `KafkaAdmin` client.
public struct KafkaAdminConfiguration: Sendable, Hashable {
    /// `bootstrap.servers`.
    public var brokers: String
    /// `client.id`.
    public var clientID: String = "quant-pipeline-admin"
    /// How long one admin request or metadata query may take.
    public var requestTimeoutMilliseconds: Int = 10_000
    /// TLS and SASL towards the brokers (`security.protocol`, `ssl.*`, `sasl.*`).
    public var security = KafkaSecurity()
    /// Any other librdkafka property, passed through as is.
    public var properties: [String: String] = [:]

    public init(brokers: String, clientID: String = "quant-pipeline-admin") {
        self.brokers = brokers
        self.clientID = clientID
    }

    public var librdkafkaProperties: [String: String] {
        var p = ["bootstrap.servers": brokers, "client.id": clientID]
        p.merge(security.properties) { _, secured in secured }
        p.merge(properties) { _, passthrough in passthrough }
        return p
    }
}
