import Accounts
import Foundation
import MarketCore
import MarketMessages
import OrderBook
import PipelineContracts
import Store

/// The processor's state machine, free of Kafka and PostgreSQL: messages in, one `IngestBatch`
/// (rows, dead letters, offsets, notifications) and the `orders.events` to publish out.
///
/// Order books are kept per `orders.commands` partition, because a partition (and so every symbol
/// keyed to it) belongs to exactly one processor instance at a time. When a partition is assigned,
/// its books are rebuilt by `replay`ing its commands from the start up to the committed offset;
/// matching is deterministic, so the rebuilt books equal those of an uninterrupted run.
public struct ProcessorCore {
    public var marketData: MarketDataIngestor
    public private(set) var instruments: [Instrument]
    public private(set) var engines: [Int32: MatchingEngine] = [:]
    /// Accounts, their positions and open orders: the check before matching, and what fills move.
    public var accounts: AccountBook
    public private(set) var batch = IngestBatch()
    public private(set) var outgoing: [OutgoingEvent] = []
    /// For each commands partition, the offset of the first command its engine does not reflect.
    public private(set) var commandOffsets: [Int32: Int64] = [:]
    /// The log (topic id; '' when unknown) each consumed partition is being read from: its offsets,
    /// dead letters and engine snapshots are stored with it.
    public private(set) var logIDs: [PartitionKey: String] = [:]
    private var dirtyEngines: Set<Int32> = []
    private var touchedBooks: Set<BookKey> = []
    /// Books changed (or rebuilt) since their depth was last published.
    private var depthDirty: Set<BookKey> = []
    private var executionCounts: [String: Int] = [:]
    private let decoder = JSONDecoder()
    private let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    struct BookKey: Hashable { var partition: Int32; var symbol: Symbol }

    public let topics: TopicNames
    /// Written with each logged command (`trading.command_log`), as the offsets are.
    public var consumerGroup = ""
    /// Pre-trade limits of every engine (configuration: not in the snapshots).
    public let limits: PreTradeLimitTable
    /// Closed orders per engine whose client ids are remembered (configuration: not in the snapshots).
    public let closedOrderMemory: Int

    public init(
        instruments: [Instrument], topics: TopicNames = .standard, limits: PreTradeLimitTable = .init(),
        closedOrderMemory: Int = MatchingEngine.defaultClosedOrderMemory, accounts: AccountBook = AccountBook()
    ) {
        self.instruments = instruments
        self.accounts = accounts
        self.accounts.multipliers = Self.multipliers(instruments)
        self.limits = limits
        self.closedOrderMemory = closedOrderMemory
        self.topics = topics
        marketData = MarketDataIngestor(knownSymbols: Set(instruments.map(\.symbol.rawValue)), topics: topics)
    }

    /// Replaces the instrument list (new instruments appear without a restart).
    public mutating func update(instruments: [Instrument]) {
        self.instruments = instruments
        marketData.knownSymbols = Set(instruments.map(\.symbol.rawValue))
        accounts.multipliers = Self.multipliers(instruments)
        let bySymbol = Dictionary(instruments.map { ($0.symbol, $0) }, uniquingKeysWith: { $1 })
        for partition in engines.keys { engines[partition]!.instruments = bySymbol }
    }

    static func multipliers(_ instruments: [Instrument]) -> [String: Int64] {
        Dictionary(instruments.map { ($0.symbol.rawValue, $0.multiplier) }, uniquingKeysWith: { $1 })
    }

    // MARK: input

    /// How far from `now` an event may be dated (market data: its `ts`; commands: the Kafka timestamp).
    public var eventTime: EventTimeWindow {
        get { marketData.eventTime }
        set { marketData.eventTime = newValue }
    }

    /// The processor's clock for the event-time check; the pipeline sets it when a batch opens and
    /// on each flush tick (the window is a minute wide, so a batch's age does not matter).
    public var now: Timestamp {
        get { marketData.now }
        set { marketData.now = newValue }
    }

    /// Processes one message into the current batch. Never throws: bad input becomes a dead letter.
    public mutating func handle(_ message: ConsumedMessage) {
        switch message.topic {
        case topics.commands:
            handleCommand(message, recording: true)
            batch.consumed(PartitionKey(topic: message.topic, partition: message.partition), offset: message.offset)
        default:
            message.value.withUnsafeBytes { payload in
                marketData.ingest(topic: message.topic, partition: message.partition, offset: message.offset,
                                  key: message.key, payload: payload, into: &batch)
            }
        }
    }

    /// Re-applies an already committed command to rebuild the books, writing nothing. `skipped`:
    /// the command was dead-lettered when it was consumed (its event time was implausible then), so
    /// the engine never saw it; a replay must not either, whatever the clock says now.
    public mutating func replay(_ message: ConsumedMessage, skipped: Bool = false) {
        guard !skipped else {
            if engines[message.partition] != nil || commandOffsets[message.partition] != nil {
                commandOffsets[message.partition] = message.offset + 1
            }
            return
        }
        handleCommand(message, recording: false)
    }

