import MarketCore

/// Limit orders rest at their price; market orders take whatever the opposite side offers.
/// Stop orders wait off the book (dormant) until the last trade price reaches their trigger, then
/// enter as a market (`stop`, `trailingStop`) or limit (`stopLimit`) order; see docs/orderbook.md.
public enum OrderType: String, Sendable, Hashable, Codable, CaseIterable {
    case limit
    case market
    case stop
    case stopLimit = "stop_limit"
    case trailingStop = "trailing_stop"

    /// Whether the order waits for a trigger before it enters the book.
    @inlinable public var isStop: Bool { self == .stop || self == .stopLimit || self == .trailingStop }

    /// Whether the order carries a limit price (once it is in the book).
    @inlinable public var hasLimitPrice: Bool { self == .limit || self == .stopLimit }
}

/// How long an order may live.
///
/// `gtc` and `day` rest until filled or cancelled (`day` also until `OrderBook.expireDayOrders()`);
/// `ioc` fills what it can at once and cancels the rest; `fok` fills completely at once or not at all.
/// Market orders never rest: they behave as `ioc` unless they are `fok`.
public enum TimeInForce: String, Sendable, Hashable, Codable, CaseIterable {
    case gtc
    case day
    case ioc
    case fok

    @inlinable public var isImmediate: Bool { self == .ioc || self == .fok }
}

/// A new order as the book sees it: prices and quantities already parsed, the id already interned.
public struct NewOrder: Sendable, Hashable {
    public var id: OrderID
    public var side: Side
    public var type: OrderType
    /// The limit price; ignored for market orders.
    public var price: Price
    public var quantity: Quantity
    public var timeInForce: TimeInForce
    public var postOnly: Bool
    public var owner: OwnerID
    /// What wakes a stop order: `.price` for `stop` and `stopLimit`, a trail for `trailingStop`.
    public var trigger: StopTrigger?

    public init(
        id: OrderID, side: Side, type: OrderType = .limit, price: Price = .zero, quantity: Quantity,
        timeInForce: TimeInForce = .gtc, postOnly: Bool = false, owner: OwnerID = .none, trigger: StopTrigger? = nil
    ) {
        self.trigger = trigger
        self.id = id
        self.side = side
        self.type = type
        self.price = price
        self.quantity = quantity
        self.timeInForce = timeInForce
        self.postOnly = postOnly
        self.owner = owner
    }
}

/// A change to a resting order. `quantity` is the new *open* (leaves) quantity.
///
/// A price change or a larger quantity sends the order to the back of its (new) level;
/// a smaller quantity at the same price keeps its place in the queue. `stopPrice` changes the
/// trigger of a dormant `stop` or `stopLimit` order (and nothing else).
public struct ModifyOrder: Sendable, Hashable {
    public var id: OrderID
    public var price: Price?
    public var quantity: Quantity?
    public var stopPrice: Price?

    public init(id: OrderID, price: Price? = nil, quantity: Quantity? = nil, stopPrice: Price? = nil) {
        self.id = id
        self.price = price
        self.quantity = quantity
        self.stopPrice = stopPrice
    }
}

/// Everything the book can be asked to do.
public enum OrderCommand: Sendable, Hashable {
    case new(NewOrder)
    case cancel(OrderID)
    case modify(ModifyOrder)
    /// Expire every resting `day` order (the book has no clock; the caller decides when a day ends).
    case endOfDay
    /// Cancel every live order of `owner` (of everyone when nil): resting orders, then dormant
    /// stops, each in acceptance order, `cancelled` with reason `mass_cancel`.
    case cancelAll(owner: OwnerID?)
}
