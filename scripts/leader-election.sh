#!/usr/bin/env bash
# Preferred-replica leader election through ZooKeeper, like Kafka's kafka-leader-election.sh.
# Run with --help for the options. Implementation: scripts/cli/leader-election.ts (the Samsa client).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
samsa_ensure_node_modules
# The loader by absolute URL, so the tool runs from any directory (relative file arguments keep working).
samsa_entry scripts/cli/leader-election.ts
exec node --enable-source-maps "$SAMSA_ENTRY" "$@"
