import PostgresNIO

/// Reads order status and fills from `api.order_status` and `api.executions`.
struct OrderReader: Sendable {
    let database: ReaderDatabase

    /// The account of order `id` in `symbol`'s book: nil when there is no such order, `.some(nil)`
    /// when the order names no account.
    func account(_ id: String, symbol: String) async throws -> String?? {
        try await database.row("""
            SELECT account FROM api.order_status WHERE order_id = \(id) AND symbol = \(symbol)
            ORDER BY submitted_at DESC LIMIT 1
            """) { row in try row.decode(String?.self) }
    }

    /// The columns of `api.order_status` that `status(_:)` reads, in its order.
    static let statusColumns = """
        order_id, symbol, side, order_type, time_in_force, trim_scale(price)::text, quantity, post_only,
        account, api.rfc3339(submitted_at), status, reason, api.rfc3339(updated_at),
        filled_quantity::bigint, trim_scale(average_price)::text, leaves_quantity,
        trim_scale(stop_price)::text, trim_scale(trail_amount)::text, trim_scale(trail_percent)::text
        """

    /// An order of `statusColumns`, without its fills.
    @Sendable static func status(_ row: PostgresRow) throws -> OrderStatusBody {
        let (orderID, symbol, side, type, tif, price, quantity, postOnly, account, submitted, status, reason, updated, filled, average, leaves,
             stopPrice, trailAmount, trailPercent) =
            try row.decode((String, String, String, String, String, String?, Int64, Bool, String?, String, String, String?, String?, Int64, String?, Int64?,
                            String?, String?, String?).self)
        return OrderStatusBody(orderId: orderID, symbol: symbol, side: side, orderType: type, timeInForce: tif,
                               price: price, quantity: quantity, postOnly: postOnly, account: account,
                               submittedAt: submitted, status: status, reason: reason, updatedAt: updated,
                               filledQuantity: filled, averagePrice: average, leavesQuantity: leaves,
                               stopPrice: stopPrice, trailAmount: trailAmount, trailPercent: trailPercent, fills: nil)
    }

    /// The symbols where `account` has orders the blotter shows as open, sorted.
    func symbolsWithOpenOrders(of account: String) async throws -> [String] {
        try await database.rows("""
            SELECT DISTINCT symbol FROM api.order_status
            WHERE account = \(account) AND status = ANY(\(OrderBlotterQuery.open)::text[])
            ORDER BY symbol
            """) { try $0.decode(String.self) }
    }

    /// The order `id`; in `symbol`'s book when given, else the most recently submitted one with that id.
    func status(_ id: String, symbol: String?) async throws -> OrderStatusBody? {
        let symbol = symbol ?? ""
        guard var order = try await database.row("""
            SELECT \(unescaped: Self.statusColumns) FROM api.order_status
            WHERE order_id = \(id) AND (\(symbol) = '' OR symbol = \(symbol))
            ORDER BY submitted_at DESC LIMIT 1
            """, Self.status)
        else { return nil }
        let orderSymbol = order.symbol
        order.fills = try await database.rows("""
            SELECT api.rfc3339(ts), seq, trim_scale(price)::text, quantity,
                   CASE WHEN maker_order_id = \(id) THEN 'maker' ELSE 'taker' END
            FROM api.executions
            WHERE symbol = \(orderSymbol) AND (maker_order_id = \(id) OR taker_order_id = \(id))
            ORDER BY seq LIMIT 1000
            """) { row in
            let (ts, seq, price, quantity, liquidity) = try row.decode((String, Int64, String, Int64, String).self)
            return FillBody(ts: ts, seq: seq, price: price, quantity: quantity, liquidity: liquidity)
        }
        return order
    }
}
