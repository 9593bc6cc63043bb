/// Response bodies of the order endpoints (from `api.order_status`, `api.executions`).
public struct OrderStatusBody: Codable, Sendable {
    public var orderId: String
    public var symbol: String
    public var side: String
    public var orderType: String
    public var timeInForce: String
    public var price: String?
    public var quantity: Int64
    public var postOnly: Bool
    public var account: String?
    public var submittedAt: String
    /// `pending` until the first execution report, then the last report's status (`dormant` for a
    /// stop waiting for its trigger, `triggered` for one that entered the book and rests untouched).
    public var status: String
    public var reason: String?
    public var updatedAt: String?
    public var filledQuantity: Int64
    public var averagePrice: String?
    public var leavesQuantity: Int64?
    /// Trigger terms of stop orders; absent for others.
    public var stopPrice: String?
    public var trailAmount: String?
    public var trailPercent: String?
    /// Every fill (`GET /orders/{id}`); absent in the blotter.
    public var fills: [FillBody]?
}

/// `GET /orders`: a page of the blotter, newest first.
public struct OrderListBody: Codable, Sendable {
    public var orders: [OrderStatusBody]
    public var nextCursor: String?
}

public struct FillBody: Codable, Sendable {
    public var ts: String
    public var seq: Int64
    public var price: String
    public var quantity: Int64
    /// `maker` when the order was resting, `taker` when it crossed.
    public var liquidity: String
}
