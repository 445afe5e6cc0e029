#!/usr/bin/env bash
# Apache Kafka (KRaft, broker + controller in one JVM) on 127.0.0.1: one node, or a cluster
# of KAFKA_NODES such nodes, run straight from Maven Central jars. See `kafka.sh --help`.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

readonly SCRIPT_NAME=kafka
# lib.sh beside the real file (also when called through a symlink); it sets SCRIPT_DIR
# shellcheck source=lib.sh
. "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/lib.sh"
# KAFKA_VERSION, KAFKA_CACHE_DIR, KAFKA_MVN_ARGS; resolve_jars (the `jars` command)
# shellcheck source=jars.sh
. "$SCRIPT_DIR/jars.sh"

readonly TEMPLATE="$SCRIPT_DIR/server.properties.template"
readonly LOG4J_CONF="$SCRIPT_DIR/log4j2.properties"
readonly TOOLS_LOG4J_CONF="$SCRIPT_DIR/tools-log4j2.properties"

# ---------------------------------------------------------------------------
# configuration
# ---------------------------------------------------------------------------
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_STATE_DIR="${KAFKA_STATE_DIR:-${XDG_STATE_HOME:-${HOME:?HOME is not set}/.local/state}/newsflow/kafka-$KAFKA_PORT}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_OPTS="${KAFKA_OPTS:-}"
KAFKA_EXTRA_PROPERTIES="${KAFKA_EXTRA_PROPERTIES:-}"
KAFKA_FORMAT_ARGS="${KAFKA_FORMAT_ARGS:-}"
KAFKA_CLIENT_PROPERTIES="${KAFKA_CLIENT_PROPERTIES:-}"
KAFKA_READY_TOOL="${KAFKA_READY_TOOL:-auto}"
# A cluster: KAFKA_NODES combined broker+controller nodes (1 = the single node above).
KAFKA_NODES="${KAFKA_NODES:-1}"
KAFKA_PORTS="${KAFKA_PORTS:-}"
KAFKA_CONTROLLER_PORTS="${KAFKA_CONTROLLER_PORTS:-}"
if [[ "$KAFKA_NODES" != 1 ]]; then
  KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx256m}"
fi
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
# Set by this script only, for one node of a cluster (see run_on_node): its id, the
# quorum, the cluster id and voters to format with, the internal topics' replication.
_KAFKA_NODE_ID="${_KAFKA_NODE_ID:-}"
_KAFKA_QUORUM_BOOTSTRAP="${_KAFKA_QUORUM_BOOTSTRAP:-}"
_KAFKA_CLUSTER_ID="${_KAFKA_CLUSTER_ID:-}"
_KAFKA_INITIAL_CONTROLLERS="${_KAFKA_INITIAL_CONTROLLERS:-}"
_KAFKA_REPLICATION_FACTOR="${_KAFKA_REPLICATION_FACTOR:-1}"
_KAFKA_MIN_ISR="${_KAFKA_MIN_ISR:-1}"

