/// Typed settings shared by every subcommand. Built from a `ConfigSource` so that each value has
/// one name in the YAML file and one environment variable (see `ConfigKey.all`).
public struct QuantSettings: Sendable {
    public struct Database: Sendable {
        public var url: String
        public var passwordFile: String
        public var poolSize: Int
        public var applicationName: String
    }

    public struct Kafka: Sendable {
        public var brokers: String
        public var clientId: String
        public var groupId: String
        public var sessionTimeoutMs: Int
        public var topicPartitions: Int
        /// How often librdkafka reports its queues (metrics `quant_kafka_queue_*`); 0 turns it off.
        public var statisticsIntervalMs: Int
        /// TLS and SASL (`kafka.securityProtocol` …), checked here; the password is read from
        /// `saslPasswordFile` when a client is made.
        public var securityProtocol: String
        public var saslMechanism: String
        public var saslUsername: String
        public var saslPasswordFile: String
        public var sslCaLocation: String
        public var sslCertificateLocation: String
        public var sslKeyLocation: String
    }

    public struct Migrations: Sendable {
        public var directory: String
        public var sqlDirectory: String
    }

    public struct Partitions: Sendable {
        public var premakeDays: Int
        public var maintenanceIntervalSeconds: Int
    }

    public var database: Database
    public var kafka: Kafka
    public var migrations: Migrations
    public var partitions: Partitions
    public var risk: Risk
    public var processor: Processor
    public var api: API
    public var metrics: Metrics
    public var logLevel: String
    public let source: ConfigSource

    public init(_ source: ConfigSource) throws {
        self.source = source
        database = .init(
            url: source.string("database.url"),
            passwordFile: source.string("database.passwordFile"),
            poolSize: try source.positiveInt("database.poolSize"),
            applicationName: source.string("database.applicationName"))
        kafka = .init(
            brokers: source.string("kafka.brokers"),
            clientId: source.string("kafka.clientId"),
            groupId: source.string("kafka.groupId"),
            sessionTimeoutMs: try source.positiveInt("kafka.sessionTimeoutMs"),
            topicPartitions: try source.positiveInt("kafka.topicPartitions"),
            statisticsIntervalMs: try source.nonNegativeInt("kafka.statisticsIntervalMs"),
            securityProtocol: try source.oneOf("kafka.securityProtocol", ["plaintext", "ssl", "sasl_plaintext", "sasl_ssl"]),
            saslMechanism: try source.oneOf("kafka.saslMechanism", ["SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"]),
            saslUsername: source.string("kafka.saslUsername"),
            saslPasswordFile: source.string("kafka.saslPasswordFile"),
            sslCaLocation: source.string("kafka.sslCaLocation"),
            sslCertificateLocation: source.string("kafka.sslCertificateLocation"),
            sslKeyLocation: source.string("kafka.sslKeyLocation"))
        if kafka.securityProtocol.hasPrefix("sasl_"), kafka.saslUsername.isEmpty || kafka.saslPasswordFile.isEmpty {
            throw ConfigSource.LoadError.invalidValue(
                key: "kafka.saslUsername", variable: "QUANT_KAFKA_SASL_USERNAME", value: kafka.saslUsername,
                expected: "a user name and kafka.saslPasswordFile with kafka.securityProtocol=\(kafka.securityProtocol)")
        }
        migrations = .init(
            directory: source.string("migrations.directory"),
            sqlDirectory: source.string("migrations.sqlDirectory"))
        partitions = .init(
            premakeDays: try source.positiveInt("partitions.premakeDays"),
            maintenanceIntervalSeconds: try source.positiveInt("partitions.maintenanceIntervalSeconds"))
        risk = try Risk(source)
        processor = try Processor(source)
        api = try API(source)
        metrics = try Metrics(source)
        let level = source.string("log.level")
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        guard levels.contains(level) else {
            throw ConfigSource.LoadError.invalidValue(
                key: "log.level", variable: "QUANT_LOG_LEVEL", value: level, expected: levels.joined(separator: "|"))
        }
        logLevel = level
    }

    /// Defaults < `config/config.yaml` (or `QUANT_CONFIG`, or `file`) < environment.
    public static func load(file: String? = nil) throws -> QuantSettings {
        try QuantSettings(ConfigSource(file: file))
    }
}
