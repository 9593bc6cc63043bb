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
///   `md_quotes`/`md_trades` when a batch of its ticks commits; each makes that symbol's bodies
///   stale. Rows written without such an announcement (by hand, by another tool) show after `maxAge`.
/// - Stale while revalidating: for `staleFor` after an announcement the previous body still
///   answers (unless the request asks for fresh rows) while one load replaces it, so under a feed
///   requests do not queue behind a reload. A request that does not accept stale bodies waits for
///   a load that started after the last announcement.
/// - Reloads at most every `reloadInterval`: within that time of the last load's start, a stale
///   body answers and one load is scheduled for the end of the interval, so a symbol announced
///   with every batch costs one load per interval, not one per batch, on the cores the feed also
///   needs, and a client polling less often still finds the new rows loaded.
/// - Bodies are served and stored only while the LISTEN connection is up; losing the connection
///   empties the cache. On a standby, where LISTEN is impossible, every read queries.
/// - Concurrent misses of one key share one load (single flight), so a burst after a change costs
///   one query, not one per waiting request.
public final class ReadCache: Service, Sendable {
    /// What a body was read from; an announcement names the source's symbol.
    enum Source: String, Sendable, CaseIterable { case book, market }
    struct Key: Hashable, Sendable { var source: Source; var symbol: String }

    /// What an announcement says: whose rows changed, and in which committed batch (if it says).
    struct Announcement: Equatable { var symbol: String; var batch: String? }

    /// The channels to LISTEN on, the source each one's announcements change, and how its payload
    /// (its `PipelineContracts` type) reads; nil when the payload is not one (any database login
    /// may NOTIFY).
    static let channels: [String: (source: Source, read: @Sendable (String) -> Announcement?)] = [
        NotifyChannel.bookDepth.name: (.book, { BookDepthNotice.read($0).map { Announcement(symbol: $0.symbol) } }),
        NotifyChannel.mdQuotes.name: (.market, { QuoteNotice.read($0).map { Announcement(symbol: $0.symbol, batch: $0.batch) } }),
        NotifyChannel.mdTrades.name: (.market, { TradeNotice.read($0).map { Announcement(symbol: $0.symbol, batch: $0.batch) } }),
    ]

    /// A stored body, the instant its load started (its rows are at least that new), and since when
    /// a change announcement says it is out of date (nil: no change announced since its load began).
    private struct Entry { var body: ByteBuffer; var startedAt: ContinuousClock.Instant; var staleSince: ContinuousClock.Instant? }
    /// A load in flight. A change announced while it runs overtakes it: its waiters still get its
    /// body, and it is stored as stale, but requests that need fresh rows start a load of their own.
    private struct Load {
        var id: UInt64
        var task: Task<ByteBuffer, any Error>
        var startedAt: ContinuousClock.Instant
        var overtakenAt: ContinuousClock.Instant?
    }
    private struct Slot {
        var bodies: [Int: Entry] = [:]
        var loads: [Int: [Load]] = [:]
        /// The committed batch of the last announcement, if it named one.
        var lastBatch: String?
        /// Variants with a load scheduled for the end of the reload interval.
        var deferred: Set<Int> = []
        /// The load a request wanting fresh rows joins: started after the last announcement.
        func current(_ variant: Int) -> Load? { loads[variant]?.first { $0.overtakenAt == nil } }
        /// When `variant` may load again: `interval` after its latest load, finished or not, began.
        func reloadDue(_ variant: Int, interval: Duration) -> ContinuousClock.Instant? {
            var latest = bodies[variant]?.startedAt
            for load in loads[variant] ?? [] where latest.map({ load.startedAt > $0 }) ?? true { latest = load.startedAt }
            return latest?.advanced(by: interval)
        }
    }
    private struct State {
        var slots: [Key: Slot] = [:]
        var nextLoad: UInt64 = 1
        var listening = false
    }

    let database: ReaderDatabase
    /// Longest a body is served without a change announcement; zero turns the cache off.
    let maxAge: Duration
    /// How long after a change announcement the previous body may still answer while its
    /// replacement loads (stale-while-revalidate); zero: every request after an announcement
    /// waits for rows at least as new as it.
    let staleFor: Duration
    /// Shortest time between the starts of two loads of one body that stale-accepting requests
    /// begin; a request that needs fresh rows, or comes more than `staleFor` after the
    /// announcement, starts one regardless.
    let reloadInterval: Duration
    /// Beyond this many symbols × sources, the cache starts over (bounds memory on odd traffic).
    let maxSlots: Int
    private let state = Mutex(State())
    private let counters: [Source: [Outcome: Counter]]
    private let loadCounters: [Source: Counter]

