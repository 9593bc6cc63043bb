-- Functions the REST API (docs/api.md) and analysts call.

-- Timestamps as the API writes them: RFC 3339 in UTC with microseconds, e.g. 2026-11-26T14:30:00.123456Z.
-- Exact, unlike a round trip through a floating-point date, so a page cursor can carry one.
CREATE FUNCTION api.rfc3339(ts timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
COMMENT ON FUNCTION api.rfc3339(timestamptz) IS 'RFC 3339 text in UTC with microseconds.';

-- OHLCV bars of any width from trade prints, buckets aligned to UTC midnight (date_bin), oldest
-- first. Reads market.trades through its (symbol, ts) index: always pass a bounded [from, to).
-- SECURITY DEFINER so that the analyst role, which cannot read base tables, may call it too.
CREATE FUNCTION api.bars(p_symbol text, p_width interval, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (bucket timestamptz, open numeric, high numeric, low numeric, close numeric,
               volume numeric, vwap numeric, trade_count bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog
AS $$
    SELECT date_bin(p_width, t.ts, timestamptz '2000-01-01 00:00:00+00') AS bucket,
           (array_agg(t.price ORDER BY t.ts))[1],
           max(t.price),
           min(t.price),
           (array_agg(t.price ORDER BY t.ts DESC))[1],
           sum(t.size),
           round(sum(t.price * t.size) / nullif(sum(t.size), 0), 8),
           count(*)
    FROM market.trades t
    WHERE t.symbol = p_symbol AND t.ts >= p_from AND t.ts < p_to
    GROUP BY 1
    ORDER BY 1
$$;
COMMENT ON FUNCTION api.bars(text, interval, timestamptz, timestamptz) IS
    'OHLCV bars and VWAP of width p_width from trade prints in [p_from, p_to), UTC-aligned buckets, oldest first.';
