-- Partition upkeep and retention run by the processor every partitions.maintenanceIntervalSeconds
-- (issue 19), not only by `quant migrate up`: a pipeline that runs for months keeps making
-- partitions and ages its data without an operator. The service roles cannot create or drop
-- tables, so this runs ops.maintain_partitions as its owner. One run at a time: a second caller
-- (another processor instance) returns no rows at once.
CREATE FUNCTION ops.run_upkeep(premake_days integer)
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
END
$$;
COMMENT ON FUNCTION ops.run_upkeep(integer) IS
    'ops.maintain_partitions for the processor (as the owner, one caller at a time): partitions ahead, retention, bar retention.';
