#!/usr/bin/env bash
# List transactional ids and describe their transaction, like Kafka 3.x's kafka-transactions.sh (list, describe).
# Run with --help for the options. Implementation: scripts/cli/transactions.ts (the Samsa client).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
samsa_ensure_node_modules
# The loader by absolute URL, so the tool runs from any directory (relative file arguments keep working).
samsa_entry scripts/cli/transactions.ts
exec node --enable-source-maps "$SAMSA_ENTRY" "$@"
