import PipelineContracts
import PostgresNIO
import Store

/// Portfolios and positions: reads from the views `api.portfolios` and `api.positions`, writes to
/// `risk.portfolios` and `risk.positions` with bind parameters only. A position change fires the
/// `risk_positions` NOTIFY of migration 0010, so the risk engine revalues the portfolio.
struct PortfolioStore: Sendable {
    enum WriteResult: Equatable { case created, updated }

    let database: ReaderDatabase

    private static let portfolioColumns = "portfolio_id, name, base_currency::text, api.rfc3339(created_at), api.rfc3339(updated_at)"

    @Sendable private static func portfolio(_ row: PostgresRow) throws -> PortfolioBody {
        let (id, name, currency, created, updated) = try row.decode((String, String, String, String, String).self)
        return PortfolioBody(portfolioId: id, name: name, baseCurrency: currency, createdAt: created, updatedAt: updated)
    }

    func portfolios(after: String?, limit: Int) async throws -> [PortfolioBody] {
        try await database.rows("""
            SELECT \(unescaped: Self.portfolioColumns) FROM api.portfolios
            WHERE portfolio_id > \(after ?? "") ORDER BY portfolio_id LIMIT \(limit)
            """, Self.portfolio)
    }

    func portfolio(_ id: String) async throws -> PortfolioBody? {
        try await database.row("SELECT \(unescaped: Self.portfolioColumns) FROM api.portfolios WHERE portfolio_id = \(id)", Self.portfolio)
    }

    func positions(_ id: String) async throws -> [PositionBody] {
        try await database.rows("""
            SELECT symbol, kind, trim_scale(quantity)::text, trim_scale(average_price)::text, api.rfc3339(updated_at),
                   trim_scale(entered_quantity)::text, traded_quantity::text, trim_scale(realized_pnl)::text,
                   trim_scale(mark)::text, trim_scale(unrealized_pnl)::text
            FROM api.positions WHERE portfolio_id = \(id) ORDER BY symbol
            """) { row in
            let (symbol, kind, quantity, average, updated, entered, traded, realized, mark, unrealized) =
                try row.decode((String, String, String, String?, String, String, String, String?, String?, String?).self)
            return PositionBody(symbol: symbol, kind: kind, quantity: quantity, averagePrice: average, updatedAt: updated,
                                enteredQuantity: entered, tradedQuantity: traded, realizedPnl: realized ?? "0",
                                mark: mark, unrealizedPnl: unrealized)
        }
    }

    /// The P&L of `id`'s accounts now, and as recorded in `range` (newest first, at most `limit`).
    func pnl(_ id: String, range: TimeRange, limit: Int) async throws -> PnLBody {
        let point: @Sendable (PostgresRow) throws -> PnLPointBody = { row in
            let (at, realized, unrealized, total, positions) = try row.decode((String, String, String?, String, Int64).self)
            return PnLPointBody(takenAt: at, realizedPnl: realized, unrealizedPnl: unrealized, totalPnl: total, positions: Int(positions))
        }
        let current = try await database.row("""
            SELECT api.rfc3339(now()), coalesce(trim_scale(sum(realized_pnl)), 0)::text, trim_scale(sum(unrealized_pnl))::text,
                   coalesce(trim_scale(sum(realized_pnl + coalesce(unrealized_pnl, 0))), 0)::text, count(*)
            FROM api.account_positions WHERE portfolio_id = \(id)
            """, point)
        let history = try await database.rows("""
            SELECT api.rfc3339(taken_at), trim_scale(realized_pnl)::text, trim_scale(unrealized_pnl)::text,
                   trim_scale(total_pnl)::text, positions
            FROM api.portfolio_pnl
            WHERE portfolio_id = \(id) AND taken_at >= \(range.sqlFrom)::timestamptz AND taken_at < \(range.sqlTo)::timestamptz
            ORDER BY taken_at DESC
            LIMIT \(limit)
            """, point)
        return PnLBody(portfolioId: id, current: current!, history: history)
    }

    /// nil when a portfolio with this id exists already.
    func create(id: String, name: String, baseCurrency: String) async throws -> PortfolioBody? {
        try await database.row("""
            INSERT INTO risk.portfolios (portfolio_id, name, base_currency) VALUES (\(id), \(name), \(baseCurrency))
            ON CONFLICT (portfolio_id) DO NOTHING
            RETURNING \(unescaped: Self.portfolioColumns)
            """, Self.portfolio)
    }

    /// nil when there is no such portfolio. A nil field keeps its value.
    func update(id: String, name: String?, baseCurrency: String?) async throws -> PortfolioBody? {
        try await database.row("""
            UPDATE risk.portfolios
            SET name = coalesce(\(name), name), base_currency = coalesce(\(baseCurrency), base_currency), updated_at = now()
            WHERE portfolio_id = \(id)
            RETURNING \(unescaped: Self.portfolioColumns)
            """, Self.portfolio)
    }

    /// Sets a position (`quantity` and `averagePrice` are validated decimal texts); nil when the
    /// portfolio vanished meanwhile.
    func setPosition(portfolio id: String, symbol: String, quantity: String, averagePrice: String?) async throws
        -> (WriteResult, PositionBody)?
    {
        do {
            guard let created = try await database.row("""
                INSERT INTO risk.positions AS p (portfolio_id, symbol, quantity, average_price)
                VALUES (\(id), \(symbol), \(quantity)::numeric, \(averagePrice)::numeric)
                ON CONFLICT (portfolio_id, symbol) DO UPDATE
                SET quantity = excluded.quantity, average_price = excluded.average_price, updated_at = now()
                RETURNING (xmax = 0)
                """, { try $0.decode(Bool.self) })
            else { return nil }
            guard let position = try await positions(id).first(where: { $0.symbol == symbol }) else { return nil }
            return (created ? .created : .updated, position)
        } catch where PostgresErrorText.sqlState(error) == "23503" {
            return nil  // the portfolio was deleted meanwhile (the symbol was checked before)
        }
    }

    /// False when the portfolio does not hold `symbol`.
    func deletePosition(portfolio id: String, symbol: String) async throws -> Bool {
        try await database.row("""
            DELETE FROM risk.positions WHERE portfolio_id = \(id) AND symbol = \(symbol) RETURNING 1
            """) { _ in true } ?? false
    }
}
