/// Response bodies of the market endpoints. Prices are exact decimal strings, as on the wire
/// (docs/messages.md); times are RFC 3339 UTC with microseconds.
public struct InstrumentBody: Codable, Sendable {
    public var symbol: String
    public var name: String?
    public var kind: String
    public var currency: String
    public var tickSize: String
    public var lotSize: Int64
    public var multiplier: String
    public var underlying: String?
    public var strike: String?
    public var expiry: String?
    public var optionRight: String?
    public var active: Bool
}

public struct InstrumentListBody: Codable, Sendable {
    public var instruments: [InstrumentBody]
    public var nextCursor: String?
}

public struct QuoteBody: Codable, Sendable {
    public var ts: String
    public var bid: String?
    public var ask: String?
    public var bidSize: Int64
    public var askSize: Int64
    public var mid: String?
    public var spread: String?
}

public struct TradeBody: Codable, Sendable {
    public var ts: String
    public var price: String
    public var size: Int64
    public var notional: String?
}

public struct MarketDataBody: Codable, Sendable {
    public var symbol: String
    public var quote: QuoteBody?
    public var lastTrade: TradeBody?
    /// Quote ticks, newest first.
    public var ticks: [QuoteBody]
    public var nextCursor: String?
}

public struct TradeListBody: Codable, Sendable {
    public var symbol: String
    /// Trade prints, newest first.
    public var trades: [TradeBody]
    public var nextCursor: String?
}

public struct BarBody: Codable, Sendable {
    public var start: String
    public var open: String
    public var high: String
    public var low: String
    public var close: String
    public var volume: String
    public var vwap: String?
    public var tradeCount: Int64
    /// `trade`, or `quote_mid` for a bucket without trades made of two-sided quotes' mids.
    public var source: String
}

public struct BarListBody: Codable, Sendable {
    public var symbol: String
    public var interval: String
    public var bars: [BarBody]
}
