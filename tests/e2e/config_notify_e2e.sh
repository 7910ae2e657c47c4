#!/usr/bin/env bash
# Started as systemd starts them: consular-audit (on real PostgreSQL, logging in with the password
# of a file, as a credential) and consular-web get nothing but --config FILE, and NOTIFY_SOCKET
# names a datagram socket this script listens on. Each listens where its file says, sends READY=1
# (with a STATUS= line) once it listens, and STOPPING=1 on SIGTERM; a file with a key that is no
# flag stops the server before it starts, naming the key.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tests/e2e/config_notify_e2e.sh --audit BIN --web BIN --migrate BIN --ctl BIN [--work-dir DIR]
Set CONSULAR_E2E_KEEP=1 to keep the temporary folder for inspection.
USAGE
}

AUDIT_BIN="" WEB_BIN="" MIGRATE_BIN="" CTL_BIN="" WORK_PARENT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --audit) AUDIT_BIN=$2; shift 2 ;;
    --web) WEB_BIN=$2; shift 2 ;;
    --migrate) MIGRATE_BIN=$2; shift 2 ;;
    --ctl) CTL_BIN=$2; shift 2 ;;
    --work-dir) WORK_PARENT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
for bin in "$AUDIT_BIN" "$WEB_BIN" "$MIGRATE_BIN" "$CTL_BIN"; do
  [[ -n $bin && -x $bin ]] || { usage >&2; exit 2; }
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OPS=$(cd "$HERE/../../ops" && pwd)
KEEP=${CONSULAR_E2E_KEEP:-0}
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

e2e_make_work_dir config-notify
AUDIT_PID="" WEB_PID="" LISTENER_PID=""
AUDIT_LOG=$WORK/audit.log
WEB_LOG=$WORK/web.log

# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local status=$?
  e2e_stop_pids "$AUDIT_PID" "$WEB_PID" "$LISTENER_PID"
  e2e_finish "$status" "$AUDIT_LOG" "$WEB_LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Binds the datagram socket PATH, as systemd's notification socket, and appends each datagram it
# receives to RECORD as one line (its newlines shown as "|"). Sets LISTENER_PID.
listen_notify() {  # PATH RECORD
  rm -f "$1" "$2"
  : >"$2"
  python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as record:
    while True:
        record.write(s.recv(4096).decode().replace("\n", "|") + "\n")
        record.flush()
' "$1" "$2" &
  LISTENER_PID=$!
  for _ in $(seq 50); do [[ -S $1 ]] && return 0; sleep 0.1; done
  setup_fail "the notification socket $1 was not bound"
}

# RECORD TEXT SECONDS: waits until a line of RECORD holds TEXT; prints that line.
wait_record() {
  local i line
  for ((i = 0; i < $3 * 10; i++)); do
    line=$(grep -F -m 1 -- "$2" "$1" || true)
    if [[ -n $line ]]; then echo "$line"; return 0; fi
    sleep 0.1
  done
  return 1
}

# PID SECONDS: waits until the child process has exited; its exit status in EXITED.
wait_exit() {
  local i state
  EXITED=""
  for ((i = 0; i < $2 * 10; i++)); do
    state=$(ps -o stat= -p "$1" 2>/dev/null || true)
    if [[ -z $state || $state == Z* ]]; then
      EXITED=0
      wait "$1" || EXITED=$?
      return 0
    fi
    sleep 0.1
  done
  return 1
}

sql() {  # DSN SQL: one statement, unaligned result
  psql "$1" -X -q -v ON_ERROR_STOP=1 -tA -c "$2"
}

e2e_setup_database
"$MIGRATE_BIN" --dsn "$OWNER_DSN" >"$WORK/migrate.log" 2>&1 || setup_fail "migrations"
# The service role logs in with a password, as in a deployment: the server's file names the file
# that holds it (a systemd credential there).
sql "$ADMIN_DSN" "ALTER ROLE $SERVICE_DB_ROLE PASSWORD 'app-secret'" >/dev/null
HBA=$(sql "$ADMIN_DSN" "SHOW hba_file")
sql "$ADMIN_DSN" "COPY (SELECT line FROM (VALUES (1, 'local all $SERVICE_DB_ROLE scram-sha-256'),
    (2, 'local all all trust')) AS hba(n, line) ORDER BY n) TO '$HBA'" >/dev/null
sql "$ADMIN_DSN" "SELECT pg_reload_conf()" >/dev/null
if psql "$APP_DSN" -X -q -w -tA -c "SELECT 1" >/dev/null 2>&1; then
  setup_fail "$SERVICE_DB_ROLE still logs in without its password"
fi
printf 'app-secret\n' >"$WORK/database-password"
printf 'wrong-secret\n' >"$WORK/wrong-password"
chmod 600 "$WORK/database-password" "$WORK/wrong-password"
NOTIFY=$WORK/notify.sock
RECORD=$WORK/notify.record

# ---------------------------------------------------------------------------------------------
# consular-audit with nothing but --config.

