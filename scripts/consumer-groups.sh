#!/usr/bin/env bash
# List, describe, reset offsets of and delete consumer groups, like Kafka's kafka-consumer-groups.sh.
# Run with --help for the options. Implementation: scripts/cli/consumer-groups.ts (the Samsa client).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
samsa_ensure_node_modules
# The loader by absolute URL, so the tool runs from any directory (relative file arguments keep working).
samsa_entry scripts/cli/consumer-groups.ts
exec node --enable-source-maps "$SAMSA_ENTRY" "$@"
