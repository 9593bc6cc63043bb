import ArgumentParser
import Benchmarks
import Foundation
import Risk

/// `quant bench risk`: option pricing throughput, historical and Monte Carlo VaR wall times
/// (issue 5's targets), on synthetic data, single-threaded; then, in the same run, the same
/// price + 5 Greeks on the same inputs in vectorised NumPy (`scripts/bench/bsm_numpy.py`, run by
/// the checkout's `.venv/bin/python`) and the ratio Swift/NumPy.
struct BenchRiskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "risk",
        abstract: "Benchmark the Risk core: price + Greeks throughput (and vs NumPy), historical and Monte Carlo VaR/ES wall time.")

    @Option(help: "Options priced in the throughput case.") var options: Int = 1_000_000
    @Option(help: "Positions in the historical case (half options).") var positions: Int = 1_000
    @Option(help: "Scenarios (daily returns) in the historical case.") var scenarios: Int = 1_000
    @Option(help: "Monte Carlo paths.") var paths: Int = 100_000
    @Option(help: "Risk factors (underlyings).") var factors: Int = 20
    @Option(help: "Repetitions per case; the best and the median are reported.") var repetitions: Int = 5
    @Flag(help: "Skip the NumPy comparison.") var noNumpy = false

    /// The JSON printed: the Swift cases, then the NumPy comparison (or why it was skipped).
    struct Output: Encodable {
        var results: [RiskBenchmarkResult]
        var numpy: NumPyComparison
    }

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
        let scalarRate = results.first { $0.name == "price + 5 Greeks" }?.perSecond
        let swiftRate = results.first { $0.name == "price + 5 Greeks, batched" }?.perSecond
        var comparison = noNumpy
            ? NumPyComparison(skipped: "--no-numpy")
            : NumPyComparison.run(options: options, repetitions: repetitions, checkout: ProjectRoot.locate())
        if let numpyRate = comparison.optionsPerSecond, let swiftRate {
            comparison.swiftOptionsPerSecond = swiftRate
            comparison.swiftOverNumPy = swiftRate / numpyRate
            comparison.scalarOverNumPy = scalarRate.map { $0 / numpyRate }
        }
        try RiskCLI.printJSON(Output(results: results, numpy: comparison))
        let line: String
        if let numpyRate = comparison.optionsPerSecond, let swiftRate, let ratio = comparison.swiftOverNumPy {
            line = String(
                format: "price + 5 Greeks, one thread: Swift batched %.1f M options/s (scalar %.1f), NumPy %.1f M options/s, batched/NumPy %.2f×",
                swiftRate / 1e6, (scalarRate ?? 0) / 1e6, numpyRate / 1e6, ratio)
        } else {
            line = "NumPy comparison skipped: \(comparison.skipped ?? "no result")"
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
