-- Cheaper closed days (issue 19; docs/partitioning.md, "Closed days"). A day of ticks is written
-- while it is open and read by symbol and time; once it is closed and rolled up (market.bars) it is
-- read rarely and never written. So its B-tree on (symbol, ts), a third of its bytes, gives way to a
-- BRIN index after the rows are rewritten in (symbol, ts) order (CLUSTER): a symbol's ticks of that
-- day then sit in a few adjacent pages, which the BRIN index finds.
--
-- A partition's indexes must be its own to be dropped alone, so the ticks' index moves from the
-- partitioned parents to each partition (made by ops.ensure_partitions from the policy from now on).
-- This migration rebuilds that index once per existing partition.

ALTER TABLE ops.partition_policy
    ADD COLUMN open_index text,
    ADD COLUMN closed_index text,
    ADD COLUMN compact_after interval CHECK (compact_after >= interval '1 day');
COMMENT ON COLUMN ops.partition_policy.open_index IS
    'Index of each new partition (what follows CREATE INDEX … ON <partition>), e.g. (symbol, ts DESC); NULL: none of its own.';
COMMENT ON COLUMN ops.partition_policy.closed_index IS
    'Index that replaces open_index when a day is compacted (ops.compact_closed_days); NULL: never compacted.';
COMMENT ON COLUMN ops.partition_policy.compact_after IS
    'A partition is compacted once its day ended this long ago (after late ticks stop arriving).';

-- What each compaction did, for operators and the storage measurement (docs/benchmarks.md).
CREATE TABLE ops.partition_compactions (
    partition_name text PRIMARY KEY,
    parent_table   regclass NOT NULL,
    compacted_at   timestamptz NOT NULL DEFAULT now(),
    row_count      bigint NOT NULL,
    bytes_before   bigint NOT NULL,
    bytes_after    bigint NOT NULL,
    duration_ms    double precision NOT NULL
);
COMMENT ON TABLE ops.partition_compactions IS
    'One row per compacted day partition: rows, total bytes (heap and indexes) before and after, and how long it took.';

UPDATE ops.partition_policy
SET open_index = '(symbol, ts DESC)',
    closed_index = 'USING brin (symbol, ts) WITH (pages_per_range = 16)',
    compact_after = interval '2 days'
WHERE parent_table IN ('market.quotes'::regclass, 'market.trades'::regclass);

DROP INDEX market.quotes_symbol_ts_idx;
DROP INDEX market.trades_symbol_ts_idx;

-- As in 0002, and each new partition gets its policy's open index.
CREATE OR REPLACE FUNCTION ops.ensure_partitions(parent regclass, from_day date, to_day date)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    day      date;
    created  integer := 0;
    parent_schema text;
    relname  text;
    child    text;
    index_definition text;
