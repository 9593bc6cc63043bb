-- Daily closes from the stored market data: the risk engine's price history, and a series for
-- analysts and Grafana. See docs/sql.md.
--
-- The close of a UTC day is the price of its last trade print; on a day without trades, the mid of
-- its last two-sided quote (bid > 0, ask >= bid). Computed on read: filter on symbol and day
-- (both are pushed down to the base tables, so the (symbol, ts) indexes are used).
CREATE VIEW analytics.daily_closes AS
SELECT DISTINCT ON (symbol, day) symbol, day, close, source, last_ts
FROM (
    SELECT * FROM (
        SELECT DISTINCT ON (symbol, (ts AT TIME ZONE 'UTC')::date)
               symbol, (ts AT TIME ZONE 'UTC')::date AS day, price AS close,
               'trade'::text AS source, ts AS last_ts, 1 AS preference
        FROM market.trades
        ORDER BY symbol, (ts AT TIME ZONE 'UTC')::date, ts DESC
    ) trade_closes
    UNION ALL
    SELECT * FROM (
        SELECT DISTINCT ON (symbol, (ts AT TIME ZONE 'UTC')::date)
               symbol, (ts AT TIME ZONE 'UTC')::date AS day, round((bid + ask) / 2, 8) AS close,
               'quote_mid'::text AS source, ts AS last_ts, 2 AS preference
        FROM market.quotes
        WHERE bid > 0 AND ask >= bid
        ORDER BY symbol, (ts AT TIME ZONE 'UTC')::date, ts DESC
    ) quote_closes
) closes
ORDER BY symbol, day, preference;
COMMENT ON VIEW analytics.daily_closes IS
    'One close per symbol and UTC day: the last trade price, else the last quote mid. source says which; last_ts is its time.';
