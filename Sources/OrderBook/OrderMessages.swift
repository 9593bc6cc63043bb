import MarketCore

// The JSON messages of the `orders.commands` and `orders.events` topics (docs/messages.md), as
// plain Codable values so that the processor, the replay tool and tests share one definition.
// Encoding them needs a JSON coder from outside this module; nothing here does I/O.

/// One message of `orders.commands`: `new`, `cancel`, `modify`, or the replay tool's `end_of_day`.
public struct OrderCommandMessage: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable {
        case new, cancel, modify
        /// Expire the day orders of `symbol`, or of every book when `symbol` is absent.
        case endOfDay = "end_of_day"
        /// Cancel every live order in `symbol`'s book, only `account`'s when it is given.
        case massCancel = "mass_cancel"
    }

    public var type: Kind
    public var v: Int?
    public var orderID: String?
    public var symbol: String?
    public var side: Side?
    public var orderType: OrderType?
    public var price: Price?
    public var quantity: Quantity?
    public var timeInForce: TimeInForce?
    public var postOnly: Bool?
    public var account: String?
    /// The trigger of a `stop` or `stop_limit` order (new, or modify while dormant).
    public var stopPrice: Price?
    /// The trail of a `trailing_stop`: an absolute distance, or a percentage of the best last price.
    public var trailAmount: Price?
    public var trailPercent: Price?

    enum CodingKeys: String, CodingKey {
        case type, v, symbol, side, price, quantity, account
        case orderID = "order_id"
        case orderType = "order_type"
        case timeInForce = "time_in_force"
        case postOnly = "post_only"
        case stopPrice = "stop_price"
        case trailAmount = "trail_amount"
        case trailPercent = "trail_percent"
    }

    /// The stop trigger the message names; nil when it names none (or both trails, which is invalid).
    public var trigger: StopTrigger? {
        if let stopPrice { return .price(stopPrice) }
        switch (trailAmount, trailPercent) {
        case (let amount?, nil): return .trailAmount(amount)
        case (nil, let percent?): return .trailPercent(percent)
        default: return nil
        }
    }

    public init(
        type: Kind, orderID: String? = nil, symbol: String? = nil, side: Side? = nil, orderType: OrderType? = nil,
        price: Price? = nil, quantity: Quantity? = nil, timeInForce: TimeInForce? = nil, postOnly: Bool? = nil,
        account: String? = nil, stopPrice: Price? = nil, trailAmount: Price? = nil, trailPercent: Price? = nil
    ) {
        self.stopPrice = stopPrice
        self.trailAmount = trailAmount
        self.trailPercent = trailPercent
        self.type = type
        self.orderID = orderID
        self.symbol = symbol
        self.side = side
        self.orderType = orderType
        self.price = price
        self.quantity = quantity
        self.timeInForce = timeInForce
        self.postOnly = postOnly
        self.account = account
    }
}

/// `{"type":"execution_report", ...}`: an `ExecutionReport` with the client's order id.
public struct ExecutionReportMessage: Codable, Sendable, Hashable {
    public var type = "execution_report"
    public var symbol: String
    /// The book's event sequence; absent only for a command naming no known symbol.
    public var seq: UInt64?
    /// accepted, rejected, partially_filled, filled, cancelled, expired, replaced, dormant or triggered.
    public var status: String
    /// Reject, cancel or expiry reason (docs/orderbook.md); absent otherwise.
    public var reason: String?
    public var orderID: String
    public var side: Side?
    /// The order's limit price; absent for market orders and unknown orders.
    public var price: Price?
    public var lastQuantity: Quantity?
    public var lastPrice: Price?
    public var filledQuantity: Quantity
    public var leavesQuantity: Quantity

    enum CodingKeys: String, CodingKey {
        case type, symbol, seq, status, reason, side, price
        case orderID = "order_id"
        case lastQuantity = "last_quantity"
        case lastPrice = "last_price"
        case filledQuantity = "filled_quantity"
        case leavesQuantity = "leaves_quantity"
    }

    public init(symbol: String, report: ExecutionReport, orderID: String) {
        self.symbol = symbol
        seq = report.sequence
        status = report.kind.description
        reason = report.reason == .none ? nil : report.reason.description
        self.orderID = orderID
        side = report.side
        price = report.price.units == 0 ? nil : report.price
        lastQuantity = report.lastQuantity.value == 0 ? nil : report.lastQuantity
        lastPrice = report.lastQuantity.value == 0 ? nil : report.lastPrice
        filledQuantity = report.filledQuantity
        leavesQuantity = report.leavesQuantity
    }

    /// A reject decided before any book was found (unknown symbol).
    public init(symbol: String, rejecting orderID: String, reason: Reason, side: Side? = nil) {
        self.symbol = symbol
        seq = nil
        status = ExecutionReport.Kind.rejected.description
        self.reason = reason.description
        self.orderID = orderID
        self.side = side
        filledQuantity = .zero
        leavesQuantity = .zero
    }
}

/// `{"type":"execution", ...}`: one trade, at the maker's price.
public struct ExecutionMessage: Codable, Sendable, Hashable {
    public var type = "execution"
    public var symbol: String
    public var seq: UInt64
    public var makerOrderID: String
    public var takerOrderID: String
    public var price: Price
    public var quantity: Quantity
    public var aggressor: Side

    enum CodingKeys: String, CodingKey {
        case type, symbol, seq, price, quantity, aggressor
        case makerOrderID = "maker_order_id"
        case takerOrderID = "taker_order_id"
    }

    public init(symbol: String, trade: Trade, makerOrderID: String, takerOrderID: String) {
        self.symbol = symbol
        seq = trade.sequence
        self.makerOrderID = makerOrderID
        self.takerOrderID = takerOrderID
        price = trade.price
        quantity = trade.quantity
        aggressor = trade.aggressor
    }
}

/// One message of `orders.events`.
public enum OrderEventMessage: Codable, Sendable, Hashable {
    case report(ExecutionReportMessage)
    case execution(ExecutionMessage)

    enum TypeKey: String, CodingKey { case type }

    public init(from decoder: any Decoder) throws {
        let type = try decoder.container(keyedBy: TypeKey.self).decode(String.self, forKey: .type)
        switch type {
        case "execution_report": self = .report(try ExecutionReportMessage(from: decoder))
        case "execution": self = .execution(try ExecutionMessage(from: decoder))
        default:
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "unknown order event type \(type)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .report(let report): try report.encode(to: encoder)
        case .execution(let execution): try execution.encode(to: encoder)
        }
    }
}

/// `{"type":"depth", ...}`: the aggregated levels of one book, best first.
public struct DepthMessage: Codable, Sendable, Hashable {
    public struct Level: Codable, Sendable, Hashable {
        public var price: Price
        public var quantity: Quantity
        public var orders: Int
    }

    public var type = "depth"
    public var symbol: String
    public var bids: [Level]
    public var asks: [Level]

    public init(symbol: String, book: OrderBook, levels: Int = .max) {
        self.symbol = symbol
        func convert(_ level: DepthLevel) -> Level { Level(price: level.price, quantity: level.quantity, orders: level.orderCount) }
        bids = book.depth(.buy, levels: levels).map(convert)
        asks = book.depth(.sell, levels: levels).map(convert)
    }
}