usage() {
  cat <<EOF
Usage: $PROG <command> [options]

Runs a single-node Apache Kafka $KAFKA_VERSION broker+controller (KRaft) on 127.0.0.1,
or with KAFKA_NODES=3 a cluster of three such nodes (see "A cluster" below), from
Maven Central jars (resolved once with mvn, then cached outside the repo).

Commands:
  start            resolve jars if needed, format storage on first use, start the broker in
                   the background and wait until it answers a metadata request.
                   Idempotent: exits 0 with "already running" if this state dir's broker is up.
  stop [--purge]   SIGTERM (SIGKILL after KAFKA_STOP_TIMEOUT s) the broker's whole process
                   group; exits 0 if it was not running. --purge also deletes KAFKA_STATE_DIR
                   (topics, offsets, logs) so the next start is fresh.
  status           exit 0 and print pid/port if running and answering, exit 1 otherwise.
  logs [-f] [-n N] print the last N (default 100) lines of the broker log; -f follows it.
  kill             SIGKILL the broker (a crash, for fault tests); exits 0 if it was not running.
  jars             only resolve/cache the jars (prints the libs dir).
  help, --help     this text.

Environment (current value in brackets):
  KAFKA_PORT              PLAINTEXT listener port                    [$KAFKA_PORT]
  KAFKA_CONTROLLER_PORT   KRaft controller listener port             [$KAFKA_CONTROLLER_PORT]
  KAFKA_STATE_DIR         data dir, pid file, logs, rendered config
                          default \${XDG_STATE_HOME:-\$HOME/.local/state}/newsflow/kafka-\$KAFKA_PORT
                          [$KAFKA_STATE_DIR]
  KAFKA_CACHE_DIR         jar cache (libs/), resolved once and reused
                          default \${XDG_CACHE_HOME:-\$HOME/.cache}/newsflow/kafka-<version from pom.xml>
                          [$KAFKA_CACHE_DIR]
  KAFKA_START_TIMEOUT     seconds to wait for the broker to answer    [$KAFKA_START_TIMEOUT]
  KAFKA_STOP_TIMEOUT      seconds to wait after SIGTERM before SIGKILL [$KAFKA_STOP_TIMEOUT]
  KAFKA_HEAP_OPTS         broker JVM heap options                    [$KAFKA_HEAP_OPTS]
  KAFKA_OPTS              extra broker JVM options (e.g. -Djava.security.auth.login.config=...)
  KAFKA_EXTRA_PROPERTIES  path of a file whose lines are appended to the rendered
                          server.properties (later keys win), e.g. to add a SASL listener
  KAFKA_FORMAT_ARGS       extra args for 'kafka-storage format', e.g.
                          "--add-scram 'SCRAM-SHA-256=[name=alice,password=alice-secret]'"
                          (shell-style quoting is honoured; only used when the storage is
                          formatted, i.e. on the first start or after 'stop --purge')
  KAFKA_CLIENT_PROPERTIES client config file (Java client keys) for the readiness/status probe,
                          needed only if extra properties make the PLAINTEXT port need auth;
                          forces the java probe
  KAFKA_READY_TOOL        readiness probe: auto (kcat if installed, else java), kcat, java
                          [$KAFKA_READY_TOOL]
  KAFKA_MVN_ARGS          extra mvn args for jar resolution (e.g. "-o", "-s settings.xml")
  JAVA_HOME               Java 17+ to use (else 'java' on PATH)

Files in KAFKA_STATE_DIR: server.properties, data/, logs/server.log (log4j, rolled),
logs/kafka.out (JVM stdout/stderr), logs/format.log, kafka.pid.

Several brokers at once (e.g. parallel test runs): give each its own KAFKA_PORT and
KAFKA_CONTROLLER_PORT; the default KAFKA_STATE_DIR already differs per KAFKA_PORT.

A cluster (KAFKA_NODES=2..9; 3 is the one to use): every node is a broker and a voter of
the KRaft quorum (node ids 1..N, formatted once with --initial-controllers), each with
its own ports and its own state in KAFKA_STATE_DIR/node-<id>. The internal topics get
3 replicas and min.insync.replicas 2 (2 and 1 on two nodes), as do topics created
without a replication factor. Every command acts on all nodes, or on one with --node ID:
  start [--node ID]          start all nodes at once (a quorum needs a majority to answer),
                             or (re)start one of them
  stop [--node ID] [--purge] stop all nodes at once, or one; --purge (all nodes only)
                             deletes the whole KAFKA_STATE_DIR
  kill --node ID             SIGKILL one node
  status [--node ID]         exit 0 only if every (or that) node answers
  logs [--node ID] [-f] [-n N]
  KAFKA_NODES             nodes in the cluster, 1 = a single node      [$KAFKA_NODES]
  KAFKA_PORTS             the nodes' PLAINTEXT ports, comma separated; default KAFKA_PORT,
                          KAFKA_PORT+10, KAFKA_PORT+20, ...             [$KAFKA_PORTS]
  KAFKA_CONTROLLER_PORTS  their controller ports; default KAFKA_CONTROLLER_PORT, +10, +20, ...
                          [$KAFKA_CONTROLLER_PORTS]
  KAFKA_HEAP_OPTS         per node; default -Xms128m -Xmx256m on a cluster
Clients bootstrap from all of them: 127.0.0.1:9092,127.0.0.1:9102,127.0.0.1:9112 by default.

Examples:
  KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 $PROG start
  $PROG status && kcat -b 127.0.0.1:9092 -L
  $PROG stop --purge
  KAFKA_NODES=3 $PROG start && KAFKA_NODES=3 $PROG kill --node 2 && KAFKA_NODES=3 $PROG start --node 2
EOF
}