    enum Outcome: String, CaseIterable { case hit, stale, shared, miss, bypass }

    public init(database: ReaderDatabase, maxAge: Duration, staleFor: Duration = .zero, reloadInterval: Duration = .zero,
                maxSlots: Int = 4096) {
        self.database = database
        self.maxAge = maxAge
        self.staleFor = staleFor
        self.reloadInterval = reloadInterval
        self.maxSlots = maxSlots
        loadCounters = Dictionary(uniqueKeysWithValues: Source.allCases.map {
            ($0, Counter(label: APIMetrics.cacheLoads, dimensions: [("cache", $0.rawValue)]))
        })
        counters = Dictionary(uniqueKeysWithValues: Source.allCases.map { source in
            (source, Dictionary(uniqueKeysWithValues: Outcome.allCases.map {
                ($0, Counter(label: APIMetrics.cacheLookups, dimensions: [("cache", source.rawValue), ("result", $0.rawValue)]))
            }))
        })
    }

    /// As `quant api` configures it (`api.cacheMaxAgeMs`, `api.cacheStaleMs`, `api.cacheReloadIntervalMs`).
    public convenience init(database: ReaderDatabase, configuration: APIConfiguration) {
        self.init(database: database, maxAge: configuration.cacheMaxAge, staleFor: configuration.cacheStaleFor,
                  reloadInterval: configuration.cacheReloadInterval)
    }

    var isEnabled: Bool { maxAge > .zero }
    var isListening: Bool { state.withLock { $0.listening } }

    /// The body of `key` in `variant` (a depth, a page size): cached, shared with a load in flight,
    /// or loaded now by `load` (whose errors, such as a 404, are never cached). With `acceptStale`
    /// a body that a change made stale less than `staleFor` ago answers at once while its
    /// replacement loads in the background.
    func body(_ key: Key, variant: Int, acceptStale: Bool = true,
              load: @escaping @Sendable () async throws -> ByteBuffer) async throws -> ByteBuffer {
        enum Plan { case hit(ByteBuffer, Outcome), wait(Task<ByteBuffer, any Error>, Outcome), bypass }
        let now = ContinuousClock.now
        let plan: Plan = state.withLock { s in
            guard s.listening, isEnabled else { return .bypass }
            if s.slots[key] == nil, s.slots.count >= maxSlots { s.slots.removeAll() }
            var slot = s.slots.removeValue(forKey: key) ?? Slot()
            defer { s.slots[key] = slot }
            var stale: ByteBuffer?
            if let entry = slot.bodies[variant], entry.startedAt.duration(to: now) < maxAge {
                guard let since = entry.staleSince else { return .hit(entry.body, .hit) }
                if acceptStale, since.duration(to: now) < staleFor { stale = entry.body }
            }
            if let current = slot.current(variant) {
                return stale.map { .hit($0, .stale) } ?? .wait(current.task, .shared)
            }
            if let stale, let due = slot.reloadDue(variant, interval: reloadInterval), now < due {
                // Held back: the stale body answers, and one load starts when the interval ends,
                // so a client polling less often than that still finds the new rows loaded.
                if slot.deferred.insert(variant).inserted { scheduleDeferredLoad(key, variant: variant, at: due, load: load) }
                return .hit(stale, .stale)
            }
            let task = startLoad(&s, &slot, key, variant: variant, now: now, load: load)
            return stale.map { .hit($0, .stale) } ?? .wait(task, .miss)
        }
        switch plan {
        case .hit(let body, let outcome):
            counters[key.source]![outcome]!.increment()
            return body
        case .wait(let task, let outcome):
            counters[key.source]![outcome]!.increment()
            return try await task.value
        case .bypass:
            counters[key.source]![.bypass]!.increment()
            return try await load()
        }
    }

