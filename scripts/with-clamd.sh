#!/usr/bin/env bash
# Runs a command with a throwaway ClamAV daemon: a config and a one-signature database that
# detects the EICAR test string (built with sigtool: no download) in a temp dir, a Unix socket
# and a free loopback TCP port; exports APEX_TEST_CLAMD (unix:PATH) and APEX_TEST_CLAMD_TCP
# (tcp://127.0.0.1:PORT) for the command, and stops clamd afterwards.
#
#   scripts/with-clamd.sh scripts/with-postgres.sh swift test --filter FileScanning
set -euo pipefail

CLAMD="${CLAMD:-$(command -v clamd || echo /usr/sbin/clamd)}"
if [ ! -x "$CLAMD" ] || ! command -v sigtool >/dev/null; then
  echo "with-clamd: installing clamav-daemon" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq clamav clamav-daemon >&2
  CLAMD="$(command -v clamd || echo /usr/sbin/clamd)"
fi

DIR="$(mktemp -d /tmp/apex-clamd.XXXXXX)"
mkdir -p "$DIR/db"
PORT="${CLAMD_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
PID=""
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

printf 'Test.EICAR.NDB:0:*:%s\n' "$(printf %s EICAR-STANDARD-ANTIVIRUS-TEST-FILE | sigtool --hex-dump)" > "$DIR/db/test.ndb"
# clamd drops privileges to User when started as root: run it as the caller instead.
cat > "$DIR/clamd.conf" <<CONF
DatabaseDirectory $DIR/db
LocalSocket $DIR/clamd.sock
TCPSocket $PORT
TCPAddr 127.0.0.1
Foreground yes
LogFile $DIR/clamd.log
PidFile $DIR/clamd.pid
StreamMaxLength 100M
User $(id -un)
CONF

"$CLAMD" -c "$DIR/clamd.conf" >"$DIR/stdout.log" 2>&1 &
PID=$!
for _ in $(seq 1 300); do
  if [ -S "$DIR/clamd.sock" ] && python3 - "$DIR/clamd.sock" <<'PY' 2>/dev/null; then break; fi
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(1); s.connect(sys.argv[1]); s.sendall(b"zPING\0")
sys.exit(0 if s.recv(16).startswith(b"PONG") else 1)
PY
  if ! kill -0 "$PID" 2>/dev/null; then cat "$DIR/stdout.log" "$DIR/clamd.log" >&2 2>/dev/null; echo "with-clamd: clamd exited" >&2; exit 1; fi
  sleep 0.1
done
[ -S "$DIR/clamd.sock" ] || { cat "$DIR/clamd.log" >&2; echo "with-clamd: clamd did not start within 30 s" >&2; exit 1; }

export APEX_TEST_CLAMD="unix:$DIR/clamd.sock" APEX_TEST_CLAMD_TCP="tcp://127.0.0.1:$PORT"
echo "with-clamd: $("$CLAMD" --version) on $APEX_TEST_CLAMD and $APEX_TEST_CLAMD_TCP" >&2
"$@"
