import PipelineContracts
import PostgresNIO

/// Reads portfolio risk from `api.portfolios`, `api.risk_overview` and `api.risk_metrics`.
struct RiskReader: Sendable {
    let database: ReaderDatabase

    func portfolioExists(_ id: String) async throws -> Bool {
        try await database.row("SELECT 1 FROM api.portfolios WHERE portfolio_id = \(id)") { _ in true } ?? false
    }

    /// The latest run of `id` (every row of `api.risk_overview` belongs to one run).
    func latest(_ id: String) async throws -> RiskBody {
        struct Row: Sendable {
            var run: String, computed: String, asOf: String?, value: String?, metric: RiskMetricBody, greeks: GreeksBody
        }
        let rows = try await database.rows("""
            SELECT run_id::text, api.rfc3339(computed_at), as_of::text, trim_scale(portfolio_value)::text,
                   method, trim_scale(confidence)::text, horizon_days, trim_scale(var)::text,
                   trim_scale(expected_shortfall)::text, delta, gamma, vega, theta, rho
            FROM api.risk_overview WHERE portfolio_id = \(id)
            ORDER BY method, confidence, horizon_days
            """) { row in
            let (run, computed, asOf, value, method, confidence, horizon, v, es, delta, gamma, vega, theta, rho) =
                try row.decode((String, String, String?, String?, String, String, Int32, String, String,
                                Double?, Double?, Double?, Double?, Double?).self)
            return Row(run: run, computed: computed, asOf: asOf, value: value,
                       metric: RiskMetricBody(method: method, confidence: confidence, horizonDays: horizon, var: v, expectedShortfall: es),
                       greeks: GreeksBody(delta: delta, gamma: gamma, vega: vega, theta: theta, rho: rho))
        }
        guard let first = rows.first else { return RiskBody(portfolioId: id, metrics: []) }
        var body = RiskBody(portfolioId: id, runId: first.run, computedAt: first.computed, asOf: first.asOf,
                            portfolioValue: first.value, greeks: first.greeks, metrics: rows.map(\.metric))
        body.positions = try await database.rows("""
            SELECT position_id, method, trim_scale(confidence)::text, horizon_days, component_var, component_es, incremental_es
            FROM api.position_risk_latest WHERE portfolio_id = \(id) AND run_id = \(first.run)::uuid
            ORDER BY method, confidence, horizon_days, position_id
            """) { row in
            let (position, method, confidence, horizon, componentVar, componentES, incremental) =
                try row.decode((String, String, String, Int32, Double, Double, Double?).self)
            return PositionRiskBody(positionId: position, method: method, confidence: confidence, horizonDays: horizon,
                                    componentVar: componentVar, componentEs: componentES, incrementalEs: incremental)
        }
        body.beta = try await database.row("""
            SELECT beta_index, beta, dollar_beta, beta_correlation, beta_observations
            FROM api.portfolio_beta_latest WHERE portfolio_id = \(id) AND run_id = \(first.run)::uuid AND beta IS NOT NULL
            """) { row in
            let (index, beta, dollar, correlation, observations) = try row.decode((String, Double, Double?, Double?, Int32?).self)
            return BetaBody(index: index, beta: beta, dollarBeta: dollar, correlation: correlation, observations: observations)
        }
        return body
    }

    /// Stored VaR/ES results of `id` in `range`, newest first, at most `limit`.
    func history(_ id: String, range: TimeRange, limit: Int) async throws -> [RiskMetricBody] {
        try await database.rows("""
            SELECT method, trim_scale(confidence)::text, horizon_days, trim_scale(var)::text,
                   trim_scale(expected_shortfall)::text, api.rfc3339(computed_at), run_id::text,
                   trim_scale(portfolio_value)::text
            FROM api.risk_metrics
            WHERE portfolio_id = \(id) AND computed_at >= \(range.sqlFrom)::timestamptz
              AND computed_at < \(range.sqlTo)::timestamptz
            ORDER BY computed_at DESC, method, confidence, horizon_days
            LIMIT \(limit)
            """) { row in
            let (method, confidence, horizon, v, es, computed, run, value) =
                try row.decode((String, String, Int32, String, String, String, String, String?).self)
            return RiskMetricBody(method: method, confidence: confidence, horizonDays: horizon, var: v,
                                  expectedShortfall: es, computedAt: computed, runId: run, portfolioValue: value)
        }
    }
}
