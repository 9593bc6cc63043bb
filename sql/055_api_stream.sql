-- What GET /api/v1/stream reads (docs/api.md, "Live stream").

-- Trade prints with the Kafka position that made them: the stream's per-symbol cursor is
-- (ts, src_partition, src_offset), so a batch announced on md_trades is read exactly once.
CREATE VIEW api.trade_ticks AS
SELECT ts, symbol, price, size, coalesce(src_partition, -1) AS src_partition, coalesce(src_offset, -1) AS src_offset
FROM market.trades;
COMMENT ON VIEW api.trade_ticks IS 'Trade prints with their Kafka partition and offset (-1 when not from Kafka). Filter by symbol and ts.';
