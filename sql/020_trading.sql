-- Orders, their status and our engine's trades.

CREATE VIEW api.executions AS
SELECT ts, seq, symbol, price, quantity, aggressor_side, maker_order_id, taker_order_id, maker_account, taker_account
FROM trading.executions;
COMMENT ON VIEW api.executions IS 'Trades made by the matching engine; price is the resting order''s price.';

CREATE VIEW api.order_events AS
SELECT ts, seq, order_id, symbol, event, reason, side, price, last_price, last_quantity,
       filled_quantity, leaves_quantity
FROM trading.order_events;
COMMENT ON VIEW api.order_events IS 'Every execution report, in sequence order per order.';

-- Status of each order: its last event, what is filled and at what average price.
CREATE VIEW api.order_status AS
SELECT o.order_id, o.symbol, o.side, o.order_type, o.time_in_force, o.price, o.quantity,
       o.post_only, o.account, o.ts AS submitted_at,
       coalesce(last_event.event, 'pending') AS status,
       last_event.reason,
       last_event.ts AS updated_at,
       coalesce(fills.filled_quantity, 0) AS filled_quantity,
       fills.average_price,
       last_event.leaves_quantity,
       o.stop_price, o.trail_amount, o.trail_percent
FROM trading.orders o
LEFT JOIN LATERAL (
    SELECT e.event, e.reason, e.ts, e.leaves_quantity
    FROM trading.order_events e
    WHERE e.order_id = o.order_id
    ORDER BY e.seq DESC
    LIMIT 1
) last_event ON true
LEFT JOIN LATERAL (
    SELECT sum(x.quantity) AS filled_quantity,
           round(sum(x.price * x.quantity) / nullif(sum(x.quantity), 0), 8) AS average_price
    FROM trading.executions x
    WHERE x.maker_order_id = o.order_id OR x.taker_order_id = o.order_id
) fills ON true;
COMMENT ON VIEW api.order_status IS
    'One row per order: last event (dormant/triggered for stops), filled quantity, average fill price and stop terms.';

-- Each book as the processor last published it (trading.book_depth, every processor.depthIntervalMs).
CREATE VIEW api.book_tops AS
SELECT symbol, taken_at, book_seq, best_bid, best_ask, best_ask - best_bid AS spread, bid_depth, ask_depth, depth
FROM trading.book_depth;
COMMENT ON VIEW api.book_tops IS
    'Per symbol, the book as last published (every processor.depthIntervalMs while it changes): best bid/ask, total resting quantity per side, and the top 10 levels as JSON (depth).';
