#!/usr/bin/env bash
# Runs Apache ZooKeeper with a Kafka-style zookeeper.properties, in the foreground or (-daemon)
# in the background with a pid file and a log in its data directory (zookeeper.out; the previous
# runs' logs stay as zookeeper.out.1 … .5). Never reads or writes the system-wide ZooKeeper
# configuration.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

usage() {
  echo "usage: $0 [-daemon] <zookeeper.properties>" >&2
  echo "  Runs Apache ZooKeeper (Debian package 'zookeeper' or \$ZOOKEEPER_HOME)." >&2
  echo "  -daemon   run in the background; pid and log go to <dataDir>/zookeeper.{pid,out}" >&2
  exit 1
}

DAEMON=0
CONFIG=""
while [ $# -gt 0 ]; do
  case "$1" in
    -daemon|--daemon) DAEMON=1 ;;
    -h|--help) usage ;;
    -*) echo "unknown option $1" >&2; usage ;;
    *) [ -z "$CONFIG" ] || usage; CONFIG="$1" ;;
  esac
  shift
done
[ -n "$CONFIG" ] || usage
[ -f "$CONFIG" ] || samsa_die "config file $CONFIG not found"
CONFIG="$(samsa_abspath "$CONFIG")"

DATA_DIR="$(samsa_prop "$CONFIG" dataDir)"
PORT="$(samsa_prop "$CONFIG" clientPort)"
HOST="$(samsa_prop "$CONFIG" clientPortAddress 127.0.0.1)"
[ -n "$DATA_DIR" ] || samsa_die "$CONFIG has no dataDir"
[ -n "$PORT" ] || samsa_die "$CONFIG has no clientPort"
[ "$HOST" = "0.0.0.0" ] && HOST=127.0.0.1
DATA_DIR="$(samsa_abspath "$DATA_DIR")"
mkdir -p "$DATA_DIR"
PID_FILE="$DATA_DIR/zookeeper.pid"
LOG_FILE="$DATA_DIR/zookeeper.out"

if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
  samsa_die "ZooKeeper from $CONFIG is already running (pid $(cat "$PID_FILE"))"
fi
if samsa_port_in_use "$HOST" "$PORT"; then
  samsa_die "port $HOST:$PORT is already in use; stop what holds it or change clientPort in $CONFIG"
fi

samsa_find_zookeeper
LOG4J="$SAMSA_HOME/config/zookeeper-log4j.properties"
HEAP="${ZOOKEEPER_HEAP_OPTS:--Xms64m -Xmx256m}"
# shellcheck disable=SC2206
CMD=("$JAVA" $HEAP -XX:+UseSerialGC -Dlog4j.configuration="file:$LOG4J" -Dzookeeper.admin.enableServer=false
     -cp "$ZK_CLASSPATH" org.apache.zookeeper.server.quorum.QuorumPeerMain "$CONFIG")

if [ "$DAEMON" = 1 ]; then
  samsa_rotate_log "$LOG_FILE"
  nohup "${CMD[@]}" >"$LOG_FILE" 2>&1 </dev/null &
  PID=$!
  echo "$PID" >"$PID_FILE"
  if samsa_wait_zk_serving "$HOST" "$PORT" 60 "$PID"; then
    echo "ZooKeeper serving on $HOST:$PORT (pid $PID, data $DATA_DIR, log $LOG_FILE)"
    exit 0
  fi
  echo "error: ZooKeeper did not start serving on $HOST:$PORT; last log lines:" >&2
  tail -n 20 "$LOG_FILE" >&2 || true
  kill "$PID" 2>/dev/null || true
  rm -f "$PID_FILE"
  exit 1
fi

"${CMD[@]}" &
PID=$!
echo "$PID" >"$PID_FILE"
trap 'kill -TERM "$PID" 2>/dev/null || true' INT TERM
if samsa_wait_zk_serving "$HOST" "$PORT" 60 "$PID"; then
  echo "ZooKeeper serving on $HOST:$PORT (pid $PID, data $DATA_DIR)" >&2
fi
set +e
wait "$PID"
wait "$PID" 2>/dev/null
STATUS=$?
rm -f "$PID_FILE"
exit "$STATUS"
