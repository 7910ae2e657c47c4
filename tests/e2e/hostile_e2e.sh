#!/usr/bin/env bash
# End-to-end test of hostile input against the real servers, from a client that knows no service
# (raw_call: grpc::GenericStub, exactly the bytes it is given): broken protobuf, invalid UTF-8 and
# forged page tokens on every list of every service are INVALID_ARGUMENT naming the field, never
# UNIMPLEMENTED or INTERNAL; and SIGTERM while a statement is stuck on a lock ends the server
# within its grace period and a second. Everything it starts lives in a temporary folder and is
# stopped and removed on exit.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tests/e2e/hostile_e2e.sh --cases BIN --contacts BIN --audit BIN --stats BIN --migrate BIN
                                --ctl BIN --raw-call BIN [--work-dir DIR]
Set CONSULAR_E2E_KEEP=1 to keep the temporary folder for inspection.
USAGE
}

CASES_BIN="" CONTACTS_BIN="" AUDIT_BIN="" STATS_BIN="" MIGRATE_BIN="" CTL_BIN="" RAW_BIN=""
WORK_PARENT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cases) CASES_BIN=$2; shift 2 ;;
    --contacts) CONTACTS_BIN=$2; shift 2 ;;
    --audit) AUDIT_BIN=$2; shift 2 ;;
    --stats) STATS_BIN=$2; shift 2 ;;
    --migrate) MIGRATE_BIN=$2; shift 2 ;;
    --ctl) CTL_BIN=$2; shift 2 ;;
    --raw-call) RAW_BIN=$2; shift 2 ;;
    --work-dir) WORK_PARENT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
for bin in "$CASES_BIN" "$CONTACTS_BIN" "$AUDIT_BIN" "$STATS_BIN" "$MIGRATE_BIN" "$CTL_BIN" \
           "$RAW_BIN"; do
  [[ -n $bin && -x $bin ]] || { usage >&2; echo "hostile_e2e: not an executable: $bin" >&2; exit 2; }
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OPS=$(cd "$HERE/../../ops" && pwd)
KEEP=${CONSULAR_E2E_KEEP:-0}
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

e2e_make_work_dir hostile
CASES_PID="" CONTACTS_PID="" AUDIT_PID="" STATS_PID=""
CASES_LOG=$WORK/cases.log CONTACTS_LOG=$WORK/contacts.log AUDIT_LOG=$WORK/audit.log
STATS_LOG=$WORK/stats.log
CASES_PORT=$(free_port) CONTACTS_PORT=$(free_port) AUDIT_PORT=$(free_port) STATS_PORT=$(free_port)

# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local status=$?
  e2e_stop_pids "$CASES_PID" "$CONTACTS_PID" "$AUDIT_PID" "$STATS_PID"
  e2e_finish "$status" "$CASES_LOG" "$CONTACTS_LOG" "$AUDIT_LOG" "$STATS_LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

e2e_setup_database
CTL_ADDRS=(--addr "localhost:$CASES_PORT" --contacts-addr "localhost:$CONTACTS_PORT")

if "$MIGRATE_BIN" --dsn "$OWNER_DSN" >"$WORK/migrate.log" 2>&1; then
  pass "migrations apply"
else
  fail "migrations apply" "$(cat "$WORK/migrate.log")"
  exit 1
fi
e2e_seed_units "$OWNER_DSN"  # the register of units: tokens name posts of it

# consular-cases with a short grace period, for the shutdown check at the end.
start_server "$CASES_BIN" "$CASES_PORT" "$CASES_LOG" --shutdown-grace-seconds 2
CASES_PID=$STARTED_PID
start_server "$CONTACTS_BIN" "$CONTACTS_PORT" "$CONTACTS_LOG"
CONTACTS_PID=$STARTED_PID
# consular-stats with short connection limits, for the silent-connection checks.
start_server "$STATS_BIN" "$STATS_PORT" "$STATS_LOG" --handshake-seconds 2 \
  --idle-connection-seconds 3
STATS_PID=$STARTED_PID
"$AUDIT_BIN" --listen "127.0.0.1:$AUDIT_PORT" --dsn "$APP_DSN" \
  --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key" \
  --token-public-keys "$CERTS/token-public.pem" >"$AUDIT_LOG" 2>&1 &
AUDIT_PID=$!
wait_listening consular-cases "$CASES_PID" "$CASES_LOG"
wait_listening consular-contacts "$CONTACTS_PID" "$CONTACTS_LOG"
wait_listening consular-stats "$STATS_PID" "$STATS_LOG"
wait_listening consular-audit "$AUDIT_PID" "$AUDIT_LOG"

OFFICER=$(mint officer RABAT) || setup_fail "dev token not minted"
MANAGER=$(mint manager RABAT) || setup_fail "dev token not minted"
AUDITOR=$(mint auditor) || setup_fail "dev token not minted"
POLICY=$(mint policy-staff) || setup_fail "dev token not minted"

ctl "$OFFICER" --json case create --type abandonment --country MA --name "Amina Hostiletest" \
  --sex female --nationality dual --referral family
