import Logging
import PostgresNIO
import Store

/// Partition upkeep and retention while the pipeline runs (docs/partitioning.md, "When upkeep
/// runs"): every `interval`, `ops.run_upkeep` makes the coming days' partitions, drops what is
/// older than each table's retention (a tick day only once the rollups hold it) and deletes bars
/// past their width's retention. It runs as the table owner (migration 0027) and one caller at a
/// time, so any number of processors may run it.
public struct PartitionUpkeep: Sendable {
    public struct Settings: Sendable {
        /// `partitions.maintenanceIntervalSeconds`.
        public var interval: Duration
        /// `partitions.premakeDays`.
        public var premakeDays: Int
        public init(interval: Duration, premakeDays: Int) {
            self.interval = interval
            self.premakeDays = premakeDays
        }
    }

    let settings: Settings
    let client: PostgresClient
    let logger: Logger

    public init(settings: Settings, client: PostgresClient, logger: Logger) {
        (self.settings, self.client, self.logger) = (settings, client, logger)
    }

    /// Runs once at start, then every `interval`, until cancelled; a failed run is logged and tried
    /// again at the next interval.
    public func run() async {
        while !Task.isCancelled {
            do {
                try await runOnce()
            } catch {
                if Task.isCancelled { return }
                logger.warning("partition upkeep failed", metadata: ["error": "\(PostgresErrorText.describe(error))"])
            }
            try? await Task.sleep(for: settings.interval)
        }
    }

    /// One upkeep run; returns what changed per table (created partitions, dropped partitions or bars).
    @discardableResult
    public func runOnce() async throws -> [(table: String, created: Int, dropped: Int)] {
        let rows = try await client.rows("""
            SELECT parent_table::text, created, dropped FROM ops.run_upkeep(\(Int32(settings.premakeDays)))
            """, logger: logger)
        var changed: [(table: String, created: Int, dropped: Int)] = []
        for (table, created, dropped) in try rows.map({ try $0.decode((String, Int32, Int32).self) }) where created > 0 || dropped > 0 {
            changed.append((table, Int(created), Int(dropped)))
        }
        for change in changed {
            logger.info("partition upkeep", metadata: [
                "table": "\(change.table)", "created": "\(change.created)", "dropped": "\(change.dropped)"])
        }
        return changed
    }
}
