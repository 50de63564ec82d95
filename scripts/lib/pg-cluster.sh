# Throwaway PostgreSQL 15 clusters for the drill scripts (test-pg-native-pitr.sh,
# test-pg-standby.sh). Source it after setting NAME (the prefix of messages and of the temp
# folder); it sets PG_BIN, RUN_AS, PG_USER_OS, DIR, PASSWORD, APEX and BENCH, and defines:
#
#   fail MESSAGE              print "NAME: FAIL: MESSAGE" and "$SUMMARY: 0 passed, 1 failed", exit 1
#   free_port                 a free loopback TCP port
#   init_cluster DATA         initdb as the cluster user (user apex, the password in $PASSWORD)
#   start_cluster DATA PORT LOG   start it on 127.0.0.1:PORT and a socket in $DIR
#   stop_clusters DATA…       stop each immediately (for the EXIT trap)
#   psql_at PORT DB SQL       psql as apex over the socket (trust), unaligned, tuples only
#   url_at PORT               the store URL of database $DB on 127.0.0.1:PORT
#
# Clusters run as the unprivileged user `apexpg` when started as root (initdb refuses root),
# as scripts/with-postgres.sh does. The built apex-cli and apex-bench are $APEX_CLI and
# $APEX_BENCH, else .build/debug, else .build/release; APEX and BENCH are empty when missing.

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
for tool in initdb pg_ctl postgres psql pg_basebackup; do
  [ -x "$PG_BIN/$tool" ] || { echo "$NAME: $PG_BIN/$tool is missing (apt-get install postgresql-15)" >&2; exit 1; }
done

fail() {
  echo "$NAME: FAIL: $*" >&2
  echo "$SUMMARY: 0 passed, 1 failed"
  exit 1
}

APEX=""
BENCH=""
for candidate in "${APEX_CLI:-}" "$ROOT/.build/debug/apex-cli" "$ROOT/.build/release/apex-cli"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then APEX="$candidate"; break; fi
done
for candidate in "${APEX_BENCH:-}" "$ROOT/.build/debug/apex-bench" "$ROOT/.build/release/apex-bench"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then BENCH="$candidate"; break; fi
done

RUN_AS=()
PG_USER_OS="$(id -un)"
if [ "$(id -u)" = 0 ]; then
  PG_USER_OS="apexpg"
  id -u "$PG_USER_OS" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER_OS"
  RUN_AS=(runuser -u "$PG_USER_OS" --)
fi

DIR="$(mktemp -d "/tmp/$NAME.XXXXXX")"
chmod 755 "$DIR"
[ "$(id -u)" = 0 ] && chown "$PG_USER_OS" "$DIR"
PASSWORD="$NAME-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

init_cluster() { # DATA
  printf '%s\n' "$PASSWORD" >"$DIR/pwfile"
  [ "$(id -u)" = 0 ] && chown "$PG_USER_OS" "$DIR/pwfile"
  "${RUN_AS[@]}" "$PG_BIN/initdb" -D "$1" -U apex --pwfile="$DIR/pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; fail "initdb failed"; }
}

start_cluster() { # DATA PORT LOG
  "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$1" -l "$3" -w -t 120 \
    -o "-p $2 -k $DIR -c listen_addresses=127.0.0.1" start >/dev/null
}

stop_clusters() { # DATA…
  local data
  for data in "$@"; do
    [ -f "$data/postmaster.pid" ] && "${RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
  done
}

psql_at() { # PORT DB SQL
  "${RUN_AS[@]}" "$PG_BIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$1" -U apex -d "$2" -c "$3"
}

url_at() { echo "postgres://apex:$PASSWORD@127.0.0.1:$1/$DB"; }