CASE_ID=$(json_field id)
[[ $RC -eq 0 && -n $CASE_ID ]] || { fail "a case to list from" "$(details)"; exit 1; }

port_of() {  # SERVICE: the port of the server that serves it
  case "$1" in
    CaseService) echo "$CASES_PORT" ;;
    PartnerService|ContactService) echo "$CONTACTS_PORT" ;;
    AuditService) echo "$AUDIT_PORT" ;;
    *) echo "$STATS_PORT" ;;
  esac
}

# Sends one raw call; sets OUT to "CODE message".
raw() {  # TOKEN SERVICE METHOD RAW_CALL_ARGS...
  local token=$1 service=$2 method=$3
  shift 3
  OUT=$("$RAW_BIN" --addr "localhost:$(port_of "$service")" --ca "$CERTS/ca.pem" --token "$token" \
    --method "/consular.v1.$service/$method" "$@" 2>&1) || OUT="raw_call failed: $OUT"
}

expect_status() {  # NAME CODE [TEXT]
  if [[ $OUT == "$2 "* && $OUT == *"${3:-}"* ]]; then pass "$1"; else fail "$1" "$OUT"; fi
}

# -- broken protobuf and invalid UTF-8: INVALID_ARGUMENT naming the field, after authentication
raw "$OFFICER" CaseService CreateCase --type consular.v1.CreateCaseRequest \
  --text 'request_id: "hostile-1" case { type: CASE_TYPE_ABANDONMENT country: "MA"
          subject { full_name: "@@BAD@@" } }' --corrupt "@@BAD@@"
expect_status "invalid UTF-8 in a nested name is INVALID_ARGUMENT naming it" INVALID_ARGUMENT \
  "case.subject.full_name: not valid UTF-8"
raw "$OFFICER" CaseService SearchCases --type consular.v1.SearchCasesRequest \
  --text 'name: "@@BAD@@"' --corrupt "@@BAD@@"
expect_status "invalid UTF-8 in a search name is INVALID_ARGUMENT naming it" INVALID_ARGUMENT \
  "name: not valid UTF-8"
raw "" CaseService CreateCase --hex ffffffffff
expect_status "garbage without a token is UNAUTHENTICATED" UNAUTHENTICATED
for target in "CaseService GetCase $OFFICER" "ContactService LogContact $OFFICER" \
              "PartnerService CreatePartner $MANAGER" "AuditService ListAuditEvents $AUDITOR" \
              "StatisticsService GetCountryStatistics $POLICY" "BilateralService RecordTalk $POLICY" \
              "ReportService RenderCountryDossier $POLICY"; do
  read -r service method token <<<"$target"
  raw "$token" "$service" "$method" --hex 0aff0f12
  expect_status "$service.$method: a truncated field is INVALID_ARGUMENT" INVALID_ARGUMENT \
    "malformed protobuf encoding"
  raw "$token" "$service" "$method" --hex ffffffffffffffffffff01
  expect_status "$service.$method: garbage bytes are INVALID_ARGUMENT" INVALID_ARGUMENT \
    "malformed protobuf encoding"
done

# -- forged page tokens, on every list of every service
b64url() { printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }
# The token format before signing, with cursor values at the edges of their types; and a token in
# today's format with a MAC that is not the server's.
FORGED=(
  "$(b64url "p1|cases|0000000000000000|-9223372036854775808|00000000-0000-0000-0000-000000000000")"
  "$(b64url "0123456789abcdefp3|cases|0000000000000000|1800000000|99999999999999999999|x")"
  "AAAA"
  "$(b64url "short")"
)
LISTS=(
  "CaseService ListCases ListCasesRequest $OFFICER"
  "CaseService ListCaseNotes ListCaseNotesRequest $OFFICER case_id:\"$CASE_ID\""
  "CaseService ListCaseEvents ListCaseEventsRequest $OFFICER case_id:\"$CASE_ID\""
  "CaseService SearchCases SearchCasesRequest $OFFICER name:\"Amina Hostiletest\""
  "CaseService ListEmergencyAccess ListEmergencyAccessRequest $MANAGER"
  "PartnerService ListPartners ListPartnersRequest $OFFICER"
  "ContactService ListContacts ListContactsRequest $OFFICER case_id:\"$CASE_ID\""
  "ContactService ListFollowUpsDue ListFollowUpsDueRequest $OFFICER"
  "AuditService ListAuditEvents ListAuditEventsRequest $AUDITOR"
  "BilateralService ListTalks ListTalksRequest $POLICY country:\"MA\""
  "BilateralService ListCommitments ListCommitmentsRequest $POLICY open_only:true"
  "BilateralService ListDecisions ListDecisionsRequest $POLICY country:\"MA\""
)
for list in "${LISTS[@]}"; do
  read -r service method type token fields <<<"$list"
  # The list itself answers.
  raw "$token" "$service" "$method" --type "consular.v1.$type" --text "${fields:-}"
  expect_status "$service.$method answers its first page" OK
  for forged in "${FORGED[@]}"; do
    raw "$token" "$service" "$method" --type "consular.v1.$type" \
      --text "${fields:-} page_token: \"$forged\""
    expect_status "$service.$method: a forged page token ($forged) is INVALID_ARGUMENT" \
      INVALID_ARGUMENT "page_token:"
  done
