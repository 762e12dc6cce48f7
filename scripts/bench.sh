#!/usr/bin/env bash
# `npm run bench -- <suite> [--json]`: benchmarks (see bench/suites.ts for the list).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
cd "$SAMSA_HOME"
samsa_ensure_node_modules
exec node --import tsx bench/run.ts "$@"
