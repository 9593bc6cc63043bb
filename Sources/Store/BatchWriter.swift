import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Commits an `IngestBatch` in one transaction: COPY of every table, dead letters, the books'
/// latest depth, the consumer offsets and the notifications. Either all of it is durable or none of it, which is what makes
/// ingest exactly-once: after a crash the consumer restarts from the offsets committed here.
public struct BatchWriter: Sendable {
    public let client: PostgresClient
    public let consumerGroup: String
    public let logger: Logger

    public init(client: PostgresClient, consumerGroup: String, logger: Logger) {
        self.client = client
        self.consumerGroup = consumerGroup
        self.logger = logger
    }

    /// Writes the batch. When a row falls on a day without a partition (SQLSTATE 23514), creates
    /// the partitions the batch spans and tries once more; see docs/partitioning.md.
    public func commit(_ batch: IngestBatch) async throws {
        do {
            try await write(batch)
        } catch where PostgresErrorText.sqlState(error) == "23514" {
            try await ensurePartitions(for: batch)
            try await write(batch)
        }
    }

    /// Writes the batch in a transaction that is rolled back: whether PostgreSQL would accept it.
    /// Throws what `commit` would throw; nothing stays written (missing partitions excepted).
    public func trial(_ batch: IngestBatch) async throws {
        do {
            try await commit(batch, rollback: true)
        } catch where PostgresErrorText.unwrap(error) is TrialRollback {}
    }

    struct TrialRollback: Error {}

    /// Another writer moved a partition's stored offsets since this one read them: it owns the
    /// partition now. Retrying cannot succeed; the writer must start over from the stored offsets.
    public struct OffsetsFenced: Error, CustomStringConvertible {
        public var partitions: [String]
        public var description: String {
            "another processor moved the stored offsets of one or more of \(partitions.joined(separator: ", ")) since this one read them; it no longer owns them"
        }
    }

    private func commit(_ batch: IngestBatch, rollback: Bool) async throws {
        do {
            try await write(batch, rollback: rollback)
        } catch where PostgresErrorText.sqlState(error) == "23514" {
            try await ensurePartitions(for: batch)
            try await write(batch, rollback: rollback)
        }
    }

    /// Whether a failed write will fail again with the same rows: PostgreSQL refused the data
    /// (SQLSTATE classes 21 cardinality, 22 data exception, 23 integrity constraint), as opposed to
    /// a connection, lock or serialization failure, which a retry can get past.
    public static func isDataError(_ error: any Error) -> Bool {
        guard let state = PostgresErrorText.sqlState(error) else { return false }
        return state.hasPrefix("21") || state.hasPrefix("22") || state.hasPrefix("23")
    }

    func write(_ batch: IngestBatch, rollback: Bool = false) async throws {
        let copies = try await client.withConnection { connection in
            try await whileOpen(connection) { try await self.transaction(batch, rollback: rollback, on: connection) }
        }
        StoreMetrics.recordCommitted(copies)
    }

