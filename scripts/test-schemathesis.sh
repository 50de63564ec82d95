#!/usr/bin/env bash
# schemathesis against a served SQLite store: every operation of the OpenAPI document, every
# check (`--checks all`), a bounded number of examples. Builds nothing: it runs the apex-cli the
# Swift test run built (.build/debug/apex-cli). Starts `apex-cli serve` on a temporary store
# and a free port, authenticates as a fresh account's owner, stops the server at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
cli="${APEX_CLI:-.build/debug/apex-cli}"
[ -x "$cli" ] || { echo "apex: $cli is missing; run swift build (or scripts/test.sh) first"; exit 1; }
python3 -c 'import schemathesis' 2>/dev/null || { echo "apex: schemathesis is missing (pip install schemathesis)"; exit 1; }

dir="$(mktemp -d /tmp/apex-schemathesis.XXXXXX)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
export APEX_STORE_URL="sqlite:$dir/apex.sqlite"
# schemathesis sends thousands of requests (many of them 401s) from one address: no rate limits.
export APEX_RATE_LIMITS=off

# An account and its owner's bearer token (the README tour's first step).
token="$("$cli" account create --name "Fuzz Signs" --owner-email owner@fuzz.test --owner-name "Fay Fuzzer" --json \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
"$cli" serve --port "$port" > "$dir/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { echo "apex: the server did not start:"; cat "$dir/server.log"; exit 1; }
  sleep 0.2
done

start=$(date +%s)
status=0
# --seed: the same examples on every run, so a failure here is reproducible.
schemathesis --config-file scripts/schemathesis.toml run "http://127.0.0.1:$port/openapi.yaml" --checks all --max-examples 30 --seed 20260127 \
  --header "Authorization: Bearer $token" --no-color --warnings off || status=$?
echo "apex: schemathesis took $(( $(date +%s) - start )) s"
if [ "$status" -ne 0 ]; then
  echo "apex: schemathesis found failures; the server log:"; tail -n 50 "$dir/server.log"
fi
exit "$status"
