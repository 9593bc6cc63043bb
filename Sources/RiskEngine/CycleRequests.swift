import Synchronization

/// What the next cycle must recompute, accumulated from the timer and from notifications, and the
/// wake-ups of the cycle loop. Shared by the timer, the listener and the loop (different tasks),
/// hence the mutex.
final class CycleRequests: Sendable {
    /// The work taken by one cycle.
    struct Work: Sendable, Equatable {
        var allPortfolios = false
        /// Symbols that traded since the last cycle: their portfolios are recomputed.
        var symbols: Set<String> = []
        /// Portfolios whose positions changed.
        var portfolioIDs: Set<String> = []
        var isEmpty: Bool { !allPortfolios && symbols.isEmpty && portfolioIDs.isEmpty }

        mutating func merge(_ other: Work) {
            allPortfolios = allPortfolios || other.allPortfolios
            symbols.formUnion(other.symbols)
            portfolioIDs.formUnion(other.portfolioIDs)
        }
    }

    private let pending = Mutex(Work())
    let wakes: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        // One buffered wake-up is enough: the loop takes all pending work each time it wakes.
        (wakes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func requestAll() {
        pending.withLock { $0.allPortfolios = true }
        continuation.yield()
    }

    func request(symbols: some Sequence<String>) {
        pending.withLock { $0.symbols.formUnion(symbols) }
        continuation.yield()
    }

    func request(portfolioIDs: some Sequence<String>) {
        pending.withLock { $0.portfolioIDs.formUnion(portfolioIDs) }
        continuation.yield()
    }

    /// Whether a portfolio's positions changed since the last `take`.
    var hasPositionChanges: Bool { pending.withLock { !$0.portfolioIDs.isEmpty } }

    /// Takes everything pending, leaving nothing.
    func take() -> Work {
        pending.withLock { work in
            defer { work = Work() }
            return work
        }
    }

    /// Ends the loop after its current cycle.
    func finish() { continuation.finish() }
}
