#!/usr/bin/env bash
# The whole test suite, PostgreSQL included: what the README and CI run.
set -euo pipefail
cd "$(dirname "$0")/.."
log="$(mktemp /tmp/apex-test.XXXXXX)"
trap 'rm -f "$log"' EXIT
# Serially: Foundation's Process.run on Linux has crashed when test cases launch processes
# (apex-cli, pg_dump, moto) from several threads at once.
scripts/with-postgres.sh swift test --no-parallel "$@" 2>&1 | tee "$log"
swift_tests=$(grep -oE 'Test run with [0-9]+ tests? .*passed' "$log" | grep -oE '[0-9]+' | head -1 || true)
[ -n "$swift_tests" ] || { echo "apex: the Swift test run did not report passing tests"; exit 1; }
scripts/check-readme-tour.sh
scripts/test-pg-native-pitr.sh
scripts/test-schemathesis.sh
echo "apex: $((swift_tests + 4)) passed, 0 failed"
