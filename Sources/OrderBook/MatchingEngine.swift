import MarketCore

/// One `OrderBook` per symbol behind the wire format: it validates messages, interns the clients'
/// string order ids (unique per symbol) and accounts into the book's integer ids, and turns the
/// book's events back into messages that carry the clients' ids.
///
/// Client ids of live (resting or dormant) orders are always known. Closed orders (filled,
/// cancelled, expired) are remembered for a while so that a reused id is a `duplicate_order_id`
/// and a cancel of a finished order is told apart (`order_closed`) from an unknown one: the last
/// `closedOrderMemory` closed orders of the whole engine, in the order they closed. Older ones are
/// forgotten (their ids answer like ids never seen, and may be used for new orders), and so are all
/// closed orders of a book at its end of day, since client ids are unique per trading day. So memory
/// is bounded by the live orders plus `closedOrderMemory`, not by the orders of the engine's life.
public struct MatchingEngine: Sendable {
    /// A book and the client ids of its live and remembered closed orders.
    public struct SymbolBook: Sendable {
        public internal(set) var book: OrderBook
        var ids = ClientOrderIDs()

        func clientID(_ id: OrderID, current: String) -> String { ids.clientID(id) ?? current }
    }

    public let configuration: BookConfiguration
    /// Pre-trade limits checked before a new order or a modify reaches its book.
    public var limits: PreTradeLimitTable = .init()
    /// Instruments by symbol; a symbol without one uses `defaultInstrument`, or is refused when nil.
    public var instruments: [Symbol: Instrument]
    public var defaultInstrument: Instrument?
    public internal(set) var books: [Symbol: SymbolBook] = [:]
    var owners: [String: OwnerID] = [:]
    /// How many closed orders (across all books) keep their client ids; configuration, not state.
    public let closedOrderMemory: Int
    public static let defaultClosedOrderMemory = 100_000
    /// The remembered closed orders, oldest first; never more than `closedOrderMemory`.
    var closedOrders = ClosedOrderQueue()

    public init(
        instruments: [Instrument] = [], defaultInstrument: Instrument? = nil, configuration: BookConfiguration = .init(),
        limits: PreTradeLimitTable = .init(), closedOrderMemory: Int = MatchingEngine.defaultClosedOrderMemory
    ) {
        self.closedOrderMemory = max(0, closedOrderMemory)
        self.limits = limits
        self.instruments = Dictionary(instruments.map { ($0.symbol, $0) }, uniquingKeysWith: { $1 })
        self.defaultInstrument = defaultInstrument
        self.configuration = configuration
    }

    /// Symbols with a book, sorted.
    public var symbols: [Symbol] { books.keys.sorted() }

    public func book(_ symbol: Symbol) -> OrderBook? { books[symbol]?.book }

    /// Applies one command message and returns the events it caused.
    public mutating func handle(_ message: OrderCommandMessage) -> [OrderEventMessage] {
        let clientID = message.orderID ?? ""
        if message.type == .endOfDay && message.symbol == nil { return endOfDay() }
        guard let text = message.symbol, let symbol = Symbol(text), let instrument = instrument(for: symbol) else {
            let report = ExecutionReportMessage(
                symbol: message.symbol ?? "", rejecting: clientID, reason: .unknownSymbol, side: message.side)
            return [.report(report)]
        }
        // Moved out of the dictionary while it changes: a copy left behind would make every command
        // copy the whole book (copy-on-write), O(orders) per command.
        var entry = books.removeValue(forKey: symbol)
            ?? SymbolBook(book: OrderBook(instrument: instrument, configuration: configuration))
        defer { books[symbol] = entry }
        apply(message, clientID: clientID, symbol: symbol, to: &entry)
        // The messages first: closing an order drops its OrderID → client id entry.
        let events = messages(entry, symbol: text, clientID: clientID)
        queueClosedOrders(of: &entry, symbol: symbol)
        if message.type == .endOfDay { forgetClosedOrders(of: &entry, symbol: symbol) }
        return events
    }

