-- Announce changes of the instrument catalogue, so the processor takes a new, deactivated or
-- reactivated instrument without a restart (issue 18; what it does not take: docs/processor.md). Channel instruments, payload {"changed_at": "…"} (the transaction's
-- time); one per statement, and PostgreSQL folds identical ones of a transaction into one: a
-- listener reloads the whole catalogue, whatever changed.
CREATE FUNCTION market.notify_instrument_change()
RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('instruments', json_build_object('changed_at', now())::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER instruments_notify_change
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON market.instruments
FOR EACH STATEMENT EXECUTE FUNCTION market.notify_instrument_change();

COMMENT ON FUNCTION market.notify_instrument_change() IS
    'NOTIFY instruments {"changed_at"} once per changing statement (folded per transaction).';
