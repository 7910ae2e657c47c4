#!/usr/bin/env bash
# End-to-end test of records management (docs/records.md): consular-cases and consular-audit over
# TLS with PostgreSQL migrated by the (non-superuser) owner, driven with consularctl: a schedule of
# 0 years, a closed case proposed, reviewed in both slots and anonymised, a held case left alone,
# the tombstone, and the audit chain.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tests/e2e/records_e2e.sh --cases BIN --audit BIN --migrate BIN --ctl BIN [--work-dir DIR]
Set CONSULAR_E2E_KEEP=1 to keep the temporary folder for inspection.
USAGE
}

CASES_BIN="" AUDIT_BIN="" MIGRATE_BIN="" CTL_BIN="" WORK_PARENT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cases) CASES_BIN=$2; shift 2 ;;
    --audit) AUDIT_BIN=$2; shift 2 ;;
    --migrate) MIGRATE_BIN=$2; shift 2 ;;
    --ctl) CTL_BIN=$2; shift 2 ;;
    --work-dir) WORK_PARENT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
for bin in "$CASES_BIN" "$AUDIT_BIN" "$MIGRATE_BIN" "$CTL_BIN"; do
  [[ -n $bin && -x $bin ]] || { usage >&2; exit 2; }
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OPS=$(cd "$HERE/../../ops" && pwd)
KEEP=${CONSULAR_E2E_KEEP:-0}
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

e2e_make_work_dir records
CASES_PID="" AUDIT_PID=""
CASES_LOG=$WORK/cases.log
AUDIT_LOG=$WORK/audit.log
CASES_PORT=$(free_port)
AUDIT_PORT=$(free_port)

# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local status=$?
  e2e_stop_pids "$CASES_PID" "$AUDIT_PID"
  e2e_finish "$status" "$CASES_LOG" "$AUDIT_LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

e2e_setup_database
"$MIGRATE_BIN" --dsn "$OWNER_DSN" >"$WORK/migrate.log" 2>&1 \
  || setup_fail "migrations: $(cat "$WORK/migrate.log")"
e2e_seed_units "$OWNER_DSN"

start_server "$CASES_BIN" "$CASES_PORT" "$CASES_LOG" --destruction-list-interval-minutes 0
CASES_PID=$STARTED_PID
"$AUDIT_BIN" --listen "127.0.0.1:$AUDIT_PORT" --dsn "$APP_DSN" \
  --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key" \
  --token-public-keys "$CERTS/token-public.pem" --chain-interval-ms 50 >"$AUDIT_LOG" 2>&1 &
AUDIT_PID=$!
wait_listening consular-cases "$CASES_PID" "$CASES_LOG"
wait_listening consular-audit "$AUDIT_PID" "$AUDIT_LOG"

CTL_ADDRS=(--addr "localhost:$CASES_PORT" --audit-addr "localhost:$AUDIT_PORT")
OFFICER=$(mint officer RABAT) || setup_fail "dev token not minted"
MANAGER=$(mint manager RABAT) || setup_fail "dev token not minted"
ADMIN=$(mint administrator) || setup_fail "dev token not minted"
AUDITOR=$(mint auditor) || setup_fail "dev token not minted"
NAME="Hayat Recordsperson"

# -- the schedule
ctl "$OFFICER" retention set-schedule --type abandonment --years 0 --reason "Test of the whole cycle"
expect_error "an officer may not change a schedule" PERMISSION_DENIED
ctl "$ADMIN" retention set-schedule --type abandonment --years 0 --reason "Test of the whole cycle"
expect_out "an administrator sets abandonment cases to 0 years" "0 year(s) after closing"
ctl "$OFFICER" retention schedules
expect_out "the schedules in force show it" "abandonment" "Test of the whole cycle"

