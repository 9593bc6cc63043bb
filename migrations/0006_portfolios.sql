-- Portfolios and their positions; the risk engine values these.
CREATE TABLE risk.portfolios (
    portfolio_id   text PRIMARY KEY CHECK (portfolio_id ~ '^[A-Za-z0-9._:-]{1,64}$'),
    name           text NOT NULL,
    base_currency  char(3) NOT NULL DEFAULT 'USD',
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE risk.positions (
    portfolio_id   text NOT NULL REFERENCES risk.portfolios (portfolio_id) ON DELETE CASCADE,
    symbol         text NOT NULL REFERENCES market.instruments (symbol),
    -- Signed: negative is short. In units (shares or contracts).
    quantity       numeric(24, 8) NOT NULL,
    average_price  numeric(20, 8),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (portfolio_id, symbol)
);

CREATE INDEX positions_symbol_idx ON risk.positions (symbol);