    /// The log a partition is read from from now on (an assignment, or an id learnt on the way).
    public mutating func setLog(_ key: PartitionKey, id: String?) {
        logIDs[key] = id
    }

    /// The broker replaced the partition's log and it is now read from the new log's beginning;
    /// call with an empty batch (commit first), so no batch mixes two logs of one partition. A
    /// commands partition's books carry on: the next batch snapshots them at the new log's offset;
    /// until then a restart restores the old log's last snapshot and replays the new log's commands
    /// from the command log.
    public mutating func startReplacedLog(_ key: PartitionKey, id: String) {
        logIDs[key] = id
        guard key.topic == topics.commands, engines[key.partition] != nil else { return }
        commandOffsets[key.partition] = 0
        dirtyEngines.insert(key.partition)
    }

    /// Forgets the books of a partition that moved to another instance.
    public mutating func revoke(commandsPartition partition: Int32) {
        accounts.forget(partition: partition)
        engines[partition] = nil
        commandOffsets[partition] = nil
        dirtyEngines.remove(partition)
        depthDirty = depthDirty.filter { $0.partition != partition }
    }

    /// The partition's books now reflect every command before `nextOffset` of its current log (the
    /// commands logged after their snapshot were replayed, or there were none).
    public mutating func caughtUp(commandsPartition partition: Int32, nextOffset: Int64) {
        guard engines[partition] != nil || commandOffsets[partition] != nil else { return }
        commandOffsets[partition] = nextOffset
    }

    /// Installs books restored from a snapshot that reflects commands up to `nextOffset` (exclusive).
    public mutating func restore(commandsPartition partition: Int32, engine: MatchingEngine, nextOffset: Int64) {
        engines[partition] = engine
        commandOffsets[partition] = nextOffset
        for symbol in engine.symbols { depthDirty.insert(BookKey(partition: partition, symbol: symbol)) }
    }

    /// Takes the live orders and last prices of a partition's books into the account book, once
    /// they are restored and replayed up to the committed offset (replays do not follow accounts).
    public mutating func rebuildAccounts(commandsPartition partition: Int32) {
        guard let engine = engines[partition] else { return accounts.forget(partition: partition) }
        accounts.rebuild(partition: partition, from: engine)
    }

    /// Whether some book changed since its depth was last published.
    public var hasUnpublishedDepth: Bool { !depthDirty.isEmpty }

    /// Adds the depth of every book changed since the last call to the current batch, for
    /// `trading.book_depth`, and announces each on `book_depth` (on commit). Books rebuilt after an
    /// assignment count as changed, so what a previous owner left unpublished is published.
    public mutating func appendDepth(takenAt: Timestamp, levels: Int = 10) {
        for key in depthDirty.sorted(by: { ($0.partition, $0.symbol) < ($1.partition, $1.symbol) }) {
            guard let book = engines[key.partition]?.book(key.symbol), let next = commandOffsets[key.partition] else { continue }
            let depth = DepthMessage(symbol: key.symbol.rawValue, book: book, levels: levels)
            batch.bookDepth.append(BookDepthRow(
                symbol: key.symbol.rawValue, takenAt: takenAt, topic: topics.commands, partition: key.partition,
                nextOffset: next, sequence: Int64(book.sequence),
                bestBid: book.bestBid?.price.decimalString, bestAsk: book.bestAsk?.price.decimalString,
                bidDepth: Self.resting(book, .buy), askDepth: Self.resting(book, .sell),
                depthJSON: Self.json(depth)))
            batch.announce(BookDepthNotice(symbol: key.symbol.rawValue, seq: Int64(book.sequence)))
        }
        depthDirty.removeAll(keepingCapacity: true)
    }

    /// Adds a snapshot of every engine that changed since the last one to the current batch: the
    /// whole engine (for restores) and one row per book with its depth (for readers). Taken while
    /// the batch is open, so each snapshot reflects exactly the offsets this batch commits. Call it
    /// only right before `takeBatch`: the insert trigger gives each snapshot the last command logged
    /// in its transaction (`command_seq`), so a command handled after it would be claimed by it.
    public mutating func appendSnapshots(consumerGroup: String, takenAt: Timestamp, depthLevels: Int = 10) {
        for partition in dirtyEngines.sorted() {
            guard let engine = engines[partition], let next = commandOffsets[partition] else { continue }
            let rows = engine.symbols
            batch.appendEngineSnapshot(
                takenAt: takenAt, consumerGroup: consumerGroup, topic: topics.commands, partition: partition, nextOffset: next,
                bookCount: rows.count, snapshot: engine.snapshot(),
                logID: logIDs[PartitionKey(topic: topics.commands, partition: partition)] ?? "")
            for symbol in rows {
                guard let book = engine.book(symbol) else { continue }
                let depth = DepthMessage(symbol: symbol.rawValue, book: book, levels: depthLevels)
                batch.appendBookSnapshot(
                    takenAt: takenAt, symbol: symbol, topic: topics.commands, partition: partition, nextOffset: next,
                    sequence: book.sequence, bestBid: book.bestBid?.price, bestAsk: book.bestAsk?.price,
                    bidDepth: Self.resting(book, .buy), askDepth: Self.resting(book, .sell),
                    snapshot: book.snapshot(), depthJSON: Self.json(depth))
            }
        }
        dirtyEngines.removeAll()
    }

