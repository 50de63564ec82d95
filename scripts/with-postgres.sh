#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL 15 cluster: initdb into a temp dir as an
# unprivileged user, start it on a free loopback port, export POSTGRES_HOSTNAME/PORT/USER/
# PASSWORD/DB for the command, and stop and delete the cluster afterwards.
#
#   scripts/with-postgres.sh swift test
set -euo pipefail

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/postgres" ]; then
  echo "with-postgres: installing PostgreSQL 15 server packages" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql-15 postgresql-client-15 >&2
fi

# initdb refuses to run as root: run the cluster as an unprivileged user.
RUN_AS=()
PG_USER_OS="$(id -un)"
if [ "$(id -u)" = 0 ]; then
  PG_USER_OS="apexpg"
  id -u "$PG_USER_OS" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER_OS"
  RUN_AS=(runuser -u "$PG_USER_OS" --)
fi

DIR="$(mktemp -d /tmp/apex-pg.XXXXXX)"
chmod 755 "$DIR"
[ "$(id -u)" = 0 ] && chown "$PG_USER_OS" "$DIR"
PORT="${POSTGRES_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
PASSWORD="apex-test-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"

cleanup() {
  "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT

printf '%s\n' "$PASSWORD" > "$DIR/pwfile"
[ "$(id -u)" = 0 ] && chown "$PG_USER_OS" "$DIR/pwfile"
"${RUN_AS[@]}" "$PG_BIN/initdb" -D "$DIR/data" -U apex --pwfile="$DIR/pwfile" --auth-local=trust --auth-host=scram-sha-256 \
  -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
# max_connections: the test cases' stores (a pool each) and scratch-database clients, in parallel.
"${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
  -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=1000 -c fsync=on" start >/dev/null \
  || { cat "$DIR/server.log" >&2; exit 1; }
"${RUN_AS[@]}" "$PG_BIN/psql" -h "$DIR" -p "$PORT" -U apex -d postgres -qc "CREATE DATABASE apex_test" >/dev/null

export POSTGRES_HOSTNAME=127.0.0.1 POSTGRES_PORT="$PORT" POSTGRES_USER=apex POSTGRES_PASSWORD="$PASSWORD" POSTGRES_DB=apex_test
export APEX_PG_BIN="$PG_BIN" APEX_PG_SOCKET_DIR="$DIR"
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (database apex_test)" >&2
"$@"
