import OrderBook
import Risk

/// Where the order book's time goes, measured in the same run as the throughput: the latency pass's
/// samples grouped by what each command did, beside what a random memory access costs on this
/// machine over a buffer the size of the book. A cold command's cost in dependent memory loads says
/// whether the book's code or the machine's memory bounds it.
extension OrderBookBenchmark {
    enum CommandKind: String, CaseIterable {
        case rests = "new order that rests"
        case trades = "order that trades"
        case cancelsRecent = "cancel of one of the 4,096 newest ids"
        case cancelsOlder = "cancel of an older order"
        case moves = "move"
        case other = "other (unfilled IOC, reject)"
    }

    struct KindCost {
        var kind: CommandKind
        var count = 0
        var nanoseconds: UInt64 = 0
        var p50: UInt32 = 0
        var p99: UInt32 = 0

        func mean() -> Double { count == 0 ? 0 : Double(nanoseconds) / Double(count) }
        /// Nanoseconds this kind adds to the run's mean command.
        func perCommand(of total: Int) -> Double { Double(nanoseconds) / Double(total) }
    }

    /// What `command` was, judged from the events it caused; `newestID` is the largest id placed before it.
    static func kind(of command: OrderCommand, events: [BookEvent], newestID: UInt64) -> CommandKind {
        if events.contains(where: { if case .trade = $0 { true } else { false } }) { return .trades }
        switch command {
        case .new(let order):
            let rested = events.contains { if case .report(let report) = $0 { report.kind == .accepted && order.timeInForce != .ioc } else { false } }
            return rested ? .rests : .other
        case .cancel(let id): return newestID &- id.rawValue < 4_096 ? .cancelsRecent : .cancelsOlder
        case .modify: return .moves
        default: return .other
        }
    }

    /// Groups the latency pass's `samples` (one per command, in order) by kind.
    static func breakdown(samples: [UInt32], kinds: [CommandKind]) -> [KindCost] {
        var groups = [CommandKind: [UInt32]]()
        for (sample, kind) in zip(samples, kinds) { groups[kind, default: []].append(sample) }
        return CommandKind.allCases.compactMap { kind in
            guard var group = groups[kind], !group.isEmpty else { return nil }
            group.sort()
            return KindCost(kind: kind, count: group.count, nanoseconds: group.reduce(0) { $0 &+ UInt64($1) },
                            p50: percentile(group, 0.5), p99: percentile(group, 0.99))
        }
    }

    /// Random reads over `bytes` of memory, one per 64-byte line: `dependent` is a pointer chase
    /// (each load's address comes from the previous load, as an id-table entry gives the node's slot),
    /// `independent` reads the same number of lines whose addresses are known up front, so the
    /// core overlaps the misses. Nanoseconds per load, the best of three passes.
    struct MemoryCost {
        var bytes: Int
        var dependent: Double
        var independent: Double
    }

    static func memoryCost(bytes: Int, loads: Int = 2_000_000, seed: UInt64 = 1) -> MemoryCost {
        let lines = max(2, bytes / 64)
        let wordsPerLine = 8
        let memory = UnsafeMutablePointer<Int64>.allocate(capacity: lines * wordsPerLine)
        defer { memory.deallocate() }
        // Sattolo's shuffle: one cycle through every line, in random order.
        var order = [Int64](0..<Int64(lines))
        var random = Xoshiro256StarStar(seed: seed)
        for i in stride(from: lines - 1, to: 0, by: -1) { order.swapAt(i, Int(random.next() % UInt64(i))) }
        for i in 0..<lines { memory[Int(order[i]) * wordsPerLine] = order[(i + 1) % lines] }
        let addresses = (0..<loads).map { _ in Int(random.next() % UInt64(lines)) * wordsPerLine }

        var dependent = Double.infinity, independent = Double.infinity
        var sink: Int64 = 0
        for _ in 0..<3 {
            var line: Int64 = 0
            let start = nanoseconds()
            for _ in 0..<loads { line = memory[Int(line) * wordsPerLine] }
            dependent = min(dependent, Double(nanoseconds() - start) / Double(loads))
            sink &+= line

            var sum: Int64 = 0
            let again = nanoseconds()
            for address in addresses { sum &+= memory[address] }
            independent = min(independent, Double(nanoseconds() - again) / Double(loads))
            sink &+= sum
        }
        if sink == .min { print("") }  // keeps the loads observable
        return MemoryCost(bytes: lines * 64, dependent: dependent, independent: independent)
    }
}
