-- Each bar's VWAP stored with it (issue 19; docs/benchmarks.md, "Bars"). Readers divided the bar's
-- notional by its volume on every read: on a year of one-minute bars that numeric division was
-- about 40 % of the read. A generated column computes it once, when the rollup trigger writes the
-- bar, with the same expression the reader view used, so every answer stays the same.
--
-- Adding a stored generated column rewrites market.bars under an ACCESS EXCLUSIVE lock: writers
-- (the processor's commits, through the rollup triggers) and readers of bars wait until the
-- upgrade commits. `quant migrate plan --rehearse` on a copy says how long (docs/migrations.md).

ALTER TABLE market.bars
    ADD COLUMN vwap numeric GENERATED ALWAYS AS (round(notional / nullif(volume, 0), 8)) STORED;
COMMENT ON COLUMN market.bars.vwap IS
    'Volume-weighted average price of the bar''s trades (notional / volume, 8 places); NULL without trades.';
