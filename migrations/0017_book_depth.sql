-- The latest published depth of each order book: what GET /orderbook and api.book_tops serve.
-- The processor upserts the books that changed every processor.depthIntervalMs, in the transaction
-- of the offsets they reflect, and NOTIFYs book_depth; trading.book_snapshots keeps its
-- minute-by-minute history and the restore bytes. One row per symbol, updated in place (HOT).
CREATE TABLE trading.book_depth (
    symbol          text PRIMARY KEY,
    taken_at        timestamptz NOT NULL,
    topic           text NOT NULL,
    kafka_partition integer NOT NULL,
    next_offset     bigint NOT NULL,
    book_seq        bigint NOT NULL,
    best_bid        numeric(20, 8),
    best_ask        numeric(20, 8),
    bid_depth       bigint NOT NULL,
    ask_depth       bigint NOT NULL,
    depth           jsonb NOT NULL
) WITH (fillfactor = 50);

COMMENT ON TABLE trading.book_depth IS
    'Per symbol, the order book as the processor last published it (every processor.depthIntervalMs while it changes).';

-- Books published before this table existed: their latest snapshot.
INSERT INTO trading.book_depth
SELECT DISTINCT ON (symbol) symbol, taken_at, topic, kafka_partition, next_offset, book_seq, best_bid, best_ask,
       bid_depth, ask_depth, coalesce(depth, '{"bids":[],"asks":[]}')
FROM trading.book_snapshots
ORDER BY symbol, taken_at DESC;
