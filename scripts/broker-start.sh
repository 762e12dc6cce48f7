#!/usr/bin/env bash
# Runs a Samsa broker with a Kafka-style server.properties (kafka-server-start.sh shape), in the
# foreground or (-daemon) in the background with a pid file and a log in $LOG_DIR (Kafka's
# variable; default the first log dir: <log.dirs[0]>/broker.pid, broker.out; the previous runs'
# logs stay as broker.out.1 … .5). -daemon returns only once the client listener accepts
# connections, or fails with the end of the log. Relative paths in the config resolve against
# the current directory, as in Kafka.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

# SAMSA_NODE_PERFORMANCE_OPTS: the broker's garbage-collector flags (Kafka's
# KAFKA_JVM_PERFORMANCE_OPTS, which ships G1 settings the same way); set it, even empty, to
# replace the default. --single-threaded-gc: V8 collects on the broker's own thread only. Its
# parallel scavenges and concurrent marking otherwise hand work to helper threads which, with more
# busy processes than cores, can queue for a core while the broker waits for them (1 ms pauses
# took 3-15 ms at load 8). It shortened the RF 3 end-to-end tail on the 2-core machine without
# costing produce throughput (figures in README "Operating Samsa").
DEFAULT_PERFORMANCE_OPTS="--single-threaded-gc"
usage() {
  echo "usage: $0 [-daemon] <server.properties> [--override key=value ...]" >&2
  echo "  -daemon   run in the background; pid and log go to \$LOG_DIR/broker.{pid,out} (default <log.dirs[0]>)" >&2
  echo "  --help    list every configuration key with its default" >&2
  echo "environment:" >&2
  echo "  SAMSA_NODE_PERFORMANCE_OPTS  the broker's GC flags (default: $DEFAULT_PERFORMANCE_OPTS; \"\" = V8's own)" >&2
  echo "  SAMSA_NODE_OPTS              more Node flags, after those (e.g. --max-old-space-size=4096)" >&2
  echo "  LOG_DIR                      where -daemon puts broker.pid and broker.out" >&2
  exit 1
}

DAEMON=0
HELP=0
CONFIG=""
OVERRIDES=()
while [ $# -gt 0 ]; do
  case "$1" in
    -daemon|--daemon) DAEMON=1 ;;
    -h|--help) HELP=1 ;;
    --override) [ $# -ge 2 ] || usage; OVERRIDES+=("$2"); shift ;;
    --override=*) OVERRIDES+=("${1#--override=}") ;;
    -*) echo "unknown option $1" >&2; usage ;;
    *) [ -z "$CONFIG" ] || usage; CONFIG="$1" ;;
  esac
  shift
done

samsa_ensure_node_modules
read -r -a PERFORMANCE_OPTS <<<"${SAMSA_NODE_PERFORMANCE_OPTS-$DEFAULT_PERFORMANCE_OPTS}"
# SAMSA_NODE_OPTS: extra Node.js flags for the broker (Kafka's KAFKA_OPTS), e.g. "--cpu-prof
# --cpu-prof-dir=/tmp/prof" or "--max-old-space-size=4096"; they come after the performance ones,
# so V8 takes theirs where both name a flag. They go on node's command line because Node 20
# refuses some of them (--cpu-prof) in NODE_OPTIONS.
read -r -a NODE_OPTS <<<"${SAMSA_NODE_OPTS:-}"
samsa_entry broker/main.ts
# libuv runs every fsync, open and close on its thread pool (4 threads by default): opening or
# closing thousands of logs at start-up and shutdown queues behind them. An operator's own
# UV_THREADPOOL_SIZE wins.
export UV_THREADPOOL_SIZE="${UV_THREADPOOL_SIZE:-16}"
NODE=(node ${PERFORMANCE_OPTS[@]+"${PERFORMANCE_OPTS[@]}"} ${NODE_OPTS[@]+"${NODE_OPTS[@]}"} --enable-source-maps "$SAMSA_ENTRY")
if [ "$HELP" = 1 ]; then exec "${NODE[@]}" --help; fi
[ -n "$CONFIG" ] || usage
[ -f "$CONFIG" ] || samsa_die "config file $CONFIG not found"
CONFIG="$(samsa_abspath "$CONFIG")"
ARGS=("$CONFIG")
for o in ${OVERRIDES[@]+"${OVERRIDES[@]}"}; do ARGS+=(--override "$o"); done