validate_config() {
  require_port KAFKA_PORT
  require_port KAFKA_CONTROLLER_PORT
  [[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ]] \
    || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ (both $KAFKA_PORT)"
  require_seconds KAFKA_START_TIMEOUT
  require_seconds KAFKA_STOP_TIMEOUT
  case "$KAFKA_READY_TOOL" in
    auto|kcat|java) ;;
    *) die "KAFKA_READY_TOOL must be auto, kcat or java, got '$KAFKA_READY_TOOL'" ;;
  esac
  if [[ "$KAFKA_READY_TOOL" == kcat ]] && ! command -v kcat >/dev/null 2>&1; then
    die "KAFKA_READY_TOOL=kcat but kcat is not installed (use auto or java)"
  fi
  if [[ -n "$KAFKA_EXTRA_PROPERTIES" ]]; then
    [[ -f "$KAFKA_EXTRA_PROPERTIES" && -r "$KAFKA_EXTRA_PROPERTIES" ]] \
      || die "KAFKA_EXTRA_PROPERTIES: cannot read file '$KAFKA_EXTRA_PROPERTIES'"
  fi
  if [[ -n "$KAFKA_CLIENT_PROPERTIES" ]]; then
    [[ -f "$KAFKA_CLIENT_PROPERTIES" && -r "$KAFKA_CLIENT_PROPERTIES" ]] \
      || die "KAFKA_CLIENT_PROPERTIES: cannot read file '$KAFKA_CLIENT_PROPERTIES'"
  fi
  validate_cluster_config
  absolute_dir KAFKA_STATE_DIR
  absolute_dir KAFKA_CACHE_DIR
  [[ -n "$KAFKA_STATE_DIR" && -n "$KAFKA_CACHE_DIR" ]] || die "KAFKA_STATE_DIR/KAFKA_CACHE_DIR must not be /"
}

set_paths() {
  set_jar_paths
  CONF="$KAFKA_STATE_DIR/server.properties"
  DATA_DIR="$KAFKA_STATE_DIR/data"
  LOG_DIR="$KAFKA_STATE_DIR/logs"
  SERVER_LOG="$LOG_DIR/server.log"
  OUT_LOG="$LOG_DIR/kafka.out"
  PID_FILE="$KAFKA_STATE_DIR/kafka.pid"
  LOCK_FILE="$KAFKA_STATE_DIR/kafka.lock"
  PROBE_CONF="$KAFKA_STATE_DIR/probe-client.properties"
  BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
}

# ---------------------------------------------------------------------------
# traps, java
# ---------------------------------------------------------------------------
trap jars_cleanup EXIT
exit_on_signals

find_java() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    JAVA="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    JAVA=$(command -v java)
  else
    die "java not found: install Java 17+ (e.g. 'apt-get install openjdk-17-jre-headless') or set JAVA_HOME"
  fi
  local line major
  line=$("$JAVA" -version 2>&1 | head -n 1) || true
  major=$(sed -n 's/.*version "\([0-9][0-9]*\)\(\.\([0-9]*\)\)\{0,1\}.*/\1 \3/p' <<<"$line")
  # "1.8.0_x" -> major 1 minor 8
  if [[ "$major" == 1\ * ]]; then major="${major#1 }"; else major="${major%% *}"; fi
  [[ "$major" =~ ^[0-9]+$ ]] || die "cannot tell the version of $JAVA ($line)"
  (( major >= 17 )) || die "Kafka $KAFKA_VERSION needs Java 17+, but $JAVA is Java $major ($line); set JAVA_HOME"
}

# JVM for the CLI tools: small heap, fast start
tool_java() {
  "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$TOOLS_LOG4J_CONF" -cp "$LIBS/*" "$@"
}

# ---------------------------------------------------------------------------
# process bookkeeping
# ---------------------------------------------------------------------------
proc_alive() { # pid alive and not a zombie
  local pid=$1 stat
  kill -0 "$pid" 2>/dev/null || return 1
  stat=$(ps -o stat= -p "$pid" 2>/dev/null) || return 1
  [[ -n "$stat" && "$stat" != Z* ]]
}

proc_cmdline() {
  local pid=$1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true
  else
    ps -ww -o args= -p "$pid" 2>/dev/null || true
  fi
}

