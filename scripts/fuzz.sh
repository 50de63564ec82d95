#!/usr/bin/env bash
# Fuzzes the hand-written JSON parser and scanner, the canonical writer and the audit bundle
# reader for a bounded time, after replaying the seeds kept in Fuzz/corpus/ (json/, bundle/).
#
#   scripts/fuzz.sh [SECONDS] [--skip-build]      (SECONDS defaults to 60)
#
# Each fuzz test runs for SECONDS (they run side by side, so the whole run takes about SECONDS
# plus the build). The tests are Swift Testing property checks (swift-property-based) in
# ApexDomainTests.JSONFuzzTests and ApexAuditTests.BundleCorpusFuzzTests; they also run, for
# about a second each, in the ordinary test suite. Exits non-zero when any input traps or breaks
# a property. Before each input is tried it is written to artifacts/fuzz/TARGET.last, so after a
# crash that file holds the input: fix the bug, then add the file to Fuzz/corpus/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60
build=1
for arg in "$@"; do
  case "$arg" in
    --skip-build) build=0 ;;
    ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number (got $arg)" >&2; exit 2 ;;
    *) seconds="$arg" ;;
  esac
done
if [ "$build" = 1 ]; then swift build --build-tests; fi
rm -rf artifacts/fuzz
mkdir -p artifacts/fuzz
set +e
APEX_FUZZ_SECONDS="$seconds" swift test --skip-build --filter 'JSONFuzzTests|BundleCorpusFuzzTests' 2>&1 | tee artifacts/fuzz/log.txt
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ] || grep -q "✘" artifacts/fuzz/log.txt; then
  echo "fuzz.sh: FAILED (exit $status). The last input each target tried:" >&2
  ls -l artifacts/fuzz/*.last >&2 || true
  echo "fuzz.sh: fix the bug, then copy the input into Fuzz/corpus/<target>/ so every run replays it" >&2
  exit 1
fi
echo "fuzz.sh: no failure in ${seconds}s per target" >&2
