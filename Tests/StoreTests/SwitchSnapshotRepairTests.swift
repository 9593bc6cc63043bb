import PostgresNIO
import Store
import TestSupport
import Testing

/// Migration 0030: a snapshot taken at offset 0 of a replaced log, committed with the new log's
/// first commands, stops claiming them; other snapshots keep their place in the command log.
@Suite struct SwitchSnapshotRepairTests {
    @Test func aSwitchSnapshotNoLongerClaimsTheNewLogsCommands() async throws {
        try await TestDatabase.with { db in
            let migrator = db.migrator()
            _ = try await migrator.up(to: 29)
            try await db.connection { c in
                try await c.query("SELECT ops.maintain_partitions()", logger: db.logger)
                func log(_ log: String, offsets: ClosedRange<Int>) async throws {
                    for offset in offsets {
                        try await c.query("""
                            INSERT INTO trading.command_log (consumer_group, topic, kafka_partition, log_id, kafka_offset, message_ts, payload)
                            VALUES ('g', 'orders.commands', 0, \(log), \(offset), now(), '\\x7b7d')
                            """, logger: db.logger)
                    }
                }
                func snapshot(_ log: String, at offset: Int) async throws {
                    try await c.query("""
                        INSERT INTO trading.engine_snapshots (taken_at, consumer_group, topic, kafka_partition, next_offset, book_count, snapshot, log_id)
                        VALUES (clock_timestamp(), 'g', 'orders.commands', 0, \(offset), 0, '\\x00', \(log))
                        """, logger: db.logger)
                }
                try await log("old", offsets: 0...2)          // seq 1...3
                try await snapshot("old", at: 3)              // the old log's end: command_seq 3
                // The switch's batch as processors wrote it: its commands are copied before its snapshots.
                try await c.query("BEGIN", logger: db.logger)
                try await log("new", offsets: 0...1)          // seq 4...5
                try await snapshot("new", at: 0)
                try await c.query("COMMIT", logger: db.logger)
                try await log("new", offsets: 2...2)          // seq 6
                try await snapshot("new", at: 3)              // a later end of batch: command_seq 6
            }
            func places() async throws -> [String] {
                try await db.connection { c in
                    var result: [String] = []
                    let rows = try await c.query(
                        "SELECT log_id, next_offset, command_seq FROM trading.engine_snapshots ORDER BY taken_at", logger: db.logger)
                    for try await (log, next, seq) in rows.decode((String, Int64, Int64).self) { result.append("\(log)@\(next):\(seq)") }
                    return result
                }
            }
            #expect(try await places() == ["old@3:3", "new@0:5", "new@3:6"], "the trigger gave the switch snapshot its batch's commands")
            _ = try await migrator.up()
            #expect(try await places() == ["old@3:3", "new@0:3", "new@3:6"])
        }
    }
}
