-- Stop, stop-limit and trailing-stop orders (docs/orderbook.md "Stop orders"), and pre-trade
-- limit rejects. Orders get their trigger terms; execution reports get the two stop states:
-- `dormant` (accepted, waiting off the book for its trigger) and `triggered` (entered the book).
ALTER TABLE trading.orders DROP CONSTRAINT orders_order_type_check;
ALTER TABLE trading.orders ADD CONSTRAINT orders_order_type_check CHECK (order_type IN
    ('limit', 'market', 'stop', 'stop_limit', 'trailing_stop'));

-- The terms as the command gave them (no CHECK: a command with a bad trigger is recorded along
-- with its reject, like one with a bad price).
ALTER TABLE trading.orders
    ADD COLUMN stop_price    numeric(20, 8),
    ADD COLUMN trail_amount  numeric(20, 8),
    ADD COLUMN trail_percent numeric(20, 8);

ALTER TABLE trading.order_events DROP CONSTRAINT order_events_event_check;
ALTER TABLE trading.order_events ADD CONSTRAINT order_events_event_check CHECK (event IN
    ('accepted', 'rejected', 'partially_filled', 'filled', 'cancelled', 'expired', 'replaced', 'modified',
     'dormant', 'triggered'));
