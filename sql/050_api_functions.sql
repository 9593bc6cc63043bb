-- Functions the REST API (docs/api.md) and analysts call.

-- Timestamps as the API writes them: RFC 3339 in UTC with microseconds, e.g. 2026-11-26T14:30:00.123456Z.
-- Exact, unlike a round trip through a floating-point date, so a page cursor can carry one.
CREATE FUNCTION api.rfc3339(ts timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
COMMENT ON FUNCTION api.rfc3339(timestamptz) IS 'RFC 3339 text in UTC with microseconds.';

-- api.bars, api.bars_filled and api.bars_from_ticks: sql/041_bars.sql.
