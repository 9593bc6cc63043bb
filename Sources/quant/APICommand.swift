import API
import ArgumentParser
import Logging
import PostgresNIO
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

    func run() async throws {
        let settings = try global.settings()
        let logger = global.logger("quant.api", settings: settings)
        let client = try PostgresClient.fromSettings(settings, applicationName: "quant-api", logger: logger)
        var configuration = APIConfiguration(settings: settings.api)
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        let app = buildApplication(
            configuration: configuration,
            dependencies: APIDependencies(database: ReaderDatabase(client: client, logger: logger)),
            logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: client),
                .init(service: app, successTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}
