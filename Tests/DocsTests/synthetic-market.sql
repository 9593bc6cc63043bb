-- DocsTests: half an hour of synthetic market data, order flow, book snapshots and risk runs,
-- relative to now(), on top of config/demo/seed.sql (instruments, a year of daily closes, two
-- portfolios). Plain SQL, run statement by statement on one connection by the database owner.
SELECT setseed(0.7);

-- The seeded equities around their demo prices: a slow sine wave per symbol.
CREATE TEMP TABLE synthetic_symbols (symbol text, base numeric, k int);
INSERT INTO synthetic_symbols VALUES
    ('AAPL', 190, 0), ('MSFT', 410, 1), ('GOOG', 170, 2), ('AMZN', 180, 3), ('NVDA', 130, 4);

CREATE TEMP TABLE synthetic_ticks AS
SELECT s.symbol, s.k, t.ts, t.n,
       round(s.base * (1 + 0.002 * sin(extract(epoch FROM t.ts) / 90 + s.k))::numeric, 2) AS price
FROM synthetic_symbols s
CROSS JOIN LATERAL (
    SELECT ts, row_number() OVER (ORDER BY ts) AS n
    FROM generate_series(now() - interval '30 minutes', now() - interval '1 second', interval '1 second') AS ts
) t;

-- A quote per symbol and second, committed 2-40 ms after its event time.
INSERT INTO market.quotes (ts, symbol, bid, ask, bid_size, ask_size, received_at, src_partition, src_offset)
SELECT ts, symbol, price - half, price + half,
       100 * (1 + floor(random() * 20))::bigint, 100 * (1 + floor(random() * 20))::bigint,
       ts + make_interval(secs => 0.002 + random() * 0.038), k % 4, n
FROM (SELECT *, 0.01 * (1 + floor(random() * 3)) AS half FROM synthetic_ticks) q;

-- A print every 5 seconds.
INSERT INTO market.trades (ts, symbol, price, size, received_at, src_partition, src_offset)
SELECT ts + interval '300 ms', symbol, price + 0.01 * (floor(random() * 3) - 1),
       100 * (1 + floor(random() * 10))::bigint,
       ts + interval '300 ms' + make_interval(secs => 0.002 + random() * 0.038), k % 4, n / 5
FROM synthetic_ticks WHERE n % 5 = 0;

-- An order every 10 seconds; every other one is filled a second later by a taker.
CREATE TEMP TABLE synthetic_orders AS
SELECT ts + interval '500 ms' AS ts, symbol, k, n,
       format('o-%s-%s', symbol, n) AS order_id,
       CASE WHEN n % 20 = 0 THEN 'buy' ELSE 'sell' END AS side,
       price, 100 * (1 + n % 3)::bigint AS quantity
FROM synthetic_ticks WHERE n % 10 = 0;

INSERT INTO trading.orders (ts, order_id, symbol, side, order_type, time_in_force, price, quantity, account, src_partition, src_offset)
SELECT ts, order_id, symbol, side, 'limit', 'gtc', price, quantity, 'acct-' || (n % 3), k % 4, n
FROM synthetic_orders;

INSERT INTO trading.order_events (ts, seq, order_id, symbol, event, side, price, leaves_quantity, src_partition, src_offset)
SELECT ts, 2 * n, order_id, symbol, 'accepted', side, price, quantity, k % 4, n
FROM synthetic_orders;

INSERT INTO trading.order_events (ts, seq, order_id, symbol, event, side, price, last_price, last_quantity,
                                  filled_quantity, leaves_quantity, src_partition, src_offset)
SELECT ts + interval '1 second', 2 * n + 1, order_id, symbol, 'filled', side, price, price, quantity,
       quantity, 0, k % 4, n + 1
FROM synthetic_orders WHERE n % 20 = 0 OR n % 20 = 10 AND n % 40 <> 10;

-- The orders' accounts trade for the demo portfolios; the takers are market flow without one.
INSERT INTO trading.accounts (account, portfolio_id, max_position) VALUES
    ('acct-0', 'tech-long', 100000), ('acct-1', 'tech-long', NULL), ('acct-2', 'hedged-options', NULL);

INSERT INTO trading.executions (ts, seq, symbol, price, quantity, aggressor_side, maker_order_id, taker_order_id, src_partition, src_offset,
                                maker_account)
SELECT ts + interval '1 second', 2 * n + 1, symbol, price, quantity,
       CASE side WHEN 'buy' THEN 'sell' ELSE 'buy' END, order_id, 't-' || order_id, k % 4, n + 1, 'acct-' || (n % 3)
