-- Market data from Kafka (md.quotes, md.trades). Range-partitioned by event time, one partition per
-- UTC day. Prices and sizes are exact. src_partition/src_offset say which Kafka message made the row.
CREATE TABLE market.quotes (
    ts             timestamptz NOT NULL,
    symbol         text NOT NULL,
    bid            numeric(20, 8),
    ask            numeric(20, 8),
    bid_size       bigint NOT NULL DEFAULT 0 CHECK (bid_size >= 0),
    ask_size       bigint NOT NULL DEFAULT 0 CHECK (ask_size >= 0),
    received_at    timestamptz NOT NULL DEFAULT now(),
    src_partition  integer,
    src_offset     bigint
) PARTITION BY RANGE (ts);

CREATE INDEX quotes_symbol_ts_idx ON market.quotes (symbol, ts DESC);

CREATE TABLE market.trades (
    ts             timestamptz NOT NULL,
    symbol         text NOT NULL,
    price          numeric(20, 8) NOT NULL CHECK (price > 0),
    size           bigint NOT NULL CHECK (size > 0),
    received_at    timestamptz NOT NULL DEFAULT now(),
    src_partition  integer,
    src_offset     bigint
) PARTITION BY RANGE (ts);

CREATE INDEX trades_symbol_ts_idx ON market.trades (symbol, ts DESC);

INSERT INTO ops.partition_policy (parent_table, retention, premake_days) VALUES
    ('market.quotes', '90 days', 7),
    ('market.trades', '365 days', 7);

COMMENT ON TABLE market.quotes IS 'Top-of-book quotes (ticks) as received on md.quotes.';
COMMENT ON TABLE market.trades IS 'Trade prints as received on md.trades.';