    private func transaction(_ batch: IngestBatch, rollback: Bool, on connection: PostgresConnection) async throws
        -> [(table: String, rows: Int, duration: Duration)] {
        let logger = logger
        return try await connection.withTransaction(logger: logger) { connection in
            var copies: [(table: String, rows: Int, duration: Duration)] = []
            for table in batch.tables where !table.isEmpty {
                let started = ContinuousClock.now
                try await connection.copyFrom(table: Self.copyTableName(table.table), columns: table.columns, logger: logger) { writer in
                    // Stream in chunks so one huge batch never needs a second full copy in NIO's buffer.
                    let chunk = 1 << 20
                    var start = 0
                    while start < table.bytes.count {
                        let end = min(start + chunk, table.bytes.count)
                        try await writer.write(ByteBuffer(bytes: table.bytes[start..<end]))
                        start = end
                    }
                }
                copies.append((table.table, table.rowCount, ContinuousClock.now - started))
            }
            if !batch.deadLetters.isEmpty {
                let d = batch.deadLetters
                try await connection.query("""
                    INSERT INTO ops.dead_letters (topic, kafka_partition, kafka_offset, message_key, payload, error, log_id)
                    SELECT t, p, o, nullif(k, ''::bytea), v, e, l
                    FROM unnest(\(d.map(\.topic))::text[], \(d.map { Int32($0.partition) })::int[],
                                \(d.map(\.offset))::bigint[], \(d.map { ByteBuffer(bytes: $0.key ?? []) })::bytea[],
                                \(d.map { ByteBuffer(bytes: $0.payload) })::bytea[], \(d.map { $0.error.replacingOccurrences(of: "\0", with: "\\0") })::text[],
                                \(d.map { batch.logIDs[PartitionKey(topic: $0.topic, partition: $0.partition)] ?? "" })::text[])
                         AS x(t, p, o, k, v, e, l)
                    ON CONFLICT (topic, kafka_partition, log_id, kafka_offset) WHERE kafka_offset IS NOT NULL DO NOTHING
                    """, logger: logger)
            }
            if !batch.bookDepth.isEmpty {
                // One row per symbol: an upsert meeting a symbol twice fails (21000) for good.
                var latest: [String: BookDepthRow] = [:]
                for row in batch.bookDepth { latest[row.symbol] = row }
                let b = batch.bookDepth.count == latest.count ? batch.bookDepth : latest.values.sorted { $0.symbol < $1.symbol }
                try await connection.query("""
                    INSERT INTO trading.book_depth AS d (symbol, taken_at, topic, kafka_partition, next_offset, book_seq,
                                                         best_bid, best_ask, bid_depth, ask_depth, depth)
                    SELECT s, t::timestamptz, tp, p, o, q, nullif(bb, '')::numeric, nullif(ba, '')::numeric, bd, ad, j::jsonb
                    FROM unnest(\(b.map(\.symbol))::text[], \(b.map(\.takenAt.rfc3339))::text[], \(b.map(\.topic))::text[],
                                \(b.map(\.partition))::int[], \(b.map(\.nextOffset))::bigint[], \(b.map(\.sequence))::bigint[],
                                \(b.map { $0.bestBid ?? "" })::text[], \(b.map { $0.bestAsk ?? "" })::text[],
                                \(b.map(\.bidDepth))::bigint[], \(b.map(\.askDepth))::bigint[], \(b.map(\.depthJSON))::text[])
                         AS x(s, t, tp, p, o, q, bb, ba, bd, ad, j)
                    ON CONFLICT (symbol) DO UPDATE SET
                        taken_at = EXCLUDED.taken_at, topic = EXCLUDED.topic, kafka_partition = EXCLUDED.kafka_partition,
                        next_offset = EXCLUDED.next_offset, book_seq = EXCLUDED.book_seq, best_bid = EXCLUDED.best_bid,
                        best_ask = EXCLUDED.best_ask, bid_depth = EXCLUDED.bid_depth, ask_depth = EXCLUDED.ask_depth,
                        depth = EXCLUDED.depth
                    """, logger: logger)
            }
            if !batch.positions.isEmpty {
                let p = batch.positions
                try await connection.query("""
                    INSERT INTO trading.positions AS t (account, symbol, quantity, cost_basis, realized_pnl, fills, updated_at)
                    SELECT a, s, q, c::numeric, r::numeric, f, now()
                    FROM unnest(\(p.map(\.account))::text[], \(p.map(\.symbol))::text[], \(p.map(\.quantity))::bigint[],
                                \(p.map(\.costBasis))::text[], \(p.map(\.realizedPnL))::text[], \(p.map(\.fills))::bigint[])
                         AS x(a, s, q, c, r, f)
                    ON CONFLICT (account, symbol) DO UPDATE SET
                        quantity = EXCLUDED.quantity, cost_basis = EXCLUDED.cost_basis, realized_pnl = EXCLUDED.realized_pnl,
                        fills = EXCLUDED.fills, updated_at = EXCLUDED.updated_at
                    """, logger: logger)
            }
            if !batch.refusals.isEmpty {
                let r = batch.refusals
                try await connection.query("""
                    INSERT INTO trading.refused_commands (topic, kafka_partition, log_id, kafka_offset, ts, order_id, symbol, account, reason)
                    SELECT tp, p, l, o, t::timestamptz, nullif(i, ''), nullif(s, ''), nullif(a, ''), e
                    FROM unnest(\(r.map(\.topic))::text[], \(r.map(\.partition))::int[],
                                \(r.map { batch.logIDs[PartitionKey(topic: $0.topic, partition: $0.partition)] ?? "" })::text[],
                                \(r.map(\.offset))::bigint[], \(r.map(\.ts.rfc3339))::text[], \(r.map { $0.orderID ?? "" })::text[],
                                \(r.map { $0.symbol ?? "" })::text[], \(r.map { $0.account ?? "" })::text[], \(r.map(\.reason))::text[])
                         AS x(tp, p, l, o, t, i, s, a, e)
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
            // The processor's path moves its offsets from where it expects them, and sends the
            // notices in that statement (one round trip fewer).
            let fenced = batch.nextOffsets.isEmpty ? nil : batch.expectedPositions
            if let expected = fenced {
                try await Self.moveOffsets(batch, expected: expected, group: consumerGroup, on: connection, logger: logger)
            } else if !batch.nextOffsets.isEmpty {
                let keys = Array(batch.nextOffsets.keys)
                try await connection.query("""
                    INSERT INTO ops.kafka_offsets (consumer_group, topic, kafka_partition, next_offset, log_id)
                    SELECT \(consumerGroup), * FROM unnest(\(keys.map(\.topic))::text[], \(keys.map(\.partition))::int[],
                                                         \(keys.map { batch.nextOffsets[$0]! })::bigint[],
                                                         \(keys.map { batch.logIDs[$0] ?? "" })::text[])
                    ON CONFLICT (consumer_group, topic, kafka_partition)
                    DO UPDATE SET next_offset = EXCLUDED.next_offset, log_id = EXCLUDED.log_id, updated_at = now()
                    """, logger: logger)
            }
            if rollback { throw TrialRollback() }
            if fenced == nil, !batch.notifications.isEmpty {
                let n = batch.notifications
                try await connection.query("""
                    SELECT pg_notify(c, p) FROM unnest(\(n.map(\.channel.name))::text[], \(n.map(\.payload))::text[]) AS t(c, p)
                    """, logger: logger)
            }
            return copies
        }
    }

    /// Moves the batch's offsets only from where the writer expects them (`expected`: the stored
    /// position, or nil for none yet), so a processor that lost its partitions without noticing (a
    /// pause past the session timeout: another one took them over and committed) cannot commit
    /// them again: the transaction fails with `OffsetsFenced`, nothing of it commits. Row locks
    /// order two writers of one partition; the second re-reads the row and finds it moved.
    /// The same statement sends the batch's notifications: PostgreSQL delivers them only on commit,
    /// so a fenced (or trial) batch announces nothing.
    static func moveOffsets(_ batch: IngestBatch, expected: [PartitionKey: StoredPosition?], group: String,
                            on connection: PostgresConnection, logger: Logger) async throws {
        let keys = Array(batch.nextOffsets.keys)
        let was = keys.map { expected[$0] ?? nil }
        let notices = batch.notifications
        let rows = try await connection.query("""
            WITH input AS (
                SELECT * FROM unnest(\(keys.map(\.topic))::text[], \(keys.map(\.partition))::int[],
                                     \(keys.map { batch.nextOffsets[$0]! })::bigint[], \(keys.map { batch.logIDs[$0] ?? "" })::text[],
                                     \(was.map { $0?.nextOffset ?? -1 })::bigint[], \(was.map { $0?.logID ?? "" })::text[])
                       AS i(topic, p, next, log, was_next, was_log)),
            moved AS (
                UPDATE ops.kafka_offsets o SET next_offset = i.next, log_id = i.log, updated_at = now()
                FROM input i
                WHERE o.consumer_group = \(group) AND o.topic = i.topic AND o.kafka_partition = i.p
                  AND i.was_next >= 0 AND o.next_offset = i.was_next AND o.log_id = i.was_log
                RETURNING 1),
            added AS (
                INSERT INTO ops.kafka_offsets (consumer_group, topic, kafka_partition, next_offset, log_id)
                SELECT \(group), topic, p, next, log FROM input WHERE was_next < 0
                ON CONFLICT DO NOTHING
                RETURNING 1),
            notified AS (  -- counted below: a CTE nothing reads is never run
                SELECT pg_notify(c, p) FROM unnest(\(notices.map(\.channel.name))::text[], \(notices.map(\.payload))::text[]) AS t(c, p))
            SELECT (SELECT count(*) FROM moved) + (SELECT count(*) FROM added), (SELECT count(*) FROM notified)
            """, logger: logger)
        var moved: Int64 = 0
        for try await (count, _) in rows.decode((Int64, Int64).self) { moved = count }
        guard moved == Int64(keys.count) else {
            throw OffsetsFenced(partitions: keys.map(\.description).sorted())
        }
    }

    /// postgres-nio writes `COPY "<table>"`: to name `schema.table` we close and reopen its quotes.
    /// Table names here are our own constants, never input.
    static func copyTableName(_ qualified: String) -> String {
        qualified.replacingOccurrences(of: ".", with: "\".\"")
    }

    func ensurePartitions(for batch: IngestBatch) async throws {
        for table in batch.tables where !table.distinctDays.isEmpty {
            logger.notice("creating partitions for a batch outside the partition window",
                          metadata: ["table": "\(table.table)", "days": "\(table.distinctDays.sorted())"])
            for day in table.distinctDays.sorted() {
                _ = try await client.rows("""
                    SELECT ops.ensure_service_partitions(\(table.table)::regclass,
                        DATE '1970-01-01' + \(Int32(clamping: day)), DATE '1970-01-01' + \(Int32(clamping: day)))
                    """, logger: logger)
            }
        }
    }

    /// Where `group` stands in each partition of `topic`: the next offset and the log it belongs to.
    public static func storedPositions(
        client: PostgresClient, group: String, topic: String, logger: Logger
    ) async throws -> [Int32: StoredPosition] {
        let rows = try await client.rows("""
            SELECT kafka_partition, next_offset, log_id FROM ops.kafka_offsets WHERE consumer_group = \(group) AND topic = \(topic)
            """, logger: logger)
        var result: [Int32: StoredPosition] = [:]
        for (partition, offset, log) in try rows.map({ try $0.decode((Int32, Int64, String).self) }) {
            result[partition] = StoredPosition(nextOffset: offset, logID: log)
        }
        return result
    }

    /// The committed next offsets of `group` for `topic`, by partition.
    public static func storedOffsets(
        client: PostgresClient, group: String, topic: String, logger: Logger
    ) async throws -> [Int32: Int64] {
        let rows = try await client.rows("""
            SELECT kafka_partition, next_offset FROM ops.kafka_offsets WHERE consumer_group = \(group) AND topic = \(topic)
            """, logger: logger)
        var result: [Int32: Int64] = [:]
        for (partition, offset) in try rows.map({ try $0.decode((Int32, Int64).self) }) { result[partition] = offset }
        return result
    }
}
