import PipelineContracts
import PostgresNIO

/// A print's place in `GET /stream`'s order for its symbol: (ts, Kafka partition, offset), the
/// order of `api.trade_ticks`' cursor (sql/055). Prints reach clients in this order, and a stream
/// position is one of these per `trades:` channel.
struct TradeCursor: Comparable, Hashable, Sendable {
    /// Event time in microseconds since 1970 (a storable time is never earlier).
    var micros: Int64
    var partition: Int32
    var offset: Int64

    /// Before every print: a symbol that had none when the stream subscribed.
    static let origin = TradeCursor(micros: -1, partition: -1, offset: -1)

    static func < (a: TradeCursor, b: TradeCursor) -> Bool {
        (a.micros, a.partition, a.offset) < (b.micros, b.partition, b.offset)
    }
}

/// Reads stored prints in stream order; the hub's live path and a resuming client's catch-up
/// share it, so both send exactly the rows after a cursor.
struct TradeTape: Sendable {
    let database: ReaderDatabase

    /// The symbol's newest print, or `origin` when it has none.
    func newest(_ symbol: String) async throws -> TradeCursor {
        try await database.row("""
            SELECT (extract(epoch FROM ts) * 1000000)::int8, src_partition, src_offset FROM api.trade_ticks
            WHERE symbol = \(symbol) ORDER BY ts DESC, src_partition DESC, src_offset DESC LIMIT 1
            """, Self.cursor) ?? .origin
    }

    /// Whether the print at `cursor` is stored: a cursor whose print is gone (retention, a
    /// restored database, or made up) cannot say what came after it.
    func holds(_ symbol: String, at cursor: TradeCursor) async throws -> Bool {
        if cursor == .origin { return true }
        return try await database.row("""
            SELECT 1 FROM api.trade_ticks
            WHERE symbol = \(symbol) AND ts = timestamptz 'epoch' + \(cursor.micros) * interval '1 microsecond'
              AND src_partition = \(cursor.partition) AND src_offset = \(cursor.offset)
            LIMIT 1
            """) { _ in true } ?? false
    }

    /// How many prints of `symbol` follow `cursor`, counting no further than `upTo`.
    func count(after cursor: TradeCursor, symbol: String, upTo: Int) async throws -> Int {
        try await database.row("""
            SELECT count(*)::int8 FROM (
                SELECT 1 FROM api.trade_ticks
                WHERE symbol = \(symbol) AND ts >= timestamptz 'epoch' + \(cursor.micros) * interval '1 microsecond'
                  AND (ts, src_partition, src_offset)
                      > (timestamptz 'epoch' + \(cursor.micros) * interval '1 microsecond', \(cursor.partition), \(cursor.offset))
                LIMIT \(upTo)) AS following
            """) { Int(try $0.decode(Int64.self)) } ?? 0
    }

    /// Up to `limit` prints of `symbol` after `cursor`, in stream order.
    func after(_ cursor: TradeCursor, symbol: String, limit: Int) async throws -> [(cursor: TradeCursor, event: TradeEvent)] {
        try await database.rows("""
            SELECT (extract(epoch FROM ts) * 1000000)::int8, src_partition, src_offset,
                   api.rfc3339(ts), trim_scale(price)::text, size
            FROM api.trade_ticks
            WHERE symbol = \(symbol) AND ts >= timestamptz 'epoch' + \(cursor.micros) * interval '1 microsecond'
              AND (ts, src_partition, src_offset)
                  > (timestamptz 'epoch' + \(cursor.micros) * interval '1 microsecond', \(cursor.partition), \(cursor.offset))
            ORDER BY ts, src_partition, src_offset LIMIT \(limit)
            """) { row in
            let (micros, partition, offset, ts, price, size) = try row.decode((Int64, Int32, Int64, String, String, Int64).self)
            return (TradeCursor(micros: micros, partition: partition, offset: offset),
                    TradeEvent(symbol: symbol, ts: ts, price: price, size: size))
        }
    }

    @Sendable private static func cursor(_ row: PostgresRow) throws -> TradeCursor {
        let (micros, partition, offset) = try row.decode((Int64, Int32, Int64).self)
        return TradeCursor(micros: micros, partition: partition, offset: offset)
    }
}
