import MarketCore

/// A top-of-book quote from `md.quotes`.
public struct QuoteMessage: Sendable, Hashable {
    public var symbol: Symbol
    public var ts: Timestamp
    public var bid: Price?
    public var ask: Price?
    public var bidSize: Int64
    public var askSize: Int64

    public init(symbol: Symbol, ts: Timestamp, bid: Price?, ask: Price?, bidSize: Int64, askSize: Int64) {
        self.symbol = symbol
        self.ts = ts
        self.bid = bid
        self.ask = ask
        self.bidSize = bidSize
        self.askSize = askSize
    }
}

/// A trade print from `md.trades`.
public struct TradePrintMessage: Sendable, Hashable {
    public var symbol: Symbol
    public var ts: Timestamp
    public var price: Price
    public var size: Int64

    public init(symbol: Symbol, ts: Timestamp, price: Price, size: Int64) {
        self.symbol = symbol
        self.ts = ts
        self.price = price
        self.size = size
    }
}

/// Why a message was refused; becomes the `error` of its dead letter.
public struct MessageError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
