-- Consumer positions live here, written in the same transaction as the rows they cover, so a
-- crash neither loses nor duplicates anything.
CREATE TABLE ops.kafka_offsets (
    consumer_group  text NOT NULL,
    topic           text NOT NULL,
    kafka_partition integer NOT NULL CHECK (kafka_partition >= 0),
    -- The offset of the next message to consume.
    next_offset     bigint NOT NULL CHECK (next_offset >= 0),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer_group, topic, kafka_partition)
);

-- Messages that could not be decoded or were invalid, kept whole with the reason.
CREATE TABLE ops.dead_letters (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at     timestamptz NOT NULL DEFAULT now(),
    source          text NOT NULL DEFAULT 'kafka',
    topic           text,
    kafka_partition integer,
    kafka_offset    bigint,
    message_key     bytea,
    payload         bytea,
    error           text NOT NULL
);

CREATE INDEX dead_letters_received_idx ON ops.dead_letters (received_at DESC);
CREATE UNIQUE INDEX dead_letters_source_idx ON ops.dead_letters (topic, kafka_partition, kafka_offset)
    WHERE kafka_offset IS NOT NULL;
