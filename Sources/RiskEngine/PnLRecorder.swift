import Logging
import PostgresNIO
import Store

/// Records every account position's P&L (`api.account_positions`: quantity, mark, realized and
/// unrealized P&L) into `risk.pnl_snapshots` (migration 0023) in one statement, all rows stamped
/// with the transaction's time: the P&L time series of `api.pnl_history` and `api.portfolio_pnl`.
public struct PnLRecorder: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        (self.client, self.logger) = (client, logger)
    }

    /// Records one snapshot; returns how many positions it holds.
    @discardableResult
    public func record() async throws -> Int {
        try await withTodaysPartitions(of: ["risk.pnl_snapshots"], client: client, logger: logger) {
            let rows = try await client.rows("""
                WITH recorded AS (
                    INSERT INTO risk.pnl_snapshots (taken_at, account, portfolio_id, symbol, quantity, mark, mark_source,
                                                    realized_pnl, unrealized_pnl)
                    SELECT now(), account, portfolio_id, symbol, quantity, mark, mark_source, realized_pnl, unrealized_pnl
                    FROM api.account_positions
                    RETURNING 1)
                SELECT count(*)::int FROM recorded
                """, logger: logger)
            return try rows.first?.decode(Int.self) ?? 0
        }
    }
}
