#!/usr/bin/env bash
# The whole test suite, PostgreSQL included: what the README and CI run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/with-postgres.sh swift test "$@"
scripts/check-readme-tour.sh
scripts/test-pg-native-pitr.sh
