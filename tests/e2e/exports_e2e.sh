#!/usr/bin/env bash
# End-to-end test of exports under two keys (docs/records.md): real PostgreSQL, the real
# consular-cases over TLS, the real consularctl. A subject-access request is made, approved by a
# second person and obtained as HTML and JSON; a bulk export is made, approved with a password,
# downloaded and opened with 7-Zip as its recipient would. Everything lives in a temporary folder
# and is stopped and removed on exit.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tests/e2e/exports_e2e.sh --cases BIN --migrate BIN --ctl BIN [--work-dir DIR]

  --cases     the consular-cases server binary
  --migrate   the consular-migrate binary
  --ctl       the consularctl binary
  --work-dir  folder for the temporary files (default: the system's temporary folder)
Needs 7z (p7zip-full) to open the password-protected ZIP. Set CONSULAR_E2E_KEEP=1 to keep the
temporary folder for inspection.
USAGE
}

CASES_BIN="" MIGRATE_BIN="" CTL_BIN="" WORK_PARENT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cases) CASES_BIN=$2; shift 2 ;;
    --migrate) MIGRATE_BIN=$2; shift 2 ;;
    --ctl) CTL_BIN=$2; shift 2 ;;
    --work-dir) WORK_PARENT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
if [[ -z $CASES_BIN || -z $MIGRATE_BIN || -z $CTL_BIN ]]; then usage >&2; exit 2; fi
for bin in "$CASES_BIN" "$MIGRATE_BIN" "$CTL_BIN"; do
  [[ -x $bin ]] || { echo "exports_e2e: not an executable: $bin" >&2; exit 2; }
