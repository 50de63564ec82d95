#!/usr/bin/env bash
# Runs the README's API tour, as pasted into a terminal, against a server started on a scratch
# store and a free port; fails unless the audit trail shows the calculation's approval. Then
# builds the README's library tour as an outside package depending on Apex by path, runs it in
# an empty folder and compares what it prints with the output the README shows.
# `--library` runs only the library tour.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"

# The library tour: the ```swift block after the "tour of the library" heading is the program,
# the next ```text block its expected output. Built in .build/readme-library-tour, kept between
# runs (the first build compiles Apex's dependencies again: minutes).
check_library_tour() {
  local pkg out
  pkg="$(mktemp -d /tmp/apex-library-tour.XXXXXX)"
  mkdir -p "$pkg/Sources/Tour" "$pkg/run"
  cat >"$pkg/Package.swift" <<EOF
// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "tour",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "$REPO")],
    targets: [
        .executableTarget(name: "Tour", dependencies: [
            .product(name: "ApexDomain", package: "$(basename "$REPO")"),
            .product(name: "ApexStore", package: "$(basename "$REPO")"),
        ])
    ]
)
EOF
  [ -f Package.resolved ] && cp Package.resolved "$pkg/"
  awk '/^## A tour of the library/{f=1} f&&/^```swift/{b=1;next} b&&/^```/{exit} b' README.md >"$pkg/Sources/Tour/main.swift"
  awk '/^## A tour of the library/{f=1} f&&/^```text/{b=1;next} b&&/^```/{exit} b' README.md >"$pkg/expected.txt"
  out="$pkg/build.log"
  (cd "$pkg" && swift build --scratch-path "$REPO/.build/readme-library-tour" >"$out" 2>&1) \
    || { cat "$out"; echo "README library tour: does not build as an outside package"; rm -rf "$pkg"; return 1; }
  (cd "$pkg/run" && "$REPO/.build/readme-library-tour/debug/Tour" >"$pkg/actual.txt" 2>&1) \
    || { cat "$pkg/actual.txt"; echo "README library tour: FAILED"; rm -rf "$pkg"; return 1; }
  if ! diff -u "$pkg/expected.txt" "$pkg/actual.txt"; then
    echo "README library tour: its output differs from the README's (above: - README, + actual)"
    rm -rf "$pkg"; return 1
  fi
  rm -rf "$pkg"
}
if [ "${1:-}" = "--library" ]; then check_library_tour; echo "README library tour: 1 passed, 0 failed"; exit 0; fi

WORK="$(mktemp -d /tmp/apex-tour.XXXXXX)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export APEX_STORE_URL="sqlite:$WORK/apex.sqlite" APEX_PORT="$PORT"
swift build --product apex-cli >/dev/null
.build/debug/apex-cli serve >"$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

# The tour: the first ```sh block after the "tour of the API" heading.
awk '/^## A 60-second tour of the API/{f=1} f&&/^```sh/{b=1;next} b&&/^```/{exit} b' README.md \
  | sed "s#http://127.0.0.1:8080#http://127.0.0.1:$PORT#" >"$WORK/tour.sh"
bash -euo pipefail "$WORK/tour.sh" >"$WORK/tour.out" 2>&1 || { cat "$WORK/tour.out" "$WORK/serve.log"; echo "README tour: FAILED"; exit 1; }
for expected in '"type": "calculation.approved"' '"type": "project.created"' '"ip_address": "127.0.0.1"' "'qz': 24.4288"; do
  grep -q "$expected" "$WORK/tour.out" || { cat "$WORK/tour.out"; echo "README tour: missing $expected"; exit 1; }
done

# Replays prove themselves: the state hash the live server computed for the tour's project
# equals the one an offline replay of the same store computes, with the server stopped.
PROJECT=$(.build/debug/apex-cli events --json | python3 -c 'import json,sys; print([json.loads(l)["stream"] for l in sys.stdin if json.loads(l)["stream"].startswith("project-")][0][8:])')
OWNER_TOKEN=$(.build/debug/apex-cli token issue --user "$(.build/debug/apex-cli events --json --type account.created | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["data"]["owner_id"])')")
LIVE=$(curl -si -H "Authorization: Bearer $OWNER_TOKEN" "http://127.0.0.1:$PORT/v1/projects/$PROJECT" | tr -d '\r' | awk -F': ' 'tolower($1)=="apex-state-hash"{print $2}')
kill $SERVER; wait $SERVER 2>/dev/null || true
OFFLINE=$(.build/debug/apex-cli replay --project "$PROJECT" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["state_hash"])')
if [ -z "$LIVE" ] || [ "$LIVE" != "$OFFLINE" ]; then echo "replay proof: live state hash '$LIVE' != offline '$OFFLINE'"; exit 1; fi
.build/debug/apex-cli verify >/dev/null || { echo "verify after the tour failed"; exit 1; }
check_library_tour
echo "README tours and replay proof: 3 passed, 0 failed"
