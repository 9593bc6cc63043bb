-- The reader contract: schemas api (what the REST API reads) and analytics (for psql and Grafana).
-- They hold only views and functions defined in sql/, so `quant migrate up` drops and re-creates
-- them in one transaction: a view removed from sql/ disappears, a changed one is replaced, and
-- nothing stale survives. Do not create your own objects in these schemas.
DROP SCHEMA IF EXISTS api CASCADE;
DROP SCHEMA IF EXISTS analytics CASCADE;
CREATE SCHEMA api;
CREATE SCHEMA analytics;
COMMENT ON SCHEMA api IS 'Reader views for the REST API. Re-created by quant migrate up from sql/.';
COMMENT ON SCHEMA analytics IS 'Reader views for analysts and Grafana. Re-created by quant migrate up from sql/.';
