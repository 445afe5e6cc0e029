#!/bin/sh
# Run once by the postgres image on an empty data dir (docker-entrypoint-initdb.d): the
# select-only role of `newsflow serve`, as deploy/local/postgres.sh creates it, with its
# own password (POSTGRES_READER_PASSWORD), never the owner's. The sink grants it select
# on what the explorer reads only (READER_RELATIONS in workers/sink/schema.py): not the
# raw values of dead letters.
set -eu
: "${POSTGRES_READER_PASSWORD:?set POSTGRES_READER_PASSWORD: the reader role has a password of its own}"
if [ "$POSTGRES_READER_PASSWORD" = "$POSTGRES_PASSWORD" ]; then
  echo "10-reader-role.sh: POSTGRES_READER_PASSWORD must differ from POSTGRES_PASSWORD" >&2
  exit 1
fi
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v reader_password="$POSTGRES_READER_PASSWORD" <<'SQL'
CREATE ROLE newsflow_reader LOGIN PASSWORD :'reader_password';
GRANT CONNECT ON DATABASE newsflow TO newsflow_reader;
SQL
