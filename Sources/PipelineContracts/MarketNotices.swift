/// The processor's per-batch announcements (docs/processor.md, "Notifications"). Each starts with
/// `symbol`, so a consumer that needs only the symbol (the API's read cache) reads that. Prices are
/// exact decimal strings, times RFC 3339. `batch` (market notices) names the commit that sent
/// them: the `md_quotes` and `md_trades` notices of one committed batch share it, so a consumer
/// that reloads per commit (the API's read cache) reloads once, not once per channel.

/// `md_quotes`: the latest quote of a symbol in the batch.
public struct QuoteNotice: NotifyPayload {
    public static let channel = NotifyChannel.mdQuotes
    public static let wireKeys = ["symbol", "ts", "bid", "ask", "bid_size", "ask_size", "batch"]
    public var symbol: String
    public var ts: String
    public var bid: String?
    public var ask: String?
    public var bidSize: Int64
    public var askSize: Int64
    /// The committed batch that sent it (nil when not sent by a processor's commit).
    public var batch: String?

    public init(symbol: String, ts: String, bid: String?, ask: String?, bidSize: Int64, askSize: Int64, batch: String? = nil) {
        (self.symbol, self.ts, self.bid, self.ask, self.bidSize, self.askSize) = (symbol, ts, bid, ask, bidSize, askSize)
        self.batch = batch
    }

    public var payload: String {
        var o = JSONObjectText()
        o.string("symbol", symbol); o.string("ts", ts); o.string("bid", bid); o.string("ask", ask)
        o.number("bid_size", bidSize); o.number("ask_size", askSize); o.string("batch", batch)
        return o.close()
    }
}

/// `md_trades`: the latest print of a symbol in the batch and how many the batch had.
public struct TradeNotice: NotifyPayload {
    public static let channel = NotifyChannel.mdTrades
    public static let wireKeys = ["symbol", "ts", "price", "size", "count", "batch"]
    public var symbol: String
    public var ts: String
    public var price: String
    public var size: Int64
    public var count: Int
    /// The committed batch that sent it (nil when not sent by a processor's commit).
    public var batch: String?

    public init(symbol: String, ts: String, price: String, size: Int64, count: Int, batch: String? = nil) {
        (self.symbol, self.ts, self.price, self.size, self.count) = (symbol, ts, price, size, count)
        self.batch = batch
    }

    public var payload: String {
        var o = JSONObjectText()
        o.string("symbol", symbol); o.string("ts", ts); o.string("price", price)
        o.number("size", size); o.number("count", count); o.string("batch", batch)
        return o.close()
    }
}

/// `book_bbo`: best bid and offer of a book the batch touched (null: that side is empty).
public struct BookTopNotice: NotifyPayload {
    public static let channel = NotifyChannel.bookBBO
    public static let wireKeys = ["symbol", "bid", "ask"]
    public var symbol: String
    public var bid: String?
    public var ask: String?

    public init(symbol: String, bid: String?, ask: String?) {
        (self.symbol, self.bid, self.ask) = (symbol, bid, ask)
    }

    public var payload: String {
        var o = JSONObjectText()
        o.string("symbol", symbol); o.string("bid", bid); o.string("ask", ask)
        return o.close()
    }
}

/// `book_executions`: how many executions a symbol had in the batch.
public struct ExecutionsNotice: NotifyPayload {
    public static let channel = NotifyChannel.bookExecutions
    public static let wireKeys = ["symbol", "count"]
    public var symbol: String
    public var count: Int

    public init(symbol: String, count: Int) {
        (self.symbol, self.count) = (symbol, count)
    }

    public var payload: String {
        var o = JSONObjectText()
        o.string("symbol", symbol); o.number("count", count)
        return o.close()
    }
}

/// `book_depth`: the symbol's published depth (`trading.book_depth`) now holds sequence `seq`.
public struct BookDepthNotice: NotifyPayload {
    public static let channel = NotifyChannel.bookDepth
    public static let wireKeys = ["symbol", "seq"]
    public var symbol: String
    public var seq: Int64

    public init(symbol: String, seq: Int64) {
        (self.symbol, self.seq) = (symbol, seq)
    }

    public var payload: String {
        var o = JSONObjectText()
        o.string("symbol", symbol); o.number("seq", seq)
        return o.close()
    }
}
