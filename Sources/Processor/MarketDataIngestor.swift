import MarketCore
import MarketMessages
import PipelineContracts
import Store

/// Turns raw market-data messages into batch rows or dead letters, and coalesces the
/// notifications a batch announces (the latest quote and trade per symbol, not one per message,
/// so NOTIFY traffic stays bounded however fast the feed is).
public struct MarketDataIngestor: Sendable {
    /// Symbols that may be ingested; nil accepts any valid symbol.
    public var knownSymbols: Set<String>?
    /// How far from `now` a quote's or trade's `ts` may lie (dead letter outside).
    public var eventTime = EventTimeWindow.unlimited
    /// The processor's clock, set before each message.
    public var now = Timestamp(microseconds: 0)
    public let topics: TopicNames

    private var latestQuote: [Symbol: QuoteMessage] = [:]
    private var latestTrade: [Symbol: (TradePrintMessage, count: Int)] = [:]

    public init(knownSymbols: Set<String>? = nil, topics: TopicNames = .standard) {
        self.knownSymbols = knownSymbols
        self.topics = topics
    }

    /// Adds one message to `batch`: a row, or a dead letter with the reason. Never throws.
    public mutating func ingest(
        topic: String, partition: Int32, offset: Int64, key: [UInt8]?,
        payload: UnsafeRawBufferPointer, into batch: inout IngestBatch
    ) {
        do throws(MessageError) {
            switch topic {
            case topics.quotes:
                let quote = try MessageDecoder.quote(payload)
                try check(quote.symbol)
                if let reason = eventTime.rejection(of: quote.ts, now: now) { throw MessageError(reason) }
                batch.append(quote, partition: partition, offset: offset)
                latestQuote[quote.symbol] = quote
            case topics.trades:
                let trade = try MessageDecoder.tradePrint(payload)
                try check(trade.symbol)
                if let reason = eventTime.rejection(of: trade.ts, now: now) { throw MessageError(reason) }
                batch.append(trade, partition: partition, offset: offset)
                latestTrade[trade.symbol] = (trade, (latestTrade[trade.symbol]?.count ?? 0) + 1)
            default:
                throw MessageError("no market-data handler for topic \(topic)")
            }
        } catch {
            batch.deadLetters.append(DeadLetter(
                topic: topic, partition: partition, offset: offset, key: key,
                payload: Array(payload), error: error.description))
        }
        batch.consumed(PartitionKey(topic: topic, partition: partition), offset: offset)
    }

    private func check(_ symbol: Symbol) throws(MessageError) {
        if let knownSymbols, !knownSymbols.contains(symbol.rawValue) {
            throw MessageError("unknown symbol \(symbol.rawValue): not an active instrument in market.instruments")
        }
    }

    /// Moves the coalesced notifications into the batch; call once just before committing it.
    /// `id` names the batch in every notice (`batch`): unique per commit.
    public mutating func flushNotifications(into batch: inout IngestBatch, id: String) {
        for (symbol, q) in latestQuote.sorted(by: { $0.key < $1.key }) {
            batch.announce(QuoteNotice(symbol: symbol.rawValue, ts: q.ts.rfc3339, bid: q.bid?.decimalString,
                                       ask: q.ask?.decimalString, bidSize: q.bidSize, askSize: q.askSize, batch: id))
        }
        for (symbol, (t, count)) in latestTrade.sorted(by: { $0.key < $1.key }) {
            batch.announce(TradeNotice(symbol: symbol.rawValue, ts: t.ts.rfc3339, price: t.price.decimalString,
                                       size: t.size, count: count, batch: id))
        }
        latestQuote.removeAll(keepingCapacity: true)
        latestTrade.removeAll(keepingCapacity: true)
    }

    /// Forgets pending notifications (when a batch is abandoned and will be re-consumed).
    public mutating func discardNotifications() {
        latestQuote.removeAll(keepingCapacity: true)
        latestTrade.removeAll(keepingCapacity: true)
    }
}