done

# -- connections that complete TLS and then send nothing, or nothing after HTTP/2's opening, are
#    closed (consular-stats: --handshake-seconds 2, --idle-connection-seconds 3)
silent_close_after() {  # MODE: seconds until the server closed a silent connection ("none": never)
  python3 - "$STATS_PORT" "$CERTS/ca.pem" "$1" <<'PY'
import socket, ssl, sys, time
port, ca, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
context = ssl.create_default_context(cafile=ca)
context.set_alpn_protocols(["h2"])
sock = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5),
                           server_hostname="localhost")
if mode == "preface":
    sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
opened = time.time()
sock.settimeout(0.5)
while time.time() - opened < 30:
    try:
        if not sock.recv(4096):
            break
    except socket.timeout:
        continue
    except (OSError, ssl.SSLError):
        break
else:
    print("none")
    sys.exit(0)
print(f"{time.time() - opened:.1f}")
PY
}
after=$(silent_close_after tls)
if [[ $after != none ]] && python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 10 else 1)" "$after"; then
  pass "a connection that completes TLS and sends nothing is closed ($after s; handshake limit 2 s)"
else
  fail "a connection that completes TLS and sends nothing is closed" "after: $after"
fi
after=$(silent_close_after preface)
if [[ $after != none ]] && python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 15 else 1)" "$after"; then
  pass "a connection silent after HTTP/2's opening is closed ($after s; idle limit 3 s)"
else
  fail "a connection silent after HTTP/2's opening is closed" "after: $after"
fi

# -- SIGTERM with a statement stuck on a lock: the server ends within grace (2 s) + 1 s
LOCKER_FIFO=$WORK/locker.fifo
mkfifo "$LOCKER_FIFO"
# A superuser session holds the case row locked until told to stop.
psql "$SUPER_DSN" -X -q -v ON_ERROR_STOP=1 <"$LOCKER_FIFO" >"$WORK/locker.log" 2>&1 &
LOCKER_PID=$!
exec 7>"$LOCKER_FIFO"
echo "BEGIN; SELECT id FROM cases.cases WHERE id = '$CASE_ID' FOR UPDATE;" >&7
sleep 1
# A note on the locked case: its statement waits for the lock (the client allows it 60 s).
ctl "$OFFICER" --timeout 60 case note "$CASE_ID" --text "Waits for the lock" &
NOTE_PID=$!
stuck=0
for _ in $(seq 50); do
  waiting=$(psql "$SUPER_DSN" -X -A -t -c \
    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND usename = '$SERVICE_DB_ROLE'")
  if [[ $waiting -ge 1 ]]; then stuck=1; break; fi
  sleep 0.1
done
if (( stuck )); then pass "a call's statement is stuck on the lock"; else fail "a call's statement is stuck on the lock"; fi
start=$(date +%s.%N)
kill -TERM "$CASES_PID"
ended=0
for _ in $(seq 100); do
  kill -0 "$CASES_PID" 2>/dev/null || { ended=1; break; }
  sleep 0.05
done
elapsed=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$start" "$(date +%s.%N)")
# Grace 2 s + 1 s. A sanitizer build (ASAN_OPTIONS set by ops/test.sh) also runs LeakSanitizer's
# whole-heap scan at exit, after the server has stopped: 2 s more for that scan alone.
limit=3.0
[[ -n ${ASAN_OPTIONS:-} ]] && limit=5.0
if (( ended )) && python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= float(sys.argv[2]) else 1)" "$elapsed" "$limit"; then
  pass "SIGTERM with a stuck statement: the server ended in ${elapsed} s (grace 2 s, limit $limit s)"
else
  fail "SIGTERM with a stuck statement: the server ended within grace + 1 s" \
    "elapsed ${elapsed} s, ended=$ended; $(tail -n 5 "$CASES_LOG")"
fi
wait "$CASES_PID" 2>/dev/null && server_rc=0 || server_rc=$?
CASES_PID=""
if [[ $server_rc -eq 0 ]]; then pass "the server exits 0"; else fail "the server exits 0" "exit $server_rc"; fi
still_waiting=$(psql "$SUPER_DSN" -X -A -t -c \
  "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND usename = '$SERVICE_DB_ROLE'")
if [[ $still_waiting -eq 0 ]]; then
  pass "its statement was cancelled in PostgreSQL"
else
  fail "its statement was cancelled in PostgreSQL" "$still_waiting still waiting"
fi
echo "ROLLBACK;" >&7
exec 7>&-
wait "$LOCKER_PID" 2>/dev/null || true
wait "$NOTE_PID" 2>/dev/null || true
notes=$(psql "$SUPER_DSN" -X -A -t -c "SELECT count(*) FROM cases.case_notes WHERE case_id = '$CASE_ID'")
if [[ $notes -eq 0 ]]; then
  pass "the cancelled call wrote nothing"
else
  fail "the cancelled call wrote nothing" "$notes notes"
fi

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
