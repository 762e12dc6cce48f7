#!/usr/bin/env bash
# Stops the ZooKeeper started by zookeeper-server-start.sh for the given config (default
# config/zookeeper.properties), using the pid file in its data directory. Only that process is
# signalled.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

CONFIG="${1:-$SAMSA_HOME/config/zookeeper.properties}"
[ -f "$CONFIG" ] || samsa_die "config file $CONFIG not found"
DATA_DIR="$(samsa_prop "$CONFIG" dataDir)"
[ -n "$DATA_DIR" ] || samsa_die "$CONFIG has no dataDir"
case "$DATA_DIR" in /*) ;; *) DATA_DIR="$(pwd)/$DATA_DIR" ;; esac
PID_FILE="$DATA_DIR/zookeeper.pid"

if [ ! -f "$PID_FILE" ]; then
  echo "No ZooKeeper to stop (no pid file $PID_FILE)" >&2
  exit 1
fi
PID="$(cat "$PID_FILE")"
if ! kill -0 "$PID" 2>/dev/null; then
  echo "ZooKeeper pid $PID is not running; removing stale $PID_FILE" >&2
  rm -f "$PID_FILE"
  exit 1
fi
kill -TERM "$PID"
for _ in $(seq 1 100); do
  kill -0 "$PID" 2>/dev/null || { rm -f "$PID_FILE"; echo "ZooKeeper (pid $PID) stopped"; exit 0; }
  sleep 0.1
done
echo "ZooKeeper (pid $PID) did not stop within 10 s; killing it" >&2
kill -KILL "$PID" 2>/dev/null || true
rm -f "$PID_FILE"
