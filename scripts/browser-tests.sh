#!/usr/bin/env bash
# Browser tests of the web pages (/ui/): Selenium driving Debian's chromium + chromium-driver
# against `apex-cli serve` (the debug binary already in .build: this script builds nothing) on a
# temporary SQLite store and a free port. Writes docs/screenshots/*.png (or into $APEX_SCREENSHOTS).
# Exits non-zero on failure.
#
# Needs: apt-get install chromium chromium-driver; pip install selenium (run with SE_OFFLINE=true).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CLI=${APEX_CLI:-"$ROOT/.build/debug/apex-cli"}
[ -x "$CLI" ] || { echo "browser-tests: $CLI is missing: run 'swift build' first" >&2; exit 1; }
command -v chromium >/dev/null || { echo "browser-tests: chromium is missing: apt-get install chromium chromium-driver" >&2; exit 1; }
command -v chromedriver >/dev/null || { echo "browser-tests: chromedriver is missing: apt-get install chromium-driver" >&2; exit 1; }
python3 -c "import selenium" 2>/dev/null || { echo "browser-tests: the Python package selenium is missing: pip install selenium" >&2; exit 1; }

WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
export APEX_STORE_URL="sqlite:$WORK/apex.sqlite"
export APEX_JWT_SECRET="browser-tests-secret-$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
export APEX_PUBLIC_URL="http://127.0.0.1:$PORT"
export APEX_RATE_LIMITS=off
export APEX_LIVE_HEARTBEAT=2s

OWNER_JSON=$("$CLI" account create --name "Acme Structural" --owner-email olivia@example.com --owner-name "Olivia Owner" --json)
"$CLI" serve --host 127.0.0.1 --port "$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "browser-tests: the server exited:" >&2; cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null || { echo "browser-tests: the server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }

status=0
SE_OFFLINE=true APEX_CLI="$CLI" APEX_OWNER_JSON="$OWNER_JSON" APEX_BASE="http://127.0.0.1:$PORT" \
    APEX_SCREENSHOTS="${APEX_SCREENSHOTS:-$ROOT/docs/screenshots}" python3 "$ROOT/scripts/browser-tests.py" || status=$?
if [ "$status" -ne 0 ]; then echo "--- server log (last 40 lines) ---" >&2; tail -40 "$WORK/server.log" >&2; fi
exit "$status"
