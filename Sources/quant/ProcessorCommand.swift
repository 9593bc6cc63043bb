import ArgumentParser
import Kafka
import Logging
import OrderBook
import QuantConfig
import PostgresNIO
import Processor
import ServiceLifecycle
import Store

/// `quant processor`: Kafka in, order books, batched COPY into PostgreSQL with the offsets.
/// Run several for more throughput: they share the partitions of one consumer group.
struct ProcessorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "processor",
        abstract: "Consume md.quotes, md.trades and orders.commands; match orders; commit rows and offsets to PostgreSQL in batches.",
        discussion: "SIGTERM or SIGINT commits the current batch, leaves the consumer group and exits 0. See docs/processor.md.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let settings = try global.settings()
        guard settings.database.poolSize >= 2 else {
            throw ValidationError("database.poolSize must be at least 2 for the processor: one connection listens for instrument changes")
        }
        let logger = global.logger("quant.processor", settings: settings)
        try await SchemaCheck.require(settings, service: "processor", logger: logger)
        let client = try PostgresClient.fromSettings(settings, applicationName: "quant-processor", logger: logger)
        let processorSettings = try ProcessorSettings(settings: settings)
        let processor = ProcessorService(settings: processorSettings, client: client, logger: logger)
        // Services stop in reverse order: the processor commits before the database pool closes.
        let metrics = MetricsService.make(port: settings.metrics.processorPort, settings: settings, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: metrics + [
                .init(service: MemoryTrimService()),
                .init(service: client),
                .init(service: processor, successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}