# -- two cases closed: one to destroy, one held
new_closed_case() {  # NAME: creates and closes a case; sets REF
  ctl "$OFFICER" --json case create --type abandonment --country MA --name "$1" --sex female \
    --nationality dual --referral family --dob 1991-05-04 --safe-channel "Her cousin's phone"
  REF=$(json_field reference)
  [[ -n $REF ]] || setup_fail "case not created: $(details)"
  ctl "$OFFICER" case transition "$REF" ACTIVE --reason "Reached her"
  ctl "$OFFICER" case transition "$REF" RESOLVED --outcome contact-lost --reason "No answer"
  ctl "$MANAGER" case transition "$REF" CLOSED --reason "Nothing left to do"
  [[ $RC -eq 0 ]] || setup_fail "case not closed: $(details)"
}
new_closed_case "$NAME"
GONE=$REF
new_closed_case "Held Otherperson"
HELD=$REF
ctl "$OFFICER" case get "$GONE"
expect_out "a closed case shows its archive action date (closing day + 0 years)" \
  "Archive date" "$(date -u +%F)"

ctl "$ADMIN" hold place "$HELD" --reason "Court proceedings pending"
expect_out "an administrator holds a case by reference (reference and unit only)" \
  "HELD  $HELD  RABAT"

# -- the list
ctl "$ADMIN" --json retention propose
LIST=$(json_field number)
if [[ $RC -eq 0 && $LIST =~ ^VL-[0-9]{4}-[0-9]+$ && $OUT == *"$GONE"* && $OUT != *"$HELD"* ]]; then
  pass "an administrator proposes $LIST: the closed case, not the held one"
else
  fail "an administrator proposes a list: the closed case, not the held one" "$(details)"
  exit 1
fi
ctl "$OFFICER" retention show "$LIST"
expect_error "an officer does not see destruction lists" PERMISSION_DENIED
ctl "$ADMIN" retention process "$LIST" --request-id early
expect_out "processing before any review anonymises nothing" "SKIPPED_NOT_APPROVED"
ctl "$ADMIN" --json retention propose
LIST=$(json_field number)
expect_ok "the case comes back on the next list ($LIST)"
ctl "$MANAGER" retention review "$LIST" --approve "$GONE" --reason "Checked by the post"
expect_out "the Rabat manager approves it" "HANDLING_UNIT APPROVE"
ctl "$AUDITOR" retention review "$LIST" --approve "$GONE" --reason "Checked by the auditor"
expect_out "an auditor approves it" "AUDITOR APPROVE"
ctl "$AUDITOR" retention review "$LIST" --exclude "$GONE" --reason "Second thoughts"
expect_error "a decision is never changed" FAILED_PRECONDITION
ctl "$ADMIN" retention process "$LIST"
expect_out "an administrator processes the list: the case is anonymised" "PROCESSED" "ANONYMISED"

# -- the tombstone
ctl "$OFFICER" case get "$GONE"
expect_out "the case shows its tombstone" "$GONE" "Anonymised" "under list $LIST"
expect_out_without "... and no name" "$NAME"
ctl "$OFFICER" case duplicates --name "$NAME" --dob 1991-05-04
expect_out_without "her name finds nothing any more" "RABAT"
ctl "$MANAGER" case transition "$GONE" ACTIVE --reason "She called again"
expect_error "an anonymised case is not reopened" FAILED_PRECONDITION "anonymised"
ctl "$OFFICER" case get "$HELD"
expect_out "the held case is untouched" "Held Otherperson" "Legal hold"
pg_dump --data-only -d "$SUPER_DSN" >"$WORK/dump.sql" 2>"$WORK/dump.err" \
  || setup_fail "pg_dump: $(cat "$WORK/dump.err")"
if grep -q "$HELD" "$WORK/dump.sql" && ! grep -q "Hayat" "$WORK/dump.sql"; then
  pass "a dump of the database holds the cases' references and not the name"
else
  fail "a dump of the database holds the cases' references and not the name"
fi

# -- the audit trail
sleep 0.5
ctl "$AUDITOR" audit verify
expect_out "the audit chain still verifies" "chain valid"
ctl "$AUDITOR" audit list --case "$GONE"
expect_out "the audit trail names the anonymisation" "ProcessDestructionList"

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
