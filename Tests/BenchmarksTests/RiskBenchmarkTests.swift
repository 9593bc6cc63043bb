import Benchmarks
import Foundation
import Testing

@Suite struct RiskBenchmarkTests {
    @Test func runsOnSmallSizes() throws {
        let results = try RiskBenchmark.run(options: 1_000, positions: 20, scenarios: 50, paths: 500, factors: 3, repetitions: 1)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        #expect(results.map(\.name) == ["baseline exp+log", "price + 5 Greeks", "price + 5 Greeks, batched",
                                         "price + 5 Greeks, batched, \(cores) threads", "historical VaR/ES", "Monte Carlo VaR/ES"])
        #expect(results.allSatisfy { $0.bestSeconds > 0 })
    }
}
