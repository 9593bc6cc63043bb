import Logging
import Metrics
import NIOCore
import PipelineContracts
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Encoded bodies of the hottest reads (`GET /orderbook/{symbol}`, the first page of
/// `GET /market/data/{symbol}`), kept until PostgreSQL announces that their rows changed, so a busy
/// symbol costs one query per change instead of one per request (docs/api.md, "Read cache").
///
/// - Invalidation: the processor NOTIFYs `book_depth` when it writes a symbol's book snapshot and
///   `md_quotes`/`md_trades` when a batch of its ticks commits; each drops that symbol's bodies.
///   Rows written without such an announcement (by hand, by another tool) show after `maxAge`.
/// - Bodies are served and stored only while the LISTEN connection is up: a body loaded before a
///   change announcement arrives is never stored after it (per-symbol generations), and losing the
///   connection empties the cache. On a standby, where LISTEN is impossible, every read queries.
/// - Concurrent misses of one key share one load (single flight), so a burst after a change costs
///   one query, not one per waiting request.
public final class ReadCache: Service, Sendable {
    /// What a body was read from; an announcement names the source's symbol.
    enum Source: String, Sendable, CaseIterable { case book, market }
    struct Key: Hashable, Sendable { var source: Source; var symbol: String }

    /// The channels to LISTEN on, the source each one's announcements change, and how its payload
    /// (its `PipelineContracts` type) names the symbol; nil when the payload is not one (any
    /// database login may NOTIFY).
    static let channels: [String: (source: Source, symbol: @Sendable (String) -> String?)] = [
        NotifyChannel.bookDepth.name: (.book, { BookDepthNotice.read($0)?.symbol }),
        NotifyChannel.mdQuotes.name: (.market, { QuoteNotice.read($0)?.symbol }),
        NotifyChannel.mdTrades.name: (.market, { TradeNotice.read($0)?.symbol }),
    ]

    private struct Entry { var body: ByteBuffer; var loadedAt: ContinuousClock.Instant }
    private struct Slot {
        var generation: UInt64 = 0
        var bodies: [Int: Entry] = [:]
        var loads: [Int: Task<ByteBuffer, any Error>] = [:]
    }
    private struct Stamp: Equatable { var epoch: UInt64; var generation: UInt64 }
    private struct State {
        var slots: [Key: Slot] = [:]
        /// Bumped whenever listening starts or stops: nothing loaded before counts after.
        var epoch: UInt64 = 0
        var nextGeneration: UInt64 = 1
        var listening = false
    }

    let database: ReaderDatabase
    /// Longest a body is served without a change announcement; zero turns the cache off.
    let maxAge: Duration
    /// Beyond this many symbols × sources, the cache starts over (bounds memory on odd traffic).
    let maxSlots: Int
    private let state = Mutex(State())
    private let counters: [Source: [Outcome: Counter]]

    enum Outcome: String, CaseIterable { case hit, shared, miss, bypass }

    public init(database: ReaderDatabase, maxAge: Duration, maxSlots: Int = 4096) {
        self.database = database
        self.maxAge = maxAge
        self.maxSlots = maxSlots
        counters = Dictionary(uniqueKeysWithValues: Source.allCases.map { source in
            (source, Dictionary(uniqueKeysWithValues: Outcome.allCases.map {
                ($0, Counter(label: APIMetrics.cacheLookups, dimensions: [("cache", source.rawValue), ("result", $0.rawValue)]))
            }))
        })
    }

    var isEnabled: Bool { maxAge > .zero }
    var isListening: Bool { state.withLock { $0.listening } }

    /// The body of `key` in `variant` (a depth, a page size): cached, shared with a load in flight,
    /// or loaded now by `load` (whose errors, such as a 404, are never cached).
    func body(_ key: Key, variant: Int, load: @escaping @Sendable () async throws -> ByteBuffer) async throws -> ByteBuffer {
        enum Plan { case hit(ByteBuffer), wait(Task<ByteBuffer, any Error>, Outcome), bypass }
        let now = ContinuousClock.now
        let plan: Plan = state.withLock { s in
            guard s.listening, isEnabled else { return .bypass }
            if s.slots[key] == nil, s.slots.count >= maxSlots { s.slots.removeAll(); s.epoch += 1 }
            var slot = s.slots.removeValue(forKey: key) ?? Slot()
            defer { s.slots[key] = slot }
            if let entry = slot.bodies[variant], entry.loadedAt.duration(to: now) < maxAge { return .hit(entry.body) }
            if let task = slot.loads[variant] { return .wait(task, .shared) }
            let stamp = Stamp(epoch: s.epoch, generation: slot.generation)
            let task = Task { [self] in
                do {
                    let body = try await load()
                    finish(key, variant: variant, stamp: stamp, body: body)
                    return body
                } catch {
                    finish(key, variant: variant, stamp: stamp, body: nil)
                    throw error
                }
            }
            slot.loads[variant] = task
            return .wait(task, .miss)
        }
        switch plan {
        case .hit(let body):
            counters[key.source]![.hit]!.increment()
            return body
        case .wait(let task, let outcome):
            counters[key.source]![outcome]!.increment()
            return try await task.value
        case .bypass:
            counters[key.source]![.bypass]!.increment()
            return try await load()
        }
    }

    /// Ends a load: its body is kept only if no change was announced since it started.
    private func finish(_ key: Key, variant: Int, stamp: Stamp, body: ByteBuffer?) {
        state.withLock { s in
            guard s.epoch == stamp.epoch, s.slots[key]?.generation == stamp.generation else { return }
            s.slots[key]!.loads[variant] = nil
            if let body { s.slots[key]!.bodies[variant] = Entry(body: body, loadedAt: .now) }
        }
    }

    /// Drops the bodies of `symbol` read from `source`; loads in flight finish for their waiters
    /// but are neither stored nor joined by later requests.
    func invalidate(_ key: Key) {
        state.withLock { s in
            guard s.slots[key] != nil else { return }
            s.slots[key]!.bodies.removeAll()
            s.slots[key]!.loads.removeAll()
            s.slots[key]!.generation = s.nextGeneration
            s.nextGeneration += 1
        }
    }

    private func setListening(_ listening: Bool) {
        state.withLock { s in
            s.listening = listening
            s.slots.removeAll()
            s.epoch += 1
        }
    }

    // MARK: listening

    /// Keeps one pooled connection LISTENing until graceful shutdown; reconnects with backoff.
    public func run() async throws {
        guard isEnabled else { return try await gracefulShutdown() }
        await cancelWhenGracefulShutdown { await self.listen() }
    }

    private func listen() async {
        var delay = Duration.seconds(1)
        var warned = false
        while !Task.isCancelled {
            do {
                try await database.client.withOpenConnection { connection in
                    let standby = try await connection.query("SELECT pg_is_in_recovery()", logger: self.database.logger)
                        .collect().first?.decode(Bool.self) ?? false
                    if standby { throw Standby() }
                    try await connection.listen(on: Array(Self.channels.keys.sorted()), started: {
                        self.setListening(true)
                        self.database.logger.debug("read cache listening")
                    }) { channel, payload in
                        guard let source = Self.channels[channel]?.source, let symbol = Self.announcedSymbol(channel, payload) else { return }
                        self.invalidate(Key(source: source, symbol: symbol))
                    }
                }
                delay = .seconds(1)
            } catch is Standby {
                if !warned { database.logger.info("read cache off: the database is a standby, where LISTEN is impossible") }
                warned = true
                delay = .seconds(60)  // it may be promoted
            } catch {
                if Task.isCancelled { break }
                database.logger.warning("read cache listener failed; reads query the database meanwhile",
                                        metadata: ["error": "\(error)", "retry": "\(delay)"])
            }
            setListening(false)
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(30))
        }
        setListening(false)
    }

    private struct Standby: Error {}

    /// The symbol a processor announcement on `channel` names, or nil.
    static func announcedSymbol(_ channel: String, _ payload: String) -> String? {
        channels[channel]?.symbol(payload)
    }
}
