#!/usr/bin/env bash
# `npm test`: installs what is missing, typechecks, runs the test suites (default: all of them)
# and ends with one plain line "N passed, N failed". Exits non-zero on any failure.
#   npm test                 every suite
#   npm test -- unit cluster only these suites
#   npm test -- unit --grep config   extra arguments after the suites go to mocha
#   npm test -- compat       public client test suites' fast subsets (compat/README.md)
set -uo pipefail
. "$(dirname "$0")/lib/common.sh"
cd "$SAMSA_HOME"

ALL_SUITES=(unit integration cluster failover interop compat)
SUITES=()
MOCHA_ARGS=()
for arg in "$@"; do
  case " ${ALL_SUITES[*]} " in
    *" $arg "*) SUITES+=("$arg") ;;
    *) MOCHA_ARGS+=("$arg") ;;
  esac
done
[ ${#SUITES[@]} -gt 0 ] || SUITES=("${ALL_SUITES[@]}")

samsa_ensure_node_modules
for s in "${SUITES[@]}"; do
  if [ "$s" != unit ]; then samsa_find_zookeeper; break; fi
done
for s in "${SUITES[@]}"; do
  if [ "$s" = interop ]; then
    samsa_ensure_debian_package kcat kcat "the interop suite (kcat/librdkafka)"
    samsa_ensure_debian_package python3-kafka /usr/lib/python3/dist-packages/kafka "the interop suite (kafka-python)"
  fi
  if [ "$s" = cluster ] && [ -z "${SAMSA_CHROMIUM:-}" ]; then
    samsa_offer_debian_package chromium /usr/bin/chromium "the dashboard test (headless Chromium)"
  fi
done

PASSED=0
FAILED=0
SKIPPED=0
COUNTS="$(mktemp)"
trap 'rm -f "$COUNTS"' EXIT
START_TIME=$(date +%s)

if [ "${SAMSA_SKIP_TYPECHECK:-}" = "" ]; then
  echo "== typecheck (tsc --noEmit)"
  if node_modules/.bin/tsc -p . ; then PASSED=$((PASSED + 1)); echo "typecheck: ok"; else FAILED=$((FAILED + 1)); echo "typecheck: FAILED"; fi
fi

declare -A TIMEOUTS=([unit]=10000 [integration]=30000 [cluster]=90000 [failover]=240000 [interop]=120000 [compat]=1800000)
# Suites whose test files run two at a time (mocha --parallel, one worker process per file): their
# tests mostly wait on brokers, clients and timeouts, so two files share the machine's two cores
# and the whole run stays within its time budget. Each file still runs its tests in order.
# SAMSA_TEST_JOBS=1 runs everything one file at a time. The failover suite stays one file at a
# time: its scenarios bound recovery times, and two at once on a loaded machine broke three of
# them (a broker start on a starved ZooKeeper, a mirror ordering gap, a KIP-360 scenario).
declare -A JOBS=([cluster]=2 [interop]=2)
for suite in "${SUITES[@]}"; do
  # -print -quit, not `| grep -q`: with pipefail, grep leaving early can SIGPIPE find and make a
  # full suite look empty (seen once: a unit run that reported only the typecheck).
  if [ -z "$(find "test/$suite" -name '*.test.ts' -print -quit 2>/dev/null)" ]; then
    echo "== $suite: no tests"
    continue
  fi
  echo "== $suite"
  rm -f "$COUNTS"
  suite_start=$(date +%s)
  jobs="${SAMSA_TEST_JOBS:-${JOBS[$suite]:-1}}"
  PARALLEL_ARGS=()
  if [ "$jobs" -gt 1 ]; then PARALLEL_ARGS=(--parallel --jobs "$jobs"); fi
  SAMSA_TEST_SUITE="$suite" SAMSA_TEST_COUNTS="$COUNTS" node_modules/.bin/mocha --config test/mocharc.json \
    --timeout "${TIMEOUTS[$suite]}" ${PARALLEL_ARGS[@]+"${PARALLEL_ARGS[@]}"} "test/$suite/**/*.test.ts" ${MOCHA_ARGS[@]+"${MOCHA_ARGS[@]}"}
  status=$?
  if [ -s "$COUNTS" ]; then
    read -r p f s < <(node -e 'const c=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(c.passes,c.failures,c.pending)' "$COUNTS")
    PASSED=$((PASSED + p)); FAILED=$((FAILED + f)); SKIPPED=$((SKIPPED + s))
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then FAILED=$((FAILED + 1)); echo "$suite: mocha exited $status"; fi
  else
    echo "$suite: mocha did not finish (exit $status)"
    FAILED=$((FAILED + 1))
  fi
  echo "== $suite took $(( $(date +%s) - suite_start )) s"
done

echo "== total time $(( $(date +%s) - START_TIME )) s"
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ]
