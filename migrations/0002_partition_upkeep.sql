-- Daily range partitions, made ahead of time, with retention.
--
-- We use our own small functions rather than pg_partman: the rules we need (daily ranges on one
-- timestamptz column, N days ahead, drop after a retention period) fit in ~60 lines of PL/pgSQL
-- that any PostgreSQL image runs, with no extension to install or upgrade. See docs/partitioning.md.

CREATE TABLE ops.partition_policy (
    parent_table  regclass PRIMARY KEY,
    -- Partitions whose whole range is older than now() - retention are detached and dropped.
    -- NULL keeps everything.
    retention     interval,
    premake_days  integer NOT NULL DEFAULT 7 CHECK (premake_days BETWEEN 1 AND 366)
);

COMMENT ON TABLE ops.partition_policy IS
    'Which tables are partitioned by day, how far ahead partitions exist and how long they are kept.';

-- Creates the daily partitions of one table covering [from_day, to_day]. Idempotent.
CREATE FUNCTION ops.ensure_partitions(parent regclass, from_day date, to_day date)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    day      date;
    created  integer := 0;
    parent_schema text;
    relname  text;
    child    text;
BEGIN
    SELECT n.nspname, c.relname INTO parent_schema, relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = parent;
    IF to_day - from_day > 3660 THEN
        RAISE EXCEPTION 'refusing to create more than 10 years of daily partitions at once';
    END IF;
    day := from_day;
    WHILE day <= to_day LOOP
        child := format('%s_p%s', relname, to_char(day, 'YYYYMMDD'));
        IF to_regclass(format('%I.%I', parent_schema, child)) IS NULL THEN
            EXECUTE format(
                'CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                parent_schema, child, parent,
                (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
            created := created + 1;
        END IF;
        day := day + 1;
    END LOOP;
    RETURN created;
END
$$;

COMMENT ON FUNCTION ops.ensure_partitions(regclass, date, date) IS
    'Creates the missing daily (UTC) partitions of a table between two days, inclusive. Use before a backfill.';

-- Detaches and drops partitions that lie wholly before now() - retention. Returns how many.
CREATE FUNCTION ops.apply_retention(parent regclass, retention interval)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    part     record;
    dropped  integer := 0;
    upper_bound timestamptz;
BEGIN
    IF retention IS NULL THEN
        RETURN 0;
    END IF;
    FOR part IN
        SELECT c.oid::regclass AS child, pg_get_expr(c.relpartbound, c.oid) AS bound
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = parent
    LOOP
        -- bound looks like: FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-01-02 00:00:00+00')
        upper_bound := substring(part.bound FROM 'TO \(''([^'']+)''\)')::timestamptz;
        IF upper_bound IS NOT NULL AND upper_bound <= now() - retention THEN
            EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', parent, part.child);
            EXECUTE format('DROP TABLE %s', part.child);
            dropped := dropped + 1;
        END IF;
    END LOOP;
    RETURN dropped;
END
$$;

-- The upkeep every service runs periodically (and `quant migrate up` once): for every table in
-- ops.partition_policy, partitions from yesterday to premake days ahead, then retention.
CREATE FUNCTION ops.maintain_partitions(premake_override integer DEFAULT NULL)
RETURNS TABLE (parent_table regclass, created integer, dropped integer)
LANGUAGE plpgsql AS $$
DECLARE
    policy record;
    today  date := (now() AT TIME ZONE 'UTC')::date;
BEGIN
    FOR policy IN SELECT * FROM ops.partition_policy ORDER BY 1 LOOP
        parent_table := policy.parent_table;
        created := ops.ensure_partitions(policy.parent_table, today - 1,
                                         today + coalesce(premake_override, policy.premake_days));
        dropped := ops.apply_retention(policy.parent_table, policy.retention);
        RETURN NEXT;
    END LOOP;
END
$$;

COMMENT ON FUNCTION ops.maintain_partitions(integer) IS
    'Creates partitions from yesterday to N days ahead for every table in ops.partition_policy and applies retention.';
