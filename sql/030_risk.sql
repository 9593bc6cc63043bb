-- Portfolios, positions and risk results.

CREATE VIEW api.portfolios AS
SELECT portfolio_id, name, base_currency, created_at, updated_at
FROM risk.portfolios;

CREATE VIEW api.positions AS
SELECT p.portfolio_id, p.symbol, i.kind, p.quantity, p.average_price, p.updated_at
FROM risk.positions p
JOIN market.instruments i USING (symbol);
COMMENT ON VIEW api.positions IS 'Signed positions (negative = short) per portfolio.';

CREATE VIEW api.risk_metrics AS
SELECT computed_at, run_id, portfolio_id, method, confidence, horizon_days,
       var, expected_shortfall, portfolio_value, sample_size
FROM risk.risk_metrics;
COMMENT ON VIEW api.risk_metrics IS 'Every VaR/ES result; losses are positive amounts in the base currency.';

CREATE VIEW api.risk_latest AS
SELECT DISTINCT ON (portfolio_id, method, confidence, horizon_days)
       portfolio_id, method, confidence, horizon_days, var, expected_shortfall,
       portfolio_value, computed_at, run_id
FROM risk.risk_metrics
ORDER BY portfolio_id, method, confidence, horizon_days, computed_at DESC;
COMMENT ON VIEW api.risk_latest IS 'The latest VaR and ES per portfolio, method, confidence and horizon.';

CREATE VIEW api.greeks_latest AS
SELECT DISTINCT ON (portfolio_id) portfolio_id, computed_at, run_id, delta, gamma, vega, theta, rho
FROM risk.portfolio_greeks
ORDER BY portfolio_id, computed_at DESC;
COMMENT ON VIEW api.greeks_latest IS 'The latest aggregate Greeks per portfolio.';
