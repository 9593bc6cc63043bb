import Foundation
import PipelineContracts
import PostgresNIO

/// Reads instruments, quotes, trades, book depth and bars from the `api` views and functions.
/// Numbers are cast to text in SQL (`trim_scale(x)::text`) so prices stay exact decimals.
struct MarketReader: Sendable {
    let database: ReaderDatabase

    func instrumentExists(_ symbol: String) async throws -> Bool {
        try await database.row("SELECT 1 FROM api.instruments WHERE symbol = \(symbol)") { _ in true } ?? false
    }

    /// Tick size, lot size and whether `symbol` trades, for order validation.
    func tradingTerms(_ symbol: String) async throws -> (tickSize: String, lotSize: Int64, active: Bool)? {
        try await database.row("""
            SELECT trim_scale(tick_size)::text, lot_size, active FROM api.instruments WHERE symbol = \(symbol)
            """) { try $0.decode((String, Int64, Bool).self) }
    }

    /// Instruments by symbol after `after`; only `only` when given.
    func instruments(after: String?, limit: Int, only: String? = nil) async throws -> [InstrumentBody] {
        let after = after ?? ""
        return try await database.rows("""
            SELECT symbol, name, kind, currency::text, trim_scale(tick_size)::text, lot_size,
                   trim_scale(multiplier)::text, underlying, trim_scale(strike)::text, expiry::text,
                   option_right, active
            FROM api.instruments WHERE symbol > \(after) AND (\(only)::text IS NULL OR symbol = \(only)) ORDER BY symbol LIMIT \(limit)
            """) { row in
            let (symbol, name, kind, currency, tick, lot, multiplier, underlying, strike, expiry, right, active) =
                try row.decode((String, String?, String, String, String, Int64, String, String?, String?, String?, String?, Bool).self)
            return InstrumentBody(symbol: symbol, name: name, kind: kind, currency: currency, tickSize: tick, lotSize: lot,
                                  multiplier: multiplier, underlying: underlying, strike: strike, expiry: expiry,
                                  optionRight: right, active: active)
        }
    }

    func latestQuote(_ symbol: String) async throws -> QuoteBody? {
        try await database.row("""
            SELECT api.rfc3339(ts), trim_scale(bid)::text, trim_scale(ask)::text, bid_size, ask_size,
                   trim_scale(mid)::text, trim_scale(spread)::text
            FROM api.latest_quotes WHERE symbol = \(symbol)
            """, Self.quote)
    }

    func lastTrade(_ symbol: String) async throws -> TradeBody? {
        try await database.row("""
            SELECT api.rfc3339(ts), trim_scale(price)::text, size, trim_scale(price * size)::text
            FROM api.latest_trades WHERE symbol = \(symbol)
            """, Self.trade)
    }

    /// Quote ticks newest first in `range`, after `cursor`; one row more than `limit` says whether more follow.
    func quotes(_ symbol: String, range: TimeRange, cursor: PageCursor?, limit: Int) async throws -> [QuoteBody] {
        let before = cursor?.ts ?? "infinity", skip = cursor?.skip ?? 0
        return try await database.rows("""
            SELECT api.rfc3339(ts), trim_scale(bid)::text, trim_scale(ask)::text, bid_size, ask_size,
                   trim_scale(mid)::text, trim_scale(spread)::text
            FROM api.quotes
            WHERE symbol = \(symbol) AND ts >= \(range.sqlFrom)::timestamptz AND ts < \(range.sqlTo)::timestamptz
              AND ts <= \(before)::timestamptz
            ORDER BY ts DESC, bid, ask, bid_size, ask_size
            OFFSET \(skip) LIMIT \(limit + 1)
            """, Self.quote)
    }

