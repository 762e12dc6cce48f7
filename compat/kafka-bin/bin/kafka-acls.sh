#!/usr/bin/env bash
# Kafka's bin/kafka-acls.sh as librdkafka's tests call it through $KAFKA_PATH (0109, 0115, 0119:
# `--bootstrap-server $BROKERS --add --deny-principal 'User:*' --operation All --deny-host '*'
# --topic T`), carried out by Samsa's own ACL tool (scripts/acls.sh, Kafka's flags). The
# arguments pass unchanged.
set -euo pipefail
SAMSA_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
exec bash "$SAMSA_HOME/scripts/acls.sh" "$@"