    /// Total quantity resting on one side of `book`.
    static func resting(_ book: OrderBook, _ side: Side) -> Int64 {
        book.depth(side, levels: .max).reduce(0) { $0 + $1.quantity.value }
    }

    static func json(_ depth: DepthMessage) -> String {
        func levels(_ side: [DepthMessage.Level]) -> String {
            side.map { #"{"price":"\#($0.price.decimalString)","quantity":\#($0.quantity.value),"orders":\#($0.orders)}"# }
                .joined(separator: ",")
        }
        return #"{"bids":[\#(levels(depth.bids))],"asks":[\#(levels(depth.asks))]}"#
    }

    /// Hands over the batch and the events to publish once it has committed.
    public mutating func takeBatch() -> (IngestBatch, [OutgoingEvent]) {
        // The batch's name in its market notices (`batch`): random, so no other login's NOTIFY can
        // name a batch before it commits (a consumer ignores a second notice of the same batch).
        marketData.flushNotifications(into: &batch, id: String(UInt64.random(in: 0 ... .max), radix: 36))
        for key in touchedBooks.sorted(by: { ($0.partition, $0.symbol) < ($1.partition, $1.symbol) }) {
            guard let book = engines[key.partition]?.book(key.symbol) else { continue }
            batch.announce(BookTopNotice(symbol: key.symbol.rawValue, bid: book.bestBid?.price.decimalString,
                                         ask: book.bestAsk?.price.decimalString))
        }
        for (symbol, count) in executionCounts.sorted(by: { $0.key < $1.key }) {
            batch.announce(ExecutionsNotice(symbol: symbol, count: count))
        }
        var portfolios = Set<String>()
        for (key, position) in accounts.takeChangedPositions() {
            batch.appendPosition(account: key.account, symbol: key.symbol, position)
            if let portfolio = accounts.accounts[key.account]?.portfolioID { portfolios.insert(portfolio) }
        }
        for portfolio in portfolios.sorted() { batch.announce(PositionsNotice(portfolioId: portfolio)) }
        touchedBooks.removeAll(keepingCapacity: true)
        executionCounts.removeAll(keepingCapacity: true)
        batch.logIDs = logIDs
        let result = (batch, outgoing)
        batch.removeAll()
        outgoing.removeAll(keepingCapacity: true)
        return result
    }

    // MARK: orders

    private mutating func handleCommand(_ message: ConsumedMessage, recording: Bool) {
        // Even an undecodable command is consumed: the engine state after it is the same. The
        // engine counts as changed, so the next snapshot is taken at this offset (a restart then
        // has nothing to replay, and a lost log nothing it cannot replay).
        if engines[message.partition] != nil || commandOffsets[message.partition] != nil {
            commandOffsets[message.partition] = message.offset + 1
            dirtyEngines.insert(message.partition)
        }
        let command: OrderCommandMessage
        do {
            guard message.value.count <= MessageDecoder.maxPayloadBytes else {
                throw MessageError("payload of \(message.value.count) bytes exceeds \(MessageDecoder.maxPayloadBytes)")
            }
            command = try decoder.decode(OrderCommandMessage.self, from: Data(message.value))
            if let v = command.v, v != MessageDecoder.schemaVersion {
                throw MessageError("unsupported schema version \(v) (this build reads \(MessageDecoder.schemaVersion))")
            }
            try Self.validateIdentifiers(command)
            // Books live per commands partition, and the producer's key picks the partition: a command
            // keyed by another symbol would open a second book for its symbol in another partition.
            if let symbol = command.symbol, message.key?.elementsEqual(symbol.utf8) != true {
                let key = message.key.map { String(decoding: $0.prefix(60), as: UTF8.self) }
                throw MessageError("key \(key.map { "\"\($0)\"" } ?? "(none)") is not the command's symbol \"\(symbol.prefix(60))\": order commands must be keyed by their symbol")
            }
            // Only when consumed: a replay skips exactly the commands dead-lettered then (`replay`).
            if recording, let reason = eventTime.rejection(of: message.timestamp, now: now) { throw MessageError(reason) }
        } catch {
            if recording {
                batch.deadLetters.append(DeadLetter(
                    topic: message.topic, partition: message.partition, offset: message.offset, key: message.key,
                    payload: message.value, error: Self.describe(error)))
            }
            return
        }
        if recording, let reason = accounts.refusal(of: command, partition: message.partition) {
            return refuse(command, reason: reason, message)
        }
        // Moved out while it changes, so the engine's storage stays uniquely referenced (no copy).
        var engine = engines.removeValue(forKey: message.partition) 
            ?? MatchingEngine(instruments: instruments, limits: limits, closedOrderMemory: closedOrderMemory)
        let events = engine.handle(command)
        engines[message.partition] = engine
        commandOffsets[message.partition] = message.offset + 1
        dirtyEngines.insert(message.partition)
        if let text = command.symbol, let symbol = Symbol(text) {
            depthDirty.insert(BookKey(partition: message.partition, symbol: symbol))
        }
        guard recording else { return }
        batch.appendCommand(
            consumerGroup: consumerGroup, topic: message.topic, partition: message.partition,
            logID: logIDs[PartitionKey(topic: message.topic, partition: message.partition)] ?? "", offset: message.offset,
            ts: message.timestamp, key: message.key, payload: message.value)
        if command.type == .new { batch.appendOrder(command, ts: message.timestamp, partition: message.partition, offset: message.offset) }
        for event in events { store(event, command, message) }
        if let text = command.symbol, let symbol = Symbol(text) {
            touchedBooks.insert(BookKey(partition: message.partition, symbol: symbol))
        }
    }

