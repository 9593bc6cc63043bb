import Foundation
import Logging
import MarketCore
import Metrics
import PipelineContracts
import PostgresNIO
import Synchronization

/// Fans PostgreSQL notifications out to `GET /stream` clients. While any client is connected, one
/// task holds one pooled connection that LISTENs on the five channels (`md_trades`, `md_quotes`,
/// `book_depth`, `risk_metrics`, `risk_positions`): one listener per channel per process, however
/// many clients.
/// A notification becomes events for the clients subscribed to its topic:
/// - `md_quotes` (the latest quote per symbol per processor batch) is forwarded as a `quote`;
/// - `md_trades` (latest trade and count per symbol per batch) triggers a read of the symbol's new
///   rows from `api.trade_ticks` after a per-symbol cursor, each sent as a `trade`;
/// - `book_depth` sends the symbol's published book (as `GET /orderbook`) as `book`;
/// - `risk_metrics` sends the portfolio's latest run (as `GET /risk/metrics`) as `risk`;
/// - `risk_positions` sends the portfolio's positions as `positions`;
/// - `pipeline:GROUP` has no notification: while it has subscribers, a ticker sends the
///   `PipelineMonitor`'s state each second as `pipeline`.
/// Each client has a bounded `StreamMailbox`; the hub never waits for a client.
final class StreamHub: Sendable {
    private struct State {
        var clients: [Int: (mailbox: StreamMailbox, topics: [StreamTopic], address: String)] = [:]
        var clientsByAddress: [String: Int] = [:]
        var subscribers: [StreamTopic: Set<Int>] = [:]
        var nextID = 0
        var listener: Task<Void, Never>?
        /// The listener's LISTENs are in place: what commits from now on reaches the clients.
        var listening = false
        /// Which listener task may set `listening`: an old one still winding down may not.
        var listenerGeneration = 0
        /// A client was told `subscribed` before the LISTENs were in place (a slow database): once
        /// they are, every subscribed channel is read afresh, as after a reconnect.
        var promisedBeforeListening = false
        var tradeCursors: [String: TradeCursor] = [:]
        /// Sends `pipeline` each second while any `pipeline:` channel has subscribers.
        var pipelineTicker: Task<Void, Never>?
    }

    let database: ReaderDatabase
    let configuration: APIConfiguration.Streaming
    /// What `pipeline:` channels send; nil: they send nothing.
    let pipeline: PipelineMonitor?
    private let state = Mutex(State())

    init(database: ReaderDatabase, configuration: APIConfiguration.Streaming, pipeline: PipelineMonitor? = nil) {
        self.database = database
        self.configuration = configuration
        self.pipeline = pipeline
    }

    enum Refusal: Error { case full, addressFull }

    struct Subscription: Sendable {
        var id: Int
        var mailbox: StreamMailbox
        /// Where each `trades:` channel's live prints start: the mailbox gets the prints after these.
        var tradeCursors: [String: TradeCursor]
    }

    /// A mailbox receiving `topics`' events for a client at `address`; refused when `maxClients`
    /// are connected already, or `maxClientsPerAddress` from that address.
    func subscribe(_ topics: [StreamTopic], address: String) async throws -> Result<Subscription, Refusal> {
        for topic in topics where topic.kind == .trades { try await startTradeCursor(topic.key) }
        let mailbox = StreamMailbox(capacity: configuration.bufferEvents)
        let id: Result<(Int, [String: TradeCursor]), Refusal> = state.withLock { s in
            guard s.clients.count < configuration.maxClients else { return .failure(.full) }
            guard s.clientsByAddress[address, default: 0] < configuration.maxClientsPerAddress else { return .failure(.addressFull) }
            s.clientsByAddress[address, default: 0] += 1
            s.nextID += 1
            s.clients[s.nextID] = (mailbox, topics, address)
            for topic in topics { s.subscribers[topic, default: []].insert(s.nextID) }
            if s.pipelineTicker == nil, topics.contains(where: { $0.kind == .pipeline }) {
                s.pipelineTicker = Task { await self.tickPipeline() }
            }
            if s.listener == nil {
                s.listenerGeneration += 1
                let generation = s.listenerGeneration
                s.listener = Task { await self.listen(generation: generation) }
            }
            APIMetrics.streamClientsGauge.record(s.clients.count)
            var starts: [String: TradeCursor] = [:]
            for topic in topics where topic.kind == .trades { starts[topic.key] = s.tradeCursors[topic.key] ?? .origin }
            return .success((s.nextID, starts))
        }
        switch id {
        case .failure(let refusal): return .failure(refusal)
        case .success(let (id, starts)):
            try await waitUntilListening()
            return .success(Subscription(id: id, mailbox: mailbox, tradeCursors: starts))
        }
    }

