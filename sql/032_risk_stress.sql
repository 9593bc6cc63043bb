-- Stress tests, per-position tail risk and portfolio beta (docs/risk.md, docs/sql.md).

CREATE VIEW api.stress_results AS
SELECT computed_at, run_id, portfolio_id, scenario, description, shocks, base_value, stressed_value, pnl
FROM risk.stress_results;
COMMENT ON VIEW api.stress_results IS
    'Every stored stress test: P&L (stressed minus base value; negative = loss) per run and scenario.';

-- The scenarios of each portfolio's latest run that has stress results.
CREATE VIEW api.stress_latest AS
SELECT s.portfolio_id, s.scenario, s.description, s.shocks, s.base_value, s.stressed_value, s.pnl,
       s.pnl / nullif(abs(s.base_value), 0) AS pnl_fraction, s.computed_at, s.run_id
FROM risk.stress_results s
JOIN (SELECT DISTINCT ON (portfolio_id) portfolio_id, run_id, computed_at
      FROM risk.stress_results
      ORDER BY portfolio_id, computed_at DESC) latest USING (portfolio_id, run_id, computed_at);
COMMENT ON VIEW api.stress_latest IS
    'Latest stress results per portfolio and scenario; pnl_fraction = pnl / |base_value| (NULL for a zero-value book).';

CREATE VIEW api.stress_positions_latest AS
SELECT s.portfolio_id, s.scenario, p.id AS position_id, p.underlying, p.base_value, p.stressed_value, p.pnl,
       s.computed_at, s.run_id
FROM api.stress_latest s
JOIN risk.stress_results r USING (run_id, scenario, computed_at)
CROSS JOIN LATERAL jsonb_to_recordset(r.positions)
    AS p(id text, underlying text, base_value double precision, stressed_value double precision, pnl double precision);
COMMENT ON VIEW api.stress_positions_latest IS 'Latest stress P&L per portfolio, scenario and position.';

-- Component VaR/ES (Euler allocation; they sum to the run's VaR/ES) and incremental ES per
-- position, for each portfolio's latest run.
CREATE VIEW api.position_risk_latest AS
SELECT r.portfolio_id, r.method, r.confidence, r.horizon_days, r.position_id,
       r.component_var, r.component_es, r.incremental_es, r.computed_at, r.run_id
FROM risk.position_risk r
JOIN api.greeks_latest g ON g.run_id = r.run_id AND g.computed_at = r.computed_at AND g.portfolio_id = r.portfolio_id;
COMMENT ON VIEW api.position_risk_latest IS
    'Latest run per portfolio: each position''s component VaR and ES (summing to the totals) and incremental ES (scenario methods).';

CREATE VIEW api.portfolio_beta_latest AS
SELECT DISTINCT ON (portfolio_id) portfolio_id, beta_index, beta, dollar_beta, beta_correlation,
       beta_observations, computed_at, run_id
FROM risk.portfolio_greeks
WHERE beta_index IS NOT NULL
ORDER BY portfolio_id, computed_at DESC;
COMMENT ON VIEW api.portfolio_beta_latest IS
    'Latest beta per portfolio to the configured index (risk.betaIndex); dollar_beta = P&L per unit index log return.';

CREATE VIEW analytics.stress_results AS SELECT * FROM api.stress_results;
CREATE VIEW analytics.stress_latest AS SELECT * FROM api.stress_latest;
CREATE VIEW analytics.stress_positions_latest AS SELECT * FROM api.stress_positions_latest;
CREATE VIEW analytics.position_risk_latest AS SELECT * FROM api.position_risk_latest;

CREATE VIEW analytics.position_risk AS
SELECT computed_at, run_id, portfolio_id, method, confidence, horizon_days, position_id,
       component_var, component_es, incremental_es
FROM risk.position_risk;
COMMENT ON VIEW analytics.position_risk IS 'Component VaR/ES and incremental ES of every position in every run.';

CREATE VIEW analytics.portfolio_beta AS
SELECT computed_at, run_id, portfolio_id, beta_index, beta, dollar_beta, beta_correlation, beta_observations
FROM risk.portfolio_greeks
WHERE beta_index IS NOT NULL;
COMMENT ON VIEW analytics.portfolio_beta IS 'Beta of every risk run to the configured index.';
