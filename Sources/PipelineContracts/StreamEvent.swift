import Foundation

/// One event of `GET /api/v1/stream` (docs/api.md, "Live stream"; docs/api.yaml): its name is the
/// SSE `event:` field and its body, encoded with `WireJSON`, the `data:` line. The API sends these
/// and nothing else; a client (or a test) reads one back with `read(name:data:)`.
public enum StreamEvent: Sendable, Equatable {
    /// First: the channels this stream serves.
    case subscribed(SubscribedEvent)
    /// Every committed print of a subscribed symbol, in (ts, partition, offset) order.
    case trade(TradeEvent)
    /// The latest quote of a symbol per processor batch (the `md_quotes` payload).
    case quote(QuoteNotice)
    /// The symbol's published book, as `GET /orderbook/{symbol}` with 10 levels.
    case book(OrderBookBody)
    /// The portfolio's latest risk run, as `GET /risk/metrics/{id}`.
    case risk(RiskBody)
    /// The portfolio's positions, as `GET /portfolios/{id}/positions`.
    case positions(PositionListBody)
    /// The consumer group's topics, lag, rates, processors and dead letters, each second (`pipeline:GROUP`).
    case pipeline(PipelineBody)
    /// This client was too slow and missed the `dropped` oldest events.
    case dropped(DroppedEvent)
    /// A resumed stream (`Last-Event-ID`) cannot send what this channel missed: read it again
    /// through the REST API; live events follow.
    case reload(ReloadEvent)

    public enum Name: String, CaseIterable, Sendable {
        case subscribed, trade, quote, book, risk, positions, pipeline, dropped, reload
    }

    public var name: Name {
        switch self {
        case .subscribed: .subscribed
        case .trade: .trade
        case .quote: .quote
        case .book: .book
        case .risk: .risk
        case .positions: .positions
        case .pipeline: .pipeline
        case .dropped: .dropped
        case .reload: .reload
        }
    }

    /// The `data:` line: the body as one line of JSON.
    public func data() throws -> String {
        switch self {
        case .subscribed(let body): try WireJSON.text(body)
        case .trade(let body): try WireJSON.text(body)
        case .quote(let body): try WireJSON.text(body)
        case .book(let body): try WireJSON.text(body)
        case .risk(let body): try WireJSON.text(body)
        case .positions(let body): try WireJSON.text(body)
        case .pipeline(let body): try WireJSON.text(body)
        case .dropped(let body): try WireJSON.text(body)
        case .reload(let body): try WireJSON.text(body)
        }
    }

    /// The event a stream sent as `event: name` with `data`; throws when it is not one.
    public static func read(name: String, data: String) throws -> StreamEvent {
        guard let name = Name(rawValue: name) else { throw UnknownEvent(name: name) }
        let decoder = WireJSON.decoder()
        let bytes = Data(data.utf8)
        return switch name {
        case .subscribed: .subscribed(try decoder.decode(SubscribedEvent.self, from: bytes))
        case .trade: .trade(try decoder.decode(TradeEvent.self, from: bytes))
        case .quote: .quote(try decoder.decode(QuoteNotice.self, from: bytes))
        case .book: .book(try decoder.decode(OrderBookBody.self, from: bytes))
        case .risk: .risk(try decoder.decode(RiskBody.self, from: bytes))
        case .positions: .positions(try decoder.decode(PositionListBody.self, from: bytes))
        case .pipeline: .pipeline(try decoder.decode(PipelineBody.self, from: bytes))
        case .dropped: .dropped(try decoder.decode(DroppedEvent.self, from: bytes))
        case .reload: .reload(try decoder.decode(ReloadEvent.self, from: bytes))
        }
    }

    public struct UnknownEvent: Error, CustomStringConvertible {
        public var name: String
        public var description: String { "no stream event is called \(name)" }
    }
}

public struct SubscribedEvent: Codable, Sendable, Equatable {
    /// As requested, e.g. `trades:AAPL`, duplicates removed.
    public var channels: [String]
    public init(channels: [String]) { self.channels = channels }
}

public struct DroppedEvent: Codable, Sendable, Equatable {
    public var dropped: Int
    public init(dropped: Int) { self.dropped = dropped }
}

public struct ReloadEvent: Codable, Sendable, Equatable {
    /// The channel, e.g. `trades:AAPL`.
    public var channel: String
    /// Why its missed events cannot be sent.
    public var reason: String
    public init(channel: String, reason: String) { (self.channel, self.reason) = (channel, reason) }
}

public struct TradeEvent: Codable, Sendable, Equatable {
    public var symbol: String
    public var ts: String
    public var price: String
    public var size: Int64
    public init(symbol: String, ts: String, price: String, size: Int64) {
        (self.symbol, self.ts, self.price, self.size) = (symbol, ts, price, size)
    }
}
