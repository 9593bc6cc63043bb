import MarketCore
import OrderBook

/// What the processor knows about accounts between two commands: their terms, their positions
/// (which fills move), their live orders, and the last trade price of each symbol. It checks
/// every command before it reaches a matching engine (`refusal`) and follows what the engine did
/// (`observe`).
///
/// A refused command never reaches the engine, and the processor stores the refusal, so a replay
/// skips it: the books stay a pure function of the commands they saw, whatever the limits were.
/// Positions are stored with the offsets; after a restart they are loaded, and the live orders
/// are rebuilt from the restored books (`rebuild`).
public struct AccountBook: Sendable {
    /// `trading.accounts`, by account; reloaded when it changes.
    public var accounts: [String: AccountTerms]
    /// Refuse orders that name no account (`processor.requireAccount`); otherwise such orders are
    /// flow from outside the desk: they trade but move no position.
    public var requireAccount: Bool
    /// Each symbol's contract multiplier (1 when unknown), for notional.
    public var multipliers: [String: Int64] = [:]
    /// Positions by account, then symbol.
    public private(set) var positions: [String: [String: Position]] = [:]
    /// Positions changed since `takeChangedPositions`.
    private var changed: Set<PositionKey> = []
    private var live: [LiveKey: LiveOrder] = [:]
    private var openOrders: [String: Int] = [:]
    /// Open quantity per account and symbol: (buy, sell).
    private var working: [PositionKey: (buy: Int64, sell: Int64)] = [:]
    /// The last trade price of each symbol in our books, in units.
    public private(set) var marks: [String: Int64] = [:]

    public struct PositionKey: Sendable, Hashable, Comparable {
        public var account: String
        public var symbol: String

        public init(account: String, symbol: String) {
            self.account = account
            self.symbol = symbol
        }

        public static func < (a: Self, b: Self) -> Bool { (a.account, a.symbol) < (b.account, b.symbol) }
    }

    struct LiveKey: Hashable {
        var partition: Int32
        var symbol: String
        var clientID: String
    }

    struct LiveOrder {
        var account: String
        var side: Side
        var leaves: Int64
    }

    public init(accounts: [String: AccountTerms] = [:], requireAccount: Bool = false) {
        self.accounts = accounts
        self.requireAccount = requireAccount
    }

    // MARK: checks

    /// Why `command` must not reach the engine, or nil. Only `new` and `modify` are checked; a
    /// cancel or an end of day always passes.
    public func refusal(of command: OrderCommandMessage, partition: Int32) -> Reason? {
        switch command.type {
        case .new:
            guard let account = command.account else { return requireAccount ? .unknownAccount : nil }
            guard let terms = accounts[account] else { return .unknownAccount }
            guard let symbol = command.symbol, let side = command.side, let quantity = command.quantity?.value else { return nil }
            if let max = terms.maxOpenOrders, openOrders[account, default: 0] >= max { return .maxOpenOrdersExceeded }
            if let max = terms.maxPosition, exposure(account, symbol, side, adding: quantity) > max.value {
                return .maxPositionExceeded
            }
            if let max = terms.maxGrossNotional {
                let price = command.price?.units ?? command.stopPrice?.units ?? marks[symbol] ?? 0
                let order = Int128(quantity) * Int128(price) * Int128(multiplier(symbol))
                if grossNotional(account) + order > Int128(max.units) { return .maxGrossNotionalExceeded }
            }
            return nil
        case .modify:
            guard let symbol = command.symbol, let id = command.orderID, let quantity = command.quantity?.value,
                  let order = live[LiveKey(partition: partition, symbol: symbol, clientID: id)],
                  let max = accounts[order.account]?.maxPosition, quantity > order.leaves
            else { return nil }
            return exposure(order.account, symbol, order.side, adding: quantity - order.leaves) > max.value
                ? .maxPositionExceeded : nil
        case .cancel, .endOfDay, .massCancel:
            return nil
        }
    }

    /// The absolute position `account` would hold in `symbol` if all its open orders on `side`,
    /// and `quantity` more, filled.
    func exposure(_ account: String, _ symbol: String, _ side: Side, adding quantity: Int64) -> Int64 {
        let key = PositionKey(account: account, symbol: symbol)
        let position = positions[account]?[symbol]?.quantity ?? 0
        let open = working[key] ?? (0, 0)
        let total = side == .buy ? position + open.buy + quantity : position - open.sell - quantity
        return total == .min ? .max : abs(total)
    }

    /// Σ |position| × mark × multiplier over the account's symbols, in units; a symbol that has
    /// not traded in our books is valued at its cost basis.
    func grossNotional(_ account: String) -> Int128 {
        var total: Int128 = 0
        for (symbol, position) in positions[account] ?? [:] where position.quantity != 0 {
            let value = marks[symbol].map { Int128(position.quantity.magnitude) * Int128($0) } ?? Int128(position.costBasis.magnitude)
            total += value * Int128(multiplier(symbol))
        }
        return total
    }

    func multiplier(_ symbol: String) -> Int64 { multipliers[symbol] ?? 1 }

    // MARK: following the engine

    /// The accounts of an execution's two sides.
    public struct Parties: Sendable, Hashable {
        public var maker: String?
        public var taker: String?
    }

