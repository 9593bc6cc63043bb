import ArgumentParser
import Foundation
import Logging
import PostgresNIO
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
        let client = try PostgresClient.fromSettings(settings, applicationName: "quant-risk-engine", logger: logger)
        let engine = RiskEngineService(client: client, configuration: .init(settings: settings.risk), logger: logger)

        guard once else {
            let metrics = MetricsService.make(port: settings.metrics.riskEnginePort, settings: settings, logger: logger)
            let group = ServiceGroup(configuration: .init(
                services: metrics + [
                    .init(service: client),
                    .init(service: engine, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
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
        try RiskCLI.printJSON(report)
        if !report.failed.isEmpty { throw ExitCode(1) }
    }
}
