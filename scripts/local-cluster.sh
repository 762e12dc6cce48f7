#!/usr/bin/env bash
# `npm start`: a local Samsa cluster in the foreground — one ZooKeeper (config/zookeeper.properties)
# and three brokers (config/server-{1,2,3}.properties) — until Ctrl-C, which stops them all.
# Data stays under data/ between runs.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
cd "$SAMSA_HOME"
samsa_ensure_node_modules
samsa_find_zookeeper

PIDS=()
stop_all() {
  trap - INT TERM EXIT
  echo >&2
  echo "samsa: stopping..." >&2
  for (( i=${#PIDS[@]}-1; i>=0; i-- )); do kill -TERM "${PIDS[$i]}" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "samsa: stopped" >&2
}
trap stop_all INT TERM EXIT

mkdir -p data/logs
scripts/zookeeper-server-start.sh config/zookeeper.properties >data/logs/zookeeper.log 2>&1 &
PIDS+=($!)
if ! samsa_wait_zk_serving 127.0.0.1 "$(samsa_prop config/zookeeper.properties clientPort)" 60 "${PIDS[0]}"; then
  tail -n 20 data/logs/zookeeper.log >&2
  samsa_die "ZooKeeper did not start (log: data/logs/zookeeper.log)"
fi
echo "ZooKeeper  127.0.0.1:$(samsa_prop config/zookeeper.properties clientPort)  (log data/logs/zookeeper.log)"

if [ -x scripts/broker-start.sh ] && [ -f broker/main.ts ]; then
  for n in 1 2 3; do
    cfg="config/server-$n.properties"
    scripts/broker-start.sh "$cfg" >"data/logs/broker-$n.log" 2>&1 &
    PIDS+=($!)
    echo "broker $n   $(samsa_prop "$cfg" listeners)  admin http://$(samsa_prop "$cfg" admin.http.listener)  (log data/logs/broker-$n.log)"
  done
else
  echo "(brokers are not built yet: only ZooKeeper runs)"
fi
echo "Ctrl-C stops everything."
wait -n "${PIDS[@]}" || true
echo "samsa: a process exited; see data/logs/" >&2
