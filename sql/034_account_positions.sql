-- Accounts and the positions their fills made (issue 18; docs/processor.md, "Accounts, positions
-- and P&L"; docs/sql.md).

CREATE VIEW api.accounts AS
SELECT account, portfolio_id, max_position, max_gross_notional, max_open_orders, created_at, updated_at
FROM trading.accounts;
COMMENT ON VIEW api.accounts IS 'Trading accounts: the portfolio each trades for and its pre-trade limits (NULL: none).';

-- The price a position is marked to: the symbol's last trade (the newer of the last market print
-- and our books' last execution), else the mid of its last two-sided quote. Filter by symbol.
CREATE VIEW api.marks AS
SELECT i.symbol,
       coalesce(t.price, q.mid) AS mark,
       CASE WHEN t.price IS NOT NULL THEN 'trade' WHEN q.mid IS NOT NULL THEN 'mid' END AS mark_source,
       coalesce(t.ts, q.ts) AS mark_ts
FROM market.instruments i
LEFT JOIN LATERAL (
    SELECT x.ts, x.price FROM (
        SELECT lt.ts, lt.price FROM api.last_trade(i.symbol) lt
        UNION ALL
        (SELECT e.ts, e.price FROM trading.executions e WHERE e.symbol = i.symbol ORDER BY e.ts DESC LIMIT 1)
    ) x
    ORDER BY x.ts DESC LIMIT 1
) t ON true
LEFT JOIN LATERAL (
    SELECT lq.ts, (lq.bid + lq.ask) / 2 AS mid FROM api.last_quote(i.symbol) lq WHERE lq.bid > 0 AND lq.ask >= lq.bid
) q ON true;
COMMENT ON VIEW api.marks IS
    'Per instrument, the price positions are marked to: the last trade (market print or our execution), else the last quote mid.';

-- Each portfolio's holdings (api.portfolio_holdings, sql/030) with their average price, mark and P&L.
CREATE VIEW api.positions AS
SELECT g.portfolio_id, g.symbol, g.kind, g.quantity,
       CASE WHEN g.quantity <> 0 THEN round(g.cost / g.quantity, 8) END AS average_price,
       g.updated_at, g.entered_quantity, g.traded_quantity, g.realized_pnl, m.mark,
       round((g.quantity * m.mark - g.cost) * g.multiplier, 8) AS unrealized_pnl
FROM api.portfolio_holdings g
LEFT JOIN LATERAL (SELECT mk.mark FROM api.marks mk WHERE mk.symbol = g.symbol) m ON true;
COMMENT ON VIEW api.positions IS
    'Signed positions (negative = short) per portfolio, entered plus traded, with average price, mark and P&L in the price''s currency.';

CREATE VIEW api.account_positions AS
SELECT p.account, a.portfolio_id, p.symbol, p.quantity,
       CASE WHEN p.quantity <> 0 THEN round(p.cost_basis / p.quantity, 8) END AS average_price,
       round(p.cost_basis * i.multiplier, 8) AS cost_basis,
       round(p.realized_pnl * i.multiplier, 8) AS realized_pnl,
       m.mark, m.mark_source, m.mark_ts,
       round((p.quantity * m.mark - p.cost_basis) * i.multiplier, 8) AS unrealized_pnl,
       p.fills, p.updated_at
FROM trading.positions p
LEFT JOIN trading.accounts a USING (account)
JOIN market.instruments i USING (symbol)
LEFT JOIN LATERAL (SELECT * FROM api.marks mk WHERE mk.symbol = p.symbol) m ON true;
COMMENT ON VIEW api.account_positions IS
    'Per account and symbol: the position its fills made, average price, realized and unrealized P&L (marked by api.marks), in the price''s currency.';

CREATE VIEW analytics.accounts AS SELECT * FROM api.accounts;
CREATE VIEW analytics.marks AS SELECT * FROM api.marks;
CREATE VIEW analytics.account_positions AS SELECT * FROM api.account_positions;

-- Every account's position recomputed from trading.executions alone, by the average-cost method
-- of docs/processor.md, for reconciliation: it must equal trading.positions (the processor's,
-- written with the fills). Amounts are price × quantity, as in trading.positions. Reads every
-- execution: for checks, not for dashboards.
CREATE FUNCTION analytics.positions_from_executions()
RETURNS TABLE (account text, symbol text, quantity bigint, cost_basis numeric, realized_pnl numeric, fills bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    f record;
    units constant numeric := 100000000;
    q bigint; b numeric; pnl numeric; n bigint;
    closing bigint; rest bigint; removed numeric; price numeric;
BEGIN
    -- Each fill twice: the buyer's side (+1) and the seller's (-1); in each account and symbol in
    -- the book's sequence, a self-trade's buy first.
    FOR f IN
        SELECT s.who, e.symbol AS sym, s.sign, e.quantity AS qty, e.price AS px
        FROM trading.executions e
        CROSS JOIN LATERAL (VALUES
            (CASE WHEN e.aggressor_side = 'buy' THEN e.taker_account ELSE e.maker_account END, 1),
            (CASE WHEN e.aggressor_side = 'buy' THEN e.maker_account ELSE e.taker_account END, -1)) s(who, sign)
        WHERE s.who IS NOT NULL
        ORDER BY s.who, e.symbol, e.seq, s.sign DESC
    LOOP
        IF account IS DISTINCT FROM f.who OR symbol IS DISTINCT FROM f.sym THEN
            IF account IS NOT NULL THEN
                quantity := q; cost_basis := round(b / units, 8); realized_pnl := round(pnl / units, 8); fills := n;
                RETURN NEXT;
            END IF;
            account := f.who; symbol := f.sym; q := 0; b := 0; pnl := 0; n := 0;
        END IF;
        price := f.px * units;
        rest := f.qty;
        IF q <> 0 AND sign(q) <> f.sign THEN
            closing := least(f.qty, abs(q));
            removed := div(b * closing, abs(q));
            pnl := pnl - f.sign * closing * price - removed;
            b := b - removed;
            q := q + f.sign * closing;
            rest := f.qty - closing;
        END IF;
        IF rest > 0 THEN
            q := q + f.sign * rest;
            b := b + f.sign * rest * price;
        END IF;
        n := n + 1;
    END LOOP;
    IF account IS NOT NULL THEN
        quantity := q; cost_basis := round(b / units, 8); realized_pnl := round(pnl / units, 8); fills := n;
        RETURN NEXT;
    END IF;
END $$;
COMMENT ON FUNCTION analytics.positions_from_executions() IS
    'Every account''s position recomputed from trading.executions (average cost, docs/processor.md): for reconciliation with trading.positions.';

-- P&L over time: what the risk engine records every risk.pnlIntervalSeconds (migration 0023).
CREATE VIEW api.pnl_history AS
SELECT taken_at, account, portfolio_id, symbol, quantity, mark, mark_source, realized_pnl, unrealized_pnl,
       realized_pnl + coalesce(unrealized_pnl, 0) AS total_pnl
FROM risk.pnl_snapshots;
COMMENT ON VIEW api.pnl_history IS
    'Each account position''s P&L as recorded every risk.pnlIntervalSeconds, in the price''s currency. Filter on taken_at.';

CREATE VIEW api.portfolio_pnl AS
SELECT taken_at, portfolio_id, sum(realized_pnl) AS realized_pnl, sum(unrealized_pnl) AS unrealized_pnl,
       sum(realized_pnl + coalesce(unrealized_pnl, 0)) AS total_pnl, count(*) AS positions
FROM risk.pnl_snapshots
GROUP BY taken_at, portfolio_id;
COMMENT ON VIEW api.portfolio_pnl IS
    'Each portfolio''s realized, unrealized and total P&L at each recording (its accounts'' positions). Filter on taken_at and portfolio_id.';

CREATE VIEW analytics.pnl_history AS SELECT * FROM api.pnl_history;
CREATE VIEW analytics.portfolio_pnl AS SELECT * FROM api.portfolio_pnl;
