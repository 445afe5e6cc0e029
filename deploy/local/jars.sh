# shellcheck shell=bash
# The Kafka jars: resolved with mvn from pom.xml (Maven Central), once, into a cache
# outside the repository that every broker of that Kafka version shares.
# Sourced by kafka.sh after lib.sh, never run: `kafka.sh jars` resolves them, `kafka.sh
# start` too if needed. Reads KAFKA_CACHE_DIR and KAFKA_MVN_ARGS (defaults set here;
# kafka.sh makes KAFKA_CACHE_DIR absolute) and sets KAFKA_VERSION (pom.xml's
# kafka.version); set_jar_paths then sets LIBS (the classpath dir) and STAMP.

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  printf '%s: sourced by kafka.sh, not run: use kafka.sh jars\n' "${0##*/}" >&2
  exit 2
fi

readonly POM="$SCRIPT_DIR/pom.xml"

pom_kafka_version() {
  [[ -r "$POM" ]] || die "missing $POM"
  local v
  v=$(sed -n 's:.*<kafka\.version>[[:space:]]*\([^<[:space:]]*\)[[:space:]]*</kafka\.version>.*:\1:p' "$POM" | head -n 1)
  [[ -n "$v" ]] || die "no <kafka.version> property in $POM"
  printf '%s\n' "$v"
}

KAFKA_VERSION=$(pom_kafka_version)
readonly KAFKA_VERSION
KAFKA_CACHE_DIR="${KAFKA_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/newsflow/kafka-$KAFKA_VERSION}"
KAFKA_MVN_ARGS="${KAFKA_MVN_ARGS:-}"

set_jar_paths() {
  LIBS="$KAFKA_CACHE_DIR/libs"
  STAMP="$LIBS/.resolved"
}

# mvn runs in a temp dir in the cache; at exit (EXIT trap: jars_cleanup) both go.
JARS_TMP_DIRS=()
MVN_PID=""
jars_cleanup() {
  if [[ -n "$MVN_PID" ]]; then kill "$MVN_PID" 2>/dev/null || true; fi
  local d
  for d in "${JARS_TMP_DIRS[@]+"${JARS_TMP_DIRS[@]}"}"; do rm -rf -- "$d"; done
}

pom_hash() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$POM" | cut -d ' ' -f 1
  else
    cksum "$POM" | cut -d ' ' -f 1,2
  fi
}

jars_ok() {
  [[ -f "$STAMP" && -f "$LIBS/kafka_2.13-$KAFKA_VERSION.jar" ]] && [[ "$(cat "$STAMP")" == "$(pom_hash)" ]]
}

CACHE_LOCKED=0
release_cache_lock() {
  if ((CACHE_LOCKED)); then exec 8>&-; CACHE_LOCKED=0; fi
}

resolve_jars() {
  jars_ok && return 0
  mkdir -p -- "$KAFKA_CACHE_DIR" || die "cannot create KAFKA_CACHE_DIR=$KAFKA_CACHE_DIR"
  if command -v flock >/dev/null 2>&1; then
    # another kafka.sh may be resolving into the same cache right now
    exec 8>"$KAFKA_CACHE_DIR/.lock"
    CACHE_LOCKED=1
    flock -w 900 8 || die "timed out waiting for the lock on $KAFKA_CACHE_DIR"
  fi
  if jars_ok; then release_cache_lock; return 0; fi
  # leftovers of resolutions that were SIGKILLed (we hold the lock, so nobody else is resolving)
  if ((CACHE_LOCKED)); then rm -rf -- "$KAFKA_CACHE_DIR"/.resolve.*; fi
  command -v mvn >/dev/null 2>&1 \
    || die "mvn not found: install Maven 3.6+ (e.g. 'apt-get install maven'); it is needed once to fetch the Kafka jars into $LIBS"
  local tmp
  tmp=$(mktemp -d "$KAFKA_CACHE_DIR/.resolve.XXXXXX")
  JARS_TMP_DIRS+=("$tmp")
  cp -- "$POM" "$tmp/pom.xml"
  split_words "$KAFKA_MVN_ARGS"
  local -a mvn_args=("${SPLIT[@]+"${SPLIT[@]}"}")
  say "resolving Kafka $KAFKA_VERSION jars with mvn into $LIBS (one-off, about a minute) ..."
  local t0=$SECONDS
  # run from the temp dir, -f on the copied pom: nothing is written into the repo
  # (in the background + wait, so that INT/TERM interrupt us at once and the trap stops mvn)
  (cd -- "$tmp" && exec mvn -B -q -Dstyle.color=never "${mvn_args[@]+"${mvn_args[@]}"}" -f "$tmp/pom.xml" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp/libs") \
    >"$tmp/mvn.log" 2>&1 </dev/null &
  MVN_PID=$!
  local mvn_rc=0
  wait "$MVN_PID" || mvn_rc=$?
  MVN_PID=""
  if ((mvn_rc != 0)); then
    tail -n 40 "$tmp/mvn.log" >&2 || true
    die "mvn failed (exit $mvn_rc) to resolve the Kafka jars (output above); the cache was left untouched"
  fi
  local must
  for must in "kafka_2.13-$KAFKA_VERSION.jar" "kafka-tools-$KAFKA_VERSION.jar" "kafka-clients-$KAFKA_VERSION.jar"; do
    [[ -f "$tmp/libs/$must" ]] || { tail -n 40 "$tmp/mvn.log" >&2 || true; die "mvn finished but $must is missing"; }
  done
  pom_hash >"$tmp/libs/.resolved"
  cp -- "$POM" "$tmp/libs/.pom.xml"
  # swap in atomically: rename the complete dir into place
  if [[ -e "$LIBS" ]]; then mv -- "$LIBS" "$tmp/old-libs"; fi
  mv -- "$tmp/libs" "$LIBS"
  release_cache_lock
  say "resolved $(find "$LIBS" -maxdepth 1 -name '*.jar' | wc -l) jars in $((SECONDS - t0))s"
}