# Is pid the broker of THIS state dir?
is_our_broker() {
  local pid=$1
  proc_alive "$pid" || return 1
  [[ "$(proc_cmdline "$pid")" == *" kafka.Kafka $CONF"* ]]
}

# The broker pid, or anything left in the process group it leads (setsid), still alive?
broker_alive() {
  local pid=$1
  proc_alive "$pid" && return 0
  ps -e -o pgid=,stat= 2>/dev/null | awk -v g="$pid" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

# Sets PID to our running broker's pid, or "" (removing a stale pid file).
read_pid() {
  PID=""
  [[ -f "$PID_FILE" ]] || return 0
  local p
  p=$(tr -dc '0-9' <"$PID_FILE" 2>/dev/null || true)
  if [[ -n "$p" ]] && is_our_broker "$p"; then
    PID=$p
  else
    say "removing stale pid file $PID_FILE${p:+ (pid $p is gone or not our broker)}"
    rm -f -- "$PID_FILE"
  fi
}

# kill the process group (session) we started; fall back to the single pid
signal_broker() {
  local sig=$1 pid=$2
  kill "-$sig" -- "-$pid" 2>/dev/null || kill "-$sig" "$pid" 2>/dev/null || true
}

# SIGTERM, wait up to $2 s, then SIGKILL. Returns when nothing of the group is left.
terminate_broker() {
  local pid=$1 grace=$2 i
  signal_broker TERM "$pid"
  for ((i = 0; i < grace * 5; i++)); do
    broker_alive "$pid" || return 0
    sleep 0.2
  done
  warn "pid $pid did not exit ${grace}s after SIGTERM, sending SIGKILL"
  signal_broker KILL "$pid"
  for ((i = 0; i < 50; i++)); do
    broker_alive "$pid" || return 0
    sleep 0.2
  done
  die "pid $pid (process group $pid) survived SIGKILL"
}

# ---------------------------------------------------------------------------
# readiness probe: a real metadata request, not just an open port
# ---------------------------------------------------------------------------
probe_tool() {
  if [[ -n "$KAFKA_CLIENT_PROPERTIES" ]]; then echo java; return; fi
  case "$KAFKA_READY_TOOL" in
    kcat) echo kcat ;;
    java) echo java ;;
    auto) if command -v kcat >/dev/null 2>&1; then echo kcat; else echo java; fi ;;
  esac
}

write_probe_conf() {
  {
    echo "# written by kafka.sh: client config of the readiness/status probe"
    echo "request.timeout.ms=5000"
    echo "default.api.timeout.ms=10000"
    echo "socket.connection.setup.timeout.ms=2000"
    echo "socket.connection.setup.timeout.max.ms=2000"
    echo "reconnect.backoff.max.ms=500"
    if [[ -n "$KAFKA_CLIENT_PROPERTIES" ]]; then
      echo "# ---- from KAFKA_CLIENT_PROPERTIES=$KAFKA_CLIENT_PROPERTIES"
      cat -- "$KAFKA_CLIENT_PROPERTIES"
    fi
  } >"$PROBE_CONF"
}

# One metadata round trip. $1 = max seconds. Output of the failed attempt in PROBE_ERR.
PROBE_ERR=""
probe() {
  local max=$1 tool rc=0
  tool=$(probe_tool)
  if [[ "$tool" == kcat ]]; then
    PROBE_ERR=$(timeout "$max" kcat -L -b "$BOOTSTRAP" -m "$(( max > 2 ? max - 1 : 1 ))" 2>&1 >/dev/null) || rc=$?
  else
    write_probe_conf
    PROBE_ERR=$(timeout "$max" "$JAVA" -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto \
      -Dlog4j2.configurationFile="$TOOLS_LOG4J_CONF" -cp "$LIBS/*" \
      org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --command-config "$PROBE_CONF" \
      --list 2>&1 >/dev/null) || rc=$?
  fi
  return "$rc"
}

