import MarketCore
import MarketMessages

/// The tick tables' COPY row layouts, each beside the function that writes its rows in that order.
extension IngestBatch {
    static func quoteRows() -> CopyTextRows {
        CopyTextRows(table: "market.quotes", columns: [
            "ts", "symbol", "bid", "ask", "bid_size", "ask_size", "src_partition", "src_offset"])
    }

    public mutating func append(_ q: QuoteMessage, partition: Int32, offset: Int64) {
        quotes.partitionKey(q.ts)
        quotes.plain(q.symbol.rawValue)
        quotes.price(q.bid)
        quotes.price(q.ask)
        quotes.int(q.bidSize)
        quotes.int(q.askSize)
        quotes.int(Int64(partition))
        quotes.int(offset)
        quotes.endRow()
    }

    static func tradeRows() -> CopyTextRows {
        CopyTextRows(table: "market.trades", columns: ["ts", "symbol", "price", "size", "src_partition", "src_offset"])
    }

    public mutating func append(_ t: TradePrintMessage, partition: Int32, offset: Int64) {
        trades.partitionKey(t.ts)
        trades.plain(t.symbol.rawValue)
        trades.price(t.price)
        trades.int(t.size)
        trades.int(Int64(partition))
        trades.int(offset)
        trades.endRow()
    }
}
