-- The processor's batches summed per window (issue 21: the console's pipeline view; docs/operations.md,
-- "Batch commit times"). Each processor writes one row every few seconds, busy or idle, so a reader
-- sees its commit times and that it is alive. Partitioned by day like the other series; 30 days kept.
CREATE TABLE ops.ingest_windows (
    window_end      timestamptz NOT NULL,
    window_seconds  double precision NOT NULL CHECK (window_seconds > 0),
    consumer_group  text NOT NULL,
    -- Which processor process: host/pid.
    instance        text NOT NULL,
    batches         integer NOT NULL CHECK (batches >= 0),
    messages        bigint NOT NULL CHECK (messages >= 0),
    dead_letters    integer NOT NULL CHECK (dead_letters >= 0),
    -- Commit times of the window's batches (COPY of every table, dead letters and offsets, one
    -- transaction), in milliseconds; NULL when it committed none.
    commit_ms_p50   double precision,
    commit_ms_p99   double precision,
    commit_ms_max   double precision,
    PRIMARY KEY (instance, window_end)
) PARTITION BY RANGE (window_end);

CREATE INDEX ingest_windows_end_idx ON ops.ingest_windows (window_end DESC);

INSERT INTO ops.partition_policy (parent_table, retention, premake_days) VALUES ('ops.ingest_windows', '30 days', 7);
