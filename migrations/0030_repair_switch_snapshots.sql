-- Repairs the engine snapshots that processors before this version took at offset 0 of a replaced
-- log (docs/processor.md, "A broker that loses its log"). Such a snapshot went into the batch that
-- then took the new log's first commands, and the insert trigger gave it that batch's last logged
-- command as `command_seq`: a restore from it skipped those commands (found by the chaos campaign).
-- It holds the books as the old log left them, so it reflects the commands of the other logs
-- logged before it, and none of its own log's.
UPDATE trading.engine_snapshots s
SET command_seq = coalesce((
        SELECT max(c.seq) FROM trading.command_log c
        WHERE (c.consumer_group, c.topic, c.kafka_partition) = (s.consumer_group, s.topic, s.kafka_partition)
          AND c.log_id <> s.log_id AND c.seq <= s.command_seq), 0)
WHERE s.next_offset = 0 AND s.log_id <> '' AND s.command_seq IS NOT NULL
  AND EXISTS (
        SELECT 1 FROM trading.command_log c
        WHERE (c.consumer_group, c.topic, c.kafka_partition, c.log_id) = (s.consumer_group, s.topic, s.kafka_partition, s.log_id)
          AND c.seq <= s.command_seq);
