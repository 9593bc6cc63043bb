import Accounts
import Logging
import MarketCore
import PostgresNIO

/// Reads `trading.accounts` and `trading.positions` (migration 0022) into the account book.
public enum AccountCatalog {
    /// Every account with its portfolio and limits.
    public static func load(client: PostgresClient, logger: Logger) async throws -> [String: AccountTerms] {
        let rows = try await client.rows("""
            SELECT account, portfolio_id, max_position, max_gross_notional::text, max_open_orders FROM trading.accounts
            """, logger: logger)
        var result: [String: AccountTerms] = [:]
        for (account, portfolio, maxPosition, maxNotional, maxOrders) in try rows.map({ try $0.decode((String, String, Int64?, String?, Int32?).self) }) {
            result[account] = AccountTerms(
                portfolioID: portfolio, maxPosition: maxPosition.map(Quantity.init), maxGrossNotional: maxNotional.flatMap(Price.init),
                maxOpenOrders: maxOrders.map(Int.init))
        }
        return result
    }

    /// Every stored position, as the last committed batch left it.
    public static func positions(client: PostgresClient, logger: Logger) async throws -> [AccountBook.PositionKey: Position] {
        let rows = try await client.rows("""
            SELECT account, symbol, quantity, cost_basis::text, realized_pnl::text, fills FROM trading.positions
            """, logger: logger)
        var result: [AccountBook.PositionKey: Position] = [:]
        for (account, symbol, quantity, cost, realized, fills) in try rows.map({ try $0.decode((String, String, Int64, String, String, Int64).self) }) {
            guard let costBasis = DecimalUnits.units(cost), let realizedPnL = DecimalUnits.units(realized) else {
                throw PositionDecodingError(account: account, symbol: symbol)
            }
            result[AccountBook.PositionKey(account: account, symbol: symbol)] =
                Position(quantity: quantity, costBasis: costBasis, realizedPnL: realizedPnL, fills: fills)
        }
        return result
    }

    /// A stored amount with more than eight decimals or out of range: only a hand edit makes one.
    struct PositionDecodingError: Error, CustomStringConvertible {
        var account: String
        var symbol: String
        var description: String { "trading.positions (\(account), \(symbol)) holds an amount the processor cannot read exactly" }
    }
}
