import MarketCore
import OrderBook

/// The trading tables' COPY row layouts, each beside the function that writes its rows in that
/// order (`CopyTextRows.endRow` traps on a row with another number of fields).
extension IngestBatch {
    static func orderRows() -> CopyTextRows {
        CopyTextRows(table: "trading.orders", columns: [
            "ts", "order_id", "symbol", "side", "order_type", "time_in_force", "price", "quantity",
            "post_only", "account", "src_partition", "src_offset", "stop_price", "trail_amount", "trail_percent"])
    }

    /// A `trading.orders` row for a new-order command, stamped `ts` (its Kafka time). False, and no
    /// row, when the command lacks a field an order needs (only its reject is stored then).
    @discardableResult
    public mutating func appendOrder(_ c: OrderCommandMessage, ts: Timestamp, partition: Int32, offset: Int64) -> Bool {
        guard let id = c.orderID, let symbolText = c.symbol, let symbol = Symbol(symbolText), let side = c.side,
              let type = c.orderType, let quantity = c.quantity else { return false }
        orders.partitionKey(ts)
        orders.text(id)
        orders.plain(symbol.rawValue)
        orders.plain(side.rawValue)
        orders.plain(type.rawValue)
        orders.plain((c.timeInForce ?? .gtc).rawValue)
        orders.price(type.hasLimitPrice ? c.price : nil)
        orders.int(quantity.value)
        orders.bool(c.postOnly ?? false)
        orders.text(c.account)
        orders.int(Int64(partition))
        orders.int(offset)
        orders.price(type == .stop || type == .stopLimit ? c.stopPrice : nil)
        orders.price(type == .trailingStop ? c.trailAmount : nil)
        orders.price(type == .trailingStop ? c.trailPercent : nil)
        orders.endRow()
        return true
    }

    static func orderEventRows() -> CopyTextRows {
        CopyTextRows(table: "trading.order_events", columns: [
            "ts", "seq", "order_id", "symbol", "event", "reason", "side", "price", "last_price",
            "last_quantity", "filled_quantity", "leaves_quantity", "src_partition", "src_offset"])
    }

    /// A `trading.order_events` row for one execution report of the command at (partition, offset).
    public mutating func append(_ r: ExecutionReportMessage, ts: Timestamp, partition: Int32, offset: Int64) {
        orderEvents.partitionKey(ts)
        orderEvents.int(Int64(r.seq ?? 0))
        orderEvents.text(r.orderID)
        orderEvents.text(r.symbol)
        orderEvents.plain(r.status)
        orderEvents.text(r.reason)
        if let side = r.side { orderEvents.plain(side.rawValue) } else { orderEvents.null() }
        orderEvents.price(r.price)
        orderEvents.price(r.lastPrice)
        orderEvents.int(r.lastQuantity?.value)
        orderEvents.int(r.filledQuantity.value)
        orderEvents.int(r.leavesQuantity.value)
        orderEvents.int(Int64(partition))
        orderEvents.int(offset)
        orderEvents.endRow()
    }

    static func executionRows() -> CopyTextRows {
        CopyTextRows(table: "trading.executions", columns: [
            "ts", "seq", "symbol", "price", "quantity", "aggressor_side", "maker_order_id",
            "taker_order_id", "src_partition", "src_offset", "maker_account", "taker_account"])
    }

    /// A `trading.executions` row for one fill of the command at (partition, offset), with the
    /// accounts of its two orders (nil for an order that named none).
    public mutating func append(
        _ x: ExecutionMessage, ts: Timestamp, partition: Int32, offset: Int64, makerAccount: String? = nil, takerAccount: String? = nil
    ) {
        executions.partitionKey(ts)
        executions.int(Int64(x.seq))
        executions.text(x.symbol)
        executions.price(x.price)
        executions.int(x.quantity.value)
        executions.plain(x.aggressor.rawValue)
        executions.text(x.makerOrderID)
        executions.text(x.takerOrderID)
        executions.int(Int64(partition))
        executions.int(offset)
        executions.text(makerAccount)
        executions.text(takerAccount)
        executions.endRow()
    }

    static func commandLogRows() -> CopyTextRows {
        CopyTextRows(table: "trading.command_log", columns: [
            "consumer_group", "topic", "kafka_partition", "log_id", "kafka_offset", "message_ts", "message_key", "payload"])
    }

    /// A `trading.command_log` row: a command a matching engine applied, as it came from the log
    /// (`logID` of `topic`/`partition`, '' when unknown), for rebuilding the books without the broker.
    public mutating func appendCommand(
        consumerGroup: String, topic: String, partition: Int32, logID: String, offset: Int64, ts: Timestamp,
        key: [UInt8]?, payload: [UInt8]
    ) {
        commandLog.text(consumerGroup)
        commandLog.text(topic)
        commandLog.int(Int64(partition))
        commandLog.text(logID)
        commandLog.int(offset)
        commandLog.timestamp(ts)
        if let key { commandLog.bytea(key) } else { commandLog.null() }
        commandLog.bytea(payload)
        commandLog.endRow()
    }

    static func engineSnapshotRows() -> CopyTextRows {
        CopyTextRows(table: "trading.engine_snapshots", columns: [
            "taken_at", "consumer_group", "topic", "kafka_partition", "next_offset", "book_count", "snapshot", "log_id"])
    }

    /// A `trading.engine_snapshots` row: one partition's whole engine (`MatchingEngine.snapshot()`),
    /// valid at `nextOffset` of that partition's log `logID` ('' when unknown).
    public mutating func appendEngineSnapshot(
        takenAt: Timestamp, consumerGroup: String, topic: String, partition: Int32, nextOffset: Int64,
        bookCount: Int, snapshot: [UInt8], logID: String
    ) {
        engineSnapshots.partitionKey(takenAt)
        engineSnapshots.text(consumerGroup)
        engineSnapshots.text(topic)
        engineSnapshots.int(Int64(partition))
        engineSnapshots.int(nextOffset)
        engineSnapshots.int(Int64(bookCount))
        engineSnapshots.bytea(snapshot)
        engineSnapshots.text(logID)
        engineSnapshots.endRow()
    }

    static func bookSnapshotRows() -> CopyTextRows {
        CopyTextRows(table: "trading.book_snapshots", columns: [
            "taken_at", "symbol", "topic", "kafka_partition", "next_offset", "book_seq", "best_bid", "best_ask",
            "bid_depth", "ask_depth", "snapshot", "depth"])
    }

    /// A `trading.book_snapshots` row: one book (`OrderBook.snapshot()`) with its top and depth
    /// (`depthJSON`, the levels as docs/processor.md shows them) for readers.
    public mutating func appendBookSnapshot(
        takenAt: Timestamp, symbol: Symbol, topic: String, partition: Int32, nextOffset: Int64, sequence: UInt64,
        bestBid: Price?, bestAsk: Price?, bidDepth: Int64, askDepth: Int64, snapshot: [UInt8], depthJSON: String
    ) {
        bookSnapshots.partitionKey(takenAt)
        bookSnapshots.plain(symbol.rawValue)
        bookSnapshots.text(topic)
        bookSnapshots.int(Int64(partition))
        bookSnapshots.int(nextOffset)
        bookSnapshots.int(Int64(sequence))
        bookSnapshots.price(bestBid)
        bookSnapshots.price(bestAsk)
        bookSnapshots.int(bidDepth)
        bookSnapshots.int(askDepth)
        bookSnapshots.bytea(snapshot)
        bookSnapshots.text(depthJSON)
        bookSnapshots.endRow()
    }
}
