-- Views for analysts (psql) and Grafana.

CREATE VIEW analytics.quotes AS SELECT * FROM api.quotes;
CREATE VIEW analytics.trades AS SELECT * FROM api.trades;
CREATE VIEW analytics.executions AS SELECT * FROM api.executions;
CREATE VIEW analytics.risk_metrics AS SELECT * FROM api.risk_metrics;
CREATE VIEW analytics.risk_latest AS SELECT * FROM api.risk_latest;
CREATE VIEW analytics.instruments AS SELECT * FROM api.instruments;
CREATE VIEW analytics.positions AS SELECT * FROM api.positions;

-- Bars (analytics.ohlcv, ohlcv_1m/1h/1d, bars, bars_filled): sql/041_bars.sql.

-- Pipeline health: how far each consumer has got, and what was rejected.
CREATE VIEW analytics.consumer_offsets AS
SELECT consumer_group, topic, kafka_partition, next_offset, updated_at, log_id
FROM ops.kafka_offsets;

CREATE VIEW analytics.dead_letters AS
SELECT id, received_at, source, topic, kafka_partition, kafka_offset, error,
       octet_length(payload) AS payload_bytes,
       encode(substring(payload FROM 1 FOR 200), 'escape') AS payload_preview,
       log_id
FROM ops.dead_letters;
COMMENT ON VIEW analytics.dead_letters IS 'Rejected messages with the reason; payload preview cut to 200 bytes.';

-- Partitions of every time-series table with their range and estimated rows.
CREATE VIEW analytics.partitions AS
SELECT pp.parent_table::text AS parent_table,
       c.relname AS partition,
       pg_get_expr(c.relpartbound, c.oid) AS bounds,
       c.reltuples::bigint AS estimated_rows,
       pg_total_relation_size(c.oid) AS bytes,
       pp.retention
FROM ops.partition_policy pp
JOIN pg_inherits i ON i.inhparent = pp.parent_table
JOIN pg_class c ON c.oid = i.inhrelid;
COMMENT ON VIEW analytics.partitions IS 'Daily partitions of each time-series table, with size and retention.';
