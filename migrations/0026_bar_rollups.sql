-- OHLCV bars kept up to date in the same transaction as the ticks (issue 19), so a read never
-- recomputes them from raw ticks and they outlive tick retention. See docs/sql.md, "Bars".
--
-- How: statement-level AFTER INSERT triggers on market.trades and market.quotes aggregate the
-- statement's new rows (its transition table: a whole COPY batch at once) per symbol, width and
-- bucket, and merge them into market.bars. The merge is associative and commutative (open is the
-- earliest print, close the latest, high/low the extremes, volume and counts add up), so late,
-- out-of-order or replayed ticks give the same bars as a full recomputation; ticks at the same
-- instant are ordered by price (open: the lowest, close: the highest), so even ties are
-- deterministic. A crash rolls the bars back with the ticks: they never count a tick twice.

-- The widths kept, and how long bars of each width are kept (NULL: for ever). Each is whole
-- minutes and divides a UTC day: a batch is aggregated per minute once, then per width from those
-- minutes, and a day's bars can be rebuilt from that day's ticks. Add a width, then run
-- market.rebuild_bars over the ticks you still have.
CREATE TABLE market.bar_widths (
    width      interval PRIMARY KEY
               CHECK (width >= interval '1 minute' AND width <= interval '1 day'
                      AND 86400 % extract(epoch FROM width) = 0 AND extract(epoch FROM width) % 60 = 0),
    retention  interval CHECK (retention IS NULL OR retention > interval '0')
);
INSERT INTO market.bar_widths (width, retention) VALUES
    ('1 minute', '730 days'),
    ('1 hour', NULL),
    ('1 day', NULL);
COMMENT ON TABLE market.bar_widths IS
    'Bar widths kept in market.bars (each divides a UTC day) and how long bars of each are kept (NULL: for ever).';

-- One row per symbol, width and bucket (date_bin from 2000-01-01 UTC: UTC-aligned). The trade part
-- (open … trade_count) comes from market.trades; the mid part (mid_open … quote_count) from the
-- two-sided quotes of market.quotes (bid > 0 and ask >= bid), mid = round((bid + ask) / 2, 8).
CREATE TABLE market.bars (
    symbol        text NOT NULL,
    width         interval NOT NULL,
    bucket        timestamptz NOT NULL,
    open          numeric(20, 8),
    high          numeric(20, 8),
    low           numeric(20, 8),
    close         numeric(20, 8),
    open_ts       timestamptz,
    close_ts      timestamptz,
    volume        numeric NOT NULL DEFAULT 0,
    notional      numeric NOT NULL DEFAULT 0,
    trade_count   bigint NOT NULL DEFAULT 0,
    mid_open      numeric(20, 8),
    mid_high      numeric(20, 8),
    mid_low       numeric(20, 8),
    mid_close     numeric(20, 8),
    mid_open_ts   timestamptz,
    mid_close_ts  timestamptz,
    quote_count   bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (symbol, width, bucket)
);
COMMENT ON TABLE market.bars IS
    'OHLCV bars per symbol, width (market.bar_widths) and UTC bucket, from trades and two-sided quote mids, '
    'maintained by triggers in the same transaction as the ticks. Read through api.bars / analytics.bars_*.';

