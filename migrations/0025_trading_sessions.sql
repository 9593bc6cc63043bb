-- Trading sessions (issue 18; docs/processor.md, "Trading sessions"). Each instrument trades on a
-- calendar (NULL: the default one, sessions.defaultCalendar). At each session's close the
-- processor's session scheduler writes an end_of_day command per symbol into orders.commands, so
-- every book expires its DAY orders on whichever partition holds it, and a replay of the command
-- log reproduces the expiries.
CREATE FUNCTION market.is_time_zone(tz text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    PERFORM now() AT TIME ZONE tz;
    RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN false;
END
$$;

CREATE TABLE market.trading_calendars (
    calendar_id     text PRIMARY KEY CHECK (calendar_id ~ '^[A-Za-z0-9._-]{1,64}$'),
    name            text,
    time_zone       text NOT NULL CHECK (market.is_time_zone(time_zone)),
    opens_at        time NOT NULL DEFAULT '09:30',
    closes_at       time NOT NULL DEFAULT '16:00',
    -- ISO weekdays the calendar trades: 1 is Monday, 7 Sunday.
    weekdays        smallint[] NOT NULL DEFAULT '{1,2,3,4,5}' CHECK (weekdays <@ '{1,2,3,4,5,6,7}'::smallint[]),
    -- Simulated days (quant demo --session-minutes): a session closes every this many minutes,
    -- on the minute grid from the epoch, every day; opens_at, closes_at and weekdays are ignored.
    session_minutes integer CHECK (session_minutes BETWEEN 1 AND 1440),
    CHECK (opens_at < closes_at)
);
COMMENT ON TABLE market.trading_calendars IS
    'Session calendars: open and close times in a time zone, trading weekdays (ISO), or simulated sessions of session_minutes.';

CREATE TABLE market.calendar_holidays (
    calendar_id  text NOT NULL REFERENCES market.trading_calendars (calendar_id) ON DELETE CASCADE,
    day          date NOT NULL,
    name         text,
    PRIMARY KEY (calendar_id, day)
);

INSERT INTO market.trading_calendars (calendar_id, name, time_zone, opens_at, closes_at)
VALUES ('XNYS', 'New York Stock Exchange, regular session', 'America/New_York', '09:30', '16:00');

ALTER TABLE market.instruments ADD COLUMN calendar_id text REFERENCES market.trading_calendars (calendar_id);
COMMENT ON COLUMN market.instruments.calendar_id IS 'Its session calendar; NULL: the default (sessions.defaultCalendar).';

-- Each close the scheduler claimed (one row per symbol and close, so one instance sends it) and
-- when its end_of_day command reached Kafka.
CREATE TABLE trading.session_closes (
    symbol       text NOT NULL,
    closes_at    timestamptz NOT NULL,
    calendar_id  text NOT NULL,
    claimed_at   timestamptz NOT NULL DEFAULT now(),
    sent_at      timestamptz,
    PRIMARY KEY (symbol, closes_at)
);
CREATE INDEX session_closes_unsent_idx ON trading.session_closes (claimed_at) WHERE sent_at IS NULL;

-- The closes due at `at`: per active instrument, the latest close of its calendar that is at or
-- before `at`, no more than a day old, and later than any close already claimed for the symbol.
CREATE FUNCTION trading.due_session_closes(at timestamptz, default_calendar text)
RETURNS TABLE (symbol text, calendar_id text, closes_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (i.symbol) i.symbol, c.calendar_id, x.closes_at
    FROM market.instruments i
    JOIN market.trading_calendars c ON c.calendar_id = coalesce(i.calendar_id, default_calendar)
    CROSS JOIN LATERAL (
        SELECT to_timestamp(floor(extract(epoch FROM at) / (c.session_minutes * 60)) * c.session_minutes * 60) AS closes_at
        WHERE c.session_minutes IS NOT NULL
        UNION ALL
        SELECT (d.day + c.closes_at) AT TIME ZONE c.time_zone
        FROM generate_series((at AT TIME ZONE c.time_zone)::date - 1, (at AT TIME ZONE c.time_zone)::date, interval '1 day') AS g(day0)
        CROSS JOIN LATERAL (SELECT g.day0::date AS day) d
        WHERE c.session_minutes IS NULL
          AND extract(isodow FROM d.day)::smallint = ANY (c.weekdays)
          AND NOT EXISTS (SELECT 1 FROM market.calendar_holidays h WHERE h.calendar_id = c.calendar_id AND h.day = d.day)
    ) x
    WHERE i.active AND x.closes_at <= at AND x.closes_at > at - interval '1 day'
      AND x.closes_at > coalesce((SELECT max(s.closes_at) FROM trading.session_closes s WHERE s.symbol = i.symbol), '-infinity')
    ORDER BY i.symbol, x.closes_at DESC
$$;
COMMENT ON FUNCTION trading.due_session_closes(timestamptz, text) IS
    'Per active instrument, the latest close of its calendar at or before `at` (within a day) not yet claimed.';
