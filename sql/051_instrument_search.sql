-- Instrument search for GET /api/v1/market/symbols?q= (docs/api.md) and analysts: symbols that
-- start with q (case-insensitive) first, then names containing q; exact symbol matches on top.
-- Reads api.instruments, so it needs no rights beyond the view's. LIKE wildcards in q are literal.
CREATE FUNCTION api.search_instruments(q text, max_rows integer DEFAULT 20)
RETURNS TABLE (symbol text, name text, kind text, underlying text, active boolean, match text)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    WITH pattern AS (
        SELECT replace(replace(replace(lower(q), '\', '\\'), '%', '\%'), '_', '\_') AS p
    )
    SELECT i.symbol, i.name, i.kind, i.underlying, i.active,
           CASE WHEN lower(i.symbol) LIKE pattern.p || '%' THEN 'symbol' ELSE 'name' END AS match
    FROM api.instruments i, pattern
    WHERE q <> ''
      AND (lower(i.symbol) LIKE pattern.p || '%' OR lower(coalesce(i.name, '')) LIKE '%' || pattern.p || '%')
    ORDER BY lower(i.symbol) = lower(q) DESC, lower(i.symbol) LIKE pattern.p || '%' DESC, i.active DESC, i.symbol
    LIMIT greatest(least(max_rows, 1000), 0)
$$;
COMMENT ON FUNCTION api.search_instruments(text, integer) IS
    'Instruments whose symbol starts with q or whose name contains q (case-insensitive), best matches first, at most max_rows (<= 1000).';
