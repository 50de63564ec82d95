#!/usr/bin/env bash
# The whole test suite, PostgreSQL included: what the README and CI run.
set -euo pipefail
cd "$(dirname "$0")/.."
log="$(mktemp /tmp/apex-test.XXXXXX)"
trap 'rm -f "$log"' EXIT
# `swift test` builds every product first, apex-cli included: the CLI, durability and bench
# tests run the built binary and fail if it is missing.
# Two test cases at a time (Swift Testing runs them in parallel; the tests start processes with
# swift-subprocess, never Foundation's Process, which crashed under parallel launches). Unbounded,
# a two-core machine ran hundreds of cases at once: CPU-bound ones starved the cooperative pool,
# so PostgreSQL stores missed their 10 s first-connection deadline and timing tests failed; two at
# a time passed every run and took about half the serial time.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH="${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-2}"
# A throwaway PostgreSQL and a throwaway clamd (with a test signature for EICAR) for the run.
scripts/with-postgres.sh scripts/with-clamd.sh swift test "$@" 2>&1 | tee "$log"
swift_tests=$(grep -oE 'Test run with [0-9]+ tests? .*passed' "$log" | grep -oE '[0-9]+' | head -1 || true)
[ -n "$swift_tests" ] || { echo "apex: the Swift test run did not report passing tests"; exit 1; }
# Each script under a time limit, so a step that hangs fails the run instead of holding CI.
# The browser tests write their screenshots to a temporary folder here (docs/screenshots/ holds
# the ones the docs link; `scripts/browser-tests.sh` alone retakes those). The SBOM check and a
# bounded fuzz run (the corpus, then 60 s of generated inputs per target) close the run.
shots="$(mktemp -d /tmp/apex-shots.XXXXXX)"
export APEX_SCREENSHOTS="$shots"
steps=(check-readme-tour test-pg-native-pitr test-pg-standby test-schemathesis test-prometheus browser-tests test-sbom "fuzz 60 --skip-build")
for step in "${steps[@]}"; do
  read -r name args <<<"$step"
  # shellcheck disable=SC2086
  timeout --kill-after=10 900 "scripts/$name.sh" $args || { echo "apex: scripts/$name.sh failed or ran past 15 minutes"; exit 1; }
done
rm -rf "$shots"
echo "apex: $((swift_tests + ${#steps[@]} + 1)) passed, 0 failed"
