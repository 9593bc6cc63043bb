-- Views for the analyst's guide (docs/sql.md) and the Grafana dashboards (config/grafana/).
--
-- Two kinds: plain projections of one or more base tables, which keep every row (filter them on
-- their time column: the predicate reaches the daily partitions, so only the days asked for are
-- read), and per-minute summaries for psql, which group a whole table (filter them on symbol and
-- bucket; for long ranges group the projections yourself, as the dashboards do).

-- Every ingested row of the pipeline with its event time and, for market data, the time it was
-- committed: rows per minute are the throughput, received_at - ts is the ingest latency.
CREATE VIEW analytics.ingested_rows AS
SELECT 'quotes'::text AS stream, ts, received_at FROM market.quotes
UNION ALL
SELECT 'trades', ts, received_at FROM market.trades
UNION ALL
SELECT 'orders', ts, NULL::timestamptz FROM trading.orders
UNION ALL
SELECT 'order_events', ts, NULL::timestamptz FROM trading.order_events
UNION ALL
SELECT 'executions', ts, NULL::timestamptz FROM trading.executions
UNION ALL
SELECT 'dead_letters', received_at, received_at FROM ops.dead_letters;
COMMENT ON VIEW analytics.ingested_rows IS
    'One row per stored message: stream, event time ts and (quotes, trades) commit time received_at. Filter on ts.';

CREATE VIEW analytics.throughput_1m AS
SELECT date_trunc('minute', ts) AS bucket, stream,
       count(*) AS row_count,
       round(avg(extract(epoch FROM received_at - ts)) * 1000, 3) AS avg_latency_ms,
       round(max(extract(epoch FROM received_at - ts)) * 1000, 3) AS max_latency_ms
FROM analytics.ingested_rows
GROUP BY 1, 2;
COMMENT ON VIEW analytics.throughput_1m IS
    'Rows per minute and stream, with the mean and worst ingest latency (commit time - event time) in ms.';

-- Consumer progress per topic: how many messages the consumer group has committed and when.
CREATE VIEW analytics.consumer_progress AS
SELECT consumer_group, topic,
       count(*) AS partitions,
       sum(next_offset) AS committed_messages,
       max(updated_at) AS last_commit,
       round(extract(epoch FROM now() - max(updated_at))::numeric, 3) AS seconds_since_commit
FROM ops.kafka_offsets
GROUP BY consumer_group, topic;
COMMENT ON VIEW analytics.consumer_progress IS
    'Per consumer group and topic: partitions, messages committed (sum of next offsets), last commit and its age in seconds.';

-- The processors' batches per window (migration 0031): count, messages, dead letters and commit
-- times; one row per processor every processor.ingestWindowSeconds, busy or idle.
CREATE VIEW analytics.ingest_windows AS
SELECT window_end, window_seconds, consumer_group, instance, batches, messages,
       round((messages / window_seconds)::numeric, 1) AS messages_per_second,
       dead_letters, commit_ms_p50, commit_ms_p99, commit_ms_max
FROM ops.ingest_windows;
COMMENT ON VIEW analytics.ingest_windows IS
    'Per processor (instance = host/pid) and window: batches committed, messages, messages/s, dead letters, commit time p50/p99/max in ms. Filter on window_end.';

-- Quote spread statistics per minute (two-sided quotes only).
CREATE VIEW analytics.spread_stats_1m AS
SELECT symbol, date_trunc('minute', ts) AS bucket,
       count(*) AS quote_count,
       round(avg(ask - bid), 8) AS avg_spread,
       min(ask - bid) AS min_spread,
       max(ask - bid) AS max_spread,
       round(avg((ask - bid) / ((bid + ask) / 2)) * 10000, 4) AS avg_spread_bps,
       round(avg(bid_size), 2) AS avg_bid_size,
       round(avg(ask_size), 2) AS avg_ask_size
