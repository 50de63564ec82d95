#!/usr/bin/env bash
# A PostgreSQL streaming standby and a failover drill, end to end on throwaway clusters. This is
# the procedure docs/operations.md ("Standby and failover") tells an operator to follow.
#
#   scripts/test-pg-standby.sh
#
# 1. initdb a primary (wal_level=replica), create the Apex store on it with `apex-bench load`
# 2. `pg_basebackup -R -X stream` a standby and start it as a hot standby on another port; wait
#    until the primary's pg_stat_replication shows it streaming
# 3. while `apex-bench load` writes to the primary, `apex-cli verify --json` on the standby must
#    pass (a reader opens the store read-only: a hot standby refuses every write)
# 4. the disaster: every process of the primary is stopped and SIGKILLed mid-load
# 5. `pg_ctl promote` the standby, start `apex-cli serve` on it, wait for /readyz 200
#    RTO = seconds from the primary's death to /readyz 200 (promotion and server start; finding
#    out that the primary is dead is not in it)
# 6. RPO = the events apex-bench acknowledged (it prints each id once the store returned) that
#    the promoted standby lacks, and the time from its newest event to the primary's death
# 7. the promoted store passes `apex-cli verify`, takes writes, and passes again
#
# Needs the built apex-cli and apex-bench ($APEX_CLI and $APEX_BENCH, else .build/debug, else
# .build/release; scripts/test.sh runs `swift test` first, which builds both); never builds.
# Clusters run as the unprivileged user `apexpg` when started as root, on private loopback
# ports, and everything is deleted on exit. Takes about 15 s. Prints the measurements and
# `pg standby drill: 1 passed, 0 failed`; exits non-zero with a message on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

NAME=test-pg-standby
SUMMARY="pg standby drill"
DB=apex_standby
# shellcheck source=lib/pg-cluster.sh
source scripts/lib/pg-cluster.sh
command -v curl >/dev/null || { echo "$NAME: curl is missing" >&2; exit 1; }

PRIMARY="$DIR/primary"
STANDBY="$DIR/standby"
PORT1="$(free_port)"
PORT2="$(free_port)"
HTTP_PORT="$(free_port)"
while [ "$PORT2" = "$PORT1" ]; do PORT2="$(free_port)"; done
LOAD_PID=""
SERVE_PID=""

