import AllocationCounter
import OrderBook

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the `quant bench orderbook` workload through `OrderBook` and through `BaselineOrderBook`
/// on one thread: a throughput pass with allocations counted, then a latency pass that times every
/// command on its own.
public enum OrderBookBenchmark {
    struct Result {
        var name: String
        var commands: Int
        var seconds: Double
        var allocations: Int64
        var events: Int
        var tradeDigest: UInt64
        var restingAfter: Int
        /// Commands that traded at least once.
        var tradingCommands = 0
        var latency: Latency?
        /// The latency pass's samples by kind of command.
        var breakdown: [KindCost] = []

        var commandsPerSecond: Double { Double(commands) / seconds }
    }

    struct Latency {
        var p50: UInt32
        var p99: UInt32
        var p999: UInt32
        var max: UInt32
        /// What two back-to-back clock reads cost; included in every sample above.
        var timerOverhead: UInt32
    }

    static func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    /// A digest of every trade, so the two books can be shown to have done the same work.
    /// Returns whether there was a trade.
    @discardableResult @inline(__always) static func digest(_ events: [BookEvent], into hash: inout UInt64) -> Bool {
        var traded = false
        for case .trade(let trade) in events {
            hash = (hash ^ trade.makerOrderID.rawValue ^ UInt64(trade.quantity.value) << 40 ^ UInt64(trade.price.units))
                &* 0x100_0000_01b3
            traded = true
        }
        return traded
    }

    static func runOrderBook(_ workload: OrderBookWorkload, timeEachCommand: Bool) -> Result {
        var book = workload.prefilledBook()
        var events = 0
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let commands = workload.commands
        var trading = 0
        allocation_counter_start()
        let start = nanoseconds()
        for command in commands {
            book.apply(command)
            events &+= book.events.count
            if digest(book.events, into: &hash) { trading &+= 1 }
        }
        let seconds = Double(nanoseconds() - start) / 1e9
        let allocations = allocation_counter_stop()
        var result = Result(
            name: "OrderBook", commands: commands.count, seconds: seconds, allocations: allocations, events: events,
            tradeDigest: hash, restingAfter: book.orderCount, tradingCommands: trading)
        if timeEachCommand {
            var timed = workload.prefilledBook()
            var samples = [UInt32](repeating: 0, count: commands.count)
            var kinds = [CommandKind](repeating: .other, count: commands.count)
            var newestID = workload.prefill.count
            for i in commands.indices {
                let before = nanoseconds()
                timed.apply(commands[i])
                samples[i] = UInt32(clamping: nanoseconds() - before)
                kinds[i] = kind(of: commands[i], events: timed.events, newestID: UInt64(newestID))
                if case .new(let order) = commands[i] { newestID = max(newestID, Int(order.id.rawValue)) }
            }
            result.breakdown = breakdown(samples: samples, kinds: kinds)
            result.latency = latency(&samples)
        }
        return result
    }

    static func runBaseline(_ workload: OrderBookWorkload) -> Result {
        var book = BaselineOrderBook()
        for command in workload.prefill { book.apply(command) }
        var events = 0
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        allocation_counter_start()
        let start = nanoseconds()
        for command in workload.commands {
            book.apply(command)
            events &+= book.events.count
            digest(book.events, into: &hash)
        }
        let seconds = Double(nanoseconds() - start) / 1e9
        let allocations = allocation_counter_stop()
        return Result(
            name: "sorted-dictionary baseline", commands: workload.commands.count, seconds: seconds, allocations: allocations,
            events: events, tradeDigest: hash, restingAfter: book.locations.count)
    }

    /// The `p` quantile of `sorted` samples (nearest rank).
    static func percentile(_ sorted: [UInt32], _ p: Double) -> UInt32 { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }

    static func latency(_ samples: inout [UInt32]) -> Latency {
        samples.sort()
        var overhead = [UInt32](repeating: 0, count: 10_001)
        for i in overhead.indices {
            let before = nanoseconds()
            overhead[i] = UInt32(clamping: nanoseconds() - before)
        }
        overhead.sort()
        return Latency(
            p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), p999: percentile(samples, 0.999), max: samples.last ?? 0,
            timerOverhead: overhead[overhead.count / 2])
    }
}
