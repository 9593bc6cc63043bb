import Metrics
import Telemetry

/// What the write path records (swift-metrics; exported by `quant` as Prometheus).
public enum StoreMetrics {
    public static let copyDuration = "quant_store_copy_duration_seconds"
    public static let rowsWritten = "quant_store_rows_total"

    public static let catalog = MetricCatalog(
        help: [
            copyDuration: "Time of one COPY into one table inside a batch's transaction, by table.",
            rowsWritten: "Rows written through COPY and committed, by table.",
        ],
        durationBuckets: [copyDuration: MetricCatalog.milliseconds])

    /// Recorded after the transaction commits, so rolled-back COPYs never count as written.
    static func recordCommitted(_ tables: [(table: String, rows: Int, duration: Duration)]) {
        for entry in tables {
            Timer(label: copyDuration, dimensions: [("table", entry.table)]).record(duration: entry.duration)
            Counter(label: rowsWritten, dimensions: [("table", entry.table)]).increment(by: entry.rows)
        }
    }
}
