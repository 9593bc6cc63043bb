-- Instruments and market data.

CREATE VIEW api.instruments AS
SELECT symbol, name, kind, currency, tick_size, lot_size, multiplier,
       underlying, strike, expiry, option_right, active
FROM market.instruments;
COMMENT ON VIEW api.instruments IS 'Tradable instruments with tick and lot sizes and option terms.';

CREATE VIEW api.quotes AS
SELECT ts, symbol, bid, ask, bid_size, ask_size,
       (bid + ask) / 2 AS mid,
       ask - bid AS spread
FROM market.quotes;
COMMENT ON VIEW api.quotes IS 'Every quote tick. Filter by symbol and ts: (symbol, ts) is indexed.';

CREATE VIEW api.trades AS
SELECT ts, symbol, price, size, price * size AS notional
FROM market.trades;
COMMENT ON VIEW api.trades IS 'Every trade print. Filter by symbol and ts: (symbol, ts) is indexed.';

-- The latest quote per instrument: one index probe per symbol rather than a scan of all ticks.
CREATE VIEW api.latest_quotes AS
SELECT i.symbol, q.ts, q.bid, q.ask, q.bid_size, q.ask_size,
       (q.bid + q.ask) / 2 AS mid, q.ask - q.bid AS spread
FROM market.instruments i
CROSS JOIN LATERAL (
    SELECT * FROM market.quotes mq WHERE mq.symbol = i.symbol ORDER BY mq.ts DESC LIMIT 1
) q;
COMMENT ON VIEW api.latest_quotes IS 'The most recent quote of each instrument that has one.';

CREATE VIEW api.latest_trades AS
SELECT i.symbol, t.ts, t.price, t.size
FROM market.instruments i
CROSS JOIN LATERAL (
    SELECT * FROM market.trades mt WHERE mt.symbol = i.symbol ORDER BY mt.ts DESC LIMIT 1
) t;
COMMENT ON VIEW api.latest_trades IS 'The most recent trade print of each instrument that has one.';