# ---------------------------------------------------------------------------
# start
# ---------------------------------------------------------------------------
render_config() {
  [[ -r "$TEMPLATE" ]] || die "missing $TEMPLATE"
  local text
  text=$(<"$TEMPLATE")
  text=${text//@KAFKA_PORT@/"$KAFKA_PORT"}
  text=${text//@KAFKA_CONTROLLER_PORT@/"$KAFKA_CONTROLLER_PORT"}
  text=${text//@KAFKA_DATA_DIR@/"$DATA_DIR"}
  text=${text//@KAFKA_STATE_DIR@/"$KAFKA_STATE_DIR"}
  text=${text//@KAFKA_NODE_ID@/"${_KAFKA_NODE_ID:-1}"}
  text=${text//@KAFKA_QUORUM_BOOTSTRAP@/"${_KAFKA_QUORUM_BOOTSTRAP:-127.0.0.1:$KAFKA_CONTROLLER_PORT}"}
  text=${text//@KAFKA_REPLICATION_FACTOR@/"$_KAFKA_REPLICATION_FACTOR"}
  text=${text//@KAFKA_MIN_ISR@/"$_KAFKA_MIN_ISR"}
  if [[ "$text" == *@KAFKA_*@* ]]; then
    die "unknown @KAFKA_...@ placeholder left in $TEMPLATE"
  fi
  {
    echo "# GENERATED by $SCRIPT_DIR/kafka.sh from server.properties.template; edits are overwritten on start"
    printf '%s\n' "$text"
    if [[ -n "$KAFKA_EXTRA_PROPERTIES" ]]; then
      printf '\n# ---- appended from KAFKA_EXTRA_PROPERTIES=%s\n' "$KAFKA_EXTRA_PROPERTIES"
      cat -- "$KAFKA_EXTRA_PROPERTIES"
      echo
    fi
  } >"$CONF.tmp"
  mv -f -- "$CONF.tmp" "$CONF"
}

format_storage() {
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    return 0
  fi
  if [[ -d "$DATA_DIR" ]] && [[ -n "$(ls -A -- "$DATA_DIR" 2>/dev/null)" ]]; then
    die "$DATA_DIR is not empty but has no meta.properties (interrupted format?); run '$PROG stop --purge' to start fresh"
  fi
  mkdir -p -- "$DATA_DIR"
  local cluster_id quorum=(--standalone)
  if [[ -n "$_KAFKA_CLUSTER_ID" ]]; then
    # one node of a cluster: the id and the voters every node is formatted with
    cluster_id=$_KAFKA_CLUSTER_ID
    quorum=(--initial-controllers "$_KAFKA_INITIAL_CONTROLLERS")
    : >"$LOG_DIR/format.log"
  else
    cluster_id=$(tool_java kafka.tools.StorageTool random-uuid 2>"$LOG_DIR/format.log" | tail -n 1) \
      || { cat -- "$LOG_DIR/format.log" >&2; die "kafka-storage random-uuid failed"; }
  fi
  split_words "$KAFKA_FORMAT_ARGS"
  if ! tool_java kafka.tools.StorageTool format "${quorum[@]}" -t "$cluster_id" -c "$CONF" \
        "${SPLIT[@]+"${SPLIT[@]}"}" >>"$LOG_DIR/format.log" 2>&1; then
    cat -- "$LOG_DIR/format.log" >&2
    rm -rf -- "$DATA_DIR"
    die "storage format failed (output above)"
  fi
  say "formatted $DATA_DIR (cluster id $cluster_id)"
}

show_failure_logs() {
  # only what this launch logged (the log is appended to across restarts)
  local logged=""
  if [[ -f "$SERVER_LOG" ]]; then
    logged=$(tail -n "+$((SERVER_LOG_START + 1))" -- "$SERVER_LOG" 2>/dev/null | tail -n 40 || true)
  fi
  echo "----- last 40 lines of $SERVER_LOG -----" >&2
  if [[ -n "$logged" ]]; then printf '%s\n' "$logged" >&2; else echo "(nothing logged by this launch)" >&2; fi
  # JVM stdout/stderr of this launch only (lines after the start marker), if any
  local out=""
  if [[ -f "$OUT_LOG" ]]; then
    out=$(tail -n "+$((OUT_LOG_START + 1))" -- "$OUT_LOG" 2>/dev/null | grep -v '^[[:space:]]*$' | tail -n 20 || true)
  fi
  if [[ -n "$out" ]]; then
    echo "----- JVM stdout/stderr ($OUT_LOG) -----" >&2
    printf '%s\n' "$out" >&2
  fi
  echo "-----" >&2
}

LAUNCHED_PID=""
OUT_LOG_START=0
SERVER_LOG_START=0
abort_start() {
  if [[ -n "$LAUNCHED_PID" ]]; then
    warn "interrupted, stopping the half-started broker (pid $LAUNCHED_PID)"
    signal_broker KILL "$LAUNCHED_PID"
    rm -f -- "$PID_FILE"
  fi
  exit 130
}

# The running broker uses the config rendered when IT started; say so if that differs.
warn_if_other_ports() {
  local listeners
  listeners=$(grep -E '^[[:space:]]*listeners[[:space:]]*=' "$CONF" 2>/dev/null | tail -n 1 || true)
  if [[ -n "$listeners" && "$listeners" != *"127.0.0.1:$KAFKA_PORT"[,[:space:]]* && "$listeners" != *"127.0.0.1:$KAFKA_PORT" ]]; then
    warn "but it was started with other settings: $listeners (stop it first to apply KAFKA_PORT=$KAFKA_PORT)"
  fi
}

cmd_start() {
  [[ $# -eq 0 ]] || die "start takes no arguments (configure with environment variables, see --help)"
  take_state_lock KAFKA_STATE_DIR "$LOCK_FILE"
  read_pid
  if [[ -n "$PID" ]]; then
    say "already running on $BOOTSTRAP (pid $PID)"
    warn_if_other_ports
    return 0
  fi
  local port
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if port_open "$port"; then
      error "127.0.0.1:$port is already in use by another process, not the broker of KAFKA_STATE_DIR=$KAFKA_STATE_DIR"
      who_listens "$port" >&2
      die "stop that process or choose other ports (KAFKA_PORT / KAFKA_CONTROLLER_PORT)"
    fi
  done

  find_java
  resolve_jars
  mkdir -p -- "$LOG_DIR" "$DATA_DIR"
  render_config
  format_storage

  local -a jvm
  split_words "$KAFKA_HEAP_OPTS"; jvm=("${SPLIT[@]+"${SPLIT[@]}"}")
  jvm+=(-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
        -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
        "-Dlog4j2.configurationFile=$LOG4J_CONF" "-Dkafka.logs.dir=$LOG_DIR"
        "-Dnewsflow.kafka.state=$KAFKA_STATE_DIR")
  split_words "$KAFKA_OPTS"; jvm+=("${SPLIT[@]+"${SPLIT[@]}"}")

  printf '===== %s kafka.sh start (Kafka %s, port %s) =====\n' "$(date '+%F %T')" "$KAFKA_VERSION" "$KAFKA_PORT" >>"$OUT_LOG"
  OUT_LOG_START=$(wc -l <"$OUT_LOG")
  SERVER_LOG_START=0
  if [[ -f "$SERVER_LOG" ]]; then SERVER_LOG_START=$(wc -l <"$SERVER_LOG"); fi
  rm -f -- "$PID_FILE"
  local -a launcher=()
  if command -v setsid >/dev/null 2>&1; then launcher=(setsid); fi
  local t0=$SECONDS
  trap abort_start INT TERM
  # New session (own process group, no controlling tty) + nohup: survives the calling
  # shell, and 'stop' can signal the whole group. The inner shell records its own pid
  # (== the JVM's, thanks to exec) so the pid file is right even if setsid had to fork.
  # fds 8/9 (our flock locks) must not leak into the JVM.
  # shellcheck disable=SC2016  # $$/$1/$@ are for the inner shell
  "${launcher[@]+"${launcher[@]}"}" nohup bash -c 'echo "$$" >"$1.tmp" && mv -f "$1.tmp" "$1" && shift && exec "$@"' \
    kafka-launch "$PID_FILE" "$JAVA" "${jvm[@]}" -cp "$LIBS/*" kafka.Kafka "$CONF" \
    </dev/null >>"$OUT_LOG" 2>&1 8>&- 9>&- &
  LAUNCHED_PID=$!
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -s "$PID_FILE" ]] && break
    sleep 0.05
  done
  if [[ -s "$PID_FILE" ]]; then LAUNCHED_PID=$(<"$PID_FILE"); fi

  local deadline=$((t0 + KAFKA_START_TIMEOUT)) left reason=""
  while :; do
    if ! proc_alive "$LAUNCHED_PID"; then
      reason="the broker process (pid $LAUNCHED_PID) exited during startup"
      break
    fi
    left=$((deadline - SECONDS))
    if ((left <= 0)); then
      reason="the broker did not answer a metadata request on $BOOTSTRAP within ${KAFKA_START_TIMEOUT}s"
      break
    fi
    if port_open "$KAFKA_PORT" && probe "$(( left < 15 ? left : 15 ))"; then
      break
    fi
    sleep 0.5
  done

  if [[ -n "$reason" ]]; then
    # clean up first, report second (a closed stdout/stderr must not leave a broker behind)
    if broker_alive "$LAUNCHED_PID"; then terminate_broker "$LAUNCHED_PID" 5 || true; fi
    rm -f -- "$PID_FILE"
    exit_on_signals
    error "$reason"
    if [[ -n "$PROBE_ERR" ]]; then printf 'kafka: last probe said: %s\n' "$(tail -n 3 <<<"$PROBE_ERR")" >&2; fi
    show_failure_logs
    exit 1
  fi
  exit_on_signals
  say "started on $BOOTSTRAP (pid $LAUNCHED_PID)"
  say "  ready in $((SECONDS - t0))s; state $KAFKA_STATE_DIR; log $SERVER_LOG"
}

# ---------------------------------------------------------------------------
# stop / status / logs / jars
# ---------------------------------------------------------------------------
cmd_stop() {
  parse_stop_options "$@"
  if [[ ! -d "$KAFKA_STATE_DIR" ]]; then
    say "not running"
    return 0
  fi
  take_state_lock KAFKA_STATE_DIR "$LOCK_FILE"
  read_pid
  if [[ -z "$PID" ]]; then
    say "not running"
  else
    local t0=$SECONDS
    terminate_broker "$PID" "$KAFKA_STOP_TIMEOUT"
    rm -f -- "$PID_FILE"
    say "stopped (pid $PID, ${BOOTSTRAP}) in $((SECONDS - t0))s"
  fi
  if ((PURGE)); then
    purge_state_dir "$KAFKA_STATE_DIR" data logs server.properties server.properties.tmp \
      kafka.pid kafka.pid.tmp kafka.lock probe-client.properties
  fi
}

cmd_status() {
  [[ $# -eq 0 ]] || die "status takes no arguments"
  PID=""
  if [[ -d "$KAFKA_STATE_DIR" ]]; then read_pid; fi
  if [[ -z "$PID" ]]; then
    say_not_running "$KAFKA_PORT"
    return 1
  fi
  find_java
  if probe 15; then
    say "running on $BOOTSTRAP (pid $PID; controller port $KAFKA_CONTROLLER_PORT; state $KAFKA_STATE_DIR)"
    return 0
  fi
  say "not running: pid $PID is alive but $BOOTSTRAP does not answer metadata requests (starting, or broken: see '$PROG logs')"
  warn_if_other_ports
  return 1
}

cmd_logs() {
  parse_log_options "$@"
  if ((LOG_FOLLOW)); then mkdir -p -- "$LOG_DIR"; fi
  show_log "$SERVER_LOG" "no broker log yet at $SERVER_LOG (never started with this KAFKA_STATE_DIR?)"
}

cmd_jars() {
  [[ $# -eq 0 ]] || die "jars takes no arguments"
  resolve_jars
  say "jars for Kafka $KAFKA_VERSION in $LIBS"
}

cmd_kill() {
  [[ $# -eq 0 ]] || die "kill takes no arguments"
  if [[ ! -d "$KAFKA_STATE_DIR" ]]; then
    say "not running"
    return 0
  fi
  take_state_lock KAFKA_STATE_DIR "$LOCK_FILE"
  read_pid
  if [[ -z "$PID" ]]; then
    say "not running"
    return 0
  fi
  signal_broker KILL "$PID"
  local i
  for ((i = 0; i < 50; i++)); do
    broker_alive "$PID" || break
    sleep 0.2
  done
  broker_alive "$PID" && die "pid $PID (process group $PID) survived SIGKILL"
  rm -f -- "$PID_FILE"
  say "killed (SIGKILL, pid $PID, ${BOOTSTRAP})"
}

# shellcheck source=cluster.sh
. "$SCRIPT_DIR/cluster.sh"

if cluster_mode; then
  run_cluster_command "$@"
else
  refuse_node_option "$@"
  run_command start stop status logs kill jars -- "$@"
fi
