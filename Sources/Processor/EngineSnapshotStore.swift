import Logging
import NIOCore
import PostgresNIO

/// Reads the engine snapshots the processor commits with its offsets.
enum EngineSnapshotStore {
    struct Snapshot {
        var nextOffset: Int64
        var bytes: [UInt8]
        /// The last `trading.command_log` entry it reflects; nil when taken before migration 0029.
        var commandSeq: Int64?
    }

    /// The snapshot to restore a commands partition from: the one furthest along the command log
    /// (any log of the broker's: the commands after it are replayed from PostgreSQL), else one taken
    /// before the command log existed (`legacy`).
    static func latest(client: PostgresClient, group: String, topic: String, partition: Int32, logID: String,
                       notAfter: Int64, logger: Logger) async throws -> Snapshot? {
        let rows = try await client.rows("""
            SELECT next_offset, snapshot, command_seq FROM trading.engine_snapshots
            WHERE consumer_group = \(group) AND topic = \(topic) AND kafka_partition = \(partition) AND command_seq IS NOT NULL
            ORDER BY command_seq DESC, taken_at DESC LIMIT 1
            """, logger: logger)
        for (next, buffer, seq) in try rows.map({ try $0.decode((Int64, ByteBuffer, Int64).self) }) {
            return Snapshot(nextOffset: next, bytes: Array(buffer: buffer), commandSeq: seq)
        }
        return try await legacy(client: client, group: group, topic: topic, partition: partition, logID: logID,
                                notAfter: notAfter, logger: logger)
    }

    /// The newest snapshot of a commands partition that does not run ahead of `notAfter`, the
    /// committed offset (a snapshot always commits with its offset, so none should), in the log the
    /// offset belongs to (or of unknown log: taken before migration 0018).
    static func legacy(client: PostgresClient, group: String, topic: String, partition: Int32, logID: String,
                       notAfter: Int64, logger: Logger) async throws -> Snapshot? {
        let rows = try await client.rows("""
            SELECT next_offset, snapshot FROM trading.engine_snapshots
            WHERE consumer_group = \(group) AND topic = \(topic) AND kafka_partition = \(partition)
              AND log_id IN (\(logID), '') AND next_offset <= \(notAfter)
            ORDER BY next_offset DESC, taken_at DESC LIMIT 1
            """, logger: logger)
        for (next, buffer) in try rows.map({ try $0.decode((Int64, ByteBuffer).self) }) {
            return Snapshot(nextOffset: next, bytes: Array(buffer: buffer), commandSeq: nil)
        }
        return nil
    }
}
