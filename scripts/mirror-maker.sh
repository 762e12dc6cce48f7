#!/usr/bin/env bash
# Mirrors topics between clusters, MirrorMaker 2 style (Kafka's connect-mirror-maker.sh shape):
#   scripts/mirror-maker.sh config/mirror-maker.properties
#   scripts/mirror-maker.sh --help        every key with its default
# Runs in the foreground until SIGTERM/SIGINT, which stops it after committing what it mirrored.
# Implementation: scripts/mirror/main.ts (client/mirror/).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
samsa_ensure_node_modules
# exec: the mirror's pid is this script's, so a signal reaches the mirror itself.
samsa_entry scripts/mirror/main.ts
exec node --enable-source-maps "$SAMSA_ENTRY" "$@"
