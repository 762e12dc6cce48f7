#!/usr/bin/env bash
# Stops the broker started by `broker-start.sh -daemon` with the same config (and the same
# log.dirs/log.dir overrides and $LOG_DIR, if any): SIGTERM through $LOG_DIR/broker.pid (default
# <log.dirs[0]>/broker.pid), a graceful wait,
# then SIGKILL after the deadline (SAMSA_BROKER_STOP_TIMEOUT seconds, default 30). Only that one
# process is signalled.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

usage() {
  echo "usage: $0 <server.properties> [--override key=value ...]" >&2
  exit 1
}

CONFIG=""
OVERRIDES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --override) [ $# -ge 2 ] || usage; OVERRIDES+=("$2"); shift ;;
    --override=*) OVERRIDES+=("${1#--override=}") ;;
    -h|--help|-*) usage ;;
    *) [ -z "$CONFIG" ] || usage; CONFIG="$1" ;;
  esac
  shift
done
[ -n "$CONFIG" ] || usage
[ -f "$CONFIG" ] || samsa_die "config file $CONFIG not found"

effective_prop() {
  local key="$1" default="${2-}" value="" found=0 o
  for o in ${OVERRIDES[@]+"${OVERRIDES[@]}"}; do
    if [ "${o%%=*}" = "$key" ]; then value="${o#*=}"; found=1; fi
  done
  if [ "$found" = 1 ]; then printf '%s' "$value"; else samsa_prop "$CONFIG" "$key" "$default"; fi
}

if [ -z "${LOG_DIR:-}" ]; then
  LOG_DIR="$(effective_prop log.dirs)"
  LOG_DIR="${LOG_DIR%%,*}"
  [ -n "$LOG_DIR" ] || LOG_DIR="$(effective_prop log.dir /tmp/samsa-logs)"
fi
LOG_DIR="$(samsa_abspath "$LOG_DIR")"
PID_FILE="$LOG_DIR/broker.pid"

if [ ! -f "$PID_FILE" ]; then
  echo "No broker to stop (no pid file $PID_FILE)" >&2
  exit 1
fi
PID="$(cat "$PID_FILE")"
if ! kill -0 "$PID" 2>/dev/null; then
  echo "Broker pid $PID is not running; removing stale $PID_FILE" >&2
  rm -f "$PID_FILE"
  exit 1
fi
kill -TERM "$PID"
TIMEOUT="${SAMSA_BROKER_STOP_TIMEOUT:-30}"
DEADLINE=$(( $(date +%s) + TIMEOUT ))
while [ "$(date +%s)" -lt "$DEADLINE" ]; do
  if ! kill -0 "$PID" 2>/dev/null; then
    rm -f "$PID_FILE"
    echo "Samsa broker (pid $PID) stopped"
    exit 0
  fi
  sleep 0.1
done
echo "Samsa broker (pid $PID) did not stop within $TIMEOUT s; killing it" >&2
kill -KILL "$PID" 2>/dev/null || true
rm -f "$PID_FILE"