BEGIN
    SELECT n.nspname, c.relname INTO parent_schema, relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = parent;
    IF to_day - from_day > 3660 THEN
        RAISE EXCEPTION 'refusing to create more than 10 years of daily partitions at once';
    END IF;
    SELECT p.open_index INTO index_definition FROM ops.partition_policy p WHERE p.parent_table = parent;
    day := from_day;
    WHILE day <= to_day LOOP
        child := format('%s_p%s', relname, to_char(day, 'YYYYMMDD'));
        IF to_regclass(format('%I.%I', parent_schema, child)) IS NULL THEN
            EXECUTE format(
                'CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                parent_schema, child, parent,
                (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
            IF index_definition IS NOT NULL THEN
                EXECUTE format('CREATE INDEX %I ON %I.%I %s', child || '_open_idx', parent_schema, child, index_definition);
            END IF;
            created := created + 1;
        END IF;
        day := day + 1;
    END LOOP;
    RETURN created;
END
$$;

-- The existing partitions get the index the parents had.
DO $$
DECLARE
    part record;
BEGIN
    FOR part IN
        SELECT n.nspname AS schema_name, c.relname AS child, p.open_index
        FROM ops.partition_policy p
        JOIN pg_inherits i ON i.inhparent = p.parent_table
        JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE p.open_index IS NOT NULL
    LOOP
        EXECUTE format('CREATE INDEX %I ON %I.%I %s', part.child || '_open_idx', part.schema_name, part.child, part.open_index);
    END LOOP;
END
$$;

-- Compacts one day partition: rewrites it in the order of its open index (CLUSTER, which holds an
-- ACCESS EXCLUSIVE lock on that partition alone for the rewrite), builds the closed index, drops
-- the open one. Returns false when there is nothing to do (already compacted, or no policy).
CREATE FUNCTION ops.compact_partition(part regclass)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    parent regclass;
    policy record;
    schema_name text;
    child text;
    open_name text;
    rows_now bigint;
    before bigint;
    started timestamptz := clock_timestamp();
BEGIN
    SELECT i.inhparent INTO parent FROM pg_inherits i WHERE i.inhrelid = part;
    SELECT * INTO policy FROM ops.partition_policy p WHERE p.parent_table = parent;
    IF policy.closed_index IS NULL THEN
        RETURN false;
    END IF;
    SELECT n.nspname, c.relname INTO schema_name, child
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = part;
    open_name := child || '_open_idx';
    IF to_regclass(format('%I.%I', schema_name, open_name)) IS NULL THEN
        RETURN false;
    END IF;
    before := pg_total_relation_size(part);
    EXECUTE format('CLUSTER %s USING %I', part, open_name);
    EXECUTE format('CREATE INDEX %I ON %s %s', child || '_closed_idx', part, policy.closed_index);
    EXECUTE format('DROP INDEX %I.%I', schema_name, open_name);
    EXECUTE format('ANALYZE %s', part);
    EXECUTE format('SELECT count(*) FROM %s', part) INTO rows_now;
    INSERT INTO ops.partition_compactions (partition_name, parent_table, row_count, bytes_before, bytes_after, duration_ms)
    VALUES (format('%I.%I', schema_name, child), parent, rows_now, before, pg_total_relation_size(part),
            extract(epoch FROM clock_timestamp() - started) * 1000)
    ON CONFLICT (partition_name) DO UPDATE SET
        compacted_at = now(), row_count = excluded.row_count, bytes_before = excluded.bytes_before,
        bytes_after = excluded.bytes_after, duration_ms = excluded.duration_ms;
    RETURN true;
END
$$;
COMMENT ON FUNCTION ops.compact_partition(regclass) IS
    'Rewrites a closed day partition in (symbol, ts) order and swaps its B-tree for its policy''s closed (BRIN) index.';

-- Compacts up to max_partitions closed days (oldest first), each in its own lock scope of this
-- transaction; what is left waits for the next run. Returns how many were compacted.
CREATE FUNCTION ops.compact_closed_days(max_partitions integer DEFAULT 4)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    part record;
    done integer := 0;
BEGIN
    FOR part IN
        SELECT c.oid::regclass AS child
        FROM ops.partition_policy p
        JOIN pg_inherits i ON i.inhparent = p.parent_table
        JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE p.closed_index IS NOT NULL
          AND to_regclass(format('%I.%I', n.nspname, c.relname || '_open_idx')) IS NOT NULL
          AND pg_relation_size(c.oid) > 0  -- an empty day has nothing to compact
          AND (substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \(''([^'']+)''\)'))::timestamptz
              <= now() - p.compact_after
        ORDER BY c.relname
        LIMIT max_partitions
    LOOP
        IF ops.compact_partition(part.child) THEN
            done := done + 1;
        END IF;
    END LOOP;
    RETURN done;
END
$$;
COMMENT ON FUNCTION ops.compact_closed_days(integer) IS
    'Compacts (ops.compact_partition) up to max_partitions day partitions that ended compact_after ago or more, oldest first.';

-- The processor's periodic upkeep compacts too (a few days per run).
CREATE OR REPLACE FUNCTION ops.run_upkeep(premake_days integer)
RETURNS TABLE (parent_table regclass, created integer, dropped integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF premake_days NOT BETWEEN 1 AND 366 THEN
        RAISE EXCEPTION 'premake_days must be 1 to 366, not %', premake_days USING ERRCODE = '22023';
    END IF;
    IF NOT pg_try_advisory_xact_lock(hashtext('ops.run_upkeep')) THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT m.parent_table, m.created, m.dropped FROM ops.maintain_partitions(premake_days) m;
    PERFORM ops.compact_closed_days();
END
$$;
