-- Announce position changes, so quant risk-engine recomputes the portfolio without waiting for its
-- schedule. Channel risk_positions, payload {"portfolio_id": "…"}; sent at commit. PostgreSQL folds
-- identical notifications of one transaction, so a transaction that rewrites a whole portfolio
-- sends one notification for it, however many rows change.
CREATE FUNCTION risk.notify_position_change()
RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pg_notify('risk_positions', json_build_object('portfolio_id', OLD.portfolio_id)::text);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM pg_notify('risk_positions', json_build_object('portfolio_id', NEW.portfolio_id)::text);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER positions_notify_change
AFTER INSERT OR UPDATE OR DELETE ON risk.positions
FOR EACH ROW EXECUTE FUNCTION risk.notify_position_change();

COMMENT ON FUNCTION risk.notify_position_change() IS
    'NOTIFY risk_positions {"portfolio_id"} for every changed position (folded per transaction).';
