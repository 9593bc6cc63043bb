import AllocationCounter
import ArgumentParser
import Foundation
import OrderBook

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
        #if DEBUG
        FileHandle.standardError.write(Data("warning: debug build; benchmark a release build (swift build -c release)\n".utf8))
        #endif
        let parameters = OrderBookWorkload.Parameters(restingOrders: resting, commands: commands, levelsPerSide: levels, seed: seed)
        print("generating \(commands) commands over \(resting) resting orders (seed \(seed))…")
        let workload = OrderBookWorkload(parameters)
        let hugePages = ProcessInfo.processInfo.environment["GLIBC_TUNABLES"]?.contains("hugetlb=1") ?? false
        print("huge pages via glibc.malloc.hugetlb: \(hugePages ? "on" : "off"); allocation counter: \(allocation_counter_is_supported() != 0 ? "on" : "unsupported here")")

        var runs: [OrderBookBenchmark.Result] = []
        for repetition in 0..<repetitions {
            runs.append(OrderBookBenchmark.runOrderBook(workload, timeEachCommand: repetition == 0))
        }
        let fast = runs.sorted { $0.commandsPerSecond < $1.commandsPerSecond }
        let median = fast[fast.count / 2]
        let latency = runs[0].latency!
        print("")
        print("| book | commands/s (median of \(repetitions)) | best | allocations in timed loop | events | resting after |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        print(row(median, best: fast.last!))
        if !noBaseline {
            let baseline = OrderBookBenchmark.runBaseline(workload)
            print(row(baseline, best: baseline))
            let same = baseline.tradeDigest == median.tradeDigest && baseline.events == median.events
            print("")
            print(String(format: "ratio OrderBook / baseline: %.1fx (median); same trades and event count: %@", median.commandsPerSecond / baseline.commandsPerSecond, same ? "yes" : "NO"))
        }
        print("")
        print("OrderBook latency per command (ns, timer overhead \(latency.timerOverhead) ns included): p50 \(latency.p50), p99 \(latency.p99), p99.9 \(latency.p999), max \(latency.max)")
        print("allocations per command, steady state: \(Double(median.allocations) / Double(median.commands))")
    }

    func row(_ result: OrderBookBenchmark.Result, best: OrderBookBenchmark.Result) -> String {
        func rate(_ r: OrderBookBenchmark.Result) -> String { String(format: "%.2fM", r.commandsPerSecond / 1e6) }
        return "| \(result.name) | \(rate(result)) | \(rate(best)) | \(result.allocations) | \(result.events) | \(result.restingAfter) |"
    }
}
