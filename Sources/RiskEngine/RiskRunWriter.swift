import Foundation
import Logging
import PostgresNIO
import Risk
import Store

/// Stores one portfolio's run in one transaction: a `risk.risk_metrics` row per method ×
/// confidence × horizon and a `risk.portfolio_greeks` row, all with the same `run_id` and
/// `computed_at` (the transaction's `now()`), then `NOTIFY risk_metrics` with
/// `{"portfolio_id", "run_id", "computed_at"}`. The notification is part of the transaction, so
/// listeners hear of a run only once it is committed and visible.
public struct RiskRunWriter: Sendable {
    public static let channel = "risk_metrics"

    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Writes `run` under `runID`; returns `computed_at` as Postgres wrote it. When today's
    /// partition is missing (SQLSTATE 23514), makes today's and tomorrow's and tries once more.
    @discardableResult
    public func write(_ run: PortfolioRiskRun, runID: UUID) async throws -> String {
        let details = try run.measures.map { try RiskRunDetails(run: run, measure: $0).json() }
        do {
            return try await insert(run, runID: runID, details: details)
        } catch where PostgresErrorText.sqlState(error) == "23514" {
            logger.notice("making today's risk partitions", metadata: ["portfolio": "\(run.portfolioID)"])
            try await client.query("""
                SELECT ops.ensure_partitions(t::regclass, (now() AT TIME ZONE 'UTC')::date, (now() AT TIME ZONE 'UTC')::date + 1)
                FROM unnest(ARRAY['risk.risk_metrics', 'risk.portfolio_greeks']) AS t
                """, logger: logger)
            return try await insert(run, runID: runID, details: details)
        }
    }

    private func insert(_ run: PortfolioRiskRun, runID: UUID, details: [String]) async throws -> String {
        let m = run.measures
        let g = run.greeks
        return try await client.withTransaction(logger: logger) { connection in
            try await connection.query("""
                INSERT INTO risk.risk_metrics (computed_at, run_id, portfolio_id, method, confidence, horizon_days,
                                               var, expected_shortfall, portfolio_value, sample_size, details)
                SELECT now(), \(runID), \(run.portfolioID), method, confidence, horizon, var, es, \(run.value), n, details::jsonb
                FROM unnest(\(m.map(\.method.storedName))::text[], \(m.map(\.confidence))::float8[],
                            \(m.map { Int32($0.horizonDays) })::int[], \(m.map(\.valueAtRisk))::float8[],
                            \(m.map(\.expectedShortfall))::float8[], \(m.map { Int32($0.scenarios ?? 0) })::int[],
                            \(details)::text[]) AS t(method, confidence, horizon, var, es, n, details)
                """, logger: logger)
            try await connection.query("""
                INSERT INTO risk.portfolio_greeks (computed_at, run_id, portfolio_id, delta, gamma, vega, theta, rho)
                VALUES (now(), \(runID), \(run.portfolioID), \(g.delta), \(g.gamma), \(g.vega), \(g.theta), \(g.rho))
                """, logger: logger)
            try await connection.query("""
                SELECT pg_notify(\(Self.channel), json_build_object(
                    'portfolio_id', \(run.portfolioID)::text, 'run_id', \(runID), 'computed_at', now())::text)
                """, logger: logger)
            let rows = try await connection.query("SELECT to_json(now()) #>> '{}'", logger: logger)
            var computedAt = ""
            for try await at in rows.decode(String.self) { computedAt = at }
            return computedAt
        }
    }
}

/// The `details` jsonb of one `risk.risk_metrics` row: the model, the inputs' as-of date and
/// window, and per position its value, delta, volatility and its VaR and ES contributions.
struct RiskRunDetails: Encodable {
    struct Position: Encodable {
        var id: String
        var underlying: String
        var units: Double
        var value: Double
        var delta: Double
        var gamma: Double
        var volatility: Double?
        var volatilitySource: String?
        var varContribution: Double
        var esContribution: Double
    }

    var model: String
    var asOf: String
    var returns: Int
    var firstReturnDate: String?
    var lastReturnDate: String?
    var scenarios: Int?
    var positions: [Position]

    init(run: PortfolioRiskRun, measure: RiskMeasure) {
        model = measure.model
        asOf = run.valuationDate.description
        returns = run.returnsUsed
        firstReturnDate = run.firstReturnDate?.description
        lastReturnDate = run.lastReturnDate?.description
        scenarios = measure.scenarios
        let contributions = Dictionary(measure.contributions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        positions = run.positions.map { p in
            let volatility = run.volatilities[p.id]
            return Position(
                id: p.id, underlying: p.underlying.rawValue, units: p.units, value: p.total.price, delta: p.total.delta,
                gamma: p.total.gamma, volatility: volatility?.value, volatilitySource: volatility?.source.rawValue,
                varContribution: contributions[p.id]?.valueAtRisk ?? 0, esContribution: contributions[p.id]?.expectedShortfall ?? 0)
        }
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
