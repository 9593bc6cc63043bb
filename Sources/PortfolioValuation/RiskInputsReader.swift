import Logging
import MarketCore
import PostgresNIO
import Risk

/// Reads what `PortfolioRiskCalculator` needs from Postgres, through reader views only
/// (sql/033_valuation_inputs.sql): `api.portfolios`, `api.position_terms`, `api.last_activity`,
/// `analytics.daily_closes` and `api.latest_mids`.
public struct RiskInputsReader: Sendable {
    /// Runs a query to its last row. The pool's by default; the risk engine passes one that fails
    /// as soon as its connection closes (`PostgresClient.rows` in `Store`), since nothing else
    /// bounds its reads.
    public typealias Rows = @Sendable (PostgresQuery) async throws -> [PostgresRow]

    let rows: Rows
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger, rows: Rows? = nil) {
        self.logger = logger
        self.rows = rows ?? { query in try await client.query(query, logger: logger).collect() }
    }

    /// Every portfolio, in id order.
    public func portfolioIDs() async throws -> [String] {
        let rows = try await self.rows("SELECT portfolio_id FROM api.portfolios ORDER BY portfolio_id")
        return try rows.map { try $0.decode(String.self) }
    }

    /// The portfolios holding any of `symbols` or an option on one of them.
    public func portfolioIDs(holding symbols: [String]) async throws -> [String] {
        let rows = try await self.rows("""
            SELECT DISTINCT portfolio_id FROM api.position_terms
            WHERE symbol = ANY(\(symbols)::text[]) OR underlying = ANY(\(symbols)::text[])
            ORDER BY 1
            """)
        return try rows.map { try $0.decode(String.self) }
    }

    /// Positions, closes of their factors (and of `alsoClosesOf`, e.g. the beta index) over enough
    /// calendar days for `lookbackDays` returns, and the quote mids of the options held.
    public func inputs(portfolioID: String, lookbackDays: Int, alsoClosesOf extra: [String] = []) async throws -> PortfolioInputs {
        var inputs = PortfolioInputs(portfolioID: portfolioID, positions: try await positions(portfolioID), closes: [])
        let factors = inputs.factorSymbols
        if !factors.isEmpty {
            let symbols = factors + extra.filter { !factors.contains($0) }
            inputs.closes = try await closes(of: symbols, calendarDays: Self.calendarDays(forReturns: lookbackDays))
        }
        let options = inputs.positions.filter { $0.kind == .option }.map(\.symbol)
        if !options.isEmpty { inputs.optionMids = try await latestMids(of: options) }
        return inputs
    }

    /// Calendar days that hold `returns` trading days (5 in 7) with room for holidays.
    static func calendarDays(forReturns returns: Int) -> Int { returns * 7 / 5 + 15 }

    func positions(_ portfolioID: String) async throws -> [HeldInstrument] {
        let rows = try await self.rows("""
            SELECT symbol, quantity::float8, kind, multiplier::float8, underlying, underlying_kind,
                   strike::float8, expiry::text, option_right
            FROM api.position_terms
            WHERE portfolio_id = \(portfolioID) AND quantity <> 0
            ORDER BY symbol
            """)
        var result: [HeldInstrument] = []
        for row in rows {
            let (symbol, quantity, kind, multiplier, underlying, underlyingKind, strike, expiry, right)
                = try row.decode((String, Double, String, Double, String?, String?, Double?, String?, String?).self)
            guard let kind = Instrument.Kind(rawValue: kind) else {
                throw RiskEngineError.invalidInstrument(symbol: symbol, reason: "unknown kind \(kind)")
            }
            result.append(HeldInstrument(
                symbol: symbol, quantity: quantity, kind: kind, multiplier: multiplier, underlying: underlying,
                underlyingKind: underlyingKind.flatMap(Instrument.Kind.init(rawValue:)), strike: strike,
                expiry: expiry.flatMap { CivilDate($0) }, right: right.flatMap(Instrument.OptionRight.init(rawValue:))))
        }
        return result
    }

    /// Closes of `symbols` over the `calendarDays` before the latest day any of them traded or was
    /// quoted (not before today: a feed that stopped still has a history to value). Nothing dated
    /// after today counts: one symbol's future-dated print cannot move every portfolio's valuation
    /// date past all of its history.
    func closes(of symbols: [String], calendarDays: Int) async throws -> [DailyClose] {
        let rows = try await self.rows("""
            WITH latest AS (
                SELECT (least(coalesce(max(greatest(last_trade_ts, last_quote_ts)), now()), now()) AT TIME ZONE 'UTC')::date AS day
                FROM api.last_activity WHERE symbol = ANY(\(symbols)::text[])
            )
            SELECT c.symbol, c.day::text, c.close::float8
            FROM analytics.daily_closes c, latest
            WHERE c.symbol = ANY(\(symbols)::text[]) AND c.day >= latest.day - \(Int32(calendarDays)) AND c.day <= latest.day
            ORDER BY c.symbol, c.day
            """)
        var result: [DailyClose] = []
        for row in rows {
            let (symbol, day, close) = try row.decode((String, String, Double).self)
            guard let date = CivilDate(day) else { continue }
            result.append(DailyClose(symbol: symbol, date: date, close: close))
        }
        return result
    }

    /// Mid of the latest two-sided quote of each symbol that has one.
    public func latestMids(of symbols: [String]) async throws -> [String: Double] {
        let rows = try await self.rows("""
            SELECT symbol, mid::float8 FROM api.latest_mids WHERE symbol = ANY(\(symbols)::text[])
            """)
        var result: [String: Double] = [:]
        for row in rows {
            let (symbol, mid) = try row.decode((String, Double).self)
            result[symbol] = mid
        }
        return result
    }
}
