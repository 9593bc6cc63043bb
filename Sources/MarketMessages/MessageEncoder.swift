import MarketCore

/// Writes the wire format (used by `quant feed` and tests). Hand-written for speed and so that
/// prices are always decimal strings.
public enum MessageEncoder {
    public static func quote(_ q: QuoteMessage) -> [UInt8] {
        var s = "{\"type\":\"quote\",\"v\":1,\"symbol\":\"\(q.symbol.rawValue)\",\"ts\":\"\(q.ts.rfc3339)\""
        if let bid = q.bid { s += ",\"bid\":\"\(bid.decimalString)\"" }
        if let ask = q.ask { s += ",\"ask\":\"\(ask.decimalString)\"" }
        s += ",\"bid_size\":\(q.bidSize),\"ask_size\":\(q.askSize)}"
        return Array(s.utf8)
    }

    public static func tradePrint(_ t: TradePrintMessage) -> [UInt8] {
        Array("{\"type\":\"trade\",\"v\":1,\"symbol\":\"\(t.symbol.rawValue)\",\"ts\":\"\(t.ts.rfc3339)\",\"price\":\"\(t.price.decimalString)\",\"size\":\(t.size)}".utf8)
    }
}
