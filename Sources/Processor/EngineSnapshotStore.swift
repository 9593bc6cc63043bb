import Logging
import NIOCore
import PostgresNIO

/// Reads the engine snapshots the processor commits with its offsets.
enum EngineSnapshotStore {
    struct Snapshot {
        var nextOffset: Int64
        var bytes: [UInt8]
    }

    /// The newest snapshot of a commands partition that does not run ahead of `notAfter`, the
    /// committed offset (a snapshot always commits with its offset, so none should), in the log the
    /// offset belongs to (or of unknown log: taken before migration 0018).
    static func latest(client: PostgresClient, group: String, topic: String, partition: Int32, logID: String,
                       notAfter: Int64, logger: Logger) async throws -> Snapshot? {
        let rows = try await client.query("""
            SELECT next_offset, snapshot FROM trading.engine_snapshots
            WHERE consumer_group = \(group) AND topic = \(topic) AND kafka_partition = \(partition)
              AND log_id IN (\(logID), '') AND next_offset <= \(notAfter)
            ORDER BY next_offset DESC, taken_at DESC LIMIT 1
            """, logger: logger)
        for try await (next, buffer) in rows.decode((Int64, ByteBuffer).self) {
            return Snapshot(nextOffset: next, bytes: Array(buffer: buffer))
        }
        return nil
    }
}
