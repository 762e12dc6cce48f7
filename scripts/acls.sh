#!/usr/bin/env bash
# Add, remove and list ACLs, like Kafka's kafka-acls.sh.
# Run with --help for the options. Implementation: scripts/cli/acls.ts (the Samsa client).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
samsa_ensure_node_modules
# The loader by absolute URL, so the tool runs from any directory (relative file arguments keep working).
samsa_entry scripts/cli/acls.ts
exec node --enable-source-maps "$SAMSA_ENTRY" "$@"
