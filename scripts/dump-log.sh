#!/usr/bin/env bash
# Prints the batches (and with --print-data-log the records) of a segment file, like Kafka's
# kafka-dump-log.sh. Also reads .index and .timeindex files.
#   scripts/dump-log.sh data/kafka-logs-1/orders-0/00000000000000000000.log --print-data-log
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
[ $# -ge 1 ] || samsa_die "usage: $0 <segment.log|.index|.timeindex>... [--print-data-log]"
samsa_entry scripts/dump-log.ts
exec node --enable-source-maps "$SAMSA_ENTRY" "$@"