    /// Validates one command of a known symbol and applies it to its book; `entry.book.events` says what happened.
    mutating func apply(_ message: OrderCommandMessage, clientID: String, symbol: Symbol, to entry: inout SymbolBook) {
        let placeholder = OrderID(0)
        if message.type == .endOfDay { return entry.book.endOfDay() }
        if message.type == .massCancel {
            // An account that never sent an order here has nothing to cancel: no owner, no event.
            guard let account = message.account else { return entry.book.apply(.cancelAll(owner: nil)) }
            guard let owner = owners[account] else { return entry.book.events.removeAll() }
            return entry.book.apply(.cancelAll(owner: owner))
        }
        guard (1...64).contains(clientID.utf8.count) else { return entry.book.reject(placeholder, reason: .invalidCommand) }

        switch message.type {
        case .new:
            guard let side = message.side, let type = message.orderType, let quantity = message.quantity else {
                return entry.book.reject(placeholder, side: message.side, reason: .invalidCommand)
            }
            if type.hasLimitPrice && message.price == nil {
                return entry.book.reject(placeholder, side: side, reason: .invalidPrice)
            }
            let existing = entry.ids[clientID]
            if let existing, !entry.book.contains(existing) {
                return entry.book.reject(placeholder, side: side, price: message.price ?? .zero, reason: .duplicateOrderID)
            }
            // A live order's id: the book itself rejects the duplicate, describing that order.
            let id = existing ?? entry.ids.next
            let order = NewOrder(
                id: id, side: side, type: type, price: type.hasLimitPrice ? message.price ?? .zero : .zero, quantity: quantity,
                timeInForce: message.timeInForce ?? .gtc, postOnly: message.postOnly ?? false, owner: owner(message.account),
                trigger: message.trigger)
            if let reason = limitViolation(order, book: entry.book, symbol: symbol) {
                return entry.book.reject(placeholder, side: side, price: order.price, reason: reason)
            }
            entry.book.apply(.new(order))
            if case .report(let first) = entry.book.events.first, first.kind == .accepted || first.kind == .dormant {
                entry.ids.remember(clientID)
            }
        case .cancel, .modify:
            guard let id = entry.ids[clientID] else { return entry.book.reject(placeholder, reason: .unknownOrder) }
            guard entry.book.contains(id) else { return entry.book.reject(id, reason: .orderClosed) }
            if message.type == .cancel {
                entry.book.apply(.cancel(id))
            } else if message.price == nil && message.quantity == nil && message.stopPrice == nil {
                entry.book.reject(id, reason: .invalidCommand)
            } else {
                let modify = ModifyOrder(id: id, price: message.price, quantity: message.quantity, stopPrice: message.stopPrice)
                if let reason = limitViolation(modify, book: entry.book, symbol: symbol) {
                    entry.book.reject(id, reason: reason)
                } else {
                    entry.book.apply(.modify(modify))
                }
            }
        case .endOfDay, .massCancel:
            break
        }
    }

    /// Expires the day orders of every book, in symbol order, then forgets every closed order.
    public mutating func endOfDay() -> [OrderEventMessage] {
        var result: [OrderEventMessage] = []
        for symbol in symbols {
            var entry = books.removeValue(forKey: symbol)!
            entry.book.endOfDay()
            result += messages(entry, symbol: symbol.rawValue, clientID: "")
            queueClosedOrders(of: &entry, symbol: symbol)
            books[symbol] = entry
        }
        // As `forgetClosedOrders(of:symbol:)`, for every book at once.
        for closed in closedOrders.removeAll() { books[closed.symbol]?.ids.forget(closed.clientID, closed.id) }
        return result
    }

    /// The L2 depth of every book, in symbol order.
    public func depth(levels: Int = .max) -> [DepthMessage] {
        symbols.map { DepthMessage(symbol: $0.rawValue, book: books[$0]!.book, levels: levels) }
    }

    /// The pre-trade limit a new order breaks: notional at its limit price, else its stop price,
    /// else the last trade price.
    func limitViolation(_ order: NewOrder, book: OrderBook, symbol: Symbol) -> Reason? {
        let limits = limits.limits(for: symbol)
        guard !limits.isNone else { return nil }
        let limit = order.type.hasLimitPrice ? order.price.units : 0
        var reference = limit
        if reference == 0, case .price(let stop)? = order.trigger { reference = stop.units }
        if reference == 0 { reference = book.lastTradePrice }
        return limits.violation(
            quantity: order.quantity.value, limitPrice: limit, referencePrice: reference, lastTradePrice: book.lastTradePrice)
    }

    /// The pre-trade limit a modify breaks, judged on the order's terms after the change.
    func limitViolation(_ modify: ModifyOrder, book: OrderBook, symbol: Symbol) -> Reason? {
        let limits = limits.limits(for: symbol)
        guard !limits.isNone, let terms = book.limitTerms(modify.id) else { return nil }
        let quantity = modify.quantity?.value ?? terms.quantity
        let limit = modify.price?.units ?? terms.limit
        let reference = limit > 0 ? limit : modify.stopPrice?.units ?? (terms.stop > 0 ? terms.stop : book.lastTradePrice)
        return limits.violation(quantity: quantity, limitPrice: limit, referencePrice: reference, lastTradePrice: book.lastTradePrice)
    }

    func instrument(for symbol: Symbol) -> Instrument? {
        if let instrument = instruments[symbol] { return instrument }
        guard var template = defaultInstrument else { return nil }
        template.symbol = symbol
        return template
    }

    /// Accounts become small owner ids for self-trade prevention; no account means no owner.
    mutating func owner(_ account: String?) -> OwnerID {
        guard let account, !account.isEmpty else { return .none }
        if let owner = owners[account] { return owner }
        let owner = OwnerID(UInt32(owners.count + 1))
        owners[account] = owner
        return owner
    }

    func messages(_ entry: SymbolBook, symbol: String, clientID: String) -> [OrderEventMessage] {
        entry.book.events.map { event in
            switch event {
            case .report(let report):
                .report(ExecutionReportMessage(symbol: symbol, report: report, orderID: entry.clientID(report.orderID, current: clientID)))
            case .trade(let trade):
                .execution(
                    ExecutionMessage(
                        symbol: symbol, trade: trade, makerOrderID: entry.clientID(trade.makerOrderID, current: clientID),
                        takerOrderID: entry.clientID(trade.takerOrderID, current: clientID)))
            }
        }
    }
}
