-- Portfolios, positions and risk results.

CREATE VIEW api.portfolios AS
SELECT portfolio_id, name, base_currency, created_at, updated_at
FROM risk.portfolios;

-- A portfolio's holdings: what was entered for it (risk.positions: opening positions, other
-- books) plus what its accounts' fills made (trading.positions, issue 18). A filter on
-- portfolio_id or symbol reaches both tables (it is pushed below the grouping). `cost` is the
-- holdings' combined cost (NULL when an entered position has no average price).
CREATE VIEW api.portfolio_holdings AS
SELECT h.portfolio_id, h.symbol, i.kind, i.multiplier, sum(h.quantity) AS quantity,
       CASE WHEN count(h.cost) = count(*) THEN sum(h.cost) END AS cost,
       max(h.updated_at) AS updated_at,
       coalesce(sum(h.quantity) FILTER (WHERE h.source = 'entered'), 0) AS entered_quantity,
       coalesce(sum(h.quantity) FILTER (WHERE h.source = 'traded'), 0) AS traded_quantity,
       round(sum(h.realized_pnl) * i.multiplier, 8) AS realized_pnl
FROM (
    SELECT portfolio_id, symbol, quantity, quantity * average_price AS cost, 0::numeric AS realized_pnl, updated_at,
           'entered' AS source
    FROM risk.positions
    UNION ALL
    SELECT a.portfolio_id, p.symbol, p.quantity, p.cost_basis, p.realized_pnl, p.updated_at, 'traded'
    FROM trading.positions p
    JOIN trading.accounts a USING (account)
) h
JOIN market.instruments i USING (symbol)
GROUP BY h.portfolio_id, h.symbol, i.kind, i.multiplier;
COMMENT ON VIEW api.portfolio_holdings IS
    'Per portfolio and symbol: entered (risk.positions) plus traded by its accounts (trading.positions), with their combined cost and realized P&L.';

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
