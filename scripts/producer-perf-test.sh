#!/usr/bin/env bash
# Producer throughput and latency test, like Kafka's kafka-producer-perf-test.sh.
# Run with --help for the options. Implementation: scripts/cli/producer-perf-test.ts (the Samsa client).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
samsa_ensure_node_modules
# The loader by absolute URL, so the tool runs from any directory (relative file arguments keep working).
samsa_entry scripts/cli/producer-perf-test.ts
exec node --enable-source-maps "$SAMSA_ENTRY" "$@"
