# shellcheck shell=bash disable=SC2034  # SCRIPT_DIR, PROG, SPLIT, PURGE, LOG_*: read by the sourcing script
# What the scripts beside this file share: messages, checks of their environment
# variables, a state dir's lock and purge, the `stop` and `logs` options, port checks.
# Sourced, never run, by its real path (symlinks resolved). The sourcing script sets
# SCRIPT_NAME first ("kafka": messages read "kafka: ...", and name the script
# "kafka.sh"); this file then sets SCRIPT_DIR (the folder of the scripts and their
# files) and PROG (the name the script was called by, for usage texts).
#
# Functions that work on a state dir take it (or the name of the variable that holds it)
# as an argument, so that one script can look after several state dirs.

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  printf '%s: sourced by the scripts beside it, not run\n' "${0##*/}" >&2
  exit 2
fi
: "${SCRIPT_NAME:?set SCRIPT_NAME before sourcing lib.sh}"

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
PROG="${0##*/}"
readonly SCRIPT_DIR PROG

# ---------------------------------------------------------------------------
# messages
# ---------------------------------------------------------------------------
say() { printf '%s: %s\n' "$SCRIPT_NAME" "$*"; }
warn() { printf '%s: warning: %s\n' "$SCRIPT_NAME" "$*" >&2; }
error() { printf '%s: error: %s\n' "$SCRIPT_NAME" "$*" >&2; }
die() { error "$@"; exit 1; }

# INT and TERM end the script (130 / 143), which runs its EXIT trap.
exit_on_signals() {
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# ---------------------------------------------------------------------------
# configuration
# ---------------------------------------------------------------------------
# The variable named $1 must hold a TCP port (1-65535); leading zeros are dropped.
require_port() {
  local name=$1
  if [[ ! "${!name}" =~ ^[0-9]{1,5}$ ]] || (( 10#${!name} < 1 || 10#${!name} > 65535 )); then
    die "$name must be a port number (1-65535), got '${!name}'"
  fi
  printf -v "$name" '%d' "$((10#${!name}))"
}

# The variable named $1 must hold a positive whole number of seconds.
require_seconds() {
  local name=$1
  if [[ ! "${!name}" =~ ^[0-9]{1,6}$ ]] || (( 10#${!name} < 1 )); then
    die "$name must be a positive whole number of seconds, got '${!name}'"
  fi
  printf -v "$name" '%d' "$((10#${!name}))"
}

# Make the directory in the variable named $1 absolute (from $PWD), without a trailing
# slash: "/" becomes "", which the caller refuses.
absolute_dir() {
  local name=$1
  [[ "${!name}" == /* ]] || printf -v "$name" '%s' "$PWD/${!name}"
  printf -v "$name" '%s' "${!name%/}"
}

# Split a string into words honouring shell quoting ('..', "..", \x) WITHOUT eval.
# Result in the global array SPLIT.
split_words() {
  SPLIT=()
  [[ -n "${1//[[:space:]]/}" ]] || return 0
  local out
  out=$(printf '%s' "$1" | xargs printf '%s\n' 2>&1) \
    || die "cannot parse '$1' (unbalanced quotes?): $out"
  mapfile -t SPLIT <<<"$out"
}

# ---------------------------------------------------------------------------
# state dir: lock, purge
# ---------------------------------------------------------------------------
# Create the state dir held by the variable named $1 and lock it: fd 9 holds the lock
# file $2 until the script exits, so one command at a time works on a state dir. A
# process started while we hold it must not inherit fd 9 (`9>&-`), or it holds the lock.
take_state_lock() {
  local name=$1 lock_file=$2
  mkdir -p -- "${!name}" || die "cannot create $name=${!name}"
  command -v flock >/dev/null 2>&1 || return 0
  exec 9>"$lock_file"
  flock -w 300 9 || die "timed out waiting for $lock_file (another $SCRIPT_NAME.sh on this state dir?)"
}

# Delete state dir $1, but only if it holds nothing besides the names that follow (what
# the script itself creates there): a state dir set by mistake must cost no one data.
purge_state_dir() {
  local dir=$1 entry name known
  shift
  [[ -d "$dir" ]] || { say "nothing to purge ($dir does not exist)"; return 0; }
  for entry in "$dir"/* "$dir"/.[!.]*; do
    [[ -e "$entry" || -L "$entry" ]] || continue
    name=${entry##*/}
    for known in "$@"; do
      if [[ "$name" == "$known" ]]; then continue 2; fi
    done
    die "refusing to delete $dir: it contains '$name', which $SCRIPT_NAME.sh did not create"
  done
  rm -rf -- "$dir"
  say "purged $dir"
}

# ---------------------------------------------------------------------------
# commands and their options
# ---------------------------------------------------------------------------
# The entry point: `run_command start stop ... -- "$@"`. `help` prints usage; any other
# command runs validate_config and set_paths, then cmd_<command> with the arguments that
# follow it, if it is one of the commands listed before `--`.
run_command() {
  local -a commands=()
  while [[ $1 != -- ]]; do commands+=("$1"); shift; done
  shift
  local cmd=${1:-} known
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    help|-h|--help) usage; return 0 ;;
    "") usage >&2; exit 2 ;;
  esac
  validate_config
  set_paths
  for known in "${commands[@]}"; do
    if [[ "$cmd" == "$known" ]]; then
      "cmd_$cmd" "$@"
      return
    fi
  done
  error "unknown command '$cmd'"
  echo >&2
  usage >&2
  exit 2
}

# stop [--purge]: sets PURGE (1 or 0).
parse_stop_options() {
  PURGE=0
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --purge) PURGE=1 ;;
      *) die "stop: unknown option '$1' (only --purge)" ;;
    esac
    shift
  done
}

# logs [-f] [-n N]: sets LOG_FOLLOW (1 or 0) and LOG_LINES (default 100).
parse_log_options() {
  LOG_FOLLOW=0
  LOG_LINES=100
  while [[ $# -gt 0 ]]; do
    case "$1" in
      -f|--follow) LOG_FOLLOW=1 ;;
      -n) [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || die "logs: -n needs a number"; LOG_LINES=$2; shift ;;
      -n[0-9]*) LOG_LINES=${1#-n}; [[ "$LOG_LINES" =~ ^[0-9]+$ ]] || die "logs: bad $1" ;;
      *) die "logs: unknown option '$1' (use -f, -n N)" ;;
    esac
    shift
  done
}

# Print the last LOG_LINES lines of log file $1, or follow it (LOG_FOLLOW); fail with
# message $2 if there is nothing to print.
show_log() {
  local file=$1 missing=$2
  if ((LOG_FOLLOW)); then
    exec tail -n "$LOG_LINES" -F -- "$file"
  fi
  [[ -f "$file" ]] || die "$missing"
  tail -n "$LOG_LINES" -- "$file"
}

# ---------------------------------------------------------------------------
# ports (all on 127.0.0.1)
# ---------------------------------------------------------------------------
port_open() { # something accepts TCP connections on 127.0.0.1:$1
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

who_listens() { # the listener on port $1 as ss shows it, indented (nothing without ss)
  command -v ss >/dev/null 2>&1 || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | sed 's/^/    /' || true
}

# `status` when the state dir's server is not up: says whether someone else has port $1.
say_not_running() {
  if port_open "$1"; then
    say "not running (but 127.0.0.1:$1 is in use by another process)"
  else
    say "not running"
  fi
}
