-- Stress test results (docs/risk.md, "Stress tests"): one row per (run, scenario), written by the
-- risk engine in the same transaction, with the same run_id and computed_at, as the run's VaR rows.
-- P&L is stressed value minus base value in the base currency (negative = loss).
CREATE TABLE risk.stress_results (
    computed_at     timestamptz NOT NULL,
    run_id          uuid NOT NULL,
    portfolio_id    text NOT NULL,
    scenario        text NOT NULL,
    description     text,
    -- The scenario's shocks as applied: [{"symbol" (absent: every factor), "price_percent", "volatility_points", "rate_basis_points"}].
    shocks          jsonb NOT NULL,
    base_value      double precision NOT NULL,
    stressed_value  double precision NOT NULL,
    pnl             double precision NOT NULL,
    -- Per position: [{"id", "underlying", "base_value", "stressed_value", "pnl"}].
    positions       jsonb NOT NULL,
    PRIMARY KEY (run_id, scenario, computed_at)
) PARTITION BY RANGE (computed_at);

CREATE INDEX stress_results_portfolio_idx ON risk.stress_results (portfolio_id, computed_at DESC);

INSERT INTO ops.partition_policy (parent_table, retention, premake_days) VALUES
    ('risk.stress_results', '730 days', 7);
