import ArgumentParser
import Foundation
import Benchmarks

/// `quant bench orderbook`: issue 3's throughput, latency and allocation targets for `OrderBook`,
/// beside a straightforward sorted-dictionary book run on the same commands in the same process.
struct BenchOrderBookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orderbook",
        abstract: "Benchmark the order book: commands/s, per-command latency, heap allocations, vs a baseline book.",
        discussion: """
            Mix: 60% new limit orders near the touch, 30% cancels, 10% marketable orders, on a book \
            prefilled with --resting orders. One thread. Run a release build; for huge pages set \
            GLIBC_TUNABLES=glibc.malloc.hugetlb=1. Results belong in docs/benchmarks.md.
            """
    )

    @Option(help: "Orders resting in the book before the timed commands.") var resting: Int = 1_000_000
    @Option(help: "Timed commands.") var commands: Int = 2_000_000
    @Option(help: "Price levels per side the prefill spreads over.") var levels: Int = 2_000
    @Option(help: "Seed of the command mix.") var seed: UInt64 = 1
    @Option(help: "Throughput repetitions; the median and the best are reported.") var repetitions: Int = 3
    @Flag(help: "Skip the baseline book (it takes most of the time).") var noBaseline = false

    func run() throws {
        guard resting > 0, commands > 0, levels > 0, repetitions > 0 else { throw ValidationError("sizes must be positive") }
        OrderBookBenchmark.report(
            OrderBookWorkload.Parameters(restingOrders: resting, commands: commands, levelsPerSide: levels, seed: seed),
            repetitions: repetitions, baseline: !noBaseline)
    }
}
