-- Order flow through our matching engine: the commands received, the execution reports and the
-- trades (executions) the in-memory books produced. All partitioned by day.
CREATE TABLE trading.orders (
    ts             timestamptz NOT NULL,
    order_id       text NOT NULL,
    symbol         text NOT NULL,
    side           text NOT NULL CHECK (side IN ('buy', 'sell')),
    order_type     text NOT NULL CHECK (order_type IN ('limit', 'market')),
    time_in_force  text NOT NULL CHECK (time_in_force IN ('gtc', 'day', 'ioc', 'fok')),
    price          numeric(20, 8),
    quantity       bigint NOT NULL,
    post_only      boolean NOT NULL DEFAULT false,
    account        text,
    src_partition  integer,
    src_offset     bigint
) PARTITION BY RANGE (ts);

CREATE INDEX orders_order_id_idx ON trading.orders (order_id);
CREATE INDEX orders_symbol_ts_idx ON trading.orders (symbol, ts DESC);

-- Execution reports: accepted, rejected, partially_filled, filled, cancelled, expired, modified.
CREATE TABLE trading.order_events (
    ts             timestamptz NOT NULL,
    seq            bigint NOT NULL,
    order_id       text NOT NULL,
    symbol         text NOT NULL,
    event          text NOT NULL CHECK (event IN
                       ('accepted', 'rejected', 'partially_filled', 'filled', 'cancelled', 'expired', 'modified')),
    reason         text,
    side           text CHECK (side IN ('buy', 'sell')),
    price          numeric(20, 8),
    last_price     numeric(20, 8),
    last_quantity  bigint,
    filled_quantity bigint NOT NULL DEFAULT 0,
    leaves_quantity bigint NOT NULL DEFAULT 0,
    src_partition  integer,
    src_offset     bigint
) PARTITION BY RANGE (ts);

CREATE INDEX order_events_order_id_idx ON trading.order_events (order_id, seq);
CREATE INDEX order_events_symbol_ts_idx ON trading.order_events (symbol, ts DESC);

-- Trades made by our books. The price is the resting (maker) order's price.
CREATE TABLE trading.executions (
    ts              timestamptz NOT NULL,
    seq             bigint NOT NULL,
    symbol          text NOT NULL,
    price           numeric(20, 8) NOT NULL CHECK (price > 0),
    quantity        bigint NOT NULL CHECK (quantity > 0),
    aggressor_side  text NOT NULL CHECK (aggressor_side IN ('buy', 'sell')),
    maker_order_id  text NOT NULL,
    taker_order_id  text NOT NULL,
    src_partition   integer,
    src_offset      bigint
) PARTITION BY RANGE (ts);

CREATE INDEX executions_symbol_ts_idx ON trading.executions (symbol, ts DESC);
CREATE INDEX executions_maker_idx ON trading.executions (maker_order_id);
CREATE INDEX executions_taker_idx ON trading.executions (taker_order_id);

-- Whole-book snapshots with the Kafka position they reflect, so a restarted processor rebuilds a
-- partition's books from the latest snapshot plus a replay from its offset.
CREATE TABLE trading.book_snapshots (
    taken_at       timestamptz NOT NULL,
    symbol         text NOT NULL,
    topic          text NOT NULL,
    kafka_partition integer NOT NULL,
    next_offset    bigint NOT NULL,
    book_seq       bigint NOT NULL,
    best_bid       numeric(20, 8),
    best_ask       numeric(20, 8),
    bid_depth      bigint NOT NULL DEFAULT 0,
    ask_depth      bigint NOT NULL DEFAULT 0,
    snapshot       bytea NOT NULL
) PARTITION BY RANGE (taken_at);

CREATE INDEX book_snapshots_symbol_idx ON trading.book_snapshots (symbol, taken_at DESC);
CREATE INDEX book_snapshots_partition_idx ON trading.book_snapshots (topic, kafka_partition, taken_at DESC);

INSERT INTO ops.partition_policy (parent_table, retention, premake_days) VALUES
    ('trading.orders', '365 days', 7),
    ('trading.order_events', '365 days', 7),
    ('trading.executions', '365 days', 7),
    ('trading.book_snapshots', '14 days', 7);
