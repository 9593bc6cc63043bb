import Logging
import MarketCore
import PostgresNIO
import Risk

/// Reads what `PortfolioRiskCalculator` needs from Postgres: portfolios, their positions joined to
/// the instruments, daily closes from `analytics.daily_closes`, and the latest option quote mids.
public struct RiskInputsReader: Sendable {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Every portfolio, in id order.
    public func portfolioIDs() async throws -> [String] {
        let rows = try await client.query("SELECT portfolio_id FROM risk.portfolios ORDER BY portfolio_id", logger: logger)
        var ids: [String] = []
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids
    }

    /// The portfolios holding any of `symbols` or an option on one of them.
    public func portfolioIDs(holding symbols: [String]) async throws -> [String] {
        let rows = try await client.query("""
            SELECT DISTINCT p.portfolio_id
            FROM risk.positions p JOIN market.instruments i USING (symbol)
            WHERE p.symbol = ANY(\(symbols)::text[]) OR i.underlying = ANY(\(symbols)::text[])
            ORDER BY 1
            """, logger: logger)
        var ids: [String] = []
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids
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
        let rows = try await client.query("""
            SELECT p.symbol, p.quantity::float8, i.kind, i.multiplier::float8, i.underlying, u.kind,
                   i.strike::float8, i.expiry::text, i.option_right
            FROM risk.positions p
            JOIN market.instruments i USING (symbol)
            LEFT JOIN market.instruments u ON u.symbol = i.underlying
            WHERE p.portfolio_id = \(portfolioID) AND p.quantity <> 0
            ORDER BY p.symbol
            """, logger: logger)
        var result: [HeldInstrument] = []
        for try await (symbol, quantity, kind, multiplier, underlying, underlyingKind, strike, expiry, right)
            in rows.decode((String, Double, String, Double, String?, String?, Double?, String?, String?).self) {
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
        let rows = try await client.query("""
            WITH latest AS (
                -- Per symbol, the newest print and quote through the (symbol, ts) index, one row each:
                -- an aggregate over = ANY(...) read every row of every partition (seconds, growing).
                SELECT (least(coalesce(max(greatest(t.ts, q.ts)), now()), now()) AT TIME ZONE 'UTC')::date AS day
                FROM unnest(\(symbols)::text[]) AS s(symbol)
                LEFT JOIN LATERAL (SELECT ts FROM market.trades WHERE symbol = s.symbol AND ts <= now()
                                   ORDER BY ts DESC LIMIT 1) t ON true
                LEFT JOIN LATERAL (SELECT ts FROM market.quotes WHERE symbol = s.symbol AND ts <= now()
                                   ORDER BY ts DESC LIMIT 1) q ON true
            )
            SELECT c.symbol, c.day::text, c.close::float8
            FROM analytics.daily_closes c, latest
            WHERE c.symbol = ANY(\(symbols)::text[]) AND c.day >= latest.day - \(Int32(calendarDays)) AND c.day <= latest.day
            ORDER BY c.symbol, c.day
            """, logger: logger)
        var result: [DailyClose] = []
        for try await (symbol, day, close) in rows.decode((String, String, Double).self) {
            guard let date = CivilDate(day) else { continue }
            result.append(DailyClose(symbol: symbol, date: date, close: close))
        }
        return result
    }

    /// Mid of the latest two-sided quote of each symbol that has one.
    public func latestMids(of symbols: [String]) async throws -> [String: Double] {
        let rows = try await client.query("""
            SELECT s.symbol, q.mid
            FROM unnest(\(symbols)::text[]) AS s(symbol)
            CROSS JOIN LATERAL (
                SELECT ((bid + ask) / 2)::float8 AS mid FROM market.quotes mq
                WHERE mq.symbol = s.symbol AND bid > 0 AND ask >= bid
                ORDER BY ts DESC LIMIT 1
            ) q
            """, logger: logger)
        var result: [String: Double] = [:]
        for try await (symbol, mid) in rows.decode((String, Double).self) { result[symbol] = mid }
        return result
    }
}
