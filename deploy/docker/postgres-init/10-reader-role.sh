#!/bin/sh
# Run once by the postgres image on an empty data dir (docker-entrypoint-initdb.d): the
# select-only role of `newsflow serve`, as deploy/local/postgres.sh creates it. The sink's
# migrations grant it select on every table and view.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v reader_password="$POSTGRES_PASSWORD" <<'SQL'
CREATE ROLE newsflow_reader LOGIN PASSWORD :'reader_password';
GRANT CONNECT ON DATABASE newsflow TO newsflow_reader;
SQL