-- The statement that merges bars aggregated from `source` (a table or transition table with the
-- columns of market.trades, optionally filtered) into market.bars. One definition serves the
-- trigger and market.rebuild_bars. Rows go in key order, so concurrent writers lock bars in the
-- same order and cannot deadlock on them.
CREATE FUNCTION market.trade_bars_merge(source text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN format($sql$
WITH minutes AS (
    SELECT t.symbol, date_bin('1 minute', t.ts, timestamptz '2000-01-01 00:00:00+00') AS minute,
           (array_agg(t.price ORDER BY t.ts, t.price))[1] AS open, max(t.price) AS high, min(t.price) AS low,
           (array_agg(t.price ORDER BY t.ts DESC, t.price DESC))[1] AS close,
           min(t.ts) AS open_ts, max(t.ts) AS close_ts,
           sum(t.size) AS volume, sum(t.price * t.size) AS notional, count(*) AS trade_count
    FROM %s t
    GROUP BY 1, 2
)
INSERT INTO market.bars AS b (symbol, width, bucket, open, high, low, close, open_ts, close_ts,
                              volume, notional, trade_count)
SELECT m.symbol, w.width, date_bin(w.width, m.minute, timestamptz '2000-01-01 00:00:00+00'),
       (array_agg(m.open ORDER BY m.open_ts, m.open))[1], max(m.high), min(m.low),
       (array_agg(m.close ORDER BY m.close_ts DESC, m.close DESC))[1],
       min(m.open_ts), max(m.close_ts), sum(m.volume), sum(m.notional), sum(m.trade_count)
FROM minutes m CROSS JOIN market.bar_widths w
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
ON CONFLICT (symbol, width, bucket) DO UPDATE SET
    open = CASE WHEN b.open_ts IS NULL OR (excluded.open_ts, excluded.open) < (b.open_ts, b.open)
                THEN excluded.open ELSE b.open END,
    open_ts = least(b.open_ts, excluded.open_ts),
    high = greatest(b.high, excluded.high),
    low = least(b.low, excluded.low),
    close = CASE WHEN b.close_ts IS NULL OR (excluded.close_ts, excluded.close) > (b.close_ts, b.close)
                 THEN excluded.close ELSE b.close END,
    close_ts = greatest(b.close_ts, excluded.close_ts),
    volume = b.volume + excluded.volume,
    notional = b.notional + excluded.notional,
    trade_count = b.trade_count + excluded.trade_count
$sql$, source);

CREATE FUNCTION market.quote_bars_merge(source text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN format($sql$
WITH minutes AS (
    SELECT q.symbol, date_bin('1 minute', q.ts, timestamptz '2000-01-01 00:00:00+00') AS minute,
           (array_agg(q.mid ORDER BY q.ts, q.mid))[1] AS open, max(q.mid) AS high, min(q.mid) AS low,
           (array_agg(q.mid ORDER BY q.ts DESC, q.mid DESC))[1] AS close,
           min(q.ts) AS open_ts, max(q.ts) AS close_ts, count(*) AS quote_count
    FROM (SELECT symbol, ts, round((bid + ask) / 2, 8) AS mid FROM %s src WHERE bid > 0 AND ask >= bid) q
    GROUP BY 1, 2
)
INSERT INTO market.bars AS b (symbol, width, bucket, mid_open, mid_high, mid_low, mid_close,
                              mid_open_ts, mid_close_ts, quote_count)
SELECT m.symbol, w.width, date_bin(w.width, m.minute, timestamptz '2000-01-01 00:00:00+00'),
       (array_agg(m.open ORDER BY m.open_ts, m.open))[1], max(m.high), min(m.low),
       (array_agg(m.close ORDER BY m.close_ts DESC, m.close DESC))[1],
       min(m.open_ts), max(m.close_ts), sum(m.quote_count)
FROM minutes m CROSS JOIN market.bar_widths w
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
ON CONFLICT (symbol, width, bucket) DO UPDATE SET
    mid_open = CASE WHEN b.mid_open_ts IS NULL OR (excluded.mid_open_ts, excluded.mid_open) < (b.mid_open_ts, b.mid_open)
                    THEN excluded.mid_open ELSE b.mid_open END,
    mid_open_ts = least(b.mid_open_ts, excluded.mid_open_ts),
    mid_high = greatest(b.mid_high, excluded.mid_high),
    mid_low = least(b.mid_low, excluded.mid_low),
    mid_close = CASE WHEN b.mid_close_ts IS NULL OR (excluded.mid_close_ts, excluded.mid_close) > (b.mid_close_ts, b.mid_close)
                     THEN excluded.mid_close ELSE b.mid_close END,
    mid_close_ts = greatest(b.mid_close_ts, excluded.mid_close_ts),
    quote_count = b.quote_count + excluded.quote_count
$sql$, source);

-- The triggers run as the table owner (SECURITY DEFINER): a writer needs no grant on market.bars.
CREATE FUNCTION market.roll_up_trades()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
    EXECUTE market.trade_bars_merge('new_ticks');
    RETURN NULL;
END
$$;

CREATE FUNCTION market.roll_up_quotes()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
    EXECUTE market.quote_bars_merge('new_ticks');
    RETURN NULL;
END
$$;

CREATE TRIGGER trades_roll_up AFTER INSERT ON market.trades
REFERENCING NEW TABLE AS new_ticks FOR EACH STATEMENT EXECUTE FUNCTION market.roll_up_trades();
CREATE TRIGGER quotes_roll_up AFTER INSERT ON market.quotes
REFERENCING NEW TABLE AS new_ticks FOR EACH STATEMENT EXECUTE FUNCTION market.roll_up_quotes();

-- Recomputes the bars of the UTC days that [p_from, p_to) touches from the ticks still stored,
-- for one symbol or (NULL) all. For repairs after ticks were changed or deleted by hand, and after
-- adding a width. Bars of days whose ticks retention already dropped are left as they are.
CREATE FUNCTION market.rebuild_bars(p_symbol text, p_from timestamptz, p_to timestamptz)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
    day_from timestamptz := date_bin('1 day', p_from, timestamptz '2000-01-01 00:00:00+00');
    day_to   timestamptz := date_bin('1 day', p_to - interval '1 microsecond', timestamptz '2000-01-01 00:00:00+00') + interval '1 day';
    filter   text;
    removed  bigint;
BEGIN
    IF p_to <= p_from THEN
        RETURN 0;
    END IF;
    filter := format('ts >= %L AND ts < %L', day_from, day_to)
              || CASE WHEN p_symbol IS NULL THEN '' ELSE format(' AND symbol = %L', p_symbol) END;
    DELETE FROM market.bars
    WHERE bucket >= day_from AND bucket < day_to AND (p_symbol IS NULL OR symbol = p_symbol);
    GET DIAGNOSTICS removed = ROW_COUNT;
    EXECUTE market.trade_bars_merge(format('(SELECT * FROM market.trades WHERE %s)', filter));
    EXECUTE market.quote_bars_merge(format('(SELECT * FROM market.quotes WHERE %s)', filter));
    RETURN removed;
END
$$;
COMMENT ON FUNCTION market.rebuild_bars(text, timestamptz, timestamptz) IS
    'Recomputes market.bars of the UTC days touched by [from, to) from the stored ticks (one symbol, or NULL for all). Returns the bars removed first.';

-- The ticks stored before this migration.
SELECT market.rebuild_bars(NULL, min(ts), max(ts) + interval '1 microsecond')
FROM (SELECT ts FROM market.trades UNION ALL SELECT ts FROM market.quotes) ticks
HAVING count(*) > 0;

-- Tick retention drops a day only when the rollups hold all of it: every symbol's ticks in the
-- partition are counted in its daily bar (trades, and the two-sided quotes the mids come from).
-- A day they do not hold (a trigger disabled, bars deleted by hand) is kept, with a warning,
-- until market.rebuild_bars makes them whole again.
CREATE FUNCTION market.ticks_rolled_up(parent regclass, part regclass, day_start timestamptz)
RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    missing bigint;
BEGIN
    IF parent = 'market.trades'::regclass THEN
        EXECUTE format($q$
            SELECT count(*) FROM (SELECT symbol, count(*) AS n FROM %s GROUP BY symbol) t
            LEFT JOIN market.bars b ON b.symbol = t.symbol AND b.width = interval '1 day' AND b.bucket = $1
            WHERE b.trade_count IS DISTINCT FROM t.n$q$, part) INTO missing USING day_start;
    ELSIF parent = 'market.quotes'::regclass THEN
        EXECUTE format($q$
            SELECT count(*) FROM (SELECT symbol, count(*) AS n FROM %s WHERE bid > 0 AND ask >= bid GROUP BY symbol) t
            LEFT JOIN market.bars b ON b.symbol = t.symbol AND b.width = interval '1 day' AND b.bucket = $1
            WHERE b.quote_count IS DISTINCT FROM t.n$q$, part) INTO missing USING day_start;
    ELSE
        RETURN true;  -- not a tick table: nothing is rolled up from it
    END IF;
    RETURN missing = 0;
END
$$;
COMMENT ON FUNCTION market.ticks_rolled_up(regclass, regclass, timestamptz) IS
    'Whether the daily bars count every tick of a market.trades/market.quotes partition (true for other tables).';

-- As in 0002, but a tick partition goes only when the rollups hold it (market.ticks_rolled_up).
CREATE OR REPLACE FUNCTION ops.apply_retention(parent regclass, retention interval)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    part     record;
    dropped  integer := 0;
    lower_bound timestamptz;
    upper_bound timestamptz;
BEGIN
    IF retention IS NULL THEN
        RETURN 0;
    END IF;
    FOR part IN
        SELECT c.oid::regclass AS child, pg_get_expr(c.relpartbound, c.oid) AS bound
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = parent
    LOOP
        -- bound looks like: FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-01-02 00:00:00+00')
        lower_bound := substring(part.bound FROM 'FROM \(''([^'']+)''\)')::timestamptz;
        upper_bound := substring(part.bound FROM 'TO \(''([^'']+)''\)')::timestamptz;
        IF upper_bound IS NOT NULL AND upper_bound <= now() - retention THEN
            IF NOT market.ticks_rolled_up(parent, part.child, lower_bound) THEN
                RAISE WARNING 'kept %: its ticks are not all in market.bars (run market.rebuild_bars for that day)', part.child;
                CONTINUE;
            END IF;
            EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', parent, part.child);
            EXECUTE format('DROP TABLE %s', part.child);
            dropped := dropped + 1;
        END IF;
    END LOOP;
    RETURN dropped;
END
$$;

-- Bars older than their width's retention (market.bar_widths) go too.
CREATE FUNCTION market.apply_bar_retention()
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    w        record;
    removed  bigint := 0;
    n        bigint;
BEGIN
    FOR w IN SELECT width, retention FROM market.bar_widths WHERE retention IS NOT NULL LOOP
        DELETE FROM market.bars b WHERE b.width = w.width AND b.bucket + w.width <= now() - w.retention;
        GET DIAGNOSTICS n = ROW_COUNT;
        removed := removed + n;
    END LOOP;
    RETURN removed;
END
$$;

CREATE OR REPLACE FUNCTION ops.maintain_partitions(premake_override integer DEFAULT NULL)
RETURNS TABLE (parent_table regclass, created integer, dropped integer)
LANGUAGE plpgsql AS $$
DECLARE
    policy record;
    today  date := (now() AT TIME ZONE 'UTC')::date;
BEGIN
    FOR policy IN SELECT * FROM ops.partition_policy ORDER BY 1 LOOP
        parent_table := policy.parent_table;
        created := ops.ensure_partitions(policy.parent_table, today - 1,
                                         today + coalesce(premake_override, policy.premake_days));
        dropped := ops.apply_retention(policy.parent_table, policy.retention);
        RETURN NEXT;
    END LOOP;
    -- market.bars is not partitioned: `dropped` counts the bars removed.
    parent_table := 'market.bars'::regclass;
    created := 0;
    dropped := least(market.apply_bar_retention(), 2147483647)::integer;
    RETURN NEXT;
END
$$;
