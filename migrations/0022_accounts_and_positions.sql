-- Trading accounts, the positions their fills make, and the commands refused before matching
-- (issue 18; docs/processor.md, "Accounts, positions and P&L").
--
-- An order's account belongs to one portfolio. The processor checks each order against its
-- account's limits before matching, and moves both sides' positions by every fill in the same
-- transaction as the executions and the Kafka offsets: a crash neither loses nor double-counts a
-- fill. It reloads this table when it changes (NOTIFY accounts), so limits change without a restart.
CREATE TABLE trading.accounts (
    account            text PRIMARY KEY CHECK (account ~ '^[!-~]{1,64}$'),
    portfolio_id       text NOT NULL REFERENCES risk.portfolios (portfolio_id),
    -- Limits; NULL is none. max_position: largest |position| in one symbol, open orders on the
    -- order's side included. max_gross_notional: largest Σ |position| × price × multiplier in the
    -- price's currency, the new order included. max_open_orders: most live orders at once.
    max_position       bigint CHECK (max_position >= 0),
    max_gross_notional numeric(18, 8) CHECK (max_gross_notional >= 0),
    max_open_orders    integer CHECK (max_open_orders >= 0),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX accounts_portfolio_idx ON trading.accounts (portfolio_id);
COMMENT ON TABLE trading.accounts IS
    'Trading accounts: the portfolio each trades for and its pre-trade limits (NULL: none). Changes reach the processor at once.';

-- One row per account and symbol ever traded, written by the processor with the batch whose fills
-- changed it. Amounts are exact: cost_basis and realized_pnl are price × quantity (the instrument's
-- multiplier is applied by the reader views). No foreign key: a position outlives its account row.
CREATE TABLE trading.positions (
    account       text NOT NULL,
    symbol        text NOT NULL,
    quantity      bigint NOT NULL,
    cost_basis    numeric(38, 8) NOT NULL,
    realized_pnl  numeric(38, 8) NOT NULL,
    fills         bigint NOT NULL CHECK (fills >= 0),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    -- No CHECK beyond this: a row PostgreSQL refused would hold up the whole batch's commit.
    PRIMARY KEY (account, symbol)
);
CREATE INDEX positions_symbol_idx ON trading.positions (symbol);
COMMENT ON TABLE trading.positions IS
    'Positions made by fills, per account and symbol, average-cost method (docs/processor.md). Written with the executions.';

-- Who traded: the accounts of the two orders of each fill (NULL for an order that named none).
ALTER TABLE trading.executions ADD COLUMN maker_account text, ADD COLUMN taker_account text;

-- Order commands the processor refused before they reached a matching engine (an unknown account,
-- a limit). The engine never saw them, so a replay of the partition skips them, as it skips the
-- commands that went to dead letters: the books stay a function of the commands they saw.
CREATE TABLE trading.refused_commands (
    topic            text NOT NULL,
    kafka_partition  integer NOT NULL,
    log_id           text NOT NULL DEFAULT '',
    kafka_offset     bigint NOT NULL,
    ts               timestamptz NOT NULL,
    order_id         text,
    symbol           text,
    account          text,
    reason           text NOT NULL,
    PRIMARY KEY (topic, kafka_partition, log_id, kafka_offset)
);

-- Reference tables announce their changes so the processor reloads them without a restart:
-- NOTIFY <channel> {"changed_at": "…"} (the transaction's time), once per changing statement, and
-- PostgreSQL folds identical ones of a transaction into one. One function for every such table,
-- the channel its trigger's argument; the instruments trigger of migration 0021 moves to it.
CREATE FUNCTION ops.notify_table_change()
RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_ARGV[0], json_build_object('changed_at', now())::text);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION ops.notify_table_change() IS
    'NOTIFY <first trigger argument> {"changed_at"} once per changing statement (folded per transaction).';

CREATE TRIGGER accounts_notify_change
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON trading.accounts
FOR EACH STATEMENT EXECUTE FUNCTION ops.notify_table_change('accounts');

DROP TRIGGER instruments_notify_change ON market.instruments;
DROP FUNCTION market.notify_instrument_change();
CREATE TRIGGER instruments_notify_change
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON market.instruments
FOR EACH STATEMENT EXECUTE FUNCTION ops.notify_table_change('instruments');
