-- The matching engine reports a modify as `replaced` (the FIX name), not `modified`.
-- Allow it; `modified` stays valid so that no stored row becomes invalid.
ALTER TABLE trading.order_events DROP CONSTRAINT order_events_event_check;
ALTER TABLE trading.order_events ADD CONSTRAINT order_events_event_check CHECK (event IN
    ('accepted', 'rejected', 'partially_filled', 'filled', 'cancelled', 'expired', 'replaced', 'modified'));