    /// Starts one load of `key` in `variant` and records it in `slot` (the caller holds the lock).
    private func startLoad(_ s: inout State, _ slot: inout Slot, _ key: Key, variant: Int, now: ContinuousClock.Instant,
                           load: @escaping @Sendable () async throws -> ByteBuffer) -> Task<ByteBuffer, any Error> {
        let id = s.nextLoad
        s.nextLoad += 1
        let task = Task { [self] in
            do {
                let body = try await load()
                finish(key, variant: variant, load: id, body: body)
                return body
            } catch {
                finish(key, variant: variant, load: id, body: nil)
                throw error
            }
        }
        slot.loads[variant, default: []].append(Load(id: id, task: task, startedAt: now))
        loadCounters[key.source]!.increment()
        return task
    }

    private func scheduleDeferredLoad(_ key: Key, variant: Int, at due: ContinuousClock.Instant,
                                      load: @escaping @Sendable () async throws -> ByteBuffer) {
        Task { [self] in
            try? await Task.sleep(until: due, clock: .continuous)
            startDeferredLoad(key, variant: variant, load: load)
        }
    }

    /// The load a held-back request scheduled for the end of the reload interval: started only if
    /// the body is still stale and nothing loads it already (a fresh request may have), and put off
    /// again if a load started since then, so loads stay at least an interval apart.
    private func startDeferredLoad(_ key: Key, variant: Int, load: @escaping @Sendable () async throws -> ByteBuffer) {
        let now = ContinuousClock.now
        state.withLock { s in
            guard s.listening, var slot = s.slots[key] else { return }
            defer { s.slots[key] = slot }
            guard slot.bodies[variant]?.staleSince != nil, slot.current(variant) == nil else {
                slot.deferred.remove(variant)
                return
            }
            if let due = slot.reloadDue(variant, interval: reloadInterval), now < due {
                return scheduleDeferredLoad(key, variant: variant, at: due, load: load)
            }
            slot.deferred.remove(variant)
            _ = startLoad(&s, &slot, key, variant: variant, now: now, load: load)
        }
    }

    /// Ends a load: its body replaces an older one, fresh if no change was announced since it
    /// started, else stale since the first such announcement. A load the cache forgot (it stopped
    /// listening, or started over) stores nothing.
    private func finish(_ key: Key, variant: Int, load id: UInt64, body: ByteBuffer?) {
        state.withLock { s in
            guard var loads = s.slots[key]?.loads[variant], let index = loads.firstIndex(where: { $0.id == id }) else { return }
            let done = loads.remove(at: index)
            s.slots[key]!.loads[variant] = loads.isEmpty ? nil : loads
            guard let body else { return }
            if let newer = s.slots[key]!.bodies[variant], newer.startedAt > done.startedAt { return }
            s.slots[key]!.bodies[variant] = Entry(body: body, startedAt: done.startedAt, staleSince: done.overtakenAt)
        }
    }

    /// Marks the bodies of `symbol` read from `source` stale, and overtakes its loads in flight.
    /// A second announcement of the same committed `batch` (its `md_trades` after its `md_quotes`)
    /// changes nothing: PostgreSQL delivers a transaction's notices after it committed, so a load
    /// that started after the first of them reads all of that batch's rows, and whatever started
    /// before it was made stale by it. Without that, a busy symbol would load twice per batch.
    func invalidate(_ key: Key, batch: String? = nil) {
        let now = ContinuousClock.now
        state.withLock { s in
            guard var slot = s.slots[key] else { return }
            if let batch, slot.lastBatch == batch { return }
            slot.lastBatch = batch
            for variant in slot.bodies.keys where slot.bodies[variant]!.staleSince == nil {
                slot.bodies[variant]!.staleSince = now
            }
            for variant in slot.loads.keys {
                for i in slot.loads[variant]!.indices where slot.loads[variant]![i].overtakenAt == nil {
                    slot.loads[variant]![i].overtakenAt = now
                }
            }
            s.slots[key] = slot
        }
    }

    private func setListening(_ listening: Bool) {
        state.withLock { s in
            s.listening = listening
            s.slots.removeAll()
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
                        guard let source = Self.channels[channel]?.source, let said = Self.announcement(channel, payload) else { return }
                        self.invalidate(Key(source: source, symbol: said.symbol), batch: said.batch)
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

    /// What a processor announcement on `channel` says, or nil.
    static func announcement(_ channel: String, _ payload: String) -> Announcement? {
        channels[channel]?.read(payload)
    }
}
