-- Trading sessions (migration 0025; docs/processor.md, "Trading sessions").

CREATE VIEW api.trading_calendars AS
SELECT calendar_id, name, time_zone, opens_at, closes_at, weekdays, session_minutes
FROM market.trading_calendars;
COMMENT ON VIEW api.trading_calendars IS
    'Session calendars: open and close in a time zone on ISO weekdays, or simulated sessions of session_minutes.';

CREATE VIEW api.calendar_holidays AS
SELECT calendar_id, day, name FROM market.calendar_holidays;
COMMENT ON VIEW api.calendar_holidays IS 'Days a calendar does not trade.';

CREATE VIEW api.session_closes AS
SELECT symbol, calendar_id, closes_at, claimed_at, sent_at
FROM trading.session_closes;
COMMENT ON VIEW api.session_closes IS
    'Each session close the processor sent (end_of_day per symbol into orders.commands): when it closed and when the command reached Kafka.';

CREATE VIEW analytics.trading_calendars AS SELECT * FROM api.trading_calendars;
CREATE VIEW analytics.calendar_holidays AS SELECT * FROM api.calendar_holidays;
CREATE VIEW analytics.session_closes AS SELECT * FROM api.session_closes;
