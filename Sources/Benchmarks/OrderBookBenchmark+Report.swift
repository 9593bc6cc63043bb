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
        // exchange-core's mix reuses a few thousand slots of its reserved pools: no memory bound to compare.
        let memory = parameters.mix == .standard ? memoryCost(bytes: workload.footprintBytes) : nil
        printBreakdown(runs[0].breakdown, commands: median.commands, memory: memory)
    }

    /// The latency pass by kind of command, in nanoseconds and in dependent memory loads of this
    /// machine, and the ceiling that the cold kinds alone put on the rate.
    static func printBreakdown(_ breakdown: [KindCost], commands: Int, memory: MemoryCost?) {
        let load = memory?.dependent ?? .nan
        func reads(_ nanoseconds: Double) -> String { memory == nil ? "—" : String(format: "%.1f", nanoseconds / load) }
        if let memory {
            print("")
            print(String(format: "memory: random 64-byte reads over %.0f MB (the size of the order pool and id ring): %.0f ns each when each address comes from the previous read, %.1f ns when the addresses are known ahead", Double(memory.bytes) / 1e6, load, memory.independent))
        }
        print("")
        print("where the time goes (the latency pass, one command at a time; ns, timer included):")
        print("")
        print("| commands | share | mean | p50 | p99 | ns of the mean command | mean in dependent reads |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for cost in breakdown {
            print(String(format: "| %@ | %.1f%% | %.0f | %u | %u | %.1f | %@ |", cost.kind.rawValue, 100 * Double(cost.count) / Double(commands),
                         cost.mean(), cost.p50, cost.p99, cost.perCommand(of: commands), reads(cost.mean())))
        }
        let total = breakdown.reduce(0) { $0 + $1.perCommand(of: commands) }
        let cold = breakdown.filter { $0.kind == .trades || $0.kind == .cancelsOlder }.reduce(0) { $0 + $1.perCommand(of: commands) }
        print(String(format: "| all | 100%% | %.0f | | | %.1f | %@ |", total, total, reads(total)))
        if memory != nil, cold > 0 {
            print("")
            print(String(format: "orders that trade and cancels of older orders alone: %.0f ns per command, a ceiling of %.1fM commands/s if every other command took no time", cold, 1e3 / cold))
        }
    }

    static func row(_ result: OrderBookBenchmark.Result, best: OrderBookBenchmark.Result) -> String {
        func rate(_ r: OrderBookBenchmark.Result) -> String { String(format: "%.2fM", r.commandsPerSecond / 1e6) }
        return "| \(result.name) | \(rate(result)) | \(rate(best)) | \(result.allocations) | \(result.events) | \(result.restingAfter) |"
    }
}
