import Foundation
import Hummingbird
import MarketCore

/// `GET /instruments`, `/market/data/{symbol}`, `/trades/{symbol}`, `/orderbook/{symbol}`, `/bars/{symbol}`.
struct MarketController: Sendable {
    let reader: MarketReader
    let limits: APIConfiguration.Limits
    /// Serves the order book and the first page of market data between change announcements.
    var cache: ReadCache?

    func addRoutes(to group: RouterGroup<APIRequestContext>) {
        group.get("instruments", use: instruments)
        group.get("market/data/:symbol", use: marketData)
        group.get("trades/:symbol", use: trades)
        group.get("orderbook/:symbol", use: orderBook)
        group.get("bars/:symbol", use: bars)
    }

    @Sendable func instruments(_ request: Request, context: APIRequestContext) async throws -> Response {
        let cursor = try KeyCursor(RequestParameters(request: request, context: context), limits: limits,
                                   isValid: RequestParameters.isSymbol)
        let rows = try await reader.instruments(after: cursor.after, limit: cursor.limit + 1)
        let (page, next) = cursor.page(rows) { $0.symbol }
        return try JSONBody.response(InstrumentListBody(instruments: page, nextCursor: next))
    }

    @Sendable func marketData(_ request: Request, context: APIRequestContext) async throws -> Response {
        let p = RequestParameters(request: request, context: context)
        let symbol = try p.symbol()
        let (range, cursor, limit) = try pageParameters(p)
        let load: @Sendable () async throws -> ByteBuffer = { [reader] in
            // All four at once: a load's latency is one query's, not two in a row.
            async let exists = reader.instrumentExists(symbol)
            async let quote = reader.latestQuote(symbol)
            async let trade = reader.lastTrade(symbol)
            let rows = try await reader.quotes(symbol, range: range, cursor: cursor, limit: limit)
            guard try await exists else { throw Problem.notFound("unknown symbol \(symbol)") }
            let ticks = Array(rows.prefix(limit))
            let next = rows.count > limit ? PageCursor.after(ticks.map(\.ts), previous: cursor)?.encoded : nil
            return try JSONBody.buffer(MarketDataBody(symbol: symbol, quote: try await quote, lastTrade: try await trade,
                                                      ticks: ticks, nextCursor: next))
        }
        // Only the newest page is shared by many clients; ranges and cursors go to the database.
        guard let cache, range.from == nil, range.to == nil, cursor == nil else { return JSONBody.response(buffer: try await load()) }
        return JSONBody.response(buffer: try await cache.body(.init(source: .market, symbol: symbol), variant: limit,
                                                              acceptStale: Self.acceptsStale(request), load: load))
    }

    @Sendable func trades(_ request: Request, context: APIRequestContext) async throws -> Response {
        let p = RequestParameters(request: request, context: context)
        let symbol = try p.symbol()
        let (range, cursor, limit) = try pageParameters(p)
        guard try await reader.instrumentExists(symbol) else { throw Problem.notFound("unknown symbol \(symbol)") }
        let rows = try await reader.trades(symbol, range: range, cursor: cursor, limit: limit)
        let page = Array(rows.prefix(limit))
        let next = rows.count > limit ? PageCursor.after(page.map(\.ts), previous: cursor)?.encoded : nil
        return try JSONBody.response(TradeListBody(symbol: symbol, trades: page, nextCursor: next))
    }

    @Sendable func orderBook(_ request: Request, context: APIRequestContext) async throws -> Response {
        let p = RequestParameters(request: request, context: context)
        let symbol = try p.symbol()
        let depth = try p.int("depth", default: 10, range: 1...10)
        let load: @Sendable () async throws -> ByteBuffer = { [reader] in
            guard let book = try await reader.orderBook(symbol, depth: depth) else {
                if try await reader.instrumentExists(symbol) {
                    throw Problem.notFound("no order book has been published for \(symbol) yet")
                }
                throw Problem.notFound("unknown symbol \(symbol)")
            }
            return try JSONBody.buffer(book)
        }
        guard let cache else { return JSONBody.response(buffer: try await load()) }
        return JSONBody.response(buffer: try await cache.body(.init(source: .book, symbol: symbol), variant: depth,
                                                              acceptStale: Self.acceptsStale(request), load: load))
    }

    /// Bar widths: the `interval` parameter and the Postgres interval it means.
    static let intervals: [String: (sql: String, microseconds: Int64)] = [
        "1m": ("1 minute", 60_000_000), "5m": ("5 minutes", 300_000_000), "15m": ("15 minutes", 900_000_000),
        "1h": ("1 hour", 3_600_000_000), "1d": ("1 day", 86_400_000_000),
    ]

    @Sendable func bars(_ request: Request, context: APIRequestContext) async throws -> Response {
        let p = RequestParameters(request: request, context: context)
        let symbol = try p.symbol()
        let name = p.query("interval") ?? "1m"
        guard let width = Self.intervals[name] else {
            throw Problem.badParameter("interval", "one of 1m, 5m, 15m, 1h, 1d")
        }
        let maxBars = Int64(limits.maxPageSize)
        let from = try p.timestamp("from"), to = try p.timestamp("to")
        let now = Timestamp(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000))
        let end = to ?? from.map { Timestamp(microseconds: $0.microseconds + maxBars * width.microseconds).clampedToStorable } ?? now
        let start = from ?? Timestamp(microseconds: end.microseconds - min(100, maxBars) * width.microseconds).clampedToStorable
        guard start <= end else { throw Problem.badParameter("from", "must not be after to") }
        guard (end.microseconds - start.microseconds) / width.microseconds <= maxBars else {
            throw Problem.badParameter("to", "at most \(maxBars) bars per request: narrow from/to or widen interval")
        }
        guard try await reader.instrumentExists(symbol) else { throw Problem.notFound("unknown symbol \(symbol)") }
        let bars = try await reader.bars(symbol, width: width.sql, from: start.rfc3339, to: end.rfc3339)
        return try JSONBody.response(BarListBody(symbol: symbol, interval: name, bars: bars))
    }

    /// False when the request says `Cache-Control: no-cache` (or `max-age=0`): it then waits for
    /// rows at least as new as the last change announcement (docs/api.md, "Read cache").
    static func acceptsStale(_ request: Request) -> Bool {
        guard let value = request.headers[.cacheControl]?.lowercased() else { return true }
        let directives = value.split(separator: ",").map { $0.filter { !$0.isWhitespace } }
        return !directives.contains { $0 == "no-cache" || $0 == "max-age=0" }
    }

    private func pageParameters(_ p: RequestParameters) throws -> (TimeRange, PageCursor?, Int) {
        let range = try p.timeRange(maxDays: limits.maxRangeDays)
        let cursor = try PageCursor.read(p)
        let limit = try p.int("limit", default: min(100, limits.maxPageSize), range: 1...limits.maxPageSize)
        return (range, cursor, limit)
    }
}
