import Logging
import PostgresNIO

/// Issue 19's check of the rollups: the bars the triggers kept equal the bars recomputed from the
/// ticks still stored (`market.rebuild_bars`), compared row by row inside a transaction that is
/// rolled back, so the database is left as it was.
public enum BarChecks {
    /// Rows of `market.bars` that differ from their recomputation (either side), as text; empty when equal.
    public static func differences(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.query("BEGIN", logger: logger)
        do {
            try await connection.query("CREATE TEMP TABLE kept_bars ON COMMIT DROP AS SELECT * FROM market.bars", logger: logger)
            try await connection.query("""
                SELECT market.rebuild_bars(NULL, min(ts), max(ts) + interval '1 microsecond')
                FROM (SELECT ts FROM market.trades UNION ALL SELECT ts FROM market.quotes) ticks HAVING count(*) > 0
                """, logger: logger)
            let rows = try await connection.strings("""
                SELECT side || ' ' || row_to_json(d)::text FROM (
                    (SELECT 'kept' AS side, * FROM kept_bars EXCEPT SELECT 'kept', * FROM market.bars)
                    UNION ALL
                    (SELECT 'recomputed', * FROM market.bars EXCEPT SELECT 'recomputed', * FROM kept_bars)) d
                ORDER BY 1 LIMIT 20
                """, logger: logger)
            try await connection.query("ROLLBACK", logger: logger)
            return rows
        } catch {
            try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// The same through a pooled client (one connection for the transaction).
    public static func differences(_ client: PostgresClient, logger: Logger) async throws -> [String] {
        try await client.withConnection { try await differences($0, logger: logger) }
    }
}
