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
# Each child in its own process group (job control): Ctrl-C reaches only this script, which then
# stops the brokers first (each closes its ZooKeeper session and its logs cleanly) and ZooKeeper
# last. If ZooKeeper went down first, it would restore the brokers' sessions at its next start and
# their registrations would linger until the session timeout.
set -m
stop_all() {
  trap - INT TERM EXIT
  echo >&2
  echo "samsa: stopping..." >&2
  for (( i=${#PIDS[@]}-1; i>=1; i-- )); do kill -TERM "${PIDS[$i]}" 2>/dev/null || true; done
  for (( i=${#PIDS[@]}-1; i>=1; i-- )); do wait "${PIDS[$i]}" 2>/dev/null || true; done
  if [ ${#PIDS[@]} -gt 0 ]; then kill -TERM "${PIDS[0]}" 2>/dev/null || true; wait "${PIDS[0]}" 2>/dev/null || true; fi
  echo "samsa: stopped" >&2
}
trap stop_all INT TERM EXIT

mkdir -p data/logs
for f in data/logs/zookeeper.log data/logs/broker-{1,2,3}.log; do samsa_rotate_log "$f"; done
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
  done
  # Each broker prints "listening on NAME://host:port" once it serves (Kafka and inter-broker
  # listeners); show those lines, or the end of the log if a broker dies first.
  for n in 1 2 3; do
    log="data/logs/broker-$n.log"
    pid="${PIDS[$n]}"
    deadline=$(( $(date +%s) + 60 ))
    while ! grep -q '^listening on ' "$log" 2>/dev/null; do
      if ! kill -0 "$pid" 2>/dev/null || [ "$(date +%s)" -ge "$deadline" ]; then
        echo "broker $n did not start; last lines of $log:" >&2
        tail -n 20 "$log" >&2 || true
        exit 1
      fi
      sleep 0.2
    done
    sleep 0.2
    echo "broker $n   $(grep '^listening on ' "$log" | sed 's/^listening on //' | tr '\n' ' ')(log $log)"
    if grep -q '^admin http on ' "$log" 2>/dev/null; then echo "           admin $(grep -m 1 '^admin http on ' "$log" | sed 's/^admin http on //')  (/metrics, /openapi.json)"; fi
  done
else
  echo "(brokers are not built yet: only ZooKeeper runs)"
fi
echo "Ctrl-C stops everything."
status=0
wait -n "${PIDS[@]}" || status=$?
# >128: interrupted by Ctrl-C / TERM (or a child killed by it): the EXIT trap stops the rest.
if [ "$status" -le 128 ]; then echo "samsa: a process exited (status $status); see data/logs/" >&2; fi
