import MarketCore

/// What happened to one order as the result of a command.
public struct ExecutionReport: Sendable, Hashable {
    public enum Kind: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case accepted, rejected, partiallyFilled, filled, cancelled, expired, replaced
        /// A stop order was accepted and waits off the book for its trigger.
        case dormant
        /// A dormant stop's trigger was reached: it enters the book now, with this sequence's time priority.
        case triggered

        public var description: String {
            switch self {
            case .accepted: "accepted"
            case .rejected: "rejected"
            case .partiallyFilled: "partially_filled"
            case .filled: "filled"
            case .cancelled: "cancelled"
            case .expired: "expired"
            case .replaced: "replaced"
            case .dormant: "dormant"
            case .triggered: "triggered"
            }
        }

        public init?(name: String) {
            guard let match = Kind.allCases.first(where: { $0.description == name }) else { return nil }
            self = match
        }
    }

    /// Position in the book's gapless event sequence (shared with trades).
    public var sequence: UInt64
    public var kind: Kind
    /// `none` unless the kind is `rejected`, `cancelled` or `expired`.
    public var reason: Reason
    public var orderID: OrderID
    /// Nil only when a cancel or modify names an order the book does not hold.
    public var side: Side?
    /// The order's limit price; zero for market orders and unknown orders.
    public var price: Price
    /// Quantity and price of this fill (zero unless `partiallyFilled` or `filled`).
    public var lastQuantity: Quantity
    public var lastPrice: Price
    /// Cumulative filled quantity of the order.
    public var filledQuantity: Quantity
    /// Quantity still open in the book after this event.
    public var leavesQuantity: Quantity

    public init(
        sequence: UInt64, kind: Kind, reason: Reason = .none, orderID: OrderID, side: Side?, price: Price,
        lastQuantity: Quantity = .zero, lastPrice: Price = .zero, filledQuantity: Quantity, leavesQuantity: Quantity
    ) {
        self.sequence = sequence
        self.kind = kind
        self.reason = reason
        self.orderID = orderID
        self.side = side
        self.price = price
        self.lastQuantity = lastQuantity
        self.lastPrice = lastPrice
        self.filledQuantity = filledQuantity
        self.leavesQuantity = leavesQuantity
    }
}

/// One match between a resting (maker) order and an incoming (taker) order, at the maker's price.
public struct Trade: Sendable, Hashable {
    public var sequence: UInt64
    public var makerOrderID: OrderID
    public var takerOrderID: OrderID
    public var price: Price
    public var quantity: Quantity
    /// The taker's side.
    public var aggressor: Side

    public init(sequence: UInt64, makerOrderID: OrderID, takerOrderID: OrderID, price: Price, quantity: Quantity, aggressor: Side) {
        self.sequence = sequence
        self.makerOrderID = makerOrderID
        self.takerOrderID = takerOrderID
        self.price = price
        self.quantity = quantity
        self.aggressor = aggressor
    }
}

/// The book's output, in sequence order. For each fill the book emits the trade, then the maker's
/// report, then the taker's report.
public enum BookEvent: Sendable, Hashable {
    case report(ExecutionReport)
    case trade(Trade)

    public var sequence: UInt64 {
        switch self {
        case .report(let report): report.sequence
        case .trade(let trade): trade.sequence
        }
    }
}
