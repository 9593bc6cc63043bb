import Foundation
import MarketCore
import PostgresNIO

/// `GET /orders`: what the blotter is asked for, read from the query and checked.
struct OrderBlotterQuery: Sendable {
    var symbol: String?
    var account: String?
    /// Statuses to keep (`open` stands for every status of a live order); empty: all.
    var statuses: [String] = []
    var side: String?
    var range: TimeRange
    var limit: Int
    var after: OrderCursor?

    /// Every status `api.order_status` reports.
    static let statuses = ["pending", "accepted", "rejected", "partially_filled", "filled", "cancelled", "expired",
                           "modified", "replaced", "dormant", "triggered"]
    /// The statuses of an order that is still live (resting, dormant or not yet processed).
    static let open = ["pending", "accepted", "partially_filled", "modified", "replaced", "dormant", "triggered"]

    init(_ p: RequestParameters, limits: APIConfiguration.Limits) throws {
        if let symbol = p.query("symbol") {
            guard RequestParameters.isSymbol(symbol) else {
                throw Problem.badParameter("symbol", "a symbol is 1-40 characters of A-Z a-z 0-9 . _ - : /")
            }
            self.symbol = symbol
        }
        if let account = p.query("account") {
            guard (1...64).contains(account.utf8.count), account.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw Problem.badParameter("account", "1-64 printable ASCII characters without spaces")
            }
            self.account = account
        }
        if let text = p.query("status") {
            for name in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                if name == "open" { statuses += Self.open; continue }
                guard Self.statuses.contains(name) else {
                    throw Problem.badParameter("status", "a comma list of open, \(Self.statuses.joined(separator: ", "))")
                }
                statuses.append(name)
            }
        }
        if let side = p.query("side") {
            guard side == "buy" || side == "sell" else { throw Problem.badParameter("side", "buy or sell") }
            self.side = side
        }
        range = try p.timeRange(maxDays: limits.maxRangeDays)
        limit = try p.int("limit", default: min(100, limits.maxPageSize), range: 1...limits.maxPageSize)
        if let text = p.query("cursor") {
            guard let cursor = OrderCursor(encoded: text) else { throw Problem.badParameter("cursor", "not a cursor this API returned") }
            after = cursor
        }
    }
}

/// Where a blotter page ended: the last order's submission time, symbol and id (the blotter's
/// order, newest first; together they name one order).
struct OrderCursor: Sendable, Equatable {
    var submittedAt: String
    var symbol: String
    var orderID: String

    var encoded: String { Base64URL.encode("\(submittedAt)|\(symbol)|\(orderID)") }

    init(submittedAt: String, symbol: String, orderID: String) {
        (self.submittedAt, self.symbol, self.orderID) = (submittedAt, symbol, orderID)
    }

    init?(encoded: String) {
        guard let text = Base64URL.decode(encoded) else { return nil }
        // Symbols hold no `|`; an order id may, so it is the rest.
        let parts = text.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, Timestamp(rfc3339: parts[0])?.isStorable == true, RequestParameters.isSymbol(String(parts[1])),
              (1...64).contains(parts[2].utf8.count), parts[2].utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        self.init(submittedAt: String(parts[0]), symbol: String(parts[1]), orderID: String(parts[2]))
    }
}

extension OrderReader {
    /// A page of the blotter (`api.order_status`), newest first, without fills; the cursor of the
    /// next page when there may be one.
    func list(_ q: OrderBlotterQuery) async throws -> OrderListBody {
        let after = q.after
        let rows = try await database.rows("""
            SELECT \(unescaped: Self.statusColumns)
            FROM api.order_status
            WHERE submitted_at >= \(q.range.sqlFrom)::timestamptz AND submitted_at < \(q.range.sqlTo)::timestamptz
              AND (\(q.symbol)::text IS NULL OR symbol = \(q.symbol))
              AND (\(q.account)::text IS NULL OR account = \(q.account))
              AND (\(q.side)::text IS NULL OR side = \(q.side))
              AND (cardinality(\(q.statuses)::text[]) = 0 OR status = ANY(\(q.statuses)::text[]))
              AND (\(after?.submittedAt)::timestamptz IS NULL
                   OR (submitted_at, symbol, order_id) < (\(after?.submittedAt)::timestamptz, \(after?.symbol ?? ""), \(after?.orderID ?? "")))
            ORDER BY submitted_at DESC, symbol DESC, order_id DESC
            LIMIT \(q.limit + 1)
            """, Self.status)
        let page = Array(rows.prefix(q.limit))
        let next = rows.count > q.limit ? page.last.map {
            OrderCursor(submittedAt: $0.submittedAt, symbol: $0.symbol, orderID: $0.orderId).encoded
        } : nil
        return OrderListBody(orders: page, nextCursor: next)
    }
}
