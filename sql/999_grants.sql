-- Last file: who may read what. Runs after every view exists.
-- analyst: read the reader schemas, nothing else (base schemas never granted; see 0001).
GRANT USAGE ON SCHEMA api, analytics TO analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA api, analytics TO analyst;
-- Functions that write (partition upkeep) are for the owner only.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA ops FROM PUBLIC;
-- Instrument search (sql/051) runs with the caller's rights over api.instruments.
GRANT EXECUTE ON FUNCTION api.search_instruments(text, integer) TO analyst;
