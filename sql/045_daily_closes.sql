-- Daily closes: the risk engine's price history, and a series for analysts and Grafana. See
-- docs/sql.md. Stored, not derived: they are the daily bars of market.bars (migration 0026), kept
-- with the ticks in one transaction and kept after tick retention dropped the ticks.
--
-- The close of a UTC day is the price of its last trade print; on a day without trades, the mid of
-- its last two-sided quote (bid > 0, ask >= bid). Filter on symbol (and day).
CREATE VIEW analytics.daily_closes AS
SELECT symbol, (bucket AT TIME ZONE 'UTC')::date AS day, close, source, last_ts
FROM api.ohlcv
WHERE width = interval '1 day';
COMMENT ON VIEW analytics.daily_closes IS
    'One close per symbol and UTC day (stored daily bars): the last trade price, else the last quote mid. source says which; last_ts is its time.';
