@testable import Benchmarks
import Testing

@Suite struct OrderBookBenchmarkTests {
    /// The benchmark's baseline is an independent, straightforward book: on the same commands it
    /// must produce the same trades and events as `OrderBook`, or the ratio compares different work.
    @Test func theBookAndTheBaselineDoTheSameWork() {
        let workload = OrderBookWorkload(.init(restingOrders: 2_000, commands: 20_000, levelsPerSide: 50, seed: 7))
        let book = OrderBookBenchmark.runOrderBook(workload, timeEachCommand: true)
        let baseline = OrderBookBenchmark.runBaseline(workload)
        #expect(book.events == baseline.events && book.tradeDigest == baseline.tradeDigest)
        #expect(book.events > 20_000, "every command has at least one event")
        #expect(book.latency != nil)
    }

    /// The latency pass's breakdown accounts for every command once, and its kinds match the mix:
    /// 30% cancels, the trading orders the throughput pass counted, the rest new orders.
    @Test func theBreakdownAccountsForEveryCommandByWhatItDid() {
        let workload = OrderBookWorkload(.init(restingOrders: 2_000, commands: 20_000, levelsPerSide: 50, seed: 7))
        let book = OrderBookBenchmark.runOrderBook(workload, timeEachCommand: true)
        func count(_ kind: OrderBookBenchmark.CommandKind) -> Int { book.breakdown.first { $0.kind == kind }?.count ?? 0 }
        #expect(book.breakdown.reduce(0) { $0 + $1.count } == 20_000)
        #expect(count(.trades) == book.tradingCommands)
        let cancels = Double(count(.cancelsRecent) + count(.cancelsOlder)) / 20_000
        #expect((0.27...0.33).contains(cancels), "\(cancels)")
        #expect(count(.cancelsRecent) > 0 && count(.cancelsOlder) > 0 && count(.moves) == 0)
        #expect((0.55...0.62).contains(Double(count(.rests)) / 20_000))

        let memory = OrderBookBenchmark.memoryCost(bytes: 1 << 20, loads: 10_000)
        #expect(memory.bytes == 1 << 20 && memory.dependent > 0 && memory.independent > 0)
    }
}

/// exchange-core's mix is what its README says it is, and every command is one the book accepts.
@Suite struct ExchangeCoreMixTests {
    @Test func theMixHasTheDocumentedSharesAndEveryCommandIsValid() {
        var parameters = OrderBookWorkload.Parameters.exchangeCore
        parameters.commands = 100_000
        let workload = OrderBookWorkload(parameters)
        var gtc = 0, ioc = 0, cancels = 0, moves = 0
        for command in workload.commands {
            switch command {
            case .new(let order): if order.timeInForce == .ioc { ioc += 1 } else { gtc += 1 }
            case .cancel: cancels += 1
            case .modify: moves += 1
            default: Issue.record("unexpected command \(command)")
            }
        }
        let n = Double(workload.commands.count)
        #expect(abs(Double(gtc) / n - 0.09) < 0.015 && abs(Double(ioc) / n - 0.03) < 0.005)
        #expect(abs(Double(cancels) / n - 0.06) < 0.015 && abs(Double(moves) / n - 0.82) < 0.01)

        var book = workload.prefilledBook()
        var rejected = 0, traded = 0, smallest = Int.max, largest = 0
        for command in workload.commands {
            book.apply(command)
            for case .report(let report) in book.events where report.kind == .rejected { rejected += 1 }
            if book.events.contains(where: { if case .trade = $0 { true } else { false } }) { traded += 1 }
            smallest = min(smallest, book.orderCount)
            largest = max(largest, book.orderCount)
        }
        #expect(rejected == 0, "moves and cancels name resting orders")
        #expect((0.03...0.10).contains(Double(traded) / n), "about 6% of commands trade: \(Double(traded) / n)")
        #expect(smallest >= 800 && largest <= 1_200, "about 1,000 resting: \(smallest)...\(largest)")
        #expect(OrderBookBenchmark.runOrderBook(workload, timeEachCommand: false).tradingCommands == traded)
    }
}
