-- The command log in PostgreSQL (docs/processor.md, "Books"): every order command a matching engine
-- applied, committed in the same transaction as its effects and offsets. The books are rebuilt from
-- the latest engine snapshot plus the commands logged after it, so they never depend on the broker
-- still holding its log (a broker that lost it, a kill -9 before the next snapshot: issue 22).
CREATE TABLE trading.command_log (
    -- Commit order: one processor writes a partition at a time, batch after batch, so within a
    -- partition this orders the commands as the engine applied them, across the broker's logs.
    seq             bigint GENERATED ALWAYS AS IDENTITY,
    received_at     timestamptz NOT NULL DEFAULT now(),
    consumer_group  text NOT NULL,
    topic           text NOT NULL,
    kafka_partition integer NOT NULL,
    log_id          text NOT NULL DEFAULT '',
    kafka_offset    bigint NOT NULL,
    message_ts      timestamptz NOT NULL,
    message_key     bytea,
    payload         bytea NOT NULL
) PARTITION BY RANGE (received_at);

CREATE INDEX command_log_replay_idx ON trading.command_log (consumer_group, topic, kafka_partition, seq);

-- Kept a week: the engine is snapshotted at least every processor.snapshotIntervalSeconds while its
-- books change, and a replay reads only the commands after the latest snapshot.
INSERT INTO ops.partition_policy (parent_table, retention, premake_days) VALUES ('trading.command_log', '7 days', 7);

-- Where in the command log a snapshot stands: the last command it reflects (0: none logged yet).
-- NULL for snapshots taken before this migration: the processor then replays the broker's log.
ALTER TABLE trading.engine_snapshots ADD COLUMN command_seq bigint;

-- Filled in as the snapshot is inserted, inside the batch's transaction: the batch's own commands
-- are already logged (they are copied first), and no other transaction writes this partition.
CREATE FUNCTION trading.engine_snapshot_command_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.command_seq IS NULL THEN
        SELECT coalesce(max(seq), 0) INTO NEW.command_seq FROM trading.command_log
        WHERE consumer_group = NEW.consumer_group AND topic = NEW.topic AND kafka_partition = NEW.kafka_partition;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER engine_snapshots_command_seq BEFORE INSERT ON trading.engine_snapshots
    FOR EACH ROW EXECUTE FUNCTION trading.engine_snapshot_command_seq();

CREATE INDEX engine_snapshots_command_seq_idx
    ON trading.engine_snapshots (consumer_group, topic, kafka_partition, command_seq DESC) WHERE command_seq IS NOT NULL;

COMMENT ON TABLE trading.command_log IS
    'Order commands as the matching engines applied them, in commit order (seq); the books are rebuilt from the latest engine snapshot and these.';
