import ArgumentParser
import Foundation
import Risk

/// `quant bench risk`: option pricing throughput, historical and Monte Carlo VaR wall times
/// (issue 5's targets), on synthetic data, single-threaded.
struct BenchRiskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "risk",
        abstract: "Benchmark the Risk core: price + Greeks throughput, historical and Monte Carlo VaR/ES wall time.")

    @Option(help: "Options priced in the throughput case.") var options: Int = 1_000_000
    @Option(help: "Positions in the historical case (half options).") var positions: Int = 1_000
    @Option(help: "Scenarios (daily returns) in the historical case.") var scenarios: Int = 1_000
    @Option(help: "Monte Carlo paths.") var paths: Int = 100_000
    @Option(help: "Risk factors (underlyings).") var factors: Int = 20
    @Option(help: "Repetitions per case; the best and the median are reported.") var repetitions: Int = 5

    func run() throws {
        guard options > 0, positions > 0, scenarios >= 2, paths >= 2, factors > 0, repetitions > 0 else {
            throw ValidationError("every size must be positive (scenarios and paths at least 2)")
        }
        #if DEBUG
        FileHandle.standardError.write(Data("warning: debug build; benchmark a release build (swift build -c release)\n".utf8))
        #endif
        let results = try RiskBenchmark.run(
            options: options, positions: positions, scenarios: scenarios, paths: paths, factors: factors,
            repetitions: repetitions)
        try RiskCLI.printJSON(results)
    }
}
