#!/usr/bin/env bash
# PostgreSQL point-in-time recovery the native way, end to end on throwaway clusters:
# WAL archiving (archive_command) + pg_basebackup + recovery_target_time. This is the procedure
# docs/operations.md ("PostgreSQL native point-in-time recovery") tells an operator to follow.
#
#   scripts/test-pg-native-pitr.sh
#
# 1. initdb a primary with wal_level=replica, archive_mode=on and
#    archive_command='test ! -f ARCHIVE/%f && cp %p ARCHIVE/%f'
# 2. write 50 events, take `pg_basebackup -D BASE -Fp -X none` (the WAL comes from the archive)
# 3. write batch A (50 events); T = SELECT clock_timestamp(); sleep 1; write batch B (50 events)
# 4. SELECT pg_switch_wal(), wait until the archiver has that segment, stop the primary
# 5. copy BASE to a new data directory, touch recovery.signal, set restore_command,
#    recovery_target_time = T and recovery_target_action = promote, start it on another port
# 6. wait until pg_is_in_recovery() is false, then assert that everything up to batch A is
#    there and nothing of batch B (row count, max position, and every event id of A and B)
#
# The data is Apex's own: the events are appended with `apex-bench load` when the built apex-cli and
# apex-bench are found ($APEX_CLI and $APEX_BENCH, else .build/debug, else .build/release —
# scripts/test.sh runs `swift test` first, which builds both), and the restored database must then
# also pass `apex-cli verify` (hash chains intact, exit 0). Without them (or with APEX_PITR_DATA=psql)
# the script falls back to plain psql inserts into a table `pitr`, which tests the same PostgreSQL
# mechanics without Apex. The script never builds anything itself, so it can run beside a build.
#
# Runs the clusters as the unprivileged user `apexpg` when started as root (initdb refuses root),
# on private loopback ports, and deletes everything on exit. Prints
# `pg native PITR: 1 passed, 0 failed` on success; exits non-zero with a message otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

NAME=test-pg-native-pitr
SUMMARY="pg native PITR"
DB=apex_pitr
# shellcheck source=lib/pg-cluster.sh
source scripts/lib/pg-cluster.sh

# --- how the data is written: apex-bench load and apex-cli verify (preferred) or psql ----------
if [ "${APEX_PITR_DATA:-}" = "psql" ] || [ -z "$BENCH" ]; then APEX=""; fi
if [ -n "$APEX" ]; then
  echo "test-pg-native-pitr: writing events with $BENCH load, verifying with $APEX verify" >&2
else
  echo "test-pg-native-pitr: no built apex-cli and apex-bench: writing rows with psql" >&2
fi

ARCHIVE="$DIR/archive"   # the WAL archive (in production: another disk, host or bucket)
BASE="$DIR/base"         # the base backup
PRIMARY="$DIR/primary"   # the primary's data directory
RESTORED="$DIR/restored" # the point-in-time restored cluster
mkdir -p "$ARCHIVE"
[ "$(id -u)" = 0 ] && chown "$PG_USER_OS" "$ARCHIVE"

PORT1="$(free_port)"
PORT2="$(free_port)"
while [ "$PORT2" = "$PORT1" ]; do PORT2="$(free_port)"; done

