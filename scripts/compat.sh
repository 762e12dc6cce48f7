#!/usr/bin/env bash
# `npm run compat -- <suite> [--fast|--full] [--json]`: public Kafka client test suites (librdkafka,
# kcat, kafka-python from Debian source packages) against a Samsa cluster of their own. See
# compat/README.md. Downloads and builds are cached under data/compat/.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
cd "$SAMSA_HOME"
samsa_ensure_node_modules
case " $* " in
  *" --help "*|"  ") ;;
  *) samsa_find_zookeeper ;;
esac
exec node --import tsx compat/run.ts "$@"
