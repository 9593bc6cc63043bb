-- Whole matching-engine snapshots per orders.commands partition, committed in the same transaction
-- as the offsets they correspond to. After a restart or a rebalance the processor restores the
-- latest one and replays only the commands after its offset (docs/processor.md).
CREATE TABLE trading.engine_snapshots (
    taken_at        timestamptz NOT NULL,
    consumer_group  text NOT NULL,
    topic           text NOT NULL,
    kafka_partition integer NOT NULL,
    -- The offset of the first command NOT reflected in the snapshot.
    next_offset     bigint NOT NULL CHECK (next_offset >= 0),
    book_count      integer NOT NULL,
    snapshot        bytea NOT NULL
) PARTITION BY RANGE (taken_at);

CREATE INDEX engine_snapshots_lookup_idx
    ON trading.engine_snapshots (consumer_group, topic, kafka_partition, next_offset DESC);

INSERT INTO ops.partition_policy (parent_table, retention, premake_days) VALUES
    ('trading.engine_snapshots', '7 days', 7);

-- Readers want the depth of each book, not its bytes: the top levels as JSON
-- {"bids":[{"price":"1.00","quantity":5,"orders":1},…],"asks":[…]}.
ALTER TABLE trading.book_snapshots ADD COLUMN depth jsonb;