FROM synthetic_orders WHERE n % 20 = 0 OR n % 20 = 10 AND n % 40 <> 10;

-- The positions those fills made, as the processor would have stored them with the fills.
INSERT INTO trading.positions (account, symbol, quantity, cost_basis, realized_pnl, fills)
SELECT account, symbol, quantity, cost_basis, realized_pnl, fills FROM analytics.positions_from_executions();

-- Their P&L recorded every minute for the last half hour, the unrealized part moving with a wave.
SELECT ops.ensure_partitions('risk.pnl_snapshots', current_date - 1, current_date);
INSERT INTO risk.pnl_snapshots (taken_at, account, portfolio_id, symbol, quantity, mark, mark_source, realized_pnl, unrealized_pnl)
SELECT t, account, portfolio_id, symbol, quantity, mark, mark_source, realized_pnl,
       round(coalesce(unrealized_pnl, 0) * (1 + 0.5 * sin(extract(epoch FROM t) / 300))::numeric, 8)
FROM analytics.account_positions
CROSS JOIN generate_series(now() - interval '30 minutes', now(), interval '1 minute') AS t;

-- A book snapshot per symbol every 30 seconds, with ten levels a side.
INSERT INTO trading.book_snapshots (taken_at, symbol, topic, kafka_partition, next_offset, book_seq,
                                    best_bid, best_ask, bid_depth, ask_depth, snapshot, depth)
SELECT ts, symbol, 'orders.commands', k % 4, n, n, price - 0.01, price + 0.01,
       bids.total, asks.total, '\x00'::bytea,
       jsonb_build_object('bids', bids.levels, 'asks', asks.levels)
FROM synthetic_ticks
CROSS JOIN LATERAL (
    SELECT sum(q) AS total,
           jsonb_agg(jsonb_build_object('price', (price - 0.01 * i)::text, 'quantity', q, 'orders', 1 + i % 3) ORDER BY i) AS levels
    FROM (SELECT i, 100 * (1 + floor(random() * 10))::bigint AS q FROM generate_series(1, 10) i) l
) bids
CROSS JOIN LATERAL (
    SELECT sum(q) AS total,
           jsonb_agg(jsonb_build_object('price', (price + 0.01 * i)::text, 'quantity', q, 'orders', 1 + i % 3) ORDER BY i) AS levels
    FROM (SELECT i, 100 * (1 + floor(random() * 10))::bigint AS q FROM generate_series(1, 10) i) l
) asks
WHERE n % 30 = 0;

-- The latest of them as the published book per symbol (what the processor upserts).
INSERT INTO trading.book_depth
SELECT DISTINCT ON (symbol) symbol, taken_at, topic, kafka_partition, next_offset, book_seq, best_bid, best_ask,
       bid_depth, ask_depth, depth
FROM trading.book_snapshots ORDER BY symbol, taken_at DESC;

-- The processor's committed offsets and a few rejected messages.
INSERT INTO ops.kafka_offsets (consumer_group, topic, kafka_partition, next_offset, updated_at)
SELECT 'quant-processor', topic, p, 1000 * (p + 1) + floor(random() * 1000)::bigint,
       now() - make_interval(secs => random() * 2)
FROM unnest(ARRAY['md.quotes', 'md.trades', 'orders.commands']) AS topic, generate_series(0, 3) AS p;

-- Fifteen minutes of one processor's batch windows (5 s each), as IngestWindowRecorder writes them.
INSERT INTO ops.ingest_windows (window_end, window_seconds, consumer_group, instance, batches, messages, dead_letters,
    commit_ms_p50, commit_ms_p99, commit_ms_max)
SELECT now() - make_interval(secs => i * 5), 5, 'quant-processor', 'demo-host/4242', 40 + i % 7, 9000 + 37 * i, i % 2,
       2 + (i % 5) * 0.3, 6 + (i % 11), 8 + (i % 13)
FROM generate_series(0, 179) AS i;

INSERT INTO ops.dead_letters (received_at, topic, kafka_partition, kafka_offset, message_key, payload, error)
SELECT now() - make_interval(mins => i * 3), CASE WHEN i % 2 = 0 THEN 'md.quotes' ELSE 'md.trades' END,
       i % 4, 100000 + i, 'XYZ'::bytea,
       convert_to(format('{"symbol":"XYZ","bid":"1.00","ask":"1.01","n":%s}', i), 'UTF8'),
       CASE WHEN i % 3 = 0 THEN 'invalid JSON: unexpected end of input' ELSE 'unknown symbol XYZ' END
FROM generate_series(1, 6) AS i;