cleanup() {
  local rc=$?
  # Only the children this script started, by id (braces: no "Killed" notice from the shell).
  for pid in $LOAD_PID $SERVE_PID; do { kill -9 "$pid" && wait "$pid"; } 2>/dev/null || true; done
  stop_clusters "$STANDBY" "$PRIMARY"
  if [ "$rc" != 0 ]; then
    for log in primary.log standby.log load.err serve.log verify.err; do
      [ -f "$DIR/$log" ] && { echo "--- $log (last 30 lines)" >&2; tail -n 30 "$DIR/$log" >&2; }
    done
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT

[ -n "$APEX" ] && [ -n "$BENCH" ] || fail "no built apex-cli and apex-bench: run swift build, or set APEX_CLI and APEX_BENCH"
now() { date +%s.%N; }
seconds() { python3 -c "print(f'{$2 - $1:.2f}')"; } # FROM TO
# The acknowledged event ids in FILE (whole lines only: a killed writer may leave half of one).
acked() { grep -cE '^[0-9a-f-]{36}$' "$1" || true; }
wait_for() { # SECONDS DESCRIPTION COMMAND…: until COMMAND succeeds, else fail
  local deadline=$((SECONDS + $1)) what="$2"
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out waiting for $what"
    sleep 0.2
  done
}

# --- 1. the primary and its Apex store -------------------------------------------------------
init_cluster "$PRIMARY"
cat >>"$PRIMARY/postgresql.conf" <<EOF

# --- streaming replication (test-pg-standby.sh); the standby copies this file
wal_level = replica
max_wal_senders = 4
hot_standby = on
EOF
start_cluster "$PRIMARY" "$PORT1" "$DIR/primary.log" || fail "the primary did not start"
psql_at "$PORT1" postgres "CREATE DATABASE $DB" >/dev/null
"$BENCH" load --store "$(url_at "$PORT1")" --events 20 >"$DIR/initial.ids" 2>"$DIR/load.err" || fail "apex-bench load could not create the store"

# --- 2. the standby: a base backup that streams its WAL and writes the standby settings (-R) --
STARTED="$(now)"
"${RUN_AS[@]}" "$PG_BIN/pg_basebackup" -h "$DIR" -p "$PORT1" -U apex -D "$STANDBY" -R -X stream -c fast >"$DIR/basebackup.log" 2>&1 \
  || { cat "$DIR/basebackup.log" >&2; fail "pg_basebackup failed"; }
[ -f "$STANDBY/standby.signal" ] || fail "pg_basebackup -R wrote no standby.signal"
grep -q primary_conninfo "$STANDBY/postgresql.auto.conf" || fail "pg_basebackup -R wrote no primary_conninfo"
start_cluster "$STANDBY" "$PORT2" "$DIR/standby.log" || fail "the standby did not start"
[ "$(psql_at "$PORT2" postgres "SELECT pg_is_in_recovery()")" = t ] || fail "the standby is not in recovery"
wait_for 30 "the standby to stream" \
  bash -c "[ \"\$(\"\$@\")\" = streaming ]" _ "${RUN_AS[@]}" "$PG_BIN/psql" -X -A -t -q -h "$DIR" -p "$PORT1" -U apex -d postgres \
  -c "SELECT state FROM pg_stat_replication"
STANDBY_SECONDS="$(seconds "$STARTED" "$(now)")"

# --- 3. the primary takes writes; the standby verifies --------------------------------------
"$BENCH" load --store "$(url_at "$PORT1")" --events 10000000 --writers 2 >"$DIR/load.ids" 2>>"$DIR/load.err" &
LOAD_PID=$!
wait_for 60 "200 acknowledged events" bash -c "[ \$(grep -c . '$DIR/load.ids') -ge 200 ]"
wait_for 30 "the standby to replay the load" bash -c "[ \$(\"\$@\") -gt 100 ]" _ "${RUN_AS[@]}" "$PG_BIN/psql" -X -A -t -q \
  -h "$DIR" -p "$PORT2" -U apex -d "$DB" -c "SELECT count(*) FROM events"
BEFORE="$(acked "$DIR/load.ids")"
"$APEX" verify --json --store "$(url_at "$PORT2")" >"$DIR/verify.json" 2>"$DIR/verify.err" \
  || { cat "$DIR/verify.json" >&2; fail "apex-cli verify failed on the standby while the primary took writes"; }
AFTER="$(acked "$DIR/load.ids")"
kill -0 "$LOAD_PID" 2>/dev/null || fail "apex-bench load stopped writing to the primary"
[ "$AFTER" -gt "$BEFORE" ] || fail "the primary took no writes while the standby was verified ($BEFORE acknowledged before, $AFTER after)"
VERIFIED="$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["ok"] and r["scope"] == "store", r; print(r["events_checked"])' "$DIR/verify.json")" \
  || fail "the standby's verify report is not ok: $(cat "$DIR/verify.json")"
[ "$VERIFIED" -gt 100 ] || fail "verify on the standby checked only $VERIFIED events"
echo "$NAME: verify on the standby: $VERIFIED events intact while the primary acknowledged $((AFTER - BEFORE)) more" >&2

# --- 4. the disaster: the whole primary dies at once, mid-load ------------------------------
LAG_MS="$(psql_at "$PORT1" postgres "SELECT coalesce(round(extract(epoch FROM replay_lag) * 1000), 0) FROM pg_stat_replication")"
POSTMASTER="$(head -n 1 "$PRIMARY/postmaster.pid")"
kill -STOP "$POSTMASTER" # no new backends while its children are listed
PRIMARY_PIDS="$POSTMASTER $(ps -o pid= --ppid "$POSTMASTER" | tr '\n' ' ')"
KILLED="$(now)"
# shellcheck disable=SC2086
kill -9 $PRIMARY_PIDS
rm -f "$PRIMARY/postmaster.pid"

# --- 5. promote the standby and serve from it -----------------------------------------------
"${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$STANDBY" -w -t 60 promote >/dev/null || fail "pg_ctl promote failed"
PROMOTED="$(now)"
[ "$(psql_at "$PORT2" postgres "SELECT pg_is_in_recovery()")" = f ] || fail "the standby is still in recovery after promotion"
APEX_JWT_SECRET="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')" \
APEX_SIGNING_KEY="$(head -c 32 /dev/urandom | base64)" \
  "$APEX" serve --store "$(url_at "$PORT2")" --port "$HTTP_PORT" >"$DIR/serve.log" 2>&1 &
SERVE_PID=$!
wait_for 60 "apex-cli serve on the promoted standby to answer /readyz" curl -fsS "http://127.0.0.1:$HTTP_PORT/readyz"
READY="$(now)"
kill -0 "$SERVE_PID" 2>/dev/null || fail "apex-cli serve exited"

# --- 6. what was lost: acknowledged events the promoted standby lacks -----------------------
# The writer cannot be acknowledged anything after the primary died but the replies already on
# their way; give it a moment to print those, then stop it (its pool would retry for a minute).
sleep 1
{ kill -9 "$LOAD_PID" && wait "$LOAD_PID"; } 2>/dev/null || true
LOAD_PID=""
cat "$DIR/initial.ids" "$DIR/load.ids" | grep -E '^[0-9a-f-]{36}$' | sort >"$DIR/acked.sorted"
psql_at "$PORT2" "$DB" "SELECT id FROM events" | sort >"$DIR/standby.sorted"
ACKED="$(grep -c . "$DIR/acked.sorted")"
HELD="$(grep -c . "$DIR/standby.sorted")"
LOST="$(comm -23 "$DIR/acked.sorted" "$DIR/standby.sorted" | grep -c . || true)"
UNACKED="$(comm -13 "$DIR/acked.sorted" "$DIR/standby.sorted" | grep -c . || true)"
NEWEST="$(psql_at "$PORT2" "$DB" "SELECT extract(epoch FROM max(recorded_at)) FROM events")"
RPO_MS="$(python3 -c "print(max(0, round(($KILLED - $NEWEST) * 1000)))")"

# --- 7. the promoted store is intact and takes writes ---------------------------------------
"$APEX" verify --store "$(url_at "$PORT2")" >"$DIR/verify.out" 2>&1 || { cat "$DIR/verify.out" >&2; fail "apex-cli verify failed on the promoted standby"; }
"$BENCH" load --store "$(url_at "$PORT2")" --events 5 >/dev/null 2>>"$DIR/load.err" || fail "the promoted standby takes no writes"
"$APEX" verify --store "$(url_at "$PORT2")" >"$DIR/verify.out" 2>&1 || { cat "$DIR/verify.out" >&2; fail "apex-cli verify failed after writing to the promoted standby"; }

echo "$NAME: standby streaming $STANDBY_SECONDS s after pg_basebackup began; replay lag before the failure ${LAG_MS} ms" >&2
echo "$NAME: RPO: $LOST of $ACKED acknowledged events lost; newest event on the standby ${RPO_MS} ms before the primary died; $UNACKED committed but never acknowledged ($HELD events held)" >&2
echo "$NAME: RTO: $(seconds "$KILLED" "$READY") s from the primary's death to /readyz 200 (promote $(seconds "$KILLED" "$PROMOTED") s, serve $(seconds "$PROMOTED" "$READY") s)" >&2
echo "$SUMMARY: 1 passed, 0 failed"
