-- Risk results over time. One row per (run, method, confidence, horizon); Greeks once per run.
CREATE TABLE risk.risk_metrics (
    computed_at      timestamptz NOT NULL,
    run_id           uuid NOT NULL,
    portfolio_id     text NOT NULL,
    method           text NOT NULL CHECK (method IN ('historical', 'parametric', 'monte_carlo')),
    confidence       numeric(6, 5) NOT NULL CHECK (confidence > 0 AND confidence < 1),
    horizon_days     integer NOT NULL CHECK (horizon_days > 0),
    -- Losses are positive amounts in the portfolio's base currency.
    var              numeric(24, 8) NOT NULL,
    expected_shortfall numeric(24, 8) NOT NULL,
    portfolio_value  numeric(24, 8),
    sample_size      integer,
    details          jsonb
) PARTITION BY RANGE (computed_at);

CREATE INDEX risk_metrics_portfolio_idx ON risk.risk_metrics (portfolio_id, computed_at DESC);

CREATE TABLE risk.portfolio_greeks (
    computed_at   timestamptz NOT NULL,
    run_id        uuid NOT NULL,
    portfolio_id  text NOT NULL,
    delta         double precision,
    gamma         double precision,
    vega          double precision,
    theta         double precision,
    rho           double precision,
    PRIMARY KEY (run_id, computed_at)
) PARTITION BY RANGE (computed_at);

CREATE INDEX portfolio_greeks_portfolio_idx ON risk.portfolio_greeks (portfolio_id, computed_at DESC);

INSERT INTO ops.partition_policy (parent_table, retention, premake_days) VALUES
    ('risk.risk_metrics', '730 days', 7),
    ('risk.portfolio_greeks', '730 days', 7);
