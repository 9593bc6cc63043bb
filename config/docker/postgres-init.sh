#!/bin/sh
# docker-compose.yml: runs once, when the postgres container initialises an empty data directory.
# Creates the read-only analyst role with a password (QUANT_ANALYST_PASSWORD), so psql and Grafana
# can log in over the network; migration 0001 then finds the role and applies its settings.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v password="${QUANT_ANALYST_PASSWORD:-analyst}" <<'SQL'
CREATE ROLE analyst LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'password';
SQL