if [ "$DAEMON" = 0 ]; then exec "${NODE[@]}" "${ARGS[@]}"; fi

# A key's effective value: the last --override wins over the file.
effective_prop() {
  local key="$1" default="${2-}" value="" found=0 o
  for o in ${OVERRIDES[@]+"${OVERRIDES[@]}"}; do
    if [ "${o%%=*}" = "$key" ]; then value="${o#*=}"; found=1; fi
  done
  if [ "$found" = 1 ]; then printf '%s' "$value"; else samsa_prop "$CONFIG" "$key" "$default"; fi
}

# $LOG_DIR (as in Kafka's scripts) keeps the process log off the data disks.
if [ -z "${LOG_DIR:-}" ]; then
  LOG_DIR="$(effective_prop log.dirs)"
  LOG_DIR="${LOG_DIR%%,*}"
  [ -n "$LOG_DIR" ] || LOG_DIR="$(effective_prop log.dir /tmp/samsa-logs)"
fi
LOG_DIR="$(samsa_abspath "$LOG_DIR")"
mkdir -p "$LOG_DIR"
PID_FILE="$LOG_DIR/broker.pid"
OUT_FILE="$LOG_DIR/broker.out"

if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  samsa_die "a broker with log dir $LOG_DIR is already running (pid $(cat "$PID_FILE"))"
fi

samsa_rotate_log "$OUT_FILE"
rm -f "$PID_FILE"
# A small watcher shell is the broker's parent, so that how the process ended (its exit status,
# or the signal that killed it: a kill -9, the OOM killer) lands at the end of broker.out; a
# daemon's status is otherwise lost. Signals still go to the broker itself, through the pid file.
# The watcher writes through the broker's own descriptor, so the line follows the run's log
# even when a restart has already rotated it to broker.out.1.
(
  trap '' HUP
  exec 3>"$OUT_FILE"
  nohup "${NODE[@]}" "${ARGS[@]}" >&3 2>&1 </dev/null &
  child=$!
  echo "$child" >"$PID_FILE.tmp" && mv -f "$PID_FILE.tmp" "$PID_FILE"
  status=0
  wait "$child" || status=$?
  how="status $status"
  if [ "$status" -gt 128 ]; then how="$how (signal SIG$(kill -l $((status - 128)) 2>/dev/null || echo $((status - 128))))"; fi
  echo "broker process $child exited with $how at $(date -u +%Y-%m-%dT%H:%M:%SZ)" >&3
) </dev/null >/dev/null 2>&1 &
for _ in $(seq 1 100); do [ -s "$PID_FILE" ] && break; sleep 0.05; done
[ -s "$PID_FILE" ] || samsa_die "the broker process did not start (no pid in $PID_FILE)"
PID="$(cat "$PID_FILE")"

# Ready = the broker printed its client listener and that port accepts connections.
DEADLINE=$(( $(date +%s) + ${SAMSA_BROKER_START_TIMEOUT:-60} ))
while [ "$(date +%s)" -lt "$DEADLINE" ]; do
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "error: the broker exited during startup; last log lines ($OUT_FILE):" >&2
    tail -n 20 "$OUT_FILE" >&2 || true
    rm -f "$PID_FILE"
    exit 1
  fi
  LINE="$(grep -m 1 -E '^listening on [A-Za-z0-9_]+://' "$OUT_FILE" | grep -v 'inter-broker' || true)"
  if [ -n "$LINE" ]; then
    URL="${LINE#listening on }"
    HOSTPORT="${URL#*://}"
    HOST="${HOSTPORT%:*}"; HOST="${HOST#[}"; HOST="${HOST%]}"
    PORT="${HOSTPORT##*:}"
    if samsa_port_in_use "$HOST" "$PORT"; then
      echo "Samsa broker started (pid $PID, $URL, log $OUT_FILE)"
      exit 0
    fi
  fi
  sleep 0.1
done
echo "error: the broker did not start listening within ${SAMSA_BROKER_START_TIMEOUT:-60} s; last log lines ($OUT_FILE):" >&2
tail -n 20 "$OUT_FILE" >&2 || true
kill -TERM "$PID" 2>/dev/null || true
rm -f "$PID_FILE"
exit 1
