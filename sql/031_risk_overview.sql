-- The latest risk run of each portfolio in one place: every VaR/ES row of that run with the run's
-- Greeks as columns (see docs/sql.md). Unlike api.risk_latest, all rows come from one run.
CREATE VIEW api.risk_overview AS
SELECT g.portfolio_id, g.run_id, g.computed_at, (m.details ->> 'asOf')::date AS as_of, m.portfolio_value,
       m.method, m.confidence, m.horizon_days, m.var, m.expected_shortfall,
       g.delta, g.gamma, g.vega, g.theta, g.rho
FROM api.greeks_latest g
JOIN risk.risk_metrics m
  ON m.run_id = g.run_id AND m.portfolio_id = g.portfolio_id AND m.computed_at = g.computed_at;
COMMENT ON VIEW api.risk_overview IS
    'Latest run per portfolio: VaR and ES per method, confidence and horizon, with that run''s Greeks and inputs'' as-of date.';
