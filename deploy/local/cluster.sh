# shellcheck shell=bash
# kafka.sh's cluster mode (KAFKA_NODES > 1): N combined broker+controller nodes, each one
# run by kafka.sh itself as a single node with its own ports and state dir
# (KAFKA_STATE_DIR/node-<id>), all formatted with one cluster id and the same voters.
# Sourced by kafka.sh after its own functions; uses its say/die, options and locks.

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  printf '%s: sourced by kafka.sh, not run\n' "${0##*/}" >&2
  exit 2
fi

# A cluster, as opposed to a single node or one node run for a cluster.
cluster_mode() { [[ "$KAFKA_NODES" != 1 && -z "$_KAFKA_NODE_ID" ]]; }

NODE_PORTS=()
NODE_CONTROLLER_PORTS=()

# Fill the array named $3 with KAFKA_NODES ports: the list in the variable named $1, or
# $2, $2+10, $2+20, ...
node_ports() {
  local list_name=$1 base=$2
  local -n ports_out=$3
  local -a listed=()
  local p i
  ports_out=()
  if [[ -n "${!list_name}" ]]; then
    IFS=', ' read -r -a listed <<<"${!list_name}"
    ((${#listed[@]} == KAFKA_NODES)) \
      || die "$list_name must list $KAFKA_NODES ports (KAFKA_NODES), got '${!list_name}'"
  else
    for ((i = 0; i < KAFKA_NODES; i++)); do listed+=("$((base + 10 * i))"); done
  fi
  for p in "${listed[@]}"; do
    _port=$p
    require_port _port
    ports_out+=("$_port")
  done
}

validate_cluster_config() {
  [[ "$KAFKA_NODES" =~ ^[1-9]$ ]] || die "KAFKA_NODES must be a number of nodes, 1 to 9, got '$KAFKA_NODES'"
  cluster_mode || return 0
  node_ports KAFKA_PORTS "$KAFKA_PORT" NODE_PORTS
  node_ports KAFKA_CONTROLLER_PORTS "$KAFKA_CONTROLLER_PORT" NODE_CONTROLLER_PORTS
  local -A seen=()
  local p
  for p in "${NODE_PORTS[@]}" "${NODE_CONTROLLER_PORTS[@]}"; do
    [[ -z "${seen[$p]:-}" ]] || die "port $p is given twice (KAFKA_PORTS / KAFKA_CONTROLLER_PORTS must all differ)"
    seen[$p]=1
  done
}

# ---------------------------------------------------------------------------
# the cluster's identity: one cluster id, the voters every node is formatted with
# ---------------------------------------------------------------------------
cluster_paths() {
  CLUSTER_FILE="$KAFKA_STATE_DIR/cluster.env"
  CLUSTER_LOCK="$KAFKA_STATE_DIR/cluster.lock"
  REPLICATION_FACTOR=$((KAFKA_NODES < 3 ? KAFKA_NODES : 3))
  MIN_ISR=$((REPLICATION_FACTOR >= 3 ? 2 : 1))
  local i servers=()
  for ((i = 0; i < KAFKA_NODES; i++)); do servers+=("127.0.0.1:${NODE_PORTS[i]}"); done
  CLUSTER_BOOTSTRAP=$(IFS=,; printf '%s' "${servers[*]}")
  servers=()
  for ((i = 0; i < KAFKA_NODES; i++)); do servers+=("127.0.0.1:${NODE_CONTROLLER_PORTS[i]}"); done
  QUORUM_BOOTSTRAP=$(IFS=,; printf '%s' "${servers[*]}")
}

# A Kafka Uuid: 16 random bytes, base64url without padding, not starting with "-"
# (Kafka's own random-uuid avoids that too: it would read as a command-line option).
random_uuid() {
  local u
  while :; do
    u=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    [[ "$u" == -* ]] || break
  done
  printf '%s' "$u"
}

# Sets CLUSTER_ID and INITIAL_CONTROLLERS from CLUSTER_FILE, writing it on first use.
cluster_identity() {
  local ports
  ports=$(IFS=,; printf '%s' "${NODE_CONTROLLER_PORTS[*]}")
  if [[ -f "$CLUSTER_FILE" ]]; then
    CLUSTER_ID=$(sed -n 's/^CLUSTER_ID=//p' "$CLUSTER_FILE")
    INITIAL_CONTROLLERS=$(sed -n 's/^INITIAL_CONTROLLERS=//p' "$CLUSTER_FILE")
    local formatted
    formatted=$(sed -n 's/^CONTROLLER_PORTS=//p' "$CLUSTER_FILE")
    [[ -n "$CLUSTER_ID" && -n "$INITIAL_CONTROLLERS" ]] || die "$CLUSTER_FILE is incomplete; '$PROG stop --purge' starts afresh"
    [[ "$formatted" == "$ports" ]] \
      || die "this cluster was formatted with controller ports $formatted, not $ports: use those, or '$PROG stop --purge'"
    return 0
  fi
  local i
  for ((i = 1; i <= KAFKA_NODES; i++)); do
    [[ ! -e "$KAFKA_STATE_DIR/node-$i/data" ]] \
      || die "$KAFKA_STATE_DIR/node-$i has data but $CLUSTER_FILE is missing; '$PROG stop --purge' starts afresh"
  done
  CLUSTER_ID=$(random_uuid)
  local voters=()
  for ((i = 1; i <= KAFKA_NODES; i++)); do
    voters+=("$i@127.0.0.1:${NODE_CONTROLLER_PORTS[i - 1]}:$(random_uuid)")
  done
  INITIAL_CONTROLLERS=$(IFS=,; printf '%s' "${voters[*]}")
  printf 'CLUSTER_ID=%s\nINITIAL_CONTROLLERS=%s\nCONTROLLER_PORTS=%s\n' \
    "$CLUSTER_ID" "$INITIAL_CONTROLLERS" "$ports" >"$CLUSTER_FILE.tmp"
  mv -f -- "$CLUSTER_FILE.tmp" "$CLUSTER_FILE"
}

# Run kafka.sh COMMAND... for node $1 alone, as a single node of this cluster.
run_on_node() {
  local id=$1
  shift
  KAFKA_NODES=1 _KAFKA_NODE_ID="$id" \
    KAFKA_PORT="${NODE_PORTS[id - 1]}" KAFKA_CONTROLLER_PORT="${NODE_CONTROLLER_PORTS[id - 1]}" \
    KAFKA_STATE_DIR="$KAFKA_STATE_DIR/node-$id" KAFKA_HEAP_OPTS="$KAFKA_HEAP_OPTS" \
    _KAFKA_QUORUM_BOOTSTRAP="$QUORUM_BOOTSTRAP" _KAFKA_CLUSTER_ID="${CLUSTER_ID:-}" \
    _KAFKA_INITIAL_CONTROLLERS="${INITIAL_CONTROLLERS:-}" \
    _KAFKA_REPLICATION_FACTOR="$REPLICATION_FACTOR" _KAFKA_MIN_ISR="$MIN_ISR" \
    "$SCRIPT_DIR/kafka.sh" "$@" 9>&-
}

# Run COMMAND... on the nodes in NODES at once; print each node's output prefixed with
# its id once all are done (stderr for a node that failed). Fails if any node did.
on_nodes_at_once() {
  local dir id rc=0
  local -A pids=()
  dir=$(mktemp -d)
  for id in "${NODES[@]}"; do
    run_on_node "$id" "$@" >"$dir/$id" 2>&1 &
    pids[$id]=$!
  done
  for id in "${NODES[@]}"; do
    if wait "${pids[$id]}"; then
      sed "s/^/node $id: /" "$dir/$id"
    else
      rc=1
      sed "s/^/node $id: /" "$dir/$id" >&2
    fi
  done
  rm -rf -- "$dir"
  return "$rc"
}

# ---------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------
NODE=""
ARGS=()
# Take --node ID out of the arguments: NODE, the rest in ARGS; NODES = the nodes to act on.
take_node_option() {
  NODE=""
  ARGS=()
  while (($#)); do
    case "$1" in
      --node) [[ $# -ge 2 ]] || die "--node needs a node id"; NODE=$2; shift ;;
      --node=*) NODE=${1#--node=} ;;
      *) ARGS+=("$1") ;;
    esac
    shift
  done
  if [[ -n "$NODE" ]]; then
    if [[ ! "$NODE" =~ ^[1-9]$ ]] || ((NODE > KAFKA_NODES)); then
      die "--node must be a node id, 1 to $KAFKA_NODES, got '$NODE'"
    fi
    NODES=("$NODE")
  else
    local i
    NODES=()
    for ((i = 1; i <= KAFKA_NODES; i++)); do NODES+=("$i"); done
  fi
}

cluster_start() {
  [[ ${#ARGS[@]} -eq 0 ]] || die "start takes only --node ID (configure with environment variables, see --help)"
  take_state_lock KAFKA_STATE_DIR "$CLUSTER_LOCK"
  cluster_identity
  local t0=$SECONDS
  # All at once: a node of a new cluster answers only once a majority of voters is up.
  on_nodes_at_once start || die "not every node started (output above); '$PROG logs --node ID' shows a node's log"
  say "cluster of $KAFKA_NODES nodes on $CLUSTER_BOOTSTRAP (replication $REPLICATION_FACTOR, min ISR $MIN_ISR); ${#NODES[@]} node(s) up in $((SECONDS - t0))s"
}

cluster_stop() {
  parse_stop_options "${ARGS[@]+"${ARGS[@]}"}"
  if ((PURGE)) && [[ -n "$NODE" ]]; then die "stop --purge is for the whole cluster, not one node"; fi
  if [[ ! -d "$KAFKA_STATE_DIR" ]]; then
    say "not running"
    return 0
  fi
  take_state_lock KAFKA_STATE_DIR "$CLUSTER_LOCK"
  # At once: nodes stopped one by one would each wait on a quorum that is leaving.
  local -a options=()
  if ((PURGE)); then options+=(--purge); fi
  on_nodes_at_once stop "${options[@]+"${options[@]}"}"
  if ((PURGE)); then
    local keep=(cluster.env cluster.env.tmp cluster.lock) i
    for ((i = 1; i <= KAFKA_NODES; i++)); do keep+=("node-$i"); done
    purge_state_dir "$KAFKA_STATE_DIR" "${keep[@]}"
  fi
}

cluster_kill() {
  [[ ${#ARGS[@]} -eq 0 ]] || die "kill takes only --node ID"
  [[ -d "$KAFKA_STATE_DIR" ]] || { say "not running"; return 0; }
  on_nodes_at_once kill
}

cluster_status() {
  [[ ${#ARGS[@]} -eq 0 ]] || die "status takes only --node ID"
  local id rc=0
  for id in "${NODES[@]}"; do
    if [[ -d "$KAFKA_STATE_DIR/node-$id" ]]; then
      local said=""
      said=$(run_on_node "$id" status 2>&1) || rc=1
      # shellcheck disable=SC2001  # a prefix on every line
      sed "s/^/node $id: /" <<<"$said"
    else
      printf 'node %s: %s: not running\n' "$id" "$SCRIPT_NAME"
      rc=1
    fi
  done
  say "cluster of $KAFKA_NODES nodes, bootstrap $CLUSTER_BOOTSTRAP: $( ((rc == 0)) && echo "all answering" || echo "not all answering")"
  return "$rc"
}

cluster_logs() {
  if [[ -n "$NODE" ]]; then
    run_on_node "$NODE" logs "${ARGS[@]+"${ARGS[@]}"}"
    return
  fi
  parse_log_options "${ARGS[@]+"${ARGS[@]}"}"
  local files=() id
  for id in "${NODES[@]}"; do files+=("$KAFKA_STATE_DIR/node-$id/logs/server.log"); done
  if ((LOG_FOLLOW)); then exec tail -n "$LOG_LINES" -F -- "${files[@]}"; fi
  for id in "${NODES[@]}"; do
    echo "==> node $id: ${files[id - 1]} <=="
    if [[ -f "${files[id - 1]}" ]]; then tail -n "$LOG_LINES" -- "${files[id - 1]}"; else echo "(no log yet)"; fi
  done
}

# The entry point in cluster mode (run_command's counterpart).
run_cluster_command() {
  local cmd=${1:-}
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    help|-h|--help) usage; return 0 ;;
    "") usage >&2; exit 2 ;;
  esac
  validate_config
  set_paths
  cluster_paths
  take_node_option "$@"
  case "$cmd" in
    start|stop|kill|status|logs) "cluster_$cmd" ;;
    jars) cmd_jars "${ARGS[@]+"${ARGS[@]}"}" ;;
    *) error "unknown command '$cmd'"; echo >&2; usage >&2; exit 2 ;;
  esac
}

# On a single node, --node is a mistake worth naming.
refuse_node_option() {
  local arg
  for arg in "$@"; do
    case "$arg" in
      --node|--node=*) die "--node is for a cluster (KAFKA_NODES=3 $PROG ... --node ID)" ;;
    esac
  done
}
