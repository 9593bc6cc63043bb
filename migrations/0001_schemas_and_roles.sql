-- Schemas by owner of the data, and the roles readers use.
--   market   instruments and market data (quotes, trade prints)
--   trading  orders, order events, executions, book snapshots
--   risk     portfolios, positions, risk results
--   ops      pipeline bookkeeping: Kafka offsets, dead letters, partition upkeep
--   api, analytics  reader views (owned by sql/, re-created by `quant migrate up`)
CREATE SCHEMA IF NOT EXISTS market;
CREATE SCHEMA IF NOT EXISTS trading;
CREATE SCHEMA IF NOT EXISTS risk;
CREATE SCHEMA IF NOT EXISTS ops;

-- Roles are cluster-wide, so create them only when missing (several databases may share a cluster,
-- and their migrators may run at the same moment: the loser of that race just moves on).
-- analyst: reads the reader views and nothing else; in this database every transaction is read-only.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'analyst') THEN
        BEGIN
            CREATE ROLE analyst LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    -- Per-database settings, so migrators of other databases never touch the same catalog row.
    EXECUTE format('ALTER ROLE analyst IN DATABASE %I SET default_transaction_read_only = on', current_database());
    EXECUTE format('ALTER ROLE analyst IN DATABASE %I SET statement_timeout = %L', current_database(), '60s');
END
$$;

-- Nobody but the owner may create objects or read through the public schema by default.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO PUBLIC;
REVOKE ALL ON SCHEMA market, trading, risk, ops FROM PUBLIC;
