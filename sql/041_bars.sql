-- Bars (OHLCV) for the API, analysts and Grafana, read from the rollups in market.bars (migration
-- 0026), which triggers keep up to date in the same transaction as the ticks. See docs/sql.md, "Bars".
--
-- A bar is made of trades; a bucket without trades but with two-sided quotes is made of their
-- mids (source 'quote_mid', volume 0). Buckets are UTC-aligned (date_bin from 2000-01-01 UTC).

-- Every stored bar, one row per symbol, width and bucket. Filter on symbol, width and bucket: the
-- primary key (symbol, width, bucket) serves exactly that.
CREATE VIEW api.ohlcv AS
SELECT b.symbol, b.width, b.bucket,
       CASE WHEN b.trade_count > 0 THEN b.open ELSE b.mid_open END AS open,
       CASE WHEN b.trade_count > 0 THEN b.high ELSE b.mid_high END AS high,
       CASE WHEN b.trade_count > 0 THEN b.low ELSE b.mid_low END AS low,
       CASE WHEN b.trade_count > 0 THEN b.close ELSE b.mid_close END AS close,
       b.volume,
       b.vwap,
       b.trade_count,
       b.quote_count,
       CASE WHEN b.trade_count > 0 THEN 'trade' ELSE 'quote_mid' END AS source,
       CASE WHEN b.trade_count > 0 THEN b.close_ts ELSE b.mid_close_ts END AS last_ts
FROM market.bars b;
COMMENT ON VIEW api.ohlcv IS
    'Stored bars of every width (market.bar_widths): trade OHLCV, else quote mids (source). Filter on symbol, width and bucket.';

CREATE VIEW analytics.ohlcv AS SELECT * FROM api.ohlcv;
COMMENT ON VIEW analytics.ohlcv IS 'Stored bars of every width; see api.ohlcv.';

CREATE VIEW analytics.ohlcv_1m AS
SELECT symbol, bucket, open, high, low, close, volume, vwap, trade_count, quote_count, source, last_ts
FROM api.ohlcv WHERE width = interval '1 minute';
COMMENT ON VIEW analytics.ohlcv_1m IS 'One-minute bars (stored): trade OHLCV and VWAP, else quote mids (source). UTC buckets.';

CREATE VIEW analytics.ohlcv_1h AS
SELECT symbol, bucket, open, high, low, close, volume, vwap, trade_count, quote_count, source, last_ts
FROM api.ohlcv WHERE width = interval '1 hour';
COMMENT ON VIEW analytics.ohlcv_1h IS 'One-hour bars (stored): trade OHLCV and VWAP, else quote mids (source). UTC buckets.';

CREATE VIEW analytics.ohlcv_1d AS
SELECT symbol, bucket, open, high, low, close, volume, vwap, trade_count, quote_count, source, last_ts
FROM api.ohlcv WHERE width = interval '1 day';
COMMENT ON VIEW analytics.ohlcv_1d IS 'Daily bars (stored, UTC days): trade OHLCV and VWAP, else quote mids (source).';

-- The buckets of width p_width that start in [p_from, p_to): the first one and the end of the last.
CREATE FUNCTION api.bar_range(p_width interval, p_from timestamptz, p_to timestamptz,
                              OUT first_bucket timestamptz, OUT end_bucket timestamptz)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT b.first + CASE WHEN b.first < p_from THEN p_width ELSE interval '0' END,
           b.last + CASE WHEN b.last < p_to THEN p_width ELSE interval '0' END
    FROM (SELECT date_bin(p_width, p_from, timestamptz '2000-01-01 00:00:00+00') AS first,
                 date_bin(p_width, p_to, timestamptz '2000-01-01 00:00:00+00') AS last) b
$$;
COMMENT ON FUNCTION api.bar_range(interval, timestamptz, timestamptz) IS
    'The first bucket of width p_width starting at or after p_from, and the start of the first at or after p_to.';