    /// Trade prints newest first, paged like `quotes`.
    func trades(_ symbol: String, range: TimeRange, cursor: PageCursor?, limit: Int) async throws -> [TradeBody] {
        let before = cursor?.ts ?? "infinity", skip = cursor?.skip ?? 0
        return try await database.rows("""
            SELECT api.rfc3339(ts), trim_scale(price)::text, size, trim_scale(notional)::text
            FROM api.trades
            WHERE symbol = \(symbol) AND ts >= \(range.sqlFrom)::timestamptz AND ts < \(range.sqlTo)::timestamptz
              AND ts <= \(before)::timestamptz
            ORDER BY ts DESC, price, size
            OFFSET \(skip) LIMIT \(limit + 1)
            """, Self.trade)
    }

    /// The latest published book of `symbol` with its top `depth` levels per side (from `api.book_tops`).
    private func book(_ symbol: String, depth: Int) async throws -> (OrderBookBody, bidsJSON: String, asksJSON: String)? {
        try await database.row("""
            SELECT api.rfc3339(taken_at), book_seq, trim_scale(best_bid)::text, trim_scale(best_ask)::text,
                   trim_scale(spread)::text, bid_depth, ask_depth,
                   coalesce((SELECT jsonb_agg(level ORDER BY n) FROM jsonb_array_elements(depth -> 'bids')
                             WITH ORDINALITY AS l(level, n) WHERE n <= \(depth)), '[]')::text,
                   coalesce((SELECT jsonb_agg(level ORDER BY n) FROM jsonb_array_elements(depth -> 'asks')
                             WITH ORDINALITY AS l(level, n) WHERE n <= \(depth)), '[]')::text
            FROM api.book_tops WHERE symbol = \(symbol)
            """) { row in
            let (taken, seq, bid, ask, spread, bidDepth, askDepth, bids, asks) =
                try row.decode((String, Int64, String?, String?, String?, Int64, Int64, String, String).self)
            return (OrderBookBody(symbol: symbol, takenAt: taken, sequence: seq, bestBid: bid, bestAsk: ask, spread: spread,
                                  bidDepth: bidDepth, askDepth: askDepth, bids: [], asks: []), bids, asks)
        }
    }

    /// The latest published book of `symbol` with its top `depth` levels per side, decoded.
    func orderBook(_ symbol: String, depth: Int) async throws -> OrderBookBody? {
        guard let (body, bidsJSON, asksJSON) = try await book(symbol, depth: depth) else { return nil }
        var book = body
        let decoder = JSONDecoder()
        book.bids = try decoder.decode([BookLevelBody].self, from: Data(bidsJSON.utf8))
        book.asks = try decoder.decode([BookLevelBody].self, from: Data(asksJSON.utf8))
        return book
    }

    /// OHLCV bars of `width` (a Postgres interval, e.g. `5 minutes`) starting in [from, to), from
    /// the stored rollups through `api.bars`, oldest first.
    func bars(_ symbol: String, width: String, from: String, to: String) async throws -> [BarBody] {
        try await database.rows("""
            SELECT api.rfc3339(bucket), trim_scale(open)::text, trim_scale(high)::text, trim_scale(low)::text,
                   trim_scale(close)::text, trim_scale(volume)::text, trim_scale(vwap)::text, trade_count, source
            FROM api.bars(\(symbol), \(width)::interval, \(from)::timestamptz, \(to)::timestamptz)
            """) { row in
            let (start, open, high, low, close, volume, vwap, count, source) =
                try row.decode((String, String, String, String, String, String, String?, Int64, String).self)
            return BarBody(start: start, open: open, high: high, low: low, close: close, volume: volume, vwap: vwap,
                           tradeCount: count, source: source)
        }
    }

    @Sendable static func quote(_ row: PostgresRow) throws -> QuoteBody {
        let (ts, bid, ask, bidSize, askSize, mid, spread) =
            try row.decode((String, String?, String?, Int64, Int64, String?, String?).self)
        return QuoteBody(ts: ts, bid: bid, ask: ask, bidSize: bidSize, askSize: askSize, mid: mid, spread: spread)
    }

    @Sendable static func trade(_ row: PostgresRow) throws -> TradeBody {
        let (ts, price, size, notional) = try row.decode((String, String, Int64, String?).self)
        return TradeBody(ts: ts, price: price, size: size, notional: notional)
    }
}
