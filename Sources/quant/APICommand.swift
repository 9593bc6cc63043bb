import API
import ArgumentParser
import Kafka
import Logging
import PortfolioValuation
import PostgresNIO
import Processor
import RiskEngine
import ServiceLifecycle

/// `quant api`: the REST API (docs/api.md) over the reader views. The PostgreSQL pool and the HTTP
/// server run in one ServiceGroup; SIGTERM or SIGINT stop accepting, finish in-flight requests, exit 0.
struct APICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Serve the REST API (/api/v1) over the reader views; see docs/api.md.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Listen address (default: api.host).") var host: String?
    @Option(help: "Port (default: api.port).") var port: Int?
    @Flag(help: "Serve reads only: no Kafka producer; order writes answer 503.") var readOnly = false

    func run() async throws {
        let settings = try global.settings()
        let logger = global.logger("quant.api", settings: settings)
        try await SchemaCheck.require(settings, service: "api", logger: logger)
        let client = try PostgresClient.fromSettings(settings, applicationName: "quant-api", logger: logger)
        var configuration = APIConfiguration(settings: settings.api)
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        configuration.pipelineGroup = settings.kafka.groupId
        configuration.risk = RiskEngineConfiguration(settings: settings.risk)
        // Stopped in reverse order: the server first, then the producer (flushing), the cache's
        // listener, then the pool. Metrics first: the cache makes its counters when it is created.
        var services = MetricsService.make(port: settings.metrics.apiPort, settings: settings, logger: logger)
        services.append(.init(service: MemoryTrimService()))
        let database = ReaderDatabase(client: client, logger: logger)
        let cache = ReadCache(database: database, configuration: configuration)
        var dependencies = APIDependencies(database: database, cache: cache)
        if !settings.api.consoleDirectory.isEmpty {
            dependencies.console = try ConsoleFiles.load(directory: settings.api.consoleDirectory)
            if dependencies.console == nil {
                logger.warning("no web console: its directory is missing (api.consoleDirectory)",
                               metadata: ["directory": "\(settings.api.consoleDirectory)"])
            }
        }
        services.append(.init(service: client))
        services.append(.init(service: cache))
        // Read-only too: the pipeline's lag and input rates need the broker's end offsets.
        let admin = try KafkaAdmin(configuration: try settings.kafkaAdmin(), logger: logger)
        dependencies.endOffsets = { topic in
            Dictionary(uniqueKeysWithValues: try await admin.endOffsets(topic: topic).map { ($0.key.rawValue, $0.value.rawValue) })
        }
        if !readOnly {
            let producer = try KafkaProducer(
                configuration: try settings.kafkaProducer(clientSuffix: "api", idempotent: false),
                logger: logger)
            dependencies.orders = KafkaOrderPublisher(
                producer: producer, admin: admin, topic: TopicNames(prefix: settings.processor.topicPrefix).commands)
            services.append(.init(service: producer))
        }
        let app = buildApplication(configuration: configuration, dependencies: dependencies, logger: logger)
        services.append(.init(service: app, successTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}
