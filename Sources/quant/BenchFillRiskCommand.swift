import ArgumentParser
import Benchmarks
import PortfolioValuation
import Processor

/// `quant bench fill-risk` (the benchmark is `FillRiskBenchmark`): options, and the processor and
/// risk engine configurations the settings give.
struct BenchFillRiskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill-risk",
        abstract: "Time from a fill's commit to the stored VaR/ES run that reflects it (release build).")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Fills a second (each one AAPL share bought by desk-tech from market flow).")
    var fillsPerSecond = 10
    @Option(help: "Length of the run in seconds.")
    var seconds = 30
    @Option(help: "Keep the benchmark database instead of dropping it.")
    var keep = false

    func run() async throws {
        let (settings, logger) = try global.quietContext("quant.bench")
        var benchmark = FillRiskBenchmark(
            settings: settings, processor: try ProcessorSettings(settings: settings),
            risk: RiskEngineConfiguration(settings: settings.risk), logger: logger)
        (benchmark.fillsPerSecond, benchmark.seconds, benchmark.keep) = (fillsPerSecond, seconds, keep)
        do { try await benchmark.run() } catch { throw BenchmarkFailure(description: String(reflecting: error)) }
    }
}

/// A benchmark's failure with its whole description (PostgresNIO's default one hides the server's message).
struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
}
