#!/usr/bin/env bash
# Read-only ZooKeeper shell (ls, get, stat) for the cluster's ZooKeeper, like Kafka's zookeeper-shell.sh.
# Run with --help for the options. Implementation: scripts/cli/zookeeper-shell.ts (the Samsa client).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
samsa_ensure_node_modules
# The loader by absolute URL, so the tool runs from any directory (relative file arguments keep working).
samsa_entry scripts/cli/zookeeper-shell.ts
exec node --enable-source-maps "$SAMSA_ENTRY" "$@"
