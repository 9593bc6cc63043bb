-- Last file: who may read what. Runs after every view exists.
-- analyst: read the reader schemas, nothing else (base schemas never granted; see 0001).
GRANT USAGE ON SCHEMA api, analytics TO analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA api, analytics TO analyst;
-- Functions that write (partition upkeep) are for the owner only.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA ops FROM PUBLIC;
-- Instrument search (sql/051) runs with the caller's rights over api.instruments.
GRANT EXECUTE ON FUNCTION api.search_instruments(text, integer) TO analyst;
-- Reconciliation of positions with the fills (sql/034): readers only.
REVOKE EXECUTE ON FUNCTION analytics.positions_from_executions() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analytics.positions_from_executions() TO analyst;

-- The services (migration 0020), each with what it uses and nothing more. Reads through views run
-- with the views' owner's rights, so a service granted a view needs nothing under it.
GRANT USAGE ON SCHEMA market, trading, risk, ops, api, analytics TO quant_processor, quant_risk_engine, quant_api;
GRANT EXECUTE ON FUNCTION ops.ensure_service_partitions(regclass, date, date) TO quant_processor, quant_risk_engine;
-- The processor runs the periodic upkeep and retention (migration 0027).
GRANT EXECUTE ON FUNCTION ops.run_upkeep(integer) TO quant_processor;

-- quant_processor: ticks, orders, executions and books in; offsets and dead letters in the same
-- transactions; engine snapshots to restart from; the instrument catalogue to check symbols; the
-- accounts to check orders, the positions their fills move, and the commands it refused.
GRANT SELECT ON market.instruments, trading.accounts TO quant_processor;
GRANT SELECT, INSERT, UPDATE ON trading.positions TO quant_processor;
GRANT SELECT, INSERT ON trading.refused_commands TO quant_processor;
-- The session scheduler: the calendars, and the closes it claims and marks sent.
GRANT SELECT ON market.trading_calendars, market.calendar_holidays TO quant_processor;
GRANT SELECT, INSERT, UPDATE ON trading.session_closes TO quant_processor;
GRANT SELECT, INSERT ON market.quotes, market.trades, trading.orders, trading.order_events, trading.executions,
    trading.book_snapshots, ops.dead_letters TO quant_processor;
GRANT SELECT, INSERT, UPDATE ON trading.book_depth, ops.kafka_offsets TO quant_processor;
GRANT SELECT, INSERT ON trading.engine_snapshots, trading.command_log TO quant_processor;
-- Its batches summed per window, for the console's pipeline view (migration 0031).
GRANT INSERT ON ops.ingest_windows TO quant_processor;

-- quant_risk_engine: valuation inputs through the reader views (sql/033), risk results out.
GRANT SELECT ON api.portfolios, api.position_terms, api.last_activity, api.latest_mids, api.account_positions TO quant_risk_engine;
GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO quant_risk_engine;
GRANT SELECT, INSERT ON risk.risk_metrics, risk.portfolio_greeks, risk.stress_results, risk.position_risk, risk.pnl_snapshots
    TO quant_risk_engine;

-- quant_api: the reader views (on-demand valuation, hedge and stress test, reads them too);
-- portfolio and position writes; its own key and idempotency records.
GRANT SELECT ON ALL TABLES IN SCHEMA api, analytics TO quant_api;
GRANT EXECUTE ON FUNCTION api.search_instruments(text, integer) TO quant_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON risk.portfolios, risk.positions TO quant_api;
-- POST /instruments adds instruments (its trigger tells the processor).
GRANT INSERT ON market.instruments TO quant_api;
GRANT SELECT, UPDATE (last_used_at) ON ops.api_keys TO quant_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON ops.idempotency_keys TO quant_api;

-- Every service checks at start that the schema is new enough (Store.SchemaRequirement).
GRANT SELECT ON public.schema_migrations TO quant_processor, quant_risk_engine, quant_api;
