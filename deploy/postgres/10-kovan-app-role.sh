#!/bin/sh
# Runs once, when the bundled PostgreSQL initialises an empty data directory
# (mounted into /docker-entrypoint-initdb.d by deploy/compose.yaml).
#
# Creates the application role `kovan_app` WITH a password so the api and workers can log
# in over TCP (scram-sha-256). Migration 0001 creates the same role without a password
# when it is missing and grants it table rights; doing it here first only adds the login.
# To rotate the password later:  ALTER ROLE kovan_app PASSWORD '…';  (as the owner).
set -eu
: "${KOVAN_APP_DB_PASSWORD:?KOVAN_APP_DB_PASSWORD must be set}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v app_password="$KOVAN_APP_DB_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE kovan_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD %L', :'app_password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kovan_app') \gexec
SELECT format('ALTER ROLE kovan_app LOGIN PASSWORD %L', :'app_password') \gexec
SQL