    /// Follows one event the engine emitted for `command` (in the order emitted): live orders on
    /// reports, positions and marks on executions. Returns the parties of an execution.
    @discardableResult
    public mutating func observe(_ event: OrderEventMessage, command: OrderCommandMessage, partition: Int32) -> Parties? {
        switch event {
        case .report(let report):
            follow(report, command: command, partition: partition)
            return nil
        case .execution(let execution):
            return fill(execution, command: command, partition: partition)
        }
    }

    private mutating func follow(_ report: ExecutionReportMessage, command: OrderCommandMessage, partition: Int32) {
        // Market flow (no account) while no account order is live: nothing to follow, and no
        // status to parse, on the hot path.
        guard !live.isEmpty || command.account != nil else { return }
        let key = LiveKey(partition: partition, symbol: report.symbol, clientID: report.orderID)
        let leaves = report.leavesQuantity.value
        switch ExecutionReport.Kind(name: report.status) {
        case .accepted?, .dormant?:
            guard live[key] == nil, command.type == .new, command.orderID == report.orderID,
                  let account = command.account, let side = report.side ?? command.side else { return }
            add(key, LiveOrder(account: account, side: side, leaves: leaves))
        case .partiallyFilled?, .replaced?, .triggered?:
            guard let order = live[key] else { return }
            setLeaves(key, order, leaves)
        case .filled?, .cancelled?, .expired?:
            guard let order = live[key] else { return }
            setLeaves(key, order, 0)
            live[key] = nil
            openOrders[order.account, default: 1] -= 1
        case .rejected?, nil:
            return
        }
    }

    private mutating func add(_ key: LiveKey, _ order: LiveOrder) {
        live[key] = order
        openOrders[order.account, default: 0] += 1
        setLeaves(key, LiveOrder(account: order.account, side: order.side, leaves: 0), order.leaves)
    }

    /// Moves the open quantity of a live order from its recorded leaves to `leaves`.
    private mutating func setLeaves(_ key: LiveKey, _ order: LiveOrder, _ leaves: Int64) {
        let delta = leaves - order.leaves
        let position = PositionKey(account: order.account, symbol: key.symbol)
        var open = working[position] ?? (0, 0)
        if order.side == .buy { open.buy += delta } else { open.sell += delta }
        working[position] = open == (0, 0) ? nil : open
        live[key]?.leaves = leaves
    }

    private mutating func fill(_ x: ExecutionMessage, command: OrderCommandMessage, partition: Int32) -> Parties {
        marks[x.symbol] = x.price.units
        func account(_ clientID: String) -> String? {
            if !live.isEmpty, let order = live[LiveKey(partition: partition, symbol: x.symbol, clientID: clientID)] { return order.account }
            // A taker that filled in full at once may never have been live (no `accepted` first).
            return command.type == .new && command.orderID == clientID ? command.account : nil
        }
        let parties = Parties(maker: account(x.makerOrderID), taker: account(x.takerOrderID))
        let buyer = x.aggressor == .buy ? parties.taker : parties.maker
        let seller = x.aggressor == .buy ? parties.maker : parties.taker
        if let buyer { apply(buyer, x.symbol, .buy, x) }
        if let seller { apply(seller, x.symbol, .sell, x) }
        return parties
    }

    private mutating func apply(_ account: String, _ symbol: String, _ side: Side, _ x: ExecutionMessage) {
        positions[account, default: [:]][symbol, default: Position()].apply(side, quantity: x.quantity.value, price: x.price.units)
        changed.insert(PositionKey(account: account, symbol: symbol))
    }

    // MARK: state from outside

    /// The positions changed since the last call, sorted, to store with the batch.
    public mutating func takeChangedPositions() -> [(key: PositionKey, position: Position)] {
        let keys = changed.sorted()
        changed.removeAll(keepingCapacity: true)
        return keys.map { ($0, positions[$0.account]![$0.symbol]!) }
    }

    /// Replaces every position with the stored ones (as the last committed batch left them).
    public mutating func load(positions stored: [PositionKey: Position]) {
        positions = [:]
        for (key, position) in stored { positions[key.account, default: [:]][key.symbol] = position }
        changed.removeAll()
    }

    /// Forgets the live orders of a commands partition (it moved away, or is being rebuilt).
    public mutating func forget(partition: Int32) {
        for (key, order) in live where key.partition == partition {
            setLeaves(key, order, 0)
            live[key] = nil
            openOrders[order.account, default: 1] -= 1
        }
        openOrders = openOrders.filter { $0.value != 0 }
    }

    /// Takes the live orders and last trade prices of a partition's restored engine.
    public mutating func rebuild(partition: Int32, from engine: MatchingEngine) {
        forget(partition: partition)
        for order in engine.liveOrders() {
            guard let account = order.account else { continue }
            add(LiveKey(partition: partition, symbol: order.symbol.rawValue, clientID: order.clientID),
                LiveOrder(account: account, side: order.side, leaves: order.leavesQuantity.value))
        }
        for symbol in engine.symbols {
            if let price = engine.book(symbol)?.lastTradePrice, price > 0 { marks[symbol.rawValue] = price }
        }
    }

    /// Open orders of `account` (for tests and diagnostics).
    public func openOrderCount(_ account: String) -> Int { openOrders[account] ?? 0 }

    /// The open (buy, sell) quantity of `account` in `symbol`.
    public func openQuantity(_ account: String, _ symbol: String) -> (buy: Int64, sell: Int64) {
        working[PositionKey(account: account, symbol: symbol)] ?? (0, 0)
    }
}
