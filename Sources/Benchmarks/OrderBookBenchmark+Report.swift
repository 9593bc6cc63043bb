import AllocationCounter
import Foundation

extension OrderBookBenchmark {
    /// `quant bench orderbook`: runs `parameters`' workload `repetitions` times (the first timing
    /// each command), then the baseline book once, and prints the table docs/benchmarks.md shows.
    public static func report(_ parameters: OrderBookWorkload.Parameters, repetitions: Int, baseline: Bool) {
        #if DEBUG
        FileHandle.standardError.write(Data("warning: debug build; benchmark a release build (swift build -c release)\n".utf8))
        #endif
        let (commands, resting, seed) = (parameters.commands, parameters.restingOrders, parameters.seed)
        print("generating \(commands) commands of the \(parameters.mix.rawValue) mix over \(resting) resting orders (seed \(seed))…")
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
        if baseline {
            let baselineRun = OrderBookBenchmark.runBaseline(workload)
            print(row(baselineRun, best: baselineRun))
            let same = baselineRun.tradeDigest == median.tradeDigest && baselineRun.events == median.events
            print("")
            print(String(format: "ratio OrderBook / baseline: %.1fx (median); same trades and event count: %@", median.commandsPerSecond / baselineRun.commandsPerSecond, same ? "yes" : "NO"))
        }
        print("")
        print("OrderBook latency per command (ns, timer overhead \(latency.timerOverhead) ns included): p50 \(latency.p50), p99 \(latency.p99), p99.9 \(latency.p999), max \(latency.max)")
        print("allocations per command, steady state: \(Double(median.allocations) / Double(median.commands))")
        print(String(format: "commands that traded: %.1f%%", 100 * Double(median.tradingCommands) / Double(median.commands)))
    }

    static func row(_ result: OrderBookBenchmark.Result, best: OrderBookBenchmark.Result) -> String {
        func rate(_ r: OrderBookBenchmark.Result) -> String { String(format: "%.2fM", r.commandsPerSecond / 1e6) }
        return "| \(result.name) | \(rate(result)) | \(rate(best)) | \(result.allocations) | \(result.events) | \(result.restingAfter) |"
    }
}