FROM market.quotes
WHERE bid > 0 AND ask >= bid
GROUP BY symbol, date_trunc('minute', ts);
COMMENT ON VIEW analytics.spread_stats_1m IS
    'Per symbol and UTC minute: quote count, mean/min/max spread, mean spread in basis points of the mid, mean sizes.';

-- VWAP per minute from trade prints, from the stored one-minute bars (also a column of analytics.ohlcv_1m).
CREATE VIEW analytics.vwap_1m AS
SELECT symbol, bucket, vwap, volume, notional, trade_count
FROM market.bars
WHERE width = interval '1 minute' AND trade_count > 0;
COMMENT ON VIEW analytics.vwap_1m IS 'Per symbol and UTC minute: volume-weighted average price, volume, notional, prints (stored bars).';

-- The history of our books as snapshotted by the processor (without the snapshot bytes).
CREATE VIEW analytics.book_depth AS
SELECT taken_at, symbol, book_seq, best_bid, best_ask,
       best_ask - best_bid AS spread,
       (best_bid + best_ask) / 2 AS mid,
       bid_depth, ask_depth,
       jsonb_array_length(coalesce(depth -> 'bids', '[]'::jsonb)) AS bid_levels,
       jsonb_array_length(coalesce(depth -> 'asks', '[]'::jsonb)) AS ask_levels,
       depth
FROM trading.book_snapshots;
COMMENT ON VIEW analytics.book_depth IS
    'Every book snapshot: best prices, spread, resting quantity per side, levels shown and the top levels as JSON. Filter on taken_at.';

-- The rest of the api views that analysts and Grafana use, under analytics too.
CREATE VIEW analytics.book_tops AS SELECT * FROM api.book_tops;
CREATE VIEW analytics.latest_quotes AS SELECT * FROM api.latest_quotes;
CREATE VIEW analytics.order_events AS SELECT * FROM api.order_events;

-- Greeks of every risk run (api.greeks_latest keeps only the latest).
CREATE VIEW analytics.portfolio_greeks AS
SELECT computed_at, run_id, portfolio_id, delta, gamma, vega, theta, rho
FROM risk.portfolio_greeks;
COMMENT ON VIEW analytics.portfolio_greeks IS 'Aggregate Greeks of every risk run (units: docs/risk.md).';

-- VaR backtest on the stored results: for each portfolio, method and confidence, the 1-day VaR of
-- the last run of each as-of date against the change of the portfolio value to the next as-of
-- date. The value is the engine's valuation of the positions held at each run, so a position
-- change between the two runs counts as P&L: a clean backtest needs unchanged positions.
CREATE VIEW analytics.var_exceptions AS
WITH last_run_per_day AS (
    SELECT DISTINCT ON (portfolio_id, method, confidence, (details ->> 'asOf')::date)
           portfolio_id, method, confidence, (details ->> 'asOf')::date AS as_of,
           computed_at, run_id, var, expected_shortfall, portfolio_value
    FROM risk.risk_metrics
    WHERE horizon_days = 1 AND details ->> 'asOf' IS NOT NULL AND portfolio_value IS NOT NULL
    ORDER BY portfolio_id, method, confidence, (details ->> 'asOf')::date, computed_at DESC
), paired AS (
    SELECT r.*,
           lead(as_of) OVER w AS next_as_of,
           lead(portfolio_value) OVER w AS next_value
    FROM last_run_per_day r
    WINDOW w AS (PARTITION BY portfolio_id, method, confidence ORDER BY as_of)
)
SELECT portfolio_id, method, confidence, as_of, next_as_of, computed_at, run_id,
       var, expected_shortfall, portfolio_value, next_value,
       next_value - portfolio_value AS pnl,
       portfolio_value - next_value > var AS exception
FROM paired
WHERE next_as_of IS NOT NULL;
COMMENT ON VIEW analytics.var_exceptions IS
    'Per portfolio, method, confidence and as-of day: the 1-day VaR against the next day''s change in portfolio value; exception when the loss exceeds VaR.';
