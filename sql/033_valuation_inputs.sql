-- What portfolio valuation reads (the PortfolioValuation target: the risk engine's runs and the
-- API's stress tests and hedges), so neither service reads a base table. Each is read filtered by
-- portfolio or symbol; the filters reach the base tables' indexes (one probe per symbol).

CREATE VIEW api.position_terms AS
SELECT p.portfolio_id, p.symbol, p.quantity, i.kind, i.multiplier, i.underlying, u.kind AS underlying_kind,
       i.strike, i.expiry, i.option_right
FROM api.portfolio_holdings p
JOIN market.instruments i USING (symbol)
LEFT JOIN market.instruments u ON u.symbol = i.underlying
WHERE p.quantity <> 0;
COMMENT ON VIEW api.position_terms IS
    'Each position (entered plus traded, api.portfolio_holdings) with the terms its valuation needs (an option''s underlying and its kind, strike, expiry, right).';

-- Not after now(): one symbol's future-dated print must not move every valuation date.
CREATE VIEW api.last_activity AS
SELECT i.symbol, t.ts AS last_trade_ts, q.ts AS last_quote_ts
FROM market.instruments i
LEFT JOIN LATERAL (SELECT ts FROM market.trades WHERE symbol = i.symbol AND ts <= now() ORDER BY ts DESC LIMIT 1) t ON true
LEFT JOIN LATERAL (SELECT ts FROM market.quotes WHERE symbol = i.symbol AND ts <= now() ORDER BY ts DESC LIMIT 1) q ON true;
COMMENT ON VIEW api.last_activity IS
    'Per instrument, its newest trade and quote times up to now. Filter by symbol.';

CREATE VIEW api.latest_mids AS
SELECT i.symbol, q.ts, q.mid
FROM market.instruments i
CROSS JOIN LATERAL (
    SELECT ts, (bid + ask) / 2 AS mid FROM market.quotes
    WHERE symbol = i.symbol AND bid > 0 AND ask >= bid ORDER BY ts DESC LIMIT 1
) q;
COMMENT ON VIEW api.latest_mids IS
    'Per instrument, the mid of its latest two-sided quote (bid > 0, ask >= bid). Filter by symbol.';
