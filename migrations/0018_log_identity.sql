-- The identity of the Kafka log an offset belongs to (the topic id, KIP-516), stored with every
-- offset, dead letter and engine snapshot. A broker can replace a partition's log under the same
-- topic name (a topic re-created, a memory broker restarted empty); the new log reuses offsets
-- from 0, so an offset alone does not name a message. '' is "not known" (rows written before this
-- migration, or a broker that gives no topic ids). docs/processor.md, "When the broker loses its log".
ALTER TABLE ops.kafka_offsets ADD COLUMN log_id text NOT NULL DEFAULT '';

-- A dead letter is one message of one log: the same offset in a replaced log is another message.
ALTER TABLE ops.dead_letters ADD COLUMN log_id text NOT NULL DEFAULT '';
DROP INDEX ops.dead_letters_source_idx;
CREATE UNIQUE INDEX dead_letters_source_idx ON ops.dead_letters (topic, kafka_partition, log_id, kafka_offset)
    WHERE kafka_offset IS NOT NULL;

-- A snapshot's next_offset is a position in one log; restores look for the committed log's.
ALTER TABLE trading.engine_snapshots ADD COLUMN log_id text NOT NULL DEFAULT '';
DROP INDEX trading.engine_snapshots_lookup_idx;
CREATE INDEX engine_snapshots_lookup_idx
    ON trading.engine_snapshots (consumer_group, topic, kafka_partition, log_id, next_offset DESC);