AUDIT_PORT=$(free_port)
cat >"$WORK/audit.toml" <<TOML
# consular-audit, as a systemd unit would start it
listen = "127.0.0.1:$AUDIT_PORT"
dsn = "$APP_DSN"
database-password-file = "$WORK/database-password"
tls-cert = "$CERTS/server.pem"
tls-key = "$CERTS/server.key"
token-public-keys = "$CERTS/token-public.pem"
pool-size = 2
workers = 2
shutdown-grace-seconds = 5
TOML
listen_notify "$NOTIFY" "$RECORD"
NOTIFY_SOCKET=$NOTIFY "$AUDIT_BIN" --config "$WORK/audit.toml" >"$AUDIT_LOG" 2>&1 &
AUDIT_PID=$!
if READY=$(wait_record "$RECORD" "READY=1" 20) \
    && [[ $READY == "READY=1|STATUS=SERVING, listening on 127.0.0.1:$AUDIT_PORT (tls)" ]]; then
  pass "consular-audit started with only --config sends READY=1 with its status, listening where the file says"
else
  fail "consular-audit started with only --config sends READY=1 with its status, listening where the file says" \
    "$(cat "$RECORD"; tail -n 5 "$AUDIT_LOG")"
fi

CTL_ADDRS=(--audit-addr "localhost:$AUDIT_PORT")
AUDITOR=$(mint auditor) || setup_fail "dev token not minted"
ctl "$AUDITOR" audit verify
expect_ok "a call reaches it at the address of the file, over TLS with the file's certificate"

kill -TERM "$AUDIT_PID"
if wait_record "$RECORD" "STOPPING=1|STATUS=SIGTERM received, shutting down (grace 5s)" 10 >/dev/null \
    && wait_exit "$AUDIT_PID" 15 && [[ $EXITED == 0 ]]; then
  pass "on SIGTERM it sends STOPPING=1 (with the file's grace period) and exits 0"
else
  fail "on SIGTERM it sends STOPPING=1 (with the file's grace period) and exits 0" \
    "$(cat "$RECORD"; echo "exit: ${EXITED:-running}")"
fi
AUDIT_PID=""

# The wrong password: the server does not start, and says why.
: >"$RECORD"
RC=0
NOTIFY_SOCKET=$NOTIFY "$AUDIT_BIN" --config "$WORK/audit.toml" \
  --database-password-file "$WORK/wrong-password" >"$WORK/wrong.log" 2>&1 || RC=$?
if [[ $RC -ne 0 ]] && grep -q 'password authentication failed' "$WORK/wrong.log" \
    && [[ ! -s $RECORD ]]; then
  pass "with the wrong password in the file named on the command line, the server does not start"
else
  fail "with the wrong password in the file named on the command line, the server does not start" \
    "exit $RC; $(cat "$WORK/wrong.log" "$RECORD")"
fi

# A key that is no flag: the server does not start, and says which key.
: >"$RECORD"
cat >"$WORK/typo.toml" <<TOML
listen = "127.0.0.1:$AUDIT_PORT"
dsn = "$APP_DSN"
insecure = true
token-public-keys = "$CERTS/token-public.pem"
shutdown-grace-secs = 5
TOML
RC=0
NOTIFY_SOCKET=$NOTIFY "$AUDIT_BIN" --config "$WORK/typo.toml" >"$WORK/typo.log" 2>&1 || RC=$?
if [[ $RC -ne 0 ]] && grep -q 'unknown setting "shutdown-grace-secs"' "$WORK/typo.log" \
    && ! grep -q "listening on" "$WORK/typo.log" && [[ ! -s $RECORD ]]; then
  pass "a file with an unknown key stops the server before it listens, naming the key"
else
  fail "a file with an unknown key stops the server before it listens, naming the key" \
    "exit $RC; $(cat "$WORK/typo.log" "$RECORD")"
fi

# ---------------------------------------------------------------------------------------------
# consular-web with nothing but --config.

: >"$RECORD"
WEB_PORT=$(free_port)
cat >"$WORK/web.toml" <<TOML
listen = "127.0.0.1:$WEB_PORT"
tls-cert = "$CERTS/server.pem"
tls-key = "$CERTS/server.key"
ca-cert = "$CERTS/ca.pem"
audit-addr = "localhost:$AUDIT_PORT"
idle-minutes = 10
TOML
NOTIFY_SOCKET=$NOTIFY "$WEB_BIN" --config "$WORK/web.toml" >"$WEB_LOG" 2>&1 &
WEB_PID=$!
if READY=$(wait_record "$RECORD" "READY=1" 20) \
    && [[ $READY == "READY=1|STATUS=consular-web listening on https://127.0.0.1:$WEB_PORT" ]]; then
  pass "consular-web started with only --config sends READY=1, listening where the file says"
else
  fail "consular-web started with only --config sends READY=1, listening where the file says" \
    "$(cat "$RECORD"; tail -n 5 "$WEB_LOG")"
fi
CODE=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CERTS/ca.pem" \
  "https://localhost:$WEB_PORT/auth/session" || true)
if [[ $CODE =~ ^[2-4][0-9][0-9]$ ]]; then
  pass "it answers HTTPS there with the file's certificate (HTTP $CODE)"
else
  fail "it answers HTTPS there with the file's certificate" "curl: $CODE"
fi
kill -TERM "$WEB_PID"
if wait_record "$RECORD" "STOPPING=1" 10 >/dev/null && wait_exit "$WEB_PID" 10 \
    && [[ $EXITED == 0 ]]; then
  pass "on SIGTERM consular-web sends STOPPING=1 and exits 0"
else
  fail "on SIGTERM consular-web sends STOPPING=1 and exits 0" "$(cat "$RECORD"; echo "exit: ${EXITED:-running}")"
fi
WEB_PID=""

echo "config_notify_e2e: $PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
