#!/usr/bin/env bash
# Print records of a topic, like Kafka's kafka-console-consumer.sh.
# Run with --help for the options. Implementation: scripts/cli/console-consumer.ts (the Samsa client).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
samsa_ensure_node_modules
# The loader by absolute URL, so the tool runs from any directory (relative file arguments keep working).
samsa_entry scripts/cli/console-consumer.ts
exec node --enable-source-maps "$SAMSA_ENTRY" "$@"