-- Risk runs: one a day for 60 days (as-of the previous day, so analytics.var_exceptions has a
-- history, with a few large losses), then one a minute for the last 30 minutes.
SELECT ops.ensure_partitions('risk.risk_metrics', current_date - 61, current_date);
SELECT ops.ensure_partitions('risk.portfolio_greeks', current_date - 61, current_date);

CREATE TEMP TABLE synthetic_runs AS
WITH daily AS (
    SELECT p.portfolio_id, p.base_value, d,
           CASE WHEN d % 17 = 0 THEN -0.06 ELSE 0.0004 + 0.012 * (random() + random() + random() - 1.5) END AS r
    FROM (VALUES ('tech-long', 900000.0), ('hedged-options', 60000.0)) AS p(portfolio_id, base_value),
         generate_series(1, 60) AS d
)
SELECT portfolio_id, (current_date - d + 1) + time '06:00' AS computed_at, current_date - d AS as_of,
       round((base_value * exp(sum(r) OVER (PARTITION BY portfolio_id ORDER BY d DESC)))::numeric, 2) AS value
FROM daily
UNION ALL
SELECT p.portfolio_id, m.ts, current_date - 1, round(p.base_value * (1 + 0.001 * sin(extract(epoch FROM m.ts) / 300))::numeric, 2)
FROM (VALUES ('tech-long', 905000.0), ('hedged-options', 61000.0)) AS p(portfolio_id, base_value),
     generate_series(now() - interval '30 minutes', now() - interval '1 minute', interval '1 minute') AS m(ts);
ALTER TABLE synthetic_runs ADD COLUMN run_id uuid;
UPDATE synthetic_runs SET run_id = gen_random_uuid();

INSERT INTO risk.risk_metrics (computed_at, run_id, portfolio_id, method, confidence, horizon_days,
                               var, expected_shortfall, portfolio_value, sample_size, details)
SELECT r.computed_at, r.run_id, r.portfolio_id, m.method, c.confidence, h.horizon_days,
       round(r.value * 0.015 * c.z * sqrt(h.horizon_days)::numeric * m.scale, 2),
       round(r.value * 0.015 * c.es * sqrt(h.horizon_days)::numeric * m.scale, 2),
       r.value, m.sample_size, jsonb_build_object('asOf', r.as_of, 'model', 'synthetic')
FROM synthetic_runs r,
     (VALUES ('historical', 1.05, 250), ('parametric', 1.0, 0), ('monte_carlo', 1.02, 100000)) AS m(method, scale, sample_size),
     (VALUES (0.95, 1.645, 2.063), (0.975, 1.960, 2.338), (0.99, 2.326, 2.665)) AS c(confidence, z, es),
     (VALUES (1), (10)) AS h(horizon_days);

INSERT INTO risk.portfolio_greeks (computed_at, run_id, portfolio_id, delta, gamma, vega, theta, rho)
SELECT computed_at, run_id, portfolio_id,
       CASE portfolio_id WHEN 'tech-long' THEN 4100 ELSE 12.5 END + random(),
       CASE portfolio_id WHEN 'tech-long' THEN 0 ELSE -3.2 END,
       CASE portfolio_id WHEN 'tech-long' THEN 0 ELSE -1850 + 10 * random() END,
       CASE portfolio_id WHEN 'tech-long' THEN 0 ELSE 920 + random() END,
       CASE portfolio_id WHEN 'tech-long' THEN 0 ELSE -410 + random() END
FROM synthetic_runs;

-- Stress results, per-position tail risk and betas of the same runs (what the risk engine stores
-- with each run; docs/risk.md): the six standard scenarios, the positions of config/demo/seed.sql.
SELECT ops.ensure_partitions('risk.stress_results', current_date - 61, current_date);
SELECT ops.ensure_partitions('risk.position_risk', current_date - 61, current_date);

CREATE TEMP TABLE synthetic_positions AS
SELECT p.portfolio_id, p.position_id, p.underlying, p.weight, p.option_like
FROM (VALUES ('tech-long', 'AAPL', 'AAPL', 0.22, false), ('tech-long', 'MSFT', 'MSFT', 0.24, false),
             ('tech-long', 'GOOG', 'GOOG', 0.15, false), ('tech-long', 'AMZN', 'AMZN', 0.13, false),
             ('tech-long', 'NVDA', 'NVDA', 0.26, false),
             ('hedged-options', 'AAPL', 'AAPL', -1.4, false), ('hedged-options', 'AAPL-C-180', 'AAPL', 1.5, true),
             ('hedged-options', 'AAPL-C-200', 'AAPL', -0.3, true), ('hedged-options', 'AAPL-P-180', 'AAPL', 1.2, true))
     AS p(portfolio_id, position_id, underlying, weight, option_like);

