#!/usr/bin/env bash
# The web gateway in front of the real case service: real PostgreSQL, consular-cases over TLS,
# consular-web over HTTPS, and curl as the browser (cookie jar, gRPC-Web frames). Everything it
# starts lives in a temporary folder and is stopped and removed on exit.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tests/e2e/web_e2e.sh --cases BIN --web BIN --migrate BIN --ctl BIN [--work-dir DIR]
Set CONSULAR_E2E_KEEP=1 to keep the temporary folder for inspection.
USAGE
}

CASES_BIN="" WEB_BIN="" MIGRATE_BIN="" CTL_BIN="" WORK_PARENT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cases) CASES_BIN=$2; shift 2 ;;
    --web) WEB_BIN=$2; shift 2 ;;
    --migrate) MIGRATE_BIN=$2; shift 2 ;;
    --ctl) CTL_BIN=$2; shift 2 ;;
    --work-dir) WORK_PARENT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
for bin in "$CASES_BIN" "$WEB_BIN" "$MIGRATE_BIN" "$CTL_BIN"; do
  [[ -n $bin && -x $bin ]] || { usage >&2; exit 2; }
done
command -v curl >/dev/null || { echo "SETUP FAILED: curl not found" >&2; exit 1; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OPS=$(cd "$HERE/../../ops" && pwd)
KEEP=${CONSULAR_E2E_KEEP:-0}
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

e2e_make_work_dir web
CASES_PID="" WEB_PID=""
CASES_LOG=$WORK/cases.log
WEB_LOG=$WORK/web.log
CASES_PORT=$(free_port)
WEB_PORT=$(free_port)

# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local status=$?
  e2e_stop_pids "$CASES_PID" "$WEB_PID"
  e2e_finish "$status" "$CASES_LOG" "$WEB_LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

e2e_setup_database
"$MIGRATE_BIN" --dsn "$OWNER_DSN" >"$WORK/migrate.log" 2>&1 || setup_fail "migrations"
e2e_seed_units "$OWNER_DSN"

mkdir -p "$WORK/static"
echo '<!doctype html><html lang="nl"><title>Consulair</title></html>' >"$WORK/static/index.html"

start_server "$CASES_BIN" "$CASES_PORT" "$CASES_LOG"
CASES_PID=$STARTED_PID
wait_listening consular-cases "$CASES_PID" "$CASES_LOG"
"$WEB_BIN" --listen "127.0.0.1:$WEB_PORT" --tls-cert "$CERTS/server.pem" \
  --tls-key "$CERTS/server.key" --ca-cert "$CERTS/ca.pem" --cases-addr "localhost:$CASES_PORT" \
  --static-dir "$WORK/static" --dev-sign-in-key "$CERTS/token-signing.pem" >"$WEB_LOG" 2>&1 &
WEB_PID=$!
wait_listening consular-web "$WEB_PID" "$WEB_LOG"

CTL_ADDRS=(--addr "localhost:$CASES_PORT")
URL="https://localhost:$WEB_PORT"
# curl as a browser would be: the development CA trusted, nothing else.
web() {  # JAR ARGS...: runs curl with the cookie jar; sets OUT (body), HEADERS and RC
  local jar=$1
  shift
  RC=0
  OUT=$(curl -sS --cacert "$CERTS/ca.pem" -b "$jar" -c "$jar" -D "$WORK/headers" "$@" \
    2>"$WORK/curl.err") || RC=$?
  HEADERS=$(tr -d '\r' <"$WORK/headers" 2>/dev/null || true)
  ERR=$(<"$WORK/curl.err")
}
# A gRPC-Web request body: one data frame around the message bytes in FILE.
frame() {  # FILE OUT
  python3 - "$1" "$2" <<'PY'
import struct, sys
message = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(b"\x00" + struct.pack(">I", len(message)) + message)
PY
}
# A GetCaseRequest {case_id: ID} (field 1, length-delimited), framed, in FILE.
get_case_body() {  # ID FILE
  python3 - "$1" "$WORK/get.msg" <<'PY'
import sys
value = sys.argv[1].encode()
open(sys.argv[2], "wb").write(b"\x0a" + bytes([len(value)]) + value)
PY
  frame "$WORK/get.msg" "$2"
}
# The grpc-status of the gRPC-Web answer in FILE (from its trailer frame).
grpc_status() {  # FILE
  python3 - "$1" <<'PY'
import struct, sys
body = open(sys.argv[1], "rb").read()
at = 0
while at + 5 <= len(body):
    flag = body[at]
    n = struct.unpack(">I", body[at + 1:at + 5])[0]
    if flag & 0x80:
        for line in body[at + 5:at + 5 + n].decode().split("\r\n"):
            if line.startswith("grpc-status:"):
                print(line.split(":", 1)[1].strip())
    at += 5 + n
PY
}
call() {  # JAR METHOD BODY-FILE [CSRF]: a gRPC-Web call; the answer in $WORK/answer, STATUS set
  local jar=$1 method=$2 body=$3 csrf=${4:-}
  local headers=(-H "Content-Type: application/grpc-web+proto" -H "x-access-purpose: casework")
  [[ -n $csrf ]] && headers+=(-H "X-CSRF-Token: $csrf")
  RC=0
  curl -sS --cacert "$CERTS/ca.pem" -b "$jar" -c "$jar" "${headers[@]}" \
    --data-binary "@$body" -o "$WORK/answer" "$URL/consular.v1.$method" 2>"$WORK/curl.err" || RC=$?
  STATUS=$(grpc_status "$WORK/answer")
}
sign_in() {  # JAR ROLE UNIT: the development sign-in; prints the CSRF token
  curl -sS --cacert "$CERTS/ca.pem" -c "$1" -H "Content-Type: application/json" \
    -d "{\"role\":\"$2\",\"unit\":\"$3\"}" "$URL/auth/dev-sign-in" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf"])'
}

# ---------------------------------------------------------------------------------------------
web "$WORK/anon.jar" "$URL/"
if [[ $RC -eq 0 && $OUT == *"<title>Consulair</title>"* \
      && ${HEADERS,,} == *"content-security-policy: default-src 'self'; script-src 'self'"* \
      && ${HEADERS,,} == *"x-frame-options: deny"* ]]; then
  pass "the gateway serves the client's files with a strict CSP"
else
  fail "the gateway serves the client's files with a strict CSP" "$(details)"
fi

OFFICER_JAR=$WORK/officer.jar
OFFICER_CSRF=$(sign_in "$OFFICER_JAR" ROLE_CONSULAR_OFFICER RABAT)
if [[ ${#OFFICER_CSRF} -eq 64 ]] && grep -q "#HttpOnly_localhost.*__Host-consular-session" \
      "$OFFICER_JAR"; then
  pass "an officer of RABAT signs in (development sign-in): an HttpOnly session cookie"
else
  fail "an officer of RABAT signs in (development sign-in): an HttpOnly session cookie" \
    "$(cat "$OFFICER_JAR")"
fi

ctl "$(mint officer RABAT)" case create --type abandonment --country MA --name "Amina Webtest" \
  --sex female --nationality dual --referral family --json
REF=$(json_field reference)
[[ -n $REF ]] || setup_fail "case create: $ERR"

printf '' >"$WORK/empty.msg"
frame "$WORK/empty.msg" "$WORK/list.body"
call "$OFFICER_JAR" CaseService/ListCases "$WORK/list.body" "$OFFICER_CSRF"
if [[ $RC -eq 0 && $STATUS == 0 ]] && grep -qa "$REF" "$WORK/answer"; then
  pass "ListCases through the gateway lists the post's case"
else
  fail "ListCases through the gateway lists the post's case" "status $STATUS, rc $RC: $(<"$WORK/curl.err")"
fi

get_case_body "$REF" "$WORK/get.body"
call "$OFFICER_JAR" CaseService/GetCase "$WORK/get.body" "$OFFICER_CSRF"
if [[ $STATUS == 0 ]] && grep -qa "Amina Webtest" "$WORK/answer"; then
  pass "GetCase through the gateway: the service decrypts the case for its officer"
else
  fail "GetCase through the gateway: the service decrypts the case for its officer" "status $STATUS"
fi
AUDITED=$(psql "$OWNER_DSN" -X -qtA -c "SELECT count(*) FROM audit.events WHERE
  actor = 'dev-officer-rabat' AND action = 'CaseService.GetCase' AND purpose = 'casework'")
if [[ $AUDITED -ge 1 ]]; then
  pass "the read is in the audit trail under the signed-in officer, with its purpose"
else
  fail "the read is in the audit trail under the signed-in officer, with its purpose" "$AUDITED"
fi

call "$OFFICER_JAR" CaseService/GetCase "$WORK/get.body"
if [[ $STATUS == 7 ]]; then
  pass "without the CSRF token the call is PERMISSION_DENIED"
else
  fail "without the CSRF token the call is PERMISSION_DENIED" "status $STATUS"
fi
call "$WORK/anon.jar" CaseService/GetCase "$WORK/get.body"
if [[ $STATUS == 16 ]]; then
  pass "without a session the call is UNAUTHENTICATED"
else
  fail "without a session the call is UNAUTHENTICATED" "status $STATUS"
fi

TUNIS_JAR=$WORK/tunis.jar
TUNIS_CSRF=$(sign_in "$TUNIS_JAR" ROLE_CONSULAR_OFFICER TUNIS)
call "$TUNIS_JAR" CaseService/GetCase "$WORK/get.body" "$TUNIS_CSRF"
if [[ $STATUS == 5 ]] && ! grep -qa "Amina Webtest" "$WORK/answer"; then
  pass "an officer of TUNIS cannot open RABAT's case through the gateway (NOT_FOUND)"
else
  fail "an officer of TUNIS cannot open RABAT's case through the gateway (NOT_FOUND)" \
    "status $STATUS"
fi

call "$OFFICER_JAR" CaseService/NoSuchMethod "$WORK/get.body" "$OFFICER_CSRF"
if [[ $STATUS == 12 ]]; then
  pass "a method outside the API is UNIMPLEMENTED"
else
  fail "a method outside the API is UNIMPLEMENTED" "status $STATUS"
fi

web "$OFFICER_JAR" -d "" -H "X-CSRF-Token: $OFFICER_CSRF" "$URL/auth/sign-out"
if [[ $RC -eq 0 && $HEADERS == *" 204"* ]]; then
  pass "the officer signs out"
else
  fail "the officer signs out" "$(details) $HEADERS"
fi
call "$OFFICER_JAR" CaseService/GetCase "$WORK/get.body" "$OFFICER_CSRF"
if [[ $STATUS == 16 ]]; then
  pass "after sign-out the old session is refused (UNAUTHENTICATED)"
else
  fail "after sign-out the old session is refused (UNAUTHENTICATED)" "status $STATUS"
fi

kill -TERM "$WEB_PID"
WEB_EXIT=0
wait "$WEB_PID" || WEB_EXIT=$?
WEB_PID=""
if [[ $WEB_EXIT -eq 0 ]]; then
  pass "consular-web exits 0 on SIGTERM"
else
  fail "consular-web exits 0 on SIGTERM" "exit $WEB_EXIT"
fi

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
