-- API keys bound to accounts, and Idempotency-Key records scoped per API key (docs/api.md,
-- "API keys"; docs/security.md).
--
-- A write key trades only for the accounts it is bound to: it may send orders for them and cancel
-- or modify only their orders (403 otherwise). '*' binds a key to every account. Keys that could
-- write before this migration keep what they could do ('*'); bind them to their accounts with
-- `quant api-key create --account …` and revoke the old ones.
ALTER TABLE ops.api_keys ADD COLUMN accounts text[] NOT NULL DEFAULT '{}'
    CHECK (array_position(accounts, NULL) IS NULL AND cardinality(accounts) <= 1000);
UPDATE ops.api_keys SET accounts = '{*}' WHERE 'write' = ANY (scopes);
COMMENT ON COLUMN ops.api_keys.accounts IS 'Accounts a write key may trade for; ''*'' is every account, ''{}'' none.';

-- One client's Idempotency-Key is not another's: the same key sent by two API keys names two
-- requests. Records made before this migration belong to key 0 (no key), and expire as before.
ALTER TABLE ops.idempotency_keys ADD COLUMN api_key_id bigint NOT NULL DEFAULT 0;
ALTER TABLE ops.idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE ops.idempotency_keys ADD PRIMARY KEY (api_key_id, idempotency_key);
