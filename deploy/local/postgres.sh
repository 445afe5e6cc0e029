#!/usr/bin/env bash
# Local PostgreSQL for the sink, on 127.0.0.1, from Debian's `postgresql` package.
# See `postgres.sh --help`.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

readonly SCRIPT_NAME=postgres
# lib.sh beside the real file (also when called through a symlink); it sets SCRIPT_DIR
# shellcheck source=lib.sh
. "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib.sh"

# ---------------------------------------------------------------------------
# configuration
# ---------------------------------------------------------------------------
# Newest Debian PostgreSQL (/usr/lib/postgresql/<major>/bin); pg_config --bindir may be absent.
newest_bin_dir() {
  local dir best="" best_major=0 major
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/postgres" ]] || continue
    major=${dir#/usr/lib/postgresql/}
    major=${major%%/*}
    [[ "$major" =~ ^[0-9]+$ ]] || continue
    if ((major > best_major)); then best_major=$major; best=$dir; fi
  done
  printf '%s\n' "$best"
}

POSTGRES_PORT="${POSTGRES_PORT:-5432}"
POSTGRES_STATE_DIR="${POSTGRES_STATE_DIR:-${XDG_STATE_HOME:-${HOME:?HOME is not set}/.local/state}/newsflow/postgres-$POSTGRES_PORT}"
POSTGRES_BIN_DIR="${POSTGRES_BIN_DIR:-$(newest_bin_dir)}"
POSTGRES_DB="${POSTGRES_DB:-newsflow}"
POSTGRES_OWNER="${POSTGRES_OWNER:-newsflow}"
POSTGRES_READER="${POSTGRES_READER:-newsflow_reader}"
POSTGRES_START_TIMEOUT="${POSTGRES_START_TIMEOUT:-60}"
POSTGRES_STOP_TIMEOUT="${POSTGRES_STOP_TIMEOUT:-30}"

usage() {
  cat <<EOF
Usage: $PROG <command> [options]

Runs a PostgreSQL server for newsflow's sink on 127.0.0.1 only, from Debian's
'postgresql' package (binaries in /usr/lib/postgresql/<version>/bin, newest found).

Commands:
  start            initdb on first use, start the server in the background, wait until it
                   accepts connections, then create (if missing) the roles $POSTGRES_OWNER (owner)
                   and $POSTGRES_READER (may only select) and the database $POSTGRES_DB.
                   Idempotent: exits 0 with "already running" if this state dir's server is up.
  stop [--purge]   fast shutdown (immediate after POSTGRES_STOP_TIMEOUT s); exits 0 if it was not
                   running. --purge also deletes POSTGRES_STATE_DIR (all data, logs).
  status           exit 0 and print the port if running and accepting connections, 1 otherwise.
  logs [-f] [-n N] print the last N (default 100) lines of the server log; -f follows it.
  url [--reader]   print the libpq URL of the owner (or the read-only) role.
  help, --help     this text.

Environment (current value in brackets):
  POSTGRES_PORT           TCP port on 127.0.0.1                       [$POSTGRES_PORT]
  POSTGRES_STATE_DIR      data/ (the cluster, its socket too), logs/postgres.log
                          default \${XDG_STATE_HOME:-\$HOME/.local/state}/newsflow/postgres-\$POSTGRES_PORT
                          (beside Kafka's kafka-<port>)            [$POSTGRES_STATE_DIR]
  POSTGRES_BIN_DIR        PostgreSQL binaries                          [$POSTGRES_BIN_DIR]
  POSTGRES_DB             database created on start                   [$POSTGRES_DB]
  POSTGRES_OWNER          role that owns it (the sink's)              [$POSTGRES_OWNER]
  POSTGRES_READER         role that may only select (the web app's)   [$POSTGRES_READER]
  POSTGRES_START_TIMEOUT  seconds to wait for connections             [$POSTGRES_START_TIMEOUT]
  POSTGRES_STOP_TIMEOUT   seconds to wait for a fast shutdown         [$POSTGRES_STOP_TIMEOUT]

Authentication is 'trust' for 127.0.0.1 and the socket: a development server, never
exposed (it listens on 127.0.0.1 only). PostgreSQL refuses to run as root: run as root,
this script runs the server as the 'postgres' system user (Debian's package creates it),
which owns data/ and logs/.

Settings that match the defaults:
  NEWSFLOW_DATABASE_URL=postgresql://$POSTGRES_OWNER@127.0.0.1:$POSTGRES_PORT/$POSTGRES_DB

Examples:
  $PROG start && psql "\$($PROG url)" -c 'select version()'
  POSTGRES_PORT=15432 $PROG start
  $PROG stop --purge
EOF
}

validate_config() {
  local name
  require_port POSTGRES_PORT
  require_seconds POSTGRES_START_TIMEOUT
  require_seconds POSTGRES_STOP_TIMEOUT
  for name in POSTGRES_DB POSTGRES_OWNER POSTGRES_READER; do
    [[ "${!name}" =~ ^[a-z_][a-z0-9_]*$ ]] || die "$name must be a lower-case SQL identifier, got '${!name}'"
  done
  [[ -n "$POSTGRES_BIN_DIR" && -x "$POSTGRES_BIN_DIR/postgres" ]] \
    || die "no PostgreSQL binaries found (POSTGRES_BIN_DIR='$POSTGRES_BIN_DIR'): install Debian's 'postgresql' package (deploy/local/install-system-deps.sh) or set POSTGRES_BIN_DIR"
  absolute_dir POSTGRES_STATE_DIR
  [[ -n "$POSTGRES_STATE_DIR" ]] || die "POSTGRES_STATE_DIR must not be /"
}

set_paths() {
  DATA_DIR="$POSTGRES_STATE_DIR/data"
  LOG_DIR="$POSTGRES_STATE_DIR/logs"
  SERVER_LOG="$LOG_DIR/postgres.log"
  LOCK_FILE="$POSTGRES_STATE_DIR/postgres.lock"
}

# ---------------------------------------------------------------------------
# running as the server's user
# ---------------------------------------------------------------------------
AS_USER=()
choose_user() {
  if ((EUID != 0)); then
    AS_USER=()
    return 0
  fi
  id -u postgres >/dev/null 2>&1 \
    || die "running as root, but there is no 'postgres' system user to run the server as (install Debian's 'postgresql' package, or run as another user)"
  mkdir -p -- "$DATA_DIR" "$LOG_DIR"
  chown postgres: -- "$DATA_DIR" "$LOG_DIR"
  chmod 700 -- "$DATA_DIR"
  if runuser -u postgres -- test -x "$DATA_DIR" 2>/dev/null; then
    AS_USER=(runuser -u postgres --)
  else
    # The state dir sits under a folder the postgres user cannot enter (root's home,
    # pytest's 0700 tmp). Rather than opening those folders to everyone, give the server
    # only the right to look up paths (CAP_DAC_READ_SEARCH, not to write): it still runs
    # as 'postgres', which is what PostgreSQL checks.
    AS_USER=(setpriv --reuid=postgres --regid=postgres --init-groups
             --inh-caps=+dac_read_search --ambient-caps=+dac_read_search --)
  fi
}

pg() { # run a PostgreSQL binary as the server's user
  local tool=$1
  shift
  "${AS_USER[@]+"${AS_USER[@]}"}" "$POSTGRES_BIN_DIR/$tool" "$@"
}

psql_admin() { # superuser psql over the socket in the data dir
  pg psql -X -q -v ON_ERROR_STOP=1 -h "$DATA_DIR" -p "$POSTGRES_PORT" -U postgres -d postgres "$@"
}

is_running() { # this data dir's server is up (postmaster.pid names a live server)
  [[ -f "$DATA_DIR/PG_VERSION" ]] || return 1
  pg pg_ctl status -D "$DATA_DIR" >/dev/null 2>&1
}

accepting() {
  "$POSTGRES_BIN_DIR/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -d postgres -t 3 >/dev/null 2>&1
}

# ---------------------------------------------------------------------------
# start
# ---------------------------------------------------------------------------
init_cluster() {
  [[ -f "$DATA_DIR/PG_VERSION" ]] && return 0
  if [[ -n "$(ls -A -- "$DATA_DIR" 2>/dev/null)" ]]; then
    die "$DATA_DIR is not empty but holds no cluster (interrupted initdb?); run '$PROG stop --purge' to start fresh"
  fi
  if ! pg initdb -D "$DATA_DIR" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
        >"$LOG_DIR/initdb.log" 2>&1; then
    cat -- "$LOG_DIR/initdb.log" >&2
    find "$DATA_DIR" -mindepth 1 -delete 2>/dev/null || true
    die "initdb failed (output above)"
  fi
  # Later lines win: 127.0.0.1 only, the socket in the data dir (not /var/run/postgresql).
  cat >>"$DATA_DIR/postgresql.conf" <<EOF

# ---- written by $PROG
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DATA_DIR'
max_connections = 100
fsync = on
EOF
  cat >"$DATA_DIR/pg_hba.conf" <<EOF
# written by $PROG: development server on 127.0.0.1 only
local all all trust
host  all all 127.0.0.1/32 trust
EOF
  say "initialised $DATA_DIR ($("$POSTGRES_BIN_DIR/postgres" --version))"
}

bootstrap_roles() {
  psql_admin <<EOF
SELECT format('CREATE ROLE %I LOGIN', '$POSTGRES_OWNER')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$POSTGRES_OWNER') \gexec
SELECT format('CREATE ROLE %I LOGIN', '$POSTGRES_READER')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$POSTGRES_READER') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', '$POSTGRES_DB', '$POSTGRES_OWNER')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$POSTGRES_DB') \gexec
EOF
  # the owner creates test databases; the reader only connects and selects
  psql_admin -c "ALTER ROLE $POSTGRES_OWNER CREATEDB" \
    -c "GRANT CONNECT ON DATABASE $POSTGRES_DB TO $POSTGRES_READER"
}

cmd_start() {
  [[ $# -eq 0 ]] || die "start takes no arguments (configure with environment variables, see --help)"
  take_state_lock POSTGRES_STATE_DIR "$LOCK_FILE"
  choose_user
  if is_running; then
    bootstrap_roles
    say "already running on 127.0.0.1:$POSTGRES_PORT (state $POSTGRES_STATE_DIR)"
    return 0
  fi
  if port_open "$POSTGRES_PORT"; then
    die "127.0.0.1:$POSTGRES_PORT is already in use by another process, not the server of POSTGRES_STATE_DIR=$POSTGRES_STATE_DIR; stop it or choose another POSTGRES_PORT"
  fi
  init_cluster
  local t0=$SECONDS
  printf '===== %s postgres.sh start (port %s) =====\n' "$(date '+%F %T')" "$POSTGRES_PORT" \
    | "${AS_USER[@]+"${AS_USER[@]}"}" tee -a "$SERVER_LOG" >/dev/null
  # fd 9 (our flock) must not leak into the server, or the next start waits for it forever
  if ! pg pg_ctl start -D "$DATA_DIR" -l "$SERVER_LOG" -w -t "$POSTGRES_START_TIMEOUT" \
        -o "-p $POSTGRES_PORT" </dev/null >/dev/null 2>&1 9>&-; then
    echo "----- last 30 lines of $SERVER_LOG -----" >&2
    tail -n 30 -- "$SERVER_LOG" >&2 || true
    pg pg_ctl stop -D "$DATA_DIR" -m immediate >/dev/null 2>&1 || true
    die "the server did not start within ${POSTGRES_START_TIMEOUT}s (log above)"
  fi
  bootstrap_roles
  say "started on 127.0.0.1:$POSTGRES_PORT in $((SECONDS - t0))s; state $POSTGRES_STATE_DIR; log $SERVER_LOG"
}

# ---------------------------------------------------------------------------
# stop / status / logs / url
# ---------------------------------------------------------------------------
cmd_stop() {
  parse_stop_options "$@"
  if [[ ! -d "$POSTGRES_STATE_DIR" ]]; then
    say "not running"
    return 0
  fi
  take_state_lock POSTGRES_STATE_DIR "$LOCK_FILE"
  choose_user
  if ! is_running; then
    say "not running"
  elif pg pg_ctl stop -D "$DATA_DIR" -m fast -w -t "$POSTGRES_STOP_TIMEOUT" >/dev/null 2>&1; then
    say "stopped (127.0.0.1:$POSTGRES_PORT)"
  else
    warn "no fast shutdown within ${POSTGRES_STOP_TIMEOUT}s, stopping immediately"
    pg pg_ctl stop -D "$DATA_DIR" -m immediate -w -t "$POSTGRES_STOP_TIMEOUT" >/dev/null 2>&1 \
      || die "the server of $DATA_DIR did not stop; see '$PROG logs'"
    say "stopped (immediate) (127.0.0.1:$POSTGRES_PORT)"
  fi
  if ((PURGE)); then purge_state_dir "$POSTGRES_STATE_DIR" data logs postgres.lock; fi
}

cmd_status() {
  [[ $# -eq 0 ]] || die "status takes no arguments"
  if [[ -d "$POSTGRES_STATE_DIR" ]]; then choose_user; fi
  if [[ -d "$POSTGRES_STATE_DIR" ]] && is_running && accepting; then
    say "running on 127.0.0.1:$POSTGRES_PORT (state $POSTGRES_STATE_DIR)"
    return 0
  fi
  say_not_running "$POSTGRES_PORT"
  return 1
}

cmd_logs() {
  parse_log_options "$@"
  show_log "$SERVER_LOG" "no server log yet at $SERVER_LOG (never started with this POSTGRES_STATE_DIR?)"
}

cmd_url() {
  local role=$POSTGRES_OWNER
  case "${1:-}" in
    "") ;;
    --reader) role=$POSTGRES_READER ;;
    *) die "url: unknown option '$1' (only --reader)" ;;
  esac
  printf 'postgresql://%s@127.0.0.1:%s/%s\n' "$role" "$POSTGRES_PORT" "$POSTGRES_DB"
}

run_command start stop status logs url -- "$@"