INSERT INTO risk.stress_results (computed_at, run_id, portfolio_id, scenario, description, shocks, base_value,
                                 stressed_value, pnl, positions)
SELECT r.computed_at, r.run_id, r.portfolio_id, s.scenario, s.description, s.shocks, r.value, r.value + t.pnl, t.pnl, t.positions
FROM synthetic_runs r
CROSS JOIN (VALUES
    ('equity-crash', 'Equities fall 20 % and implied volatilities jump 15 points.', '[{"price_percent":-20,"rate_basis_points":0,"volatility_points":15}]'::jsonb, -0.20, 0.15, 0.0),
    ('vol-spike', 'Implied volatilities up 10 points, prices unchanged.', '[{"price_percent":0,"rate_basis_points":0,"volatility_points":10}]', 0.0, 0.10, 0.0),
    ('rate-shock', 'Rates up 200 basis points, a parallel shift.', '[{"price_percent":0,"rate_basis_points":200,"volatility_points":0}]', 0.0, 0.0, 0.02),
    ('rally', 'Equities rise 10 % and volatilities ease 5 points.', '[{"price_percent":10,"rate_basis_points":0,"volatility_points":-5}]', 0.10, -0.05, 0.0),
    ('stagflation', 'Equities fall 10 %, rates rise 150 bp, volatilities up 8 points.', '[{"price_percent":-10,"rate_basis_points":150,"volatility_points":8}]', -0.10, 0.08, 0.015),
    ('vol-crush', 'Implied volatilities collapse 10 points.', '[{"price_percent":0,"rate_basis_points":0,"volatility_points":-10}]', 0.0, -0.10, 0.0))
    AS s(scenario, description, shocks, price, vol, rate)
CROSS JOIN LATERAL (
    SELECT sum(x.pnl)::float8 AS pnl,
           jsonb_agg(jsonb_build_object('id', x.position_id, 'underlying', x.underlying, 'base_value', x.base,
                                        'stressed_value', x.base + x.pnl, 'pnl', x.pnl) ORDER BY x.position_id) AS positions
    FROM (SELECT p.position_id, p.underlying, (r.value * p.weight)::float8 AS base,
                 (r.value * abs(p.weight) * CASE WHEN p.option_like THEN 3 * s.price * sign(p.weight) + 2 * s.vol - s.rate
                                                 ELSE s.price * sign(p.weight) END)::float8 AS pnl
          FROM synthetic_positions p WHERE p.portfolio_id = r.portfolio_id) x
) t;

INSERT INTO risk.position_risk (computed_at, run_id, portfolio_id, method, confidence, horizon_days, position_id,
                                component_var, component_es, incremental_es)
SELECT m.computed_at, m.run_id, m.portfolio_id, m.method, m.confidence, m.horizon_days, p.position_id,
       (m.var * p.weight / w.total)::float8, (m.expected_shortfall * p.weight / w.total)::float8,
       CASE WHEN m.method = 'parametric' THEN NULL ELSE (m.expected_shortfall * p.weight / w.total * 0.9)::float8 END
FROM risk.risk_metrics m
JOIN synthetic_positions p USING (portfolio_id)
JOIN (SELECT portfolio_id, sum(weight) AS total FROM synthetic_positions GROUP BY 1) w USING (portfolio_id);

UPDATE risk.portfolio_greeks g
SET beta_index = 'SPY', beta = b.beta + 0.02 * random(), dollar_beta = (b.beta * r.value)::float8,
    beta_correlation = b.correlation, beta_observations = 250
FROM synthetic_runs r, (VALUES ('tech-long', 1.18, 0.93), ('hedged-options', 0.07, 0.21)) AS b(portfolio_id, beta, correlation)
WHERE g.run_id = r.run_id AND b.portfolio_id = g.portfolio_id;

ANALYZE;

-- Session closes the scheduler sent: yesterday's close of each symbol, its command in Kafka 40 ms later.
INSERT INTO trading.session_closes (symbol, calendar_id, closes_at, claimed_at, sent_at)
SELECT symbol, 'XNYS', ((current_date - 1) + time '16:00') AT TIME ZONE 'America/New_York',
       ((current_date - 1) + time '16:00') AT TIME ZONE 'America/New_York' + interval '10 ms',
       ((current_date - 1) + time '16:00') AT TIME ZONE 'America/New_York' + interval '40 ms'
FROM synthetic_symbols;
