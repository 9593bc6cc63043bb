#!/bin/sh
# docker-compose.yml: runs once, when the postgres container initialises an empty data directory.
# Creates the service roles and the read-only analyst, each with the password the `secrets` service
# generated (/run/quant-secrets/<role>), so they can log in over the network (scram-sha-256);
# migrations 0001 and 0020 then find the roles and grant each only what it uses.
set -eu
secret() { cat "/run/quant-secrets/$1"; }
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v processor="$(secret quant_processor)" -v risk="$(secret quant_risk_engine)" \
     -v api="$(secret quant_api)" -v analyst="$(secret analyst)" <<'SQL'
CREATE ROLE quant_processor LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'processor';
CREATE ROLE quant_risk_engine LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'risk';
CREATE ROLE quant_api LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'api';
CREATE ROLE analyst LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'analyst';
SQL