    /// A command the account book refused: its reject is stored and published like the engine's,
    /// and the refusal recorded so that a replay skips it (the engine never sees it).
    private mutating func refuse(_ command: OrderCommandMessage, reason: Reason, _ m: ConsumedMessage) {
        if command.type == .new { batch.appendOrder(command, ts: m.timestamp, partition: m.partition, offset: m.offset) }
        let report = ExecutionReportMessage(
            symbol: command.symbol ?? "", rejecting: command.orderID ?? "", reason: reason, side: command.side)
        batch.append(report, ts: m.timestamp, partition: m.partition, offset: m.offset)
        outgoing.append(OutgoingEvent(key: report.symbol, value: encode(.report(report))))
        batch.appendRefusal(
            topic: m.topic, partition: m.partition, offset: m.offset, ts: m.timestamp, orderID: command.orderID,
            symbol: command.symbol, account: command.account, reason: reason.description)
    }

    private mutating func store(_ event: OrderEventMessage, _ command: OrderCommandMessage, _ m: ConsumedMessage) {
        let parties = accounts.observe(event, command: command, partition: m.partition)
        switch event {
        case .report(let r):
            batch.append(r, ts: m.timestamp, partition: m.partition, offset: m.offset)
            outgoing.append(OutgoingEvent(key: r.symbol, value: encode(event)))
        case .execution(let x):
            batch.append(x, ts: m.timestamp, partition: m.partition, offset: m.offset,
                         makerAccount: parties?.maker, takerAccount: parties?.taker)
            executionCounts[x.symbol, default: 0] += 1
            outgoing.append(OutgoingEvent(key: x.symbol, value: encode(event)))
        }
    }

    private func encode(_ event: OrderEventMessage) -> [UInt8] {
        (try? Array(encoder.encode(event))) ?? []
    }

    /// Ids and names a command carries into the books and the tables: a symbol as docs/messages.md
    /// defines it, ids of 1–64 printable ASCII characters (what the API accepts in its paths), an
    /// account of at most 64 characters without control characters.
    static func validateIdentifiers(_ command: OrderCommandMessage) throws(MessageError) {
        if let symbol = command.symbol, Symbol(symbol) == nil {
            throw MessageError("invalid symbol \"\(symbol.prefix(60))\": 1-40 characters of A-Z a-z 0-9 . _ - : /")
        }
        if let id = command.orderID, !((1...64).contains(id.utf8.count) && id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })) {
            throw MessageError("invalid order_id: 1-64 printable ASCII characters without spaces")
        }
        if let quantity = command.quantity, quantity.value > MessageDecoder.maxSize {
            throw MessageError("quantity \(quantity.value) exceeds \(MessageDecoder.maxSize)")
        }
        if let account = command.account,
           !(account.unicodeScalars.count <= 64 && account.unicodeScalars.allSatisfy({ $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value) })) {
            throw MessageError("invalid account: at most 64 characters, no control characters")
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as MessageError: return error.description
        case DecodingError.dataCorrupted(let context):
            if context.codingPath.isEmpty { return "invalid JSON" }
            return "invalid \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, _): return "missing field \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context):
            return "wrong type for \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case DecodingError.valueNotFound(_, let context):
            return "null for \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "\(error)"
        }
    }
}
