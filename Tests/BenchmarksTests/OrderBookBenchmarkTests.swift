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
}