cleanup() {
  local rc=$?
  stop_clusters "$RESTORED" "$PRIMARY"
  if [ "$rc" != 0 ]; then
    for log in "$DIR/primary.log" "$DIR/restored.log"; do
      [ -f "$log" ] && { echo "--- $log (last 30 lines)" >&2; tail -n 30 "$log" >&2; }
    done
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT

# write_batch NAME: appends 50 events (or rows) to the primary and keeps their ids in $DIR/NAME.ids
write_batch() {
  local name="$1"
  if [ -n "$APEX" ]; then
    "$BENCH" load --store "$(url_at "$PORT1")" --events 50 --batch 10 >"$DIR/$name.ids" \
      || fail "apex-bench load ($name) failed"
  else
    psql_at "$PORT1" "$DB" "INSERT INTO pitr (batch) SELECT '$name' FROM generate_series(1, 50) RETURNING id" >"$DIR/$name.ids" \
      || fail "psql insert ($name) failed"
  fi
  [ "$(grep -c . "$DIR/$name.ids")" = 50 ] || fail "batch $name: expected 50 acknowledged ids, got $(grep -c . "$DIR/$name.ids")"
}

# count, max position/id, and how many of the ids in FILE the cluster on PORT holds
row_count() {
  if [ -n "$APEX" ]; then psql_at "$1" "$DB" "SELECT count(*) FROM events"; else psql_at "$1" "$DB" "SELECT count(*) FROM pitr"; fi
}
max_id() {
  if [ -n "$APEX" ]; then psql_at "$1" "$DB" "SELECT coalesce(max(position), 0) FROM events"; else psql_at "$1" "$DB" "SELECT coalesce(max(id), 0) FROM pitr"; fi
}
ids_present() {
  local port="$1" file="$2" list
  if [ -n "$APEX" ]; then
    list="$(sed "s/.*/'&'/" "$file" | paste -sd, -)"
    psql_at "$port" "$DB" "SELECT count(*) FROM events WHERE id::text IN ($list)"
  else
    list="$(paste -sd, "$file")"
    psql_at "$port" "$DB" "SELECT count(*) FROM pitr WHERE id IN ($list)"
  fi
}

# --- 1. the primary, archiving every WAL segment -------------------------------------------
init_cluster "$PRIMARY"
cat >>"$PRIMARY/postgresql.conf" <<EOF

# --- WAL archiving for point-in-time recovery (test-pg-native-pitr.sh)
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $ARCHIVE/%f && cp %p $ARCHIVE/%f'
EOF
start_cluster "$PRIMARY" "$PORT1" "$DIR/primary.log" || fail "the primary did not start"
psql_at "$PORT1" postgres "CREATE DATABASE $DB" >/dev/null
[ "$(psql_at "$PORT1" postgres "SHOW archive_mode")" = on ] || fail "archive_mode is not on"

if [ -z "$APEX" ]; then
  psql_at "$PORT1" "$DB" "CREATE TABLE pitr (id bigserial PRIMARY KEY, batch text NOT NULL, written_at timestamptz NOT NULL DEFAULT clock_timestamp())" >/dev/null
fi
write_batch before-base

# --- 2. the base backup (no WAL in it: recovery reads the WAL from the archive) ---------------
"${RUN_AS[@]}" "$PG_BIN/pg_basebackup" -h "$DIR" -p "$PORT1" -U apex -D "$BASE" -Fp -X none -c fast >"$DIR/basebackup.log" 2>&1 \
  || { cat "$DIR/basebackup.log" >&2; fail "pg_basebackup failed"; }
[ -f "$BASE/backup_label" ] || fail "the base backup has no backup_label"

# --- 3. batch A, the target time T, batch B ----------------------------------------------------
write_batch A
T="$(psql_at "$PORT1" postgres "SELECT clock_timestamp()")"
sleep 1
write_batch B
EXPECTED_COUNT=100 # before-base + A
EXPECTED_MAX=100   # positions (or ids) 1-50 before the base backup, 51-100 batch A, 101-150 batch B
[ "$(row_count "$PORT1")" = 150 ] || fail "the primary holds $(row_count "$PORT1") rows, expected 150"

# --- 4. switch to a new WAL segment and wait until the archive holds the old one ---------------
SWITCHED="$(psql_at "$PORT1" postgres "SELECT pg_walfile_name(pg_switch_wal())")"
for _ in $(seq 1 120); do
  [ "$(psql_at "$PORT1" postgres "SELECT coalesce(last_archived_wal >= '$SWITCHED', false) FROM pg_stat_archiver")" = t ] && break
  sleep 0.5
done
[ -f "$ARCHIVE/$SWITCHED" ] || fail "WAL segment $SWITCHED was not archived (pg_stat_archiver: $(psql_at "$PORT1" postgres "SELECT last_archived_wal, failed_count FROM pg_stat_archiver"))"
"${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PRIMARY" -m fast -w stop >/dev/null || fail "the primary did not stop"

# --- 5. restore: BASE + archived WAL, replayed up to T, then promoted --------------------------
cp -a "$BASE" "$RESTORED"
chmod 700 "$RESTORED"
[ "$(id -u)" = 0 ] && chown -R "$PG_USER_OS" "$RESTORED"
cat >>"$RESTORED/postgresql.auto.conf" <<EOF
restore_command = 'cp $ARCHIVE/%f %p'
recovery_target_time = '$T'
recovery_target_action = 'promote'
EOF
"${RUN_AS[@]}" touch "$RESTORED/recovery.signal"
RECOVERY_STARTED="$(date +%s.%N)"
start_cluster "$RESTORED" "$PORT2" "$DIR/restored.log" || fail "the restored cluster did not start"
for _ in $(seq 1 240); do
  [ "$(psql_at "$PORT2" postgres "SELECT pg_is_in_recovery()" 2>/dev/null || echo t)" = f ] && break
  sleep 0.5
done
[ "$(psql_at "$PORT2" postgres "SELECT pg_is_in_recovery()")" = f ] || fail "the restored cluster is still in recovery"
RECOVERY_SECONDS="$(python3 -c "print(f'{$(date +%s.%N) - $RECOVERY_STARTED:.1f}')")"
grep -q "recovery stopping before commit" "$DIR/restored.log" || fail "recovery did not stop at the target time (see restored.log)"

# --- 6. exactly batch A, nothing of batch B ----------------------------------------------------
COUNT="$(row_count "$PORT2")"
MAX="$(max_id "$PORT2")"
[ "$COUNT" = "$EXPECTED_COUNT" ] || fail "restored $COUNT rows, expected $EXPECTED_COUNT (50 before the base backup + 50 of batch A)"
[ "$MAX" = "$EXPECTED_MAX" ] || fail "restored max position $MAX, expected $EXPECTED_MAX"
[ "$(ids_present "$PORT2" "$DIR/before-base.ids")" = 50 ] || fail "events written before the base backup are missing"
[ "$(ids_present "$PORT2" "$DIR/A.ids")" = 50 ] || fail "events of batch A are missing"
[ "$(ids_present "$PORT2" "$DIR/B.ids")" = 0 ] || fail "events of batch B (written after T) were restored"
if [ -n "$APEX" ]; then
  [ "$(psql_at "$PORT2" "$DB" "SELECT position FROM store_head")" = "$EXPECTED_MAX" ] || fail "store_head does not match the restored events"
  "$APEX" verify --store "$(url_at "$PORT2")" >"$DIR/verify.out" 2>&1 || { cat "$DIR/verify.out" >&2; fail "apex-cli verify failed on the restored database"; }
  # The promoted cluster takes writes again, continuing the chain.
  "$BENCH" load --store "$(url_at "$PORT2")" --events 5 >/dev/null || fail "the promoted cluster takes no writes"
  "$APEX" verify --store "$(url_at "$PORT2")" >"$DIR/verify.out" 2>&1 || { cat "$DIR/verify.out" >&2; fail "apex-cli verify failed after writing to the promoted cluster"; }
fi

echo "test-pg-native-pitr: recovered and promoted in $RECOVERY_SECONDS s; restored to $T: $COUNT rows (max position $MAX), batch B absent$([ -n "$APEX" ] && echo ", apex-cli verify intact")" >&2
echo "pg native PITR: 1 passed, 0 failed"
