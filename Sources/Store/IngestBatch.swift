import MarketCore
import PipelineContracts

/// Where a consumer stands in one Kafka partition.
public struct PartitionKey: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)/\(partition)" }
}

/// A message that could not be ingested, kept whole with the reason.
public struct DeadLetter: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    public var payload: [UInt8]
    public var error: String

    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, payload: [UInt8], error: String) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.payload = payload
        self.error = error
    }
}

/// Everything one transaction commits: rows for each table (as COPY text), dead letters, the
/// next offset of every partition the batch covers, and the NOTIFYs announced on commit.
public struct IngestBatch: Sendable {
    // Each table's columns are defined beside the function that writes its rows:
    // IngestBatch+MarketData.swift (ticks) and IngestBatch+Trading.swift (orders, books).
    public var quotes = IngestBatch.quoteRows()
    public var trades = IngestBatch.tradeRows()
    public var orders = IngestBatch.orderRows()
    public var orderEvents = IngestBatch.orderEventRows()
    public var executions = IngestBatch.executionRows()
    /// Commands the engines applied (`trading.command_log`): copied before the engine snapshots,
    /// whose insert trigger reads how far the log goes.
    public var commandLog = IngestBatch.commandLogRows()
    public var engineSnapshots = IngestBatch.engineSnapshotRows()
    public var bookSnapshots = IngestBatch.bookSnapshotRows()
    /// The books' latest depth, upserted into `trading.book_depth` (one row per symbol).
    public var bookDepth: [BookDepthRow] = []
    /// Positions the batch's fills changed (`IngestBatch+Accounts.swift`), upserted.
    public var positions: [PositionRow] = []
    /// Commands refused before matching, which replays skip.
    public var refusals: [RefusedCommand] = []
    /// Further tables added by their writers.
    public var extraTables: [CopyTextRows] = []
    public var deadLetters: [DeadLetter] = []
    public var nextOffsets: [PartitionKey: Int64] = [:]
    /// The log (topic id; '' when unknown) each partition's offsets and dead letters belong to. A
    /// batch never holds two logs of one partition: the processor commits before it switches.
    public var logIDs: [PartitionKey: String] = [:]
    /// Where the writer expects each partition's stored offsets to be before this batch (nil: no
    /// row yet). When set, the batch moves them only from there (`BatchWriter.moveOffsets`); nil
    /// for tools and tests that write without owning partitions.
    public var expectedPositions: [PartitionKey: StoredPosition?]?
    /// (channel, payload) pairs, sent with pg_notify inside the transaction, so only on commit.
    /// Added by `announce`, so each payload is its channel's contract type.
    public private(set) var notifications: [(channel: NotifyChannel, payload: String)] = []
    /// Messages consumed into this batch (rows + dead letters + skipped).
    public var messageCount = 0

    public init() {}

    /// Sends `notice` on its channel when this batch commits.
    public mutating func announce<Notice: NotifyPayload>(_ notice: Notice) {
        notifications.append((Notice.channel, notice.payload))
    }

    public var tables: [CopyTextRows] {
        [quotes, trades, orders, orderEvents, executions, commandLog, engineSnapshots, bookSnapshots] + extraTables
    }

    public var isEmpty: Bool {
        messageCount == 0 && nextOffsets.isEmpty && rowCount == 0 && bookDepth.isEmpty && positions.isEmpty && refusals.isEmpty
    }

    public var rowCount: Int { tables.reduce(0) { $0 + $1.rowCount } }

    /// Records that `offset` of `key` is consumed: the next one to read is `offset + 1`.
    public mutating func consumed(_ key: PartitionKey, offset: Int64) {
        nextOffsets[key] = max(nextOffsets[key] ?? 0, offset + 1)
        messageCount += 1
    }

    /// This batch with only the message rows `keep` accepts, by table and source message
    /// (`src_partition`, `src_offset`); everything else (snapshots, depth, dead letters, offsets,
    /// notifications) stays. For isolating messages whose rows PostgreSQL refuses.
    public func keepingRows(_ keep: (_ table: String, _ partition: Int32, _ offset: Int64) -> Bool) -> IngestBatch {
        var copy = self
        copy.quotes = quotes.keepingRows { keep(quotes.table, $0, $1) }
        copy.trades = trades.keepingRows { keep(trades.table, $0, $1) }
        copy.orders = orders.keepingRows { keep(orders.table, $0, $1) }
        copy.orderEvents = orderEvents.keepingRows { keep(orderEvents.table, $0, $1) }
        copy.executions = executions.keepingRows { keep(executions.table, $0, $1) }
        copy.extraTables = extraTables.map { table in table.keepingRows { keep(table.table, $0, $1) } }
        return copy
    }

    public mutating func removeAll() {
        quotes.removeAll()
        trades.removeAll()
        orders.removeAll()
        orderEvents.removeAll()
        executions.removeAll()
        commandLog.removeAll()
        engineSnapshots.removeAll()
        bookSnapshots.removeAll()
        bookDepth.removeAll(keepingCapacity: true)
        positions.removeAll(keepingCapacity: true)
        refusals.removeAll(keepingCapacity: true)
        for i in extraTables.indices { extraTables[i].removeAll() }
        deadLetters.removeAll(keepingCapacity: true)
        nextOffsets.removeAll(keepingCapacity: true)
        logIDs.removeAll(keepingCapacity: true)
        expectedPositions = nil
        notifications.removeAll(keepingCapacity: true)
        messageCount = 0
    }
}

/// One book's published state: a row of `trading.book_depth`.
public struct BookDepthRow: Sendable, Equatable {
    public var symbol: String
    public var takenAt: Timestamp
    public var topic: String
    public var partition: Int32
    public var nextOffset: Int64
    public var sequence: Int64
    /// Decimal text; nil when the side is empty.
    public var bestBid: String?
    public var bestAsk: String?
    public var bidDepth: Int64
    public var askDepth: Int64
    /// `{"bids":[…],"asks":[…]}`, the top levels.
    public var depthJSON: String

    public init(symbol: String, takenAt: Timestamp, topic: String, partition: Int32, nextOffset: Int64, sequence: Int64,
                bestBid: String?, bestAsk: String?, bidDepth: Int64, askDepth: Int64, depthJSON: String) {
        self.symbol = symbol
        self.takenAt = takenAt
        self.topic = topic
        self.partition = partition
        self.nextOffset = nextOffset
        self.sequence = sequence
        self.bestBid = bestBid
        self.bestAsk = bestAsk
        self.bidDepth = bidDepth
        self.askDepth = askDepth
        self.depthJSON = depthJSON
    }
}

/// A consumer's committed position in one partition: the next offset to read, in the log named by
/// `logID` (the topic id; '' when not known).
public struct StoredPosition: Sendable, Equatable {
    public var nextOffset: Int64
    public var logID: String

    public init(nextOffset: Int64, logID: String) {
        self.nextOffset = nextOffset
        self.logID = logID
    }
}
