#!/usr/bin/env bash
# A real Prometheus server scrapes a real `apex-cli serve`: the server runs on a temporary SQLite
# store with its metrics listener on (APEX_METRICS_PORT), `promtool check metrics` passes on a
# scrape, Prometheus (Debian's `prometheus`) scrapes the listener every second, and its HTTP API
# (/api/v1/query) shows the target up and the request counter with samples that grow as requests
# are made. Builds nothing: it runs the apex-cli the Swift test run built (.build/debug/apex-cli).
# Needs: apt-get install prometheus (prometheus and promtool), curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
cli="${APEX_CLI:-.build/debug/apex-cli}"
[ -x "$cli" ] || { echo "apex: $cli is missing; run swift build (or scripts/test.sh) first"; exit 1; }
for tool in prometheus promtool curl python3; do
  command -v "$tool" >/dev/null || { echo "apex: $tool is missing (apt-get install prometheus curl python3)"; exit 1; }
done

dir="$(mktemp -d /tmp/apex-prometheus.XXXXXX)"
server="" prom=""
cleanup() {
  for pid in $prom $server; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
fail() { echo "apex: $*"; echo "--- apex-cli serve:"; tail -n 30 "$dir/server.log" 2>/dev/null || true; echo "--- prometheus:"; tail -n 30 "$dir/prometheus.log" 2>/dev/null || true; exit 1; }

export APEX_STORE_URL="sqlite:$dir/apex.sqlite"
port="$(free_port)" metrics_port="$(free_port)" prom_port="$(free_port)"
APEX_METRICS_PORT="$metrics_port" "$cli" serve --port "$port" > "$dir/server.log" 2>&1 &
server=$!
for _ in $(seq 1 150); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || fail "the server did not start"
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null || fail "the server did not answer /readyz"

# /metrics is on its own listener only.
code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metrics")"
[ "$code" = 404 ] || fail "the public API answered /metrics with $code, not 404"
curl -s -o /dev/null "http://127.0.0.1:$port/v1/me"   # a 401: a series with a route template and status
curl -fsS "http://127.0.0.1:$metrics_port/metrics" > "$dir/scrape.txt" || fail "the metrics listener did not answer"
promtool check metrics < "$dir/scrape.txt" || fail "promtool check metrics failed on the scrape"
grep -q '^apex_http_requests_total{method="GET",route="/v1/me",status="401"} 1' "$dir/scrape.txt" || fail "no request series in the scrape"

cat > "$dir/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: apex
    static_configs:
      - targets: ["127.0.0.1:$metrics_port"]
YAML
promtool check config "$dir/prometheus.yml" >/dev/null || fail "promtool check config failed"
prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/tsdb" --web.listen-address="127.0.0.1:$prom_port" \
  > "$dir/prometheus.log" 2>&1 &
prom=$!

# query EXPR: the first result's value, or nothing.
query() {
  curl -fsS --get "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$1" 2>/dev/null \
    | python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null || true
}
wait_for() {  # wait_for SECONDS EXPR WANT: until EXPR's value is WANT (or, for WANT ">N", above N)
  local deadline=$(( $(date +%s) + $1 )) value=""
  while [ "$(date +%s)" -lt "$deadline" ]; do
    kill -0 "$prom" 2>/dev/null || fail "prometheus exited"
    value="$(query "$2")"
    case "$3" in
      ">"*) [ -n "$value" ] && python3 -c "import sys; sys.exit(0 if float('$value') > float('${3#>}') else 1)" && { echo "$value"; return 0; } ;;
      *) [ "$value" = "$3" ] && { echo "$value"; return 0; } ;;
    esac
    sleep 0.5
  done
  fail "after $1 s, $2 is '${value}', not $3"
}

start=$(date +%s)
wait_for 60 'up{job="apex"}' 1 >/dev/null
echo "apex: prometheus scrapes the target (up == 1) after $(( $(date +%s) - start )) s"
before="$(wait_for 30 'sum(apex_http_requests_total{job="apex",route="/v1/me",status="401"})' '>0')"
for _ in 1 2 3; do curl -s -o /dev/null "http://127.0.0.1:$port/v1/me"; done
after="$(wait_for 30 'sum(apex_http_requests_total{job="apex",route="/v1/me",status="401"})' ">$before")"
samples="$(wait_for 30 'count_over_time(apex_store_head_position{job="apex"}[1m])' '>1')"
echo "apex: prometheus holds apex_http_requests_total (401s on /v1/me: $before then $after) and $samples samples of apex_store_head_position"
