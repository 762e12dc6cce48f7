#!/usr/bin/env bash
# Kafka's bin/kafka-topics.sh as librdkafka's tests call it through $KAFKA_PATH, carried out by
# Samsa's own topics tool (scripts/topics.sh, Kafka's flags). With a broker version below 3.0
# the tests pass `--zookeeper $ZK_ADDRESS`; Samsa's tool, like Kafka 3's, speaks to the brokers,
# so that pair becomes `--bootstrap-server $BROKERS` (the same cluster). Nothing else is changed.
set -euo pipefail
SAMSA_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
args=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--zookeeper" ] && [ $# -ge 2 ]; then
    : "${BROKERS:?kafka-topics.sh (Samsa compat): BROKERS must name the cluster}"
    args+=(--bootstrap-server "$BROKERS")
    shift 2
  else
    args+=("$1")
    shift
  fi
done
exec bash "$SAMSA_HOME/scripts/topics.sh" "${args[@]}"
