#!/usr/bin/env bash
# `make explore`: the whole pipeline behind the explorer, on this machine.
# Starts (or reuses) the broker and the database, then starts a worker, the sink and the
# web server, feeds the seed articles, prints the URL and waits. Ctrl-C (or SIGTERM)
# stops the worker, sink and server, and the broker and database only if it started them.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

readonly SCRIPT_NAME=explore
# lib.sh beside the real file (also when called through a symlink); it sets SCRIPT_DIR
# shellcheck source=lib.sh
. "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib.sh"
REPO=$(cd -- "$SCRIPT_DIR/../.." && pwd)
readonly REPO

usage() {
  cat <<EOF
Usage: $PROG [PATH ...]

Starts Kafka (deploy/local/kafka.sh) and PostgreSQL (deploy/local/postgres.sh) unless
they are already running, then one enrichment worker, the story stage, the sink and the explorer
(newsflow serve); feeds PATHs (default: seeds/articles) and prints the explorer's URL.
Runs until Ctrl-C, then stops what it started (not a broker or database that was
already running). Logs go to EXPLORE_STATE_DIR.

Environment (current value in brackets):
  EXPLORE_PORT       the explorer's port on 127.0.0.1              [${EXPLORE_PORT:-8000}]
  EXPLORE_STATE_DIR  logs and the worker's data dir                [${EXPLORE_STATE_DIR:-a new temporary dir}]
  EXPLORE_NEWSFLOW   the newsflow command                          [${EXPLORE_NEWSFLOW:-$REPO/.venv/bin/newsflow}]
  KAFKA_PORT, KAFKA_CONTROLLER_PORT, KAFKA_STATE_DIR      passed to kafka.sh
  POSTGRES_PORT, POSTGRES_STATE_DIR                       passed to postgres.sh
EOF
}

case "${1:-}" in -h|--help|help) usage; exit 0 ;; esac

KAFKA_SH="$REPO/deploy/local/kafka.sh"
POSTGRES_SH="$REPO/deploy/local/postgres.sh"
EXPLORE_NEWSFLOW="${EXPLORE_NEWSFLOW:-$REPO/.venv/bin/newsflow}"
EXPLORE_PORT="${EXPLORE_PORT:-8000}"
[[ "$EXPLORE_PORT" =~ ^[0-9]{1,5}$ ]] || die "EXPLORE_PORT must be a port number, got '$EXPLORE_PORT'"
[[ -x "$EXPLORE_NEWSFLOW" ]] || die "no newsflow command at $EXPLORE_NEWSFLOW: run 'make install' first (or set EXPLORE_NEWSFLOW)"
[[ -x "$POSTGRES_SH" ]] || die "no $POSTGRES_SH: the database script is missing from this checkout"
if [[ -z "${EXPLORE_STATE_DIR:-}" ]]; then
  EXPLORE_STATE_DIR="$(mktemp -d "${TMPDIR:-/tmp}/newsflow-explore.XXXXXX")"
fi
mkdir -p -- "$EXPLORE_STATE_DIR"
PATHS=("$@")
[[ ${#PATHS[@]} -gt 0 ]] || PATHS=("$REPO/seeds/articles")

started_kafka=0
started_postgres=0
declare -A children=()   # name -> pid of what this script started

stop_children() {
  local name pid
  for name in server sink stories worker; do
    pid=${children[$name]:-}
    [[ -n "$pid" ]] || continue
    if kill -0 "$pid" 2>/dev/null; then
      say "stopping the $name (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  for name in server sink stories worker; do
    pid=${children[$name]:-}
    [[ -n "$pid" ]] || continue
    # a worker finishes the article in flight and commits: give it time, then insist
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      say "the $name (pid $pid) did not stop in 30 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_children
  if ((started_postgres)); then "$POSTGRES_SH" stop || true; fi
  if ((started_kafka)); then "$KAFKA_SH" stop || true; fi
  say "stopped (logs in $EXPLORE_STATE_DIR)"
  exit "$rc"
}
trap cleanup EXIT
exit_on_signals

if "$KAFKA_SH" status >/dev/null 2>&1; then
  say "reusing the running broker"
else
  "$KAFKA_SH" start
  started_kafka=1
fi
if "$POSTGRES_SH" status >/dev/null 2>&1; then
  say "reusing the running database"
else
  "$POSTGRES_SH" start
  started_postgres=1
fi

export NEWSFLOW_BOOTSTRAP_SERVERS="127.0.0.1:${KAFKA_PORT:-9092}"
NEWSFLOW_DATABASE_URL=$("$POSTGRES_SH" url)
export NEWSFLOW_DATABASE_URL
export NEWSFLOW_DATA_DIR="$EXPLORE_STATE_DIR/worker-data"

"$EXPLORE_NEWSFLOW" topics create

start_child() { # name, then the command; output to EXPLORE_STATE_DIR/<name>.log
  local name=$1
  shift
  "$@" >"$EXPLORE_STATE_DIR/$name.log" 2>&1 &
  children[$name]=$!
  say "started the $name (pid ${children[$name]}, log $EXPLORE_STATE_DIR/$name.log)"
}

alive_or_die() {
  local name pid
  for name in "${!children[@]}"; do
    pid=${children[$name]}
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "----- last lines of $EXPLORE_STATE_DIR/$name.log -----" >&2
      tail -n 20 -- "$EXPLORE_STATE_DIR/$name.log" >&2 || true
      die "the $name (pid $pid) exited"
    fi
  done
}

# the schema first, so that the server finds its tables when it starts
"$EXPLORE_NEWSFLOW" sink --migrate-only
# the worker keeps NEWSFLOW_METRICS_PORT (default 9400); the sink serves no metrics here
start_child sink "$EXPLORE_NEWSFLOW" sink --metrics-port 0
start_child worker "$EXPLORE_NEWSFLOW" worker
# the story stage keeps NEWSFLOW_STORIES_METRICS_PORT (default 9401)
start_child stories "$EXPLORE_NEWSFLOW" stories
start_child server "$EXPLORE_NEWSFLOW" serve --port "$EXPLORE_PORT"

URL="http://127.0.0.1:$EXPLORE_PORT/"
for _ in $(seq 1 120); do
  alive_or_die
  if port_open "$EXPLORE_PORT"; then break; fi
  sleep 0.5
done
port_open "$EXPLORE_PORT" || die "the explorer did not listen on $URL within 60 s"

"$EXPLORE_NEWSFLOW" feed --quiet "${PATHS[@]}"
say "explorer: $URL (the articles appear as the worker enriches them; Ctrl-C stops everything)"

# Wait until Ctrl-C (the INT trap exits, and the EXIT trap cleans up) or a child dies.
while true; do
  alive_or_die
  sleep 1 &
  wait $! || true
done