-- Bars recomputed from the raw ticks: the reference the stored bars are tested against, the
-- baseline of the bars benchmark, and what api.bars falls back to for widths finer than a minute.
-- Reads every tick of the range: keep it short.
-- JIT off: over a long range the plan has a scan per daily partition, and compiling them took
-- longer than the scan itself (seconds for a year).
CREATE FUNCTION api.bars_from_ticks(p_symbol text, p_width interval, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (bucket timestamptz, open numeric, high numeric, low numeric, close numeric,
               volume numeric, vwap numeric, trade_count bigint, source text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog SET jit = off
AS $$
#variable_conflict use_column
DECLARE
    r record;
BEGIN
    -- The bounds as values (not a join), so only the partitions of the range are read.
    r := api.bar_range(p_width, p_from, p_to);
    RETURN QUERY
    WITH trades AS (
        SELECT date_bin(p_width, t.ts, timestamptz '2000-01-01 00:00:00+00') AS bucket,
               (array_agg(t.price ORDER BY t.ts, t.price))[1] AS open, max(t.price) AS high, min(t.price) AS low,
               (array_agg(t.price ORDER BY t.ts DESC, t.price DESC))[1] AS close,
               sum(t.size)::numeric AS volume, round(sum(t.price * t.size) / sum(t.size), 8) AS vwap, count(*) AS n
        FROM market.trades t
        WHERE t.symbol = p_symbol AND t.ts >= r.first_bucket AND t.ts < r.end_bucket
        GROUP BY 1
    ),
    mids AS (
        SELECT date_bin(p_width, q.ts, timestamptz '2000-01-01 00:00:00+00') AS bucket,
               (array_agg(q.mid ORDER BY q.ts, q.mid))[1] AS open, max(q.mid) AS high, min(q.mid) AS low,
               (array_agg(q.mid ORDER BY q.ts DESC, q.mid DESC))[1] AS close
        FROM (SELECT qq.ts, round((qq.bid + qq.ask) / 2, 8) AS mid
              FROM market.quotes qq
              WHERE qq.symbol = p_symbol AND qq.ts >= r.first_bucket AND qq.ts < r.end_bucket
                AND qq.bid > 0 AND qq.ask >= qq.bid) q
        GROUP BY 1
    )
    SELECT coalesce(t.bucket, m.bucket),
           coalesce(t.open, m.open), coalesce(t.high, m.high), coalesce(t.low, m.low), coalesce(t.close, m.close),
           coalesce(t.volume, 0), t.vwap, coalesce(t.n, 0),
           CASE WHEN t.bucket IS NOT NULL THEN 'trade' ELSE 'quote_mid' END
    FROM trades t FULL JOIN mids m ON m.bucket = t.bucket
    ORDER BY 1;
END
$$;
COMMENT ON FUNCTION api.bars_from_ticks(text, interval, timestamptz, timestamptz) IS
    'Bars recomputed from raw ticks (the reference for api.bars): buckets starting in [p_from, p_to), oldest first.';

-- The stored width api.bars builds bars of width p_width from: the widest in market.bar_widths that
-- divides it (p_width itself when stored), NULL when none does (finer than a minute).
CREATE FUNCTION api.bar_source_width(p_width interval)
RETURNS interval
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog
AS $$
DECLARE
    stored interval;
BEGIN
    IF p_width < interval '1 second' THEN
        RAISE EXCEPTION 'bar width must be at least a second, not %', p_width USING ERRCODE = '22023';
    END IF;
    SELECT w.width INTO stored FROM market.bar_widths w
    WHERE (extract(epoch FROM p_width) * 1000000)::numeric % (extract(epoch FROM w.width) * 1000000)::numeric = 0
    ORDER BY w.width DESC LIMIT 1;
    RETURN stored;
END
$$;
COMMENT ON FUNCTION api.bar_source_width(interval) IS
    'The stored bar width api.bars reads for width p_width: the widest that divides it; NULL: from the ticks.';

-- api.bars for a width that is not stored: aggregated from the widest stored width that divides it
-- (5 minutes from one-minute bars), or recomputed from the ticks when none does.
CREATE FUNCTION api.bars_derived(p_symbol text, p_width interval, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (bucket timestamptz, open numeric, high numeric, low numeric, close numeric,
               volume numeric, vwap numeric, trade_count bigint, source text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog
AS $$
#variable_conflict use_column
DECLARE
    stored interval := api.bar_source_width(p_width);
    r record := api.bar_range(p_width, p_from, p_to);
BEGIN
    IF r.end_bucket <= r.first_bucket THEN
        RETURN;
    END IF;
    IF stored IS NULL THEN
        RETURN QUERY SELECT * FROM api.bars_from_ticks(p_symbol, p_width, p_from, p_to);
    ELSE
        -- Trade bars where the wider bucket had trades, else quote-mid bars; open and close by the
        -- same (time, price) order as the rollup itself.
        RETURN QUERY
        SELECT date_bin(p_width, b.bucket, timestamptz '2000-01-01 00:00:00+00'),
               CASE WHEN sum(b.trade_count) > 0
                    THEN (array_agg(b.open ORDER BY b.open_ts, b.open) FILTER (WHERE b.trade_count > 0))[1]
                    ELSE (array_agg(b.mid_open ORDER BY b.mid_open_ts, b.mid_open) FILTER (WHERE b.quote_count > 0))[1] END,
               CASE WHEN sum(b.trade_count) > 0 THEN max(b.high) ELSE max(b.mid_high) END,
               CASE WHEN sum(b.trade_count) > 0 THEN min(b.low) ELSE min(b.mid_low) END,
               CASE WHEN sum(b.trade_count) > 0
                    THEN (array_agg(b.close ORDER BY b.close_ts DESC, b.close DESC) FILTER (WHERE b.trade_count > 0))[1]
                    ELSE (array_agg(b.mid_close ORDER BY b.mid_close_ts DESC, b.mid_close DESC) FILTER (WHERE b.quote_count > 0))[1] END,
               sum(b.volume),
               round(sum(b.notional) / nullif(sum(b.volume), 0), 8),
               sum(b.trade_count)::bigint,
               CASE WHEN sum(b.trade_count) > 0 THEN 'trade' ELSE 'quote_mid' END
        FROM market.bars b
        WHERE b.symbol = p_symbol AND b.width = stored AND b.bucket >= r.first_bucket AND b.bucket < r.end_bucket
        GROUP BY 1
        ORDER BY 1;
    END IF;
END
$$;
COMMENT ON FUNCTION api.bars_derived(text, interval, timestamptz, timestamptz) IS
    'api.bars for a width that is not stored: from a finer stored width, else from the ticks.';

-- Bars of any width, from the stored rollups: the buckets of width p_width (UTC-aligned) that
-- start in [p_from, p_to), each whole, oldest first. A stored width is read as is; any other is
-- built by api.bars_derived. A width whose bars retention removed (market.bar_widths) has no bars
-- that old.
-- Plain SQL, the caller's rights, no SET clause: PostgreSQL inlines it into the calling query, so
-- a stored width's rows stream from the index scan of api.ohlcv (a view: the caller needs only
-- SELECT on it) instead of being materialised first, as a PL/pgSQL RETURN QUERY would (a third
-- of a year of one-minute bars' read time; docs/benchmarks.md). Exactly one branch yields rows,
-- each in bucket order, and Append runs its branches in turn; api.bars_derived is not parallel
-- safe, so neither is the query, and nothing interleaves them.
CREATE FUNCTION api.bars(p_symbol text, p_width interval, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (bucket timestamptz, open numeric, high numeric, low numeric, close numeric,
               volume numeric, vwap numeric, trade_count bigint, source text)
LANGUAGE sql STABLE
AS $$
    (SELECT o.bucket, o.open, o.high, o.low, o.close, o.volume, o.vwap, o.trade_count, o.source
     FROM api.ohlcv o
     WHERE api.bar_source_width(p_width) = p_width
       AND o.symbol = p_symbol AND o.width = p_width
       AND o.bucket >= (api.bar_range(p_width, p_from, p_to)).first_bucket
       AND o.bucket < (api.bar_range(p_width, p_from, p_to)).end_bucket
     ORDER BY o.bucket)
    UNION ALL
    SELECT d.* FROM api.bars_derived(p_symbol, p_width, p_from, p_to) d
    WHERE api.bar_source_width(p_width) IS DISTINCT FROM p_width
$$;
COMMENT ON FUNCTION api.bars(text, interval, timestamptz, timestamptz) IS
    'OHLCV bars of width p_width starting in [p_from, p_to), from the stored rollups (trades, else quote mids), oldest first.';

-- The close of the last tick before `at`, from the bars of every stored width that end by then
-- (the finest width's is the latest; a coarser one still has it once the finest aged out).
CREATE FUNCTION api.close_before(p_symbol text, at timestamptz)
RETURNS numeric
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog
AS $$
    SELECT o.close
    FROM market.bar_widths w
    CROSS JOIN LATERAL (
        SELECT v.close, v.last_ts FROM api.ohlcv v
        WHERE v.symbol = p_symbol AND v.width = w.width AND v.bucket <= at - w.width
        ORDER BY v.bucket DESC LIMIT 1
    ) o
    ORDER BY o.last_ts DESC
    LIMIT 1
$$;
COMMENT ON FUNCTION api.close_before(text, timestamptz) IS 'The close of the last bar that ended by `at` (any stored width).';

-- api.bars with every bucket of the range present: a bucket without ticks repeats the previous
-- close as its open, high, low and close (last value carried forward), with volume 0 and source
-- 'filled'; before the first bar of the range the carried value is the close before p_from
-- (NULL if the symbol never traded before). For Grafana:
--   SELECT bucket AS time, close FROM analytics.bars_filled('AAPL', '$__interval', $__timeFrom(), $__timeTo())
CREATE FUNCTION api.bars_filled(p_symbol text, p_width interval, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (bucket timestamptz, open numeric, high numeric, low numeric, close numeric,
               volume numeric, vwap numeric, trade_count bigint, source text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog
AS $$
#variable_conflict use_column
DECLARE
    r record;
BEGIN
    PERFORM api.bar_source_width(p_width);  -- refuses a width under a second
    r := api.bar_range(p_width, p_from, p_to);
    IF extract(epoch FROM r.end_bucket - r.first_bucket) / extract(epoch FROM p_width) > 100000 THEN
        RAISE EXCEPTION 'more than 100000 buckets of % in [%, %): widen the width or narrow the range', p_width, p_from, p_to
            USING ERRCODE = '54000';
    END IF;
    RETURN QUERY
    WITH slots AS (
        SELECT s.bucket FROM generate_series(r.first_bucket, r.end_bucket - p_width, p_width) AS s(bucket)
        WHERE r.end_bucket > r.first_bucket
    ),
    joined AS (
        SELECT s.bucket, b.open, b.high, b.low, b.close, b.volume, b.vwap, b.trade_count, b.source,
               count(b.bucket) OVER (ORDER BY s.bucket) AS run
        FROM slots s LEFT JOIN api.bars(p_symbol, p_width, p_from, p_to) b ON b.bucket = s.bucket
    ),
    prior AS (SELECT api.close_before(p_symbol, r.first_bucket) AS close),
    carried AS (
        SELECT j.*, CASE WHEN j.run = 0 THEN prior.close
                         ELSE first_value(j.close) OVER (PARTITION BY j.run ORDER BY j.bucket) END AS last_close
        FROM joined j, prior
    )
    SELECT c.bucket,
           coalesce(c.open, c.last_close), coalesce(c.high, c.last_close), coalesce(c.low, c.last_close),
           coalesce(c.close, c.last_close), coalesce(c.volume, 0), c.vwap, coalesce(c.trade_count, 0),
           coalesce(c.source, 'filled')
    FROM carried c
    ORDER BY c.bucket;
END
$$;
COMMENT ON FUNCTION api.bars_filled(text, interval, timestamptz, timestamptz) IS
    'api.bars with empty buckets filled: the previous close carried forward (source filled, volume 0).';

-- The same for analysts and Grafana (the analytics schema is theirs).
CREATE FUNCTION analytics.bars(p_symbol text, p_width interval, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (bucket timestamptz, open numeric, high numeric, low numeric, close numeric,
               volume numeric, vwap numeric, trade_count bigint, source text)
LANGUAGE sql STABLE
AS $$ SELECT * FROM api.bars(p_symbol, p_width, p_from, p_to) $$;
COMMENT ON FUNCTION analytics.bars(text, interval, timestamptz, timestamptz) IS 'See api.bars.';

CREATE FUNCTION analytics.bars_filled(p_symbol text, p_width interval, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (bucket timestamptz, open numeric, high numeric, low numeric, close numeric,
               volume numeric, vwap numeric, trade_count bigint, source text)
LANGUAGE sql STABLE
AS $$ SELECT * FROM api.bars_filled(p_symbol, p_width, p_from, p_to) $$;
COMMENT ON FUNCTION analytics.bars_filled(text, interval, timestamptz, timestamptz) IS 'See api.bars_filled.';
