import Foundation
import Logging
import PipelineContracts
import PortfolioValuation
import PostgresNIO
import Risk
import Store

/// Stores one portfolio's run in one transaction: a `risk.risk_metrics` row per method ×
/// confidence × horizon, a `risk.position_risk` row per such measure and position, a
/// `risk.stress_results` row per stress scenario and a `risk.portfolio_greeks` row (with the
/// beta), all with the same `run_id` and
/// `computed_at` (the transaction's `now()`), then `NOTIFY risk_metrics` with
/// `{"portfolio_id", "run_id", "computed_at"}`. The notification is part of the transaction, so
/// listeners hear of a run only once it is committed and visible.
public struct RiskRunWriter: Sendable {
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
        let stress = try StressRows(run.stress)
        return try await withTodaysPartitions(
            of: ["risk.risk_metrics", "risk.portfolio_greeks", "risk.stress_results", "risk.position_risk"], client: client, logger: logger
        ) {
            try await insert(run, runID: runID, details: details, stress: stress)
        }
    }

    private func insert(_ run: PortfolioRiskRun, runID: UUID, details: [String], stress: StressRows) async throws -> String {
        let m = run.measures
        let g = run.greeks
        let b = run.beta
        let parts = PositionRiskRows(run.measures)
        let logger = logger
        // Watched: nothing else bounds the risk engine's writes (see `whileOpen`).
        return try await client.withOpenConnection { connection in try await connection.withTransaction(logger: logger) { connection in
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
                INSERT INTO risk.portfolio_greeks (computed_at, run_id, portfolio_id, delta, gamma, vega, theta, rho,
                                                   beta_index, beta, dollar_beta, beta_correlation, beta_observations)
                VALUES (now(), \(runID), \(run.portfolioID), \(g.delta), \(g.gamma), \(g.vega), \(g.theta), \(g.rho),
                        \(b?.index.rawValue), \(b?.beta), \(b?.dollarBeta), \(b?.correlation), \(b.map { Int32($0.observations) }))
                """, logger: logger)
            try await connection.query("""
                INSERT INTO risk.position_risk (computed_at, run_id, portfolio_id, method, confidence, horizon_days,
                                                position_id, component_var, component_es, incremental_es)
                SELECT now(), \(runID), \(run.portfolioID), method, confidence, horizon, id, cvar, ces, nullif(ies, 'NaN')
                FROM unnest(\(parts.methods)::text[], \(parts.confidences)::float8[], \(parts.horizons)::int[],
                            \(parts.ids)::text[], \(parts.componentVaR)::float8[], \(parts.componentES)::float8[],
                            \(parts.incrementalES)::float8[]) AS t(method, confidence, horizon, id, cvar, ces, ies)
                """, logger: logger)
            if !stress.scenarios.isEmpty {
                try await connection.query("""
                    INSERT INTO risk.stress_results (computed_at, run_id, portfolio_id, scenario, description, shocks,
                                                     base_value, stressed_value, pnl, positions)
                    SELECT now(), \(runID), \(run.portfolioID), scenario, nullif(description, ''), shocks::jsonb, base, stressed, pnl, positions::jsonb
                    FROM unnest(\(stress.scenarios)::text[], \(stress.descriptions)::text[], \(stress.shocks)::text[],
                                \(stress.baseValues)::float8[], \(stress.stressedValues)::float8[], \(stress.pnls)::float8[],
                                \(stress.positions)::text[]) AS t(scenario, description, shocks, base, stressed, pnl, positions)
                    """, logger: logger)
            }
            let rows = try await connection.query("SELECT to_json(now()) #>> '{}'", logger: logger)
            var computedAt = ""
            for try await at in rows.decode(String.self) { computedAt = at }
            let notice = RiskRunNotice(portfolioId: run.portfolioID, runId: runID.uuidString.lowercased(), computedAt: computedAt)
            try await connection.query("SELECT pg_notify(\(RiskRunNotice.channel.name), \(notice.payload))", logger: logger)
            return computedAt
        } }
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

/// The `risk.position_risk` columns of a run: one entry per measure × position. A missing
/// incremental ES (parametric) travels as NaN and is stored as NULL.
struct PositionRiskRows {
    var methods: [String] = [], confidences: [Double] = [], horizons: [Int32] = [], ids: [String] = []
    var componentVaR: [Double] = [], componentES: [Double] = [], incrementalES: [Double] = []

    init(_ measures: [RiskMeasure]) {
        for measure in measures {
            for part in measure.contributions {
                methods.append(measure.method.storedName)
                confidences.append(measure.confidence)
                horizons.append(Int32(measure.horizonDays))
                ids.append(part.id)
                componentVaR.append(part.valueAtRisk)
                componentES.append(part.expectedShortfall)
                incrementalES.append(part.incrementalExpectedShortfall ?? .nan)
            }
        }
    }
}

/// The `risk.stress_results` columns of a run, shocks and positions as JSON text with snake_case
/// keys (`price_percent`, `base_value`, …), as SQL readers and the API spell them.
struct StressRows {
    var scenarios: [String] = [], descriptions: [String] = [], shocks: [String] = [], positions: [String] = []
    var baseValues: [Double] = [], stressedValues: [Double] = [], pnls: [Double] = []

    init(_ results: [StressTest.Result]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        for result in results {
            scenarios.append(result.scenario)
            descriptions.append(result.description ?? "")
            shocks.append(String(decoding: try encoder.encode(result.shocks), as: UTF8.self))
            positions.append(String(decoding: try encoder.encode(result.positions), as: UTF8.self))
            baseValues.append(result.baseValue)
            stressedValues.append(result.stressedValue)
            pnls.append(result.pnl)
        }
    }
}
