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
            Mix standard: 60% new limit orders near the touch, 30% cancels, 10% marketable orders, on a \
            book prefilled with --resting orders. Mix exchange-core: its published benchmark's 9% GTC, \
            3% IOC, 6% cancels, 82% moves on about 1,000 resting orders over 750 price slots (3M \
            commands; the baseline book does not move orders, so it is skipped). One thread. Run a \
            release build; for huge pages set GLIBC_TUNABLES=glibc.malloc.hugetlb=1. Results belong in \
            docs/benchmarks.md.
            """
    )

    @Option(help: "Command mix: standard or exchange-core.") var mix: String = "standard"
    @Option(help: "Orders resting in the book before the timed commands (standard 1,000,000; exchange-core 1,000).") var resting: Int?
    @Option(help: "Timed commands (standard 2,000,000; exchange-core 3,000,000).") var commands: Int?
    @Option(help: "Price levels per side the prefill spreads over (standard 2,000; exchange-core 375).") var levels: Int?
    @Option(help: "Seed of the command mix.") var seed: UInt64 = 1
    @Option(help: "Throughput repetitions; the median and the best are reported.") var repetitions: Int = 3
    @Flag(help: "Skip the baseline book (it takes most of the time).") var noBaseline = false

    func run() throws {
        guard let mix = OrderBookWorkload.Mix(rawValue: mix) else { throw ValidationError("--mix: standard or exchange-core") }
        var parameters = mix == .exchangeCore ? OrderBookWorkload.Parameters.exchangeCore : .standard
        parameters.seed = seed
        if let resting { parameters.restingOrders = resting }
        if let commands { parameters.commands = commands }
        if let levels { parameters.levelsPerSide = levels }
        guard parameters.restingOrders > 0, parameters.commands > 0, parameters.levelsPerSide > 0, repetitions > 0 else {
            throw ValidationError("sizes must be positive")
        }
        OrderBookBenchmark.report(parameters, repetitions: repetitions, baseline: !noBaseline && mix == .standard)
    }
}
