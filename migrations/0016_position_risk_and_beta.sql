-- Per-position tail risk of each run (docs/risk.md, "Component and incremental ES"): one row per
-- (run, method, confidence, horizon, position). Component VaR and ES sum to the run's VaR and ES
-- in risk.risk_metrics; incremental ES (ES with minus ES without the position) is for the scenario
-- methods only (NULL for parametric).
CREATE TABLE risk.position_risk (
    computed_at      timestamptz NOT NULL,
    run_id           uuid NOT NULL,
    portfolio_id     text NOT NULL,
    method           text NOT NULL CHECK (method IN ('historical', 'parametric', 'monte_carlo')),
    confidence       numeric(6, 5) NOT NULL CHECK (confidence > 0 AND confidence < 1),
    horizon_days     integer NOT NULL CHECK (horizon_days > 0),
    position_id      text NOT NULL,
    component_var    double precision NOT NULL,
    component_es     double precision NOT NULL,
    incremental_es   double precision,
    PRIMARY KEY (run_id, method, confidence, horizon_days, position_id, computed_at)
) PARTITION BY RANGE (computed_at);

CREATE INDEX position_risk_portfolio_idx ON risk.position_risk (portfolio_id, computed_at DESC);

INSERT INTO ops.partition_policy (parent_table, retention, premake_days) VALUES
    ('risk.position_risk', '730 days', 7);

-- The run's beta to the index named by risk.betaIndex, next to its Greeks. NULL when the index
-- has no common history with the portfolio's factors (or none is configured).
ALTER TABLE risk.portfolio_greeks
    ADD COLUMN beta_index text,
    ADD COLUMN beta double precision,
    ADD COLUMN dollar_beta double precision,
    ADD COLUMN beta_correlation double precision,
    ADD COLUMN beta_observations integer;
