#!/usr/bin/env bash
# Generate, execute and verify partition reassignments through ZooKeeper, like Kafka's kafka-reassign-partitions.sh.
# Run with --help for the options. Implementation: scripts/cli/reassign-partitions.ts (the Samsa client).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
samsa_ensure_node_modules
# The loader by absolute URL, so the tool runs from any directory (relative file arguments keep working).
samsa_entry scripts/cli/reassign-partitions.ts
exec node --enable-source-maps "$SAMSA_ENTRY" "$@"
