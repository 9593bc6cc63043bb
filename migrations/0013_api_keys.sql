-- API keys of the REST API (docs/api.md, "API keys"). Only the SHA-256 of a secret is stored
-- (computed by PostgreSQL's sha256(), so the server needs no crypto library): a leaked table does
-- not leak usable keys. The table sits in schema ops, which the analyst role cannot read (0001,
-- sql/999_grants.sql); no view of it is ever created in api or analytics.
CREATE TABLE ops.api_keys (
    key_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- The first characters of the secret, so `quant api-key list` can say which key is which.
    secret_prefix text NOT NULL,
    secret_hash   bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    -- 'read', or 'read' and 'write' (a key that may write may also read).
    scopes        text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'write']),
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz,
    -- Updated when the API looks the key up (at most once per api.keyCacheSeconds per process).
    last_used_at  timestamptz
);

-- A name names one live key; a revoked key's name may be reused.
CREATE UNIQUE INDEX api_keys_live_name_idx ON ops.api_keys (name) WHERE revoked_at IS NULL;

COMMENT ON TABLE ops.api_keys IS 'REST API keys: sha256 of the secret, name, scopes, created/revoked/last used. Not for analysts.';
