#!/usr/bin/env bash
# Create, list, describe, alter and delete topics, like Kafka's kafka-topics.sh.
# Run with --help for the options. Implementation: scripts/cli/topics.ts (the Samsa client).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
samsa_ensure_node_modules
# The loader by absolute URL, so the tool runs from any directory (relative file arguments keep working).
samsa_entry scripts/cli/topics.ts
exec node --enable-source-maps "$SAMSA_ENTRY" "$@"