done
command -v 7z >/dev/null || { echo "exports_e2e: 7z not found (ops/install-deps.sh)" >&2; exit 2; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OPS=$(cd "$HERE/../../ops" && pwd)

KEEP=${CONSULAR_E2E_KEEP:-0}
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

e2e_make_work_dir exports
SERVER_PID=""
SERVER_LOG=$WORK/cases.log
CASES_PORT=$(free_port)

# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local status=$?
  e2e_stop_pids "$SERVER_PID"
  e2e_finish "$status" "$SERVER_LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

e2e_setup_database
"$MIGRATE_BIN" --dsn "$OWNER_DSN" >"$WORK/migrate.log" 2>&1 \
  || setup_fail "migrations failed: $(cat "$WORK/migrate.log")"
e2e_seed_units "$OWNER_DSN"

start_server "$CASES_BIN" "$CASES_PORT" "$SERVER_LOG"
SERVER_PID=$STARTED_PID
wait_listening "consular-cases" "$SERVER_PID" "$SERVER_LOG"
CTL_ADDRS=(--addr "localhost:$CASES_PORT")

OFFICER=$(mint officer RABAT) || setup_fail "dev token not minted"
MANAGER=$(mint manager RABAT) || setup_fail "dev token not minted"
MANAGER_TUNIS=$(mint manager TUNIS) || setup_fail "dev token not minted"

# -- a case with what the person's export keeps and what it leaves out
ctl "$OFFICER" --json case create --type abandonment --country MA --name "Amina Example" \
  --sex female --nationality dual --referral self --safe-channel "Signal +212 600 111 222" \
  --covert-notes "Brother checks her phone every evening" --code-word "orangeblossom"
REF=$(json_field reference)
[[ $RC -eq 0 && -n $REF ]] || { fail "the case is created" "$(details)"; exit 1; }
ctl "$OFFICER" case person add "$REF" --role child --name "Yasmin Thirdparty"
expect_ok "a child is added to the case"
ctl "$OFFICER" case note "$REF" --text "She wants to return before the school year starts"
expect_ok "a note is added"

# -- subject access: request, refused approval by the requester, approval by a manager, get
ctl "$OFFICER" --json sar request "$REF" --language en --note "Her e-mail of 3 March"
SAR_ID=$(json_field id)
if [[ $RC -eq 0 && -n $SAR_ID && $(json_field state) == EXPORT_STATE_PENDING ]]; then
  pass "an officer asks for the person's data (pending)"
else
  fail "an officer asks for the person's data" "$(details)"
fi
ctl "$OFFICER" sar get "$SAR_ID" --out "$WORK"
expect_error "nothing is obtained before approval" FAILED_PRECONDITION
ctl "$OFFICER" sar answer "$SAR_ID" --approve
expect_error "the requester cannot approve" PERMISSION_DENIED
ctl "$MANAGER_TUNIS" sar answer "$SAR_ID" --approve
expect_error "another post's manager does not find the request" NOT_FOUND
ctl "$MANAGER" sar answer "$SAR_ID" --approve --days 5
expect_out "the post manager approves it" "approved"
mkdir -p "$WORK/sar"
ctl "$OFFICER" sar get "$SAR_ID" --out "$WORK/sar"
HTML=$WORK/sar/subject-access-$REF.html
JSON=$WORK/sar/subject-access-$REF.json
if [[ $RC -eq 0 && -s $HTML && -s $JSON ]]; then
  pass "the requester obtains the HTML and the JSON"
else
  fail "the requester obtains the HTML and the JSON" "$(details)"
fi
if grep -q "Amina Example" "$HTML" && grep -q "She wants to return" "$HTML" \
   && grep -q "Amina Example" "$JSON" && grep -q "GDPR art. 15(4)" "$JSON" \
   && python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$JSON"; then
  pass "the export holds her name, her note and the grounds of what is withheld (valid JSON)"
else
  fail "the export holds her data" "$(head -c 2000 "$JSON")"
fi
if grep -q -e "Brother checks" -e "orangeblossom" -e "Yasmin Thirdparty" "$HTML" "$JSON"; then
  fail "no covert notes, code word or third party in the export" \
    "$(grep -n -e "Brother checks" -e "orangeblossom" -e "Yasmin Thirdparty" "$HTML" "$JSON")"
else
  pass "no covert notes, code word or third party in the export"
fi

# -- a bulk export under two keys, with a password
ctl "$OFFICER" --json export request --country MA --legal-basis "Court order 2026/113, art. 6(1)(c) GDPR" \
  --recipient "District court of The Hague" --purpose "Recognition proceedings"
EXPORT_ID=$(json_field id)
[[ $RC -eq 0 && -n $EXPORT_ID ]] && pass "an officer asks for an export" \
  || fail "an officer asks for an export" "$(details)"
ctl "$OFFICER" export download "$EXPORT_ID" --out "$WORK/early.zip"
expect_error "nothing is downloaded before approval" FAILED_PRECONDITION
PASSWORD_FILE=$WORK/password
printf '%s\n' "Tulips in March, 2026!" >"$PASSWORD_FILE"
chmod 600 "$PASSWORD_FILE"
ctl "$OFFICER" export answer "$EXPORT_ID" --approve --password-file "$PASSWORD_FILE" --days 3 \
  --downloads 1
expect_error "the requester cannot approve the export" PERMISSION_DENIED
ctl "$MANAGER" export answer "$EXPORT_ID" --approve --password-file "$PASSWORD_FILE" --days 3 \
  --downloads 1
expect_out "the post manager approves it with a password" "AES-256 ZIP" "1 of 1 left"
ctl "$OFFICER" export download "$EXPORT_ID" --out "$WORK/export.zip"
expect_out "the requester downloads the file" "0 download(s) left"
if 7z x -y -p"Tulips in March, 2026!" -o"$WORK/opened" "$WORK/export.zip" >"$WORK/7z.log" 2>&1 \
   && grep -q "$REF" "$WORK/opened/cases.json" && grep -q "Amina Example" "$WORK/opened/cases.json"; then
  pass "7-Zip opens it with the password, and it holds the case"
else
  fail "7-Zip opens it with the password" "$(cat "$WORK/7z.log")"
fi
if 7z x -y -p"a wrong password entirely" -o"$WORK/wrong" "$WORK/export.zip" >"$WORK/7z-wrong.log" 2>&1; then
  fail "a wrong password does not open it" "$(cat "$WORK/7z-wrong.log")"
else
  pass "a wrong password does not open it"
fi
if grep -q -e "Brother checks" -e "orangeblossom" "$WORK/opened/cases.json"; then
  fail "no covert notes or code word in the export" ""
else
  pass "no covert notes or code word in the export"
fi
ctl "$OFFICER" export download "$EXPORT_ID" --out "$WORK/second.zip"
expect_error "a second download is refused: its one download is used" FAILED_PRECONDITION
ctl "$OFFICER" export list
expect_out "the list shows it expired" "expired"

# -- an expired export's file is destroyed by cases.purge_expired_exports, which runs as the
#    schema's owner (not a superuser here) whoever calls it; ListExports calls it first
ctl "$OFFICER" --json export request --legal-basis "Court order 2026/114, art. 6(1)(c) GDPR" \
  --recipient "Public prosecutor" --purpose "Criminal investigation"
EXPIRING_ID=$(json_field id)
ctl "$MANAGER" export answer "$EXPIRING_ID" --approve --password-file "$PASSWORD_FILE" --days 1 \
  --downloads 3
expect_ok "a second export is approved for one day"
# Two days pass for it (the superuser moves its dates past the guard, as no clock can be moved
# for a running server).
psql "$SUPER_DSN" -X -q -v ON_ERROR_STOP=1 \
  -c "ALTER TABLE cases.exports DISABLE TRIGGER exports_guard" \
  -c "UPDATE cases.exports SET requested_at = requested_at - interval '2 days',
        answered_at = answered_at - interval '2 days', expires_at = expires_at - interval '2 days'
      WHERE id = '$EXPIRING_ID'" \
  -c "ALTER TABLE cases.exports ENABLE TRIGGER exports_guard" >/dev/null \
  || setup_fail "cannot move the export's dates"
ctl "$OFFICER" export list
expect_out "the list shows the second export expired" "expired"
DESTROYED=$(psql "$SUPER_DSN" -X -A -t -c \
  "SELECT file IS NULL AND file_destroyed_at IS NOT NULL FROM cases.exports WHERE id = '$EXPIRING_ID'")
if [[ $DESTROYED == t ]]; then
  pass "listing destroyed the expired export's stored file"
else
  fail "listing destroyed the expired export's stored file" "file IS NULL: $DESTROYED"
fi
ctl "$OFFICER" export download "$EXPIRING_ID" --out "$WORK/expired.zip"
expect_error "the expired export is not downloaded" FAILED_PRECONDITION

# -- what the database and the trail hold
STORED=$(psql "$SUPER_DSN" -X -A -t -c \
  "SELECT count(*) FROM cases.exports e WHERE e.file IS NOT NULL OR e::text LIKE '%Tulips%'")
if [[ $STORED == 0 ]]; then
  pass "the database holds neither the password nor (after its last download) the file"
else
  fail "the database holds neither the password nor the file" "rows: $STORED"
fi
TRAIL=$(psql "$SUPER_DSN" -X -A -t -c \
  "SELECT string_agg(action || ' ' || outcome, ', ' ORDER BY id) FROM audit.events WHERE action LIKE 'ExportService.%'")
for step in "RequestSubjectAccess OK" "AnswerSubjectAccess PERMISSION_DENIED" \
            "AnswerSubjectAccess OK" "GetSubjectAccessExport OK" "RequestExport OK" \
            "AnswerExport PERMISSION_DENIED" "AnswerExport OK" "DownloadExport OK" \
            "DownloadExport FAILED_PRECONDITION"; do
  if [[ $TRAIL != *"ExportService.$step"* ]]; then
    fail "the audit trail shows every step" "missing $step in: $TRAIL"
    TRAIL=""
    break
  fi
done
[[ -n $TRAIL ]] && pass "the audit trail shows every step, refused ones too"
if grep -q -e "Tulips" "$SERVER_LOG"; then
  fail "the password is not in the server log" "$(grep -n Tulips "$SERVER_LOG")"
else
  pass "the password is not in the server log"
fi

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
