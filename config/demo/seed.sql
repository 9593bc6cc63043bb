-- Demo data for scripts/demo: instruments, a year of daily trade history (so the risk engine has
-- returns to work with), portfolios and positions. Idempotent: safe to run on every start.
INSERT INTO market.instruments (symbol, name, kind, tick_size, lot_size) VALUES
    ('AAPL', 'Apple Inc.', 'equity', 0.01, 1),
    ('MSFT', 'Microsoft Corp.', 'equity', 0.01, 1),
    ('GOOG', 'Alphabet Inc. C', 'equity', 0.01, 1),
    ('AMZN', 'Amazon.com Inc.', 'equity', 0.01, 1),
    ('NVDA', 'NVIDIA Corp.', 'equity', 0.01, 1)
ON CONFLICT (symbol) DO NOTHING;

INSERT INTO market.instruments (symbol, name, kind, tick_size, lot_size, multiplier, underlying, strike, expiry, option_right)
SELECT format('AAPL-%s-%s-%s', to_char(expiry, 'YYYYMMDD'), upper(left(r, 1)), strike), format('AAPL %s %s %s', expiry, strike, r),
       'option', 0.01, 1, 100, 'AAPL', strike, expiry, r
FROM (VALUES (180, 'call'), (200, 'call'), (180, 'put')) AS o(strike, r),
     LATERAL (SELECT (date_trunc('month', now()) + interval '4 months')::date AS expiry) e
ON CONFLICT (symbol) DO NOTHING;

-- 300 days of one closing print per symbol: a seeded random walk (setseed makes it repeatable).
SELECT ops.ensure_partitions('market.trades', current_date - 300, current_date);
DO $$
DECLARE
    s record;
    price numeric;
    day int;
BEGIN
    IF EXISTS (SELECT 1 FROM market.trades WHERE ts < current_date - 250) THEN
        RETURN;  -- already seeded
    END IF;
    PERFORM setseed(0.42);
    FOR s IN SELECT * FROM (VALUES ('AAPL', 190.0), ('MSFT', 410.0), ('GOOG', 170.0), ('AMZN', 180.0), ('NVDA', 130.0)) AS v(symbol, start) LOOP
        price := s.start * 0.8;
        FOR day IN REVERSE 300..1 LOOP
            price := round(price * exp((0.0004 + 0.018 * (random() + random() + random() + random() - 2) * 0.866)::numeric), 2);
            INSERT INTO market.trades (ts, symbol, price, size)
            VALUES ((current_date - day) + time '20:00', s.symbol, price, 100);
        END LOOP;
    END LOOP;
END
$$;

-- SPY, the index of risk.betaIndex: an equal-weighted index of the five stocks' daily closes, so
-- the risk engine has a beta to store (docs/risk.md, "Beta to an index"). Added once.
INSERT INTO market.instruments (symbol, name, kind, tick_size, lot_size) VALUES
    ('SPY', 'Demo index: AAPL, MSFT, GOOG, AMZN, NVDA equally weighted', 'index', 0.01, 1)
ON CONFLICT (symbol) DO NOTHING;
INSERT INTO market.trades (ts, symbol, price, size)
SELECT (day + time '20:00') AT TIME ZONE 'UTC', 'SPY', round(500 * avg(close / first_close), 2), 100
FROM (SELECT day, close, first_value(close) OVER (PARTITION BY symbol ORDER BY day) AS first_close
      FROM analytics.daily_closes
      WHERE symbol IN ('AAPL', 'MSFT', 'GOOG', 'AMZN', 'NVDA') AND day >= current_date - 300 AND day < current_date) c
WHERE NOT EXISTS (SELECT 1 FROM market.trades WHERE symbol = 'SPY')
GROUP BY day
HAVING count(*) = 5;

INSERT INTO risk.portfolios (portfolio_id, name) VALUES
    ('tech-long', 'Tech long book'),
    ('hedged-options', 'AAPL options, delta-hedged')
ON CONFLICT (portfolio_id) DO NOTHING;

INSERT INTO risk.positions (portfolio_id, symbol, quantity, average_price)
SELECT 'tech-long', symbol, qty, NULL::numeric FROM (VALUES ('AAPL', 1000), ('MSFT', 500), ('GOOG', 800), ('AMZN', 600), ('NVDA', 1200)) AS v(symbol, qty)
UNION ALL
SELECT 'hedged-options', symbol, qty, NULL::numeric FROM (
    SELECT symbol, CASE WHEN strike = 200 THEN -20 ELSE 10 END AS qty FROM market.instruments WHERE underlying = 'AAPL'
    UNION ALL SELECT 'AAPL', -500) o
ON CONFLICT (portfolio_id, symbol) DO NOTHING;

-- Trading accounts of the two portfolios (docs/processor.md, "Accounts, positions and P&L"): the
-- demo's desk trades for them, and their fills move the portfolios' positions.
INSERT INTO trading.accounts (account, portfolio_id, max_position, max_gross_notional, max_open_orders) VALUES
    ('desk-tech', 'tech-long', 20000, 50000000, 2000),
    ('desk-options', 'hedged-options', 5000, 10000000, 1000)
ON CONFLICT (account) DO NOTHING;
