-- P&L over time (issue 18; docs/risk.md, "P&L history"): every position of every account with its
-- mark and its realized and unrealized P&L, recorded by the risk engine every
-- risk.pnlIntervalSeconds from api.account_positions. Partitioned by day like the other series.
CREATE TABLE risk.pnl_snapshots (
    taken_at        timestamptz NOT NULL,
    account         text NOT NULL,
    portfolio_id    text,
    symbol          text NOT NULL,
    quantity        bigint NOT NULL,
    mark            numeric(20, 8),
    mark_source     text CHECK (mark_source IN ('trade', 'mid')),
    realized_pnl    numeric(38, 8) NOT NULL,
    unrealized_pnl  numeric(38, 8),
    PRIMARY KEY (account, symbol, taken_at)
) PARTITION BY RANGE (taken_at);

CREATE INDEX pnl_snapshots_portfolio_idx ON risk.pnl_snapshots (portfolio_id, taken_at DESC);

INSERT INTO ops.partition_policy (parent_table, retention, premake_days) VALUES ('risk.pnl_snapshots', '365 days', 7);
