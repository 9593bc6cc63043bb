-- One login role per service, each granted only what it uses (sql/999_grants.sql re-applies the
-- grants after every `quant migrate up`; docs/security.md lists them):
--   quant_processor    ingests market data and orders: writes ticks, orders, executions, books,
--                      offsets and dead letters; reads instruments
--   quant_risk_engine  reads market data, portfolios and positions; writes risk results
--   quant_api          reads the reader views; writes portfolios, positions, API key use and
--                      idempotency records
-- The owner role (the one that migrates) keeps the schema; services never connect as it.
-- Roles are created without a password: a deployment sets one (`scripts/stack` and the compose
-- file generate them), and pg_hba.conf should ask for it (scram-sha-256).
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['quant_processor', 'quant_risk_engine', 'quant_api'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT', r);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;  -- another database's migrator made it a moment ago
            END;
        END IF;
    END LOOP;
END
$$;

-- Services make the daily partitions a batch needs (a late tick, a risk run after midnight) but
-- may not create tables: this function does it for them, as its owner, and only for the
-- pipeline's partitioned tables (ops.partition_policy), at most a week at a time.
CREATE FUNCTION ops.ensure_service_partitions(parent regclass, from_day date, to_day date)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ops.partition_policy p WHERE p.parent_table = parent) THEN
        RAISE EXCEPTION '% is not a partitioned table of the pipeline', parent USING ERRCODE = '42501';
    END IF;
    IF to_day < from_day OR to_day - from_day > 7 THEN
        RAISE EXCEPTION 'a service makes at most a week of partitions at once, not % to %', from_day, to_day
            USING ERRCODE = '22023';
    END IF;
    RETURN ops.ensure_partitions(parent, from_day, to_day);
END
$$;

COMMENT ON FUNCTION ops.ensure_service_partitions(regclass, date, date) IS
    'ops.ensure_partitions for the service roles: only tables of ops.partition_policy, at most 8 days.';
