-- Idempotency-Key of the REST API's writes (docs/api.md): the first request with a key stores the
-- hash of what it asked and, once done, its answer; a retry with the same key and request gets the
-- same answer, one with a different request gets 409.
CREATE TABLE ops.idempotency_keys (
    idempotency_key text PRIMARY KEY CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    -- sha256 of method, path and the canonical request.
    request_hash    bytea NOT NULL,
    -- NULL while the first request is still in flight.
    status_code     integer,
    response_body   text,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX idempotency_keys_created_idx ON ops.idempotency_keys (created_at);
COMMENT ON TABLE ops.idempotency_keys IS 'REST API Idempotency-Key records: request hash and the stored answer.';