    /// Waits (at most 5 s) until the LISTENs are in place, so that `subscribed` promises every
    /// change committed after it: a change committed before would never be announced to us.
    private func waitUntilListening() async throws {
        // By the clock, not by a count of sleeps: on a loaded machine each sleep can last far longer.
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if state.withLock({ $0.listening }) { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        let listening = state.withLock { s in
            if !s.listening { s.promisedBeforeListening = true }
            return s.listening
        }
        if !listening {
            database.logger.warning("stream listener is not listening yet; what commits meanwhile is sent once it is")
        }
    }

    func unsubscribe(_ id: Int) {
        let listener: Task<Void, Never>? = state.withLock { s in
            guard let client = s.clients.removeValue(forKey: id) else { return nil }
            s.clientsByAddress[client.address, default: 1] -= 1
            if s.clientsByAddress[client.address] == 0 { s.clientsByAddress[client.address] = nil }
            APIMetrics.streamClientsGauge.record(s.clients.count)
            client.mailbox.close()
            for topic in client.topics {
                s.subscribers[topic]?.remove(id)
                if s.subscribers[topic]?.isEmpty == true {
                    s.subscribers[topic] = nil
                    if topic.kind == .trades { s.tradeCursors[topic.key] = nil }
                }
            }
            guard s.clients.isEmpty else { return nil }
            defer { s.listener = nil; s.listening = false }
            return s.listener
        }
        listener?.cancel()  // nobody listens: give the connection back
    }

    var clientCount: Int { state.withLock { $0.clients.count } }

    /// Events waiting in all mailboxes (each holds at most `bufferEvents`).
    var bufferedEvents: Int { state.withLock { $0.clients.values.map(\.mailbox.buffered).max() ?? 0 } }

    /// Sends `event` to every client of `topic`.
    func publish(_ event: StreamFrame, to topic: StreamTopic) {
        let mailboxes = state.withLock { s in (s.subscribers[topic] ?? []).compactMap { s.clients[$0]?.mailbox } }
        for mailbox in mailboxes { mailbox.push(event) }
    }

    private func hasSubscribers(_ topic: StreamTopic) -> Bool {
        state.withLock { $0.subscribers[topic] != nil }
    }

    /// Each second, every subscribed `pipeline:` channel's state; ends when none has subscribers.
    private func tickPipeline() async {
        while true {
            guard (try? await Task.sleep(for: .seconds(1))) != nil else { return }
            let topics: [StreamTopic]? = state.withLock { s in
                let topics = s.subscribers.keys.filter { $0.kind == .pipeline }
                if topics.isEmpty { s.pipelineTicker = nil; return nil }
                return Array(topics)
            }
            guard let topics else { return }
            for topic in topics { await deliver(topic) }
        }
    }

    // MARK: listening

    /// Whether what was announced before now may have been missed by a subscribed client.
    @discardableResult
    private func setListening(_ listening: Bool, generation: Int) -> Bool {
        state.withLock { s in
            guard s.listenerGeneration == generation else { return false }
            s.listening = listening
            defer { s.promisedBeforeListening = false }
            return listening && s.promisedBeforeListening
        }
    }

    private func listen(generation: Int) async {
        var again = false
        while !Task.isCancelled {
            do {
                try await database.client.withOpenConnection { [again] connection in
                    try await connection.listen(on: StreamTopic.Kind.allCases.compactMap(\.notifyChannel?.name), started: {
                        let promised = self.setListening(true, generation: generation)
                        // Listening again after a failure (PostgreSQL restarted), or late: what was
                        // announced meanwhile was missed, so every subscribed channel is read afresh.
                        if again || promised { Task { await self.refreshSubscribed() } }
                    }) { channel, payload in
                        guard let kind = StreamTopic.Kind.allCases.first(where: { $0.notifyChannel?.name == channel }) else { return }
                        await self.handle(kind, payload: payload)
                    }
                }
            } catch {
                if Task.isCancelled { return }
                database.logger.warning("stream listener failed; retrying in 1 s", metadata: ["error": "\(error)"])
            }
            setListening(false, generation: generation)
            again = true
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Sends every subscribed channel's news: trades after the hub's cursors, current states.
    private func refreshSubscribed() async {
        let topics = state.withLock { Array($0.subscribers.keys) }
        for topic in topics { await deliver(topic) }
    }

    /// Sends `topic`'s news (its trades after the hub's cursor, or its present state). A read that
    /// fails (a slow or restarting database) is tried again each second, up to ten times, while
    /// anyone subscribes: dropping it would leave the clients without that news until the next
    /// notification. Both kinds of read can be repeated: trades move a cursor, states replace.
    private func deliver(_ topic: StreamTopic, attempt: Int = 1) async {
        do {
            if topic.kind == .trades {
                try await publishNewTrades(topic.key)
            } else if let frame = try await currentState(of: topic) {
                publish(frame, to: topic)
            }
        } catch {
            // A pipeline channel is read again at the next tick anyway.
            guard attempt < 10, topic.kind != .pipeline, hasSubscribers(topic) else {
                database.logger.warning("stream: reading \(topic) failed; its news waits for the next notification",
                                        metadata: ["error": "\(error)", "attempts": "\(attempt)"])
                return
            }
            database.logger.warning("stream: reading \(topic) failed; trying again in 1 s", metadata: ["error": "\(error)"])
            Task {
                try? await Task.sleep(for: .seconds(1))
                await self.deliver(topic, attempt: attempt + 1)
            }
        }
    }

    /// Reads the payload as the channel's contract type; a payload that is not one is dropped
    /// (any database login may NOTIFY). Quotes go out re-encoded, never as the payload's bytes.
    private func handle(_ kind: StreamTopic.Kind, payload: String) async {
        let topic: StreamTopic
        var quote: QuoteNotice?
        switch kind {
        case .quotes:
            guard let notice = QuoteNotice.read(payload) else { return }
            (topic, quote) = (StreamTopic(kind: kind, key: notice.symbol), notice)
        case .trades:
            guard let notice = TradeNotice.read(payload) else { return }
            topic = StreamTopic(kind: kind, key: notice.symbol)
        case .book:
            guard let notice = BookDepthNotice.read(payload) else { return }
            topic = StreamTopic(kind: kind, key: notice.symbol)
        case .risk:
            guard let notice = RiskRunNotice.read(payload) else { return }
            topic = StreamTopic(kind: kind, key: notice.portfolioId)
        case .positions:
            guard let notice = PositionsNotice.read(payload) else { return }
            topic = StreamTopic(kind: kind, key: notice.portfolioId)
        case .pipeline:
            return
        }
        guard hasSubscribers(topic) else { return }
        // Checked after the subscribers, so a flood of bad payloads for nobody costs no log lines.
        if let quote, !Self.isValid(quote) {
            database.logger.warning("stream: an md_quotes payload that is not the processor's was dropped",
                                    metadata: ["payload": "\(payload.prefix(200))"])
            return
        }
        if let quote {
            do { publish(try StreamFrame(.quote(quote)), to: topic) } catch {
                database.logger.warning("stream: encoding \(topic) failed", metadata: ["error": "\(error)"])
            }
        } else {
            await deliver(topic)
        }
    }

    /// The event carrying a state channel's present state (the latest quote, the published book,
    /// the latest risk run, the positions): what a notification announces, and what a resumed
    /// stream sends once in place of the events it missed. Nil for `trades:` and when there is none.
    func currentState(of topic: StreamTopic) async throws -> StreamFrame? {
        let key = topic.key
        switch topic.kind {
        case .trades:
            return nil
        case .quotes:
            guard let q = try await MarketReader(database: database).latestQuote(key) else { return nil }
            return try StreamFrame(.quote(QuoteNotice(symbol: key, ts: q.ts, bid: q.bid, ask: q.ask, bidSize: q.bidSize, askSize: q.askSize)))
        case .book:
            guard let book = try await MarketReader(database: database).orderBook(key, depth: 10) else { return nil }
            return try StreamFrame(.book(book))
        case .risk:
            let risk = try await RiskReader(database: database).latest(key)
            return risk.runId == nil ? nil : try StreamFrame(.risk(risk))
        case .positions:
            let positions = try await PortfolioStore(database: database).positions(key)
            return try StreamFrame(.positions(PositionListBody(portfolioId: key, positions: positions)))
        case .pipeline:
            guard let pipeline, let body = try await pipeline.snapshot(group: key) else { return nil }
            return try StreamFrame(.pipeline(body))
        }
    }

    /// What the processor writes: a symbol, a storable time, decimal prices, sizes not negative.
    static func isValid(_ quote: QuoteNotice) -> Bool {
        RequestParameters.isSymbol(quote.symbol)
            && Timestamp(rfc3339: quote.ts)?.isStorable == true
            && (quote.bid.map { Price($0) != nil } ?? true) && (quote.ask.map { Price($0) != nil } ?? true)
            && quote.bidSize >= 0 && quote.askSize >= 0
    }

    // MARK: trades

    /// Starts the symbol's cursor at its newest trade, so a subscriber gets trades from now on.
    private func startTradeCursor(_ symbol: String) async throws {
        guard state.withLock({ $0.tradeCursors[symbol] == nil }) else { return }
        let cursor = try await TradeTape(database: database).newest(symbol)
        state.withLock { s in if s.tradeCursors[symbol] == nil { s.tradeCursors[symbol] = cursor } }
    }

    /// Sends the symbol's trades after its cursor, in (ts, partition, offset) order, and moves it.
    private func publishNewTrades(_ symbol: String) async throws {
        let topic = StreamTopic(kind: .trades, key: symbol)
        for _ in 0..<10 {
            guard let cursor = state.withLock({ $0.tradeCursors[symbol] }) else {
                // The last subscriber left while a new one was starting: start afresh from now.
                if hasSubscribers(topic) { try await startTradeCursor(symbol) }
                return
            }
            let rows = try await TradeTape(database: database).after(cursor, symbol: symbol, limit: 1000)
            for (cursor, event) in rows {
                var frame = try StreamFrame(.trade(event))
                frame.trade = (symbol, cursor)
                publish(frame, to: topic)
            }
            guard let last = rows.last else { return }
            state.withLock { s in if s.tradeCursors[symbol] != nil { s.tradeCursors[symbol] = last.cursor } }
            if rows.count < 1000 { return }
        }
    }
}
