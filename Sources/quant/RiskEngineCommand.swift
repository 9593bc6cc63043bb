import ArgumentParser
import Foundation
import Kafka
import Logging
import PortfolioValuation
import PostgresNIO
import Processor
import QuantConfig
import RiskEngine
import ServiceLifecycle
import Store

/// `quant risk-engine [--once]`: keeps portfolio VaR, ES and Greeks current in Postgres (see
/// docs/risk.md, "Risk engine"). SIGTERM or SIGINT ends it after the current cycle, with exit 0.
struct RiskEngineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "risk-engine",
        abstract: "Recompute every portfolio's VaR, ES and Greeks on a schedule and after trades; store them and NOTIFY risk_metrics.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Run one cycle over every portfolio, print what was stored or skipped as JSON, and exit.")
    var once = false

    func run() async throws {
        let settings = try global.settings()
        let logger = global.logger("quant.risk-engine", settings: settings)
        try await SchemaCheck.require(settings, service: "risk-engine", logger: logger)
        let client = try PostgresClient.fromSettings(settings, applicationName: "quant-risk-engine", logger: logger)
        var configuration = RiskEngineConfiguration(settings: settings.risk)
        do {
            configuration.stressScenarios = try RiskEngineConfiguration.stressScenarios(
                StressScenarioFile.load(path: settings.risk.stressScenarios))
        } catch {
            FileHandleOutput.stderr("risk-engine: risk.stressScenarios: \(error)")
            throw ExitCode(2)
        }
        // risk.metrics on Kafka is optional: no brokers, no producer.
        var producer: KafkaProducer?
        var publisher: KafkaRiskMetricsPublisher?
        if !settings.kafka.brokers.trimmingCharacters(in: .whitespaces).isEmpty {
            var kafka = try settings.kafkaProducer(clientSuffix: "risk-engine", idempotent: false)
            // A broker that is down delays a portfolio's cycle by at most this much.
            kafka.messageTimeoutMilliseconds = 5_000
            let made = try KafkaProducer(configuration: kafka, logger: logger)
            producer = made
            publisher = KafkaRiskMetricsPublisher(producer: made, topic: TopicNames(prefix: settings.processor.topicPrefix).riskMetrics)
        }
        let engine = RiskEngineService(client: client, configuration: configuration, logger: logger, publisher: publisher)

        guard once else {
            // Stopped in reverse order: the engine first, then the producer (flushing), then the pool.
            var services = MetricsService.make(port: settings.metrics.riskEnginePort, settings: settings, logger: logger)
            services.append(.init(service: MemoryTrimService()))
            services.append(.init(service: client))
            if let producer { services.append(.init(service: producer)) }
            services.append(.init(service: engine, successTerminationBehavior: .gracefullyShutdownGroup))
            let group = ServiceGroup(configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
            try await group.run()
            return
        }
        let report = try await withThrowingTaskGroup(of: CycleReport?.self) { group in
            group.addTask { await client.run(); return nil }
            defer { group.cancelAll() }
            do {
                return try await engine.runCycle()
            } catch {
                FileHandleOutput.stderr("risk-engine: \(PostgresErrorText.describe(error))")
                throw ExitCode(2)
            }
        }
        await producer?.shutdown()
        try RiskCLI.printJSON(report)
        if !report.failed.isEmpty { throw ExitCode(1) }
    }
}
