-- The order blotter (GET /api/v1/orders, issue 18) pages every order newest first, filtered by
-- account or not: without these, a page of the newest orders sorts a whole day's partition.
CREATE INDEX orders_ts_idx ON trading.orders (ts DESC);
CREATE INDEX orders_account_ts_idx ON trading.orders (account, ts DESC) WHERE account IS NOT NULL;
