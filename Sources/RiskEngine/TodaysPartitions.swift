import Logging
import PostgresNIO
import Store

/// Runs `body`; when it fails because today's partition of one of `tables` is missing (SQLSTATE
/// 23514), makes today's and tomorrow's partitions of all of them (`ops.ensure_service_partitions`)
/// and runs it once more. Partition upkeep is `quant migrate up`'s; this covers a service that
/// writes past midnight before the next upkeep.
func withTodaysPartitions<T>(
    of tables: [String], client: PostgresClient, logger: Logger, _ body: () async throws -> T
) async throws -> T {
    do {
        return try await body()
    } catch where PostgresErrorText.sqlState(error) == "23514" {
        logger.notice("making today's partitions", metadata: ["tables": "\(tables)"])
        _ = try await client.rows("""
            SELECT ops.ensure_service_partitions(t::regclass, (now() AT TIME ZONE 'UTC')::date, (now() AT TIME ZONE 'UTC')::date + 1)
            FROM unnest(\(tables)::text[]) AS t
            """, logger: logger)
        return try await body()
    }
}
