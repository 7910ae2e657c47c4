#!/usr/bin/env bash
# End-to-end test of the case service: real PostgreSQL, the real server over TLS, the real client.
# Everything it starts lives in a temporary folder and is stopped and removed on exit.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tests/e2e/cases_e2e.sh --cases BIN --migrate BIN --ctl BIN [--work-dir DIR]

  --cases     the consular-cases server binary
  --migrate   the consular-migrate binary
  --ctl       the consularctl binary
  --work-dir  folder for the temporary files (default: the system's temporary folder)
Set CONSULAR_E2E_KEEP=1 to keep the temporary folder for inspection.
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
  [[ -x $bin ]] || { echo "cases_e2e: not an executable: $bin" >&2; exit 2; }
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OPS=$(cd "$HERE/../../ops" && pwd)

KEEP=${CONSULAR_E2E_KEEP:-0}
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

# ---------------------------------------------------------------------------------------------
# Set-up: a temporary folder, PostgreSQL, certificates, the server.

e2e_make_work_dir e2e
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

# ---------------------------------------------------------------------------------------------
# Checks.

# consularctl (ctl, lib.sh) talks to:
CTL_ADDRS=(--addr "localhost:$CASES_PORT")

# Counts of CREATED and TRANSITIONED events in the JSON (or text) in OUT: "created transitioned".
count_events() {
  python3 -c 'import json, re, sys
text = sys.stdin.read()
types = []
def walk(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "type" and isinstance(value, str):
                types.append(value)
            else:
                walk(value)
    elif isinstance(node, list):
        for item in node:
            walk(item)
try:
    walk(json.loads(text))
except ValueError:
    types = re.findall(r"\b(?:CASE_EVENT_TYPE_)?(CREATED|TRANSITIONED|UPDATED|NOTE_ADDED)\b", text)
short = [t.rsplit("CASE_EVENT_TYPE_", 1)[-1] for t in types]
print(short.count("CREATED"), short.count("TRANSITIONED"))' <<<"$OUT"
}

# -- migrations
if "$MIGRATE_BIN" --dsn "$OWNER_DSN" >"$WORK/migrate.log" 2>&1; then
  pass "migrations apply"
else
  fail "migrations apply" "$(cat "$WORK/migrate.log")"
  exit 1
fi
if "$MIGRATE_BIN" --dsn "$OWNER_DSN" >"$WORK/migrate.log" 2>&1; then
  pass "migrations applied a second time change nothing and succeed"
else
  fail "migrations applied a second time change nothing and succeed" "$(cat "$WORK/migrate.log")"
fi
# The register of units as the local stack seeds it.
e2e_seed_units "$OWNER_DSN"

# -- the server refuses a database role that row-level security does not hold
if [[ $SERVICE_DB_ROLE != consular ]]; then
  RC=0
  OUT=$(timeout 20 "$CASES_BIN" --listen "127.0.0.1:$CASES_PORT" --dsn "$OWNER_DSN" \
    --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key" \
    --token-public-keys "$CERTS/token-public.pem" \
    --field-keys "$CERTS/field-keys" --blind-index-key "$CERTS/blind-index.key" 2>&1) || RC=$?
  if [[ $RC -ne 0 && $RC -ne 124 && $OUT == *"row-level security"* && $OUT == *owns* ]]; then
    pass "the server refuses to start as the table owner"
  else
    fail "the server refuses to start as the table owner" "exit $RC: $OUT"
  fi
fi

# -- the server over TLS
"$CASES_BIN" --listen "127.0.0.1:$CASES_PORT" --dsn "$APP_DSN" \
  --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key" \
  --token-public-keys "$CERTS/token-public.pem" \
  --field-keys "$CERTS/field-keys" --blind-index-key "$CERTS/blind-index.key" >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
ready=0
for _ in $(seq 100); do
  kill -0 "$SERVER_PID" 2>/dev/null || break
  if grep -q "listening on" "$SERVER_LOG"; then ready=1; break; fi
  sleep 0.2
done
if (( ready )); then
  pass "server starts and says it is listening"
else
  fail "server starts and says it is listening" "$(tail -n 20 "$SERVER_LOG")"
  exit 1
fi

# -- TLS 1.2 at least: a TLS 1.1 handshake is refused (the client side is allowed to offer it)
tls_cipher() {  # VERSION-FLAG [EXTRA...]: the cipher s_client negotiated, "(NONE)" if refused
  echo | timeout 10 openssl s_client -connect "127.0.0.1:$CASES_PORT" -servername localhost \
    -CAfile "$CERTS/ca.pem" "$@" 2>&1 | sed -n 's/.*Cipher is //p' | head -n 1 || true
}
TLS11=$(tls_cipher -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0')
TLS12=$(tls_cipher -tls1_2)
if [[ $TLS11 == "(NONE)" && -n $TLS12 && $TLS12 != "(NONE)" ]]; then
  pass "TLS 1.1 is refused, TLS 1.2 is accepted ($TLS12)"
else
  fail "TLS 1.1 is refused, TLS 1.2 is accepted" "TLS 1.1: '$TLS11', TLS 1.2: '$TLS12'"
fi

OFFICER_RABAT=$(mint officer RABAT) || setup_fail "dev token not minted"
OFFICER_TUNIS=$(mint officer TUNIS) || setup_fail "dev token not minted"
POLICY=$(mint policy-staff) || setup_fail "dev token not minted"

# -- create
# Every statement and its parameters go to the PostgreSQL log from here on, to prove that no
# personal data reaches the database in plaintext.
psql "$ADMIN_DSN" -X -q -v ON_ERROR_STOP=1 -c "ALTER DATABASE consular SET log_statement = 'all'" \
  || setup_fail "cannot turn on statement logging"
ctl "$OFFICER_RABAT" --json case create --type abandonment --country MA --name "Amina Example" \
  --sex female --nationality dual --referral family --flag passport-withheld --dob 2006-03-01 \
  --safe-channel "Signal +212 600 111 222"
REF=$(json_field reference)
CASE_ID=$(json_field id)
if [[ $RC -eq 0 && $REF =~ ^ABN-[0-9]{4}-[0-9]{5}$ && -n $CASE_ID ]]; then
  pass "officer of RABAT creates an abandonment case in MA ($REF)"
else
  fail "officer of RABAT creates an abandonment case in MA" "$(details)"
  exit 1
fi

# -- read it back
ctl "$OFFICER_RABAT" --json case get "$REF"
if [[ $RC -eq 0 && $(json_field reference) == "$REF" && $(json_field id) == "$CASE_ID" \
      && $(json_field status) == *INTAKE* && $(json_field country) == MA ]]; then
  pass "get by reference returns the case, in INTAKE"
else
  fail "get by reference returns the case, in INTAKE" "$(details)"
fi
ctl "$OFFICER_RABAT" case get "$CASE_ID"
if [[ $RC -eq 0 && $OUT == *"$REF"* ]]; then
  pass "get by id returns the case"
else
  fail "get by id returns the case" "$(details)"
fi

ctl "$OFFICER_RABAT" case list --country MA
if [[ $RC -eq 0 && $OUT == *"$REF"* ]]; then
  pass "list --country MA finds the case"
else
  fail "list --country MA finds the case" "$(details)"
fi

# -- another post sees nothing
ctl "$OFFICER_TUNIS" case get "$REF"
expect_error "officer of TUNIS cannot get it (NOT_FOUND)" NOT_FOUND
ctl "$(mint officer RABATT)" case list --country MA
expect_error "a token for a post outside the register of units is UNAUTHENTICATED" \
  UNAUTHENTICATED "RABATT is not an active unit of the register"
ctl "$(mint officer KABUL)" case list --country AF
expect_error "a token for a closed post (KABUL) is UNAUTHENTICATED" UNAUTHENTICATED
ctl "$OFFICER_RABAT" case list --post rabatt
expect_error "a filter naming a post outside the register is refused by field" \
  INVALID_ARGUMENT "post: RABATT is not a unit of the register"
ctl "$OFFICER_TUNIS" case list --country MA
if [[ $RC -eq 0 && $OUT != *"$REF"* ]]; then
  pass "officer of TUNIS does not see it in the list"
else
  fail "officer of TUNIS does not see it in the list" "$(details)"
fi

# -- find by name (blind index): accents, case and spacing folded; scoped like list
ctl "$OFFICER_RABAT" case find --name "  AMÍNA   example "
if [[ $RC -eq 0 && $OUT == *"$REF"* ]]; then
  pass "case find --name folds accents, case and spacing"
else
  fail "case find --name folds accents, case and spacing" "$(details)"
fi
ctl "$OFFICER_TUNIS" case find --name "Amina Example"
if [[ $RC -eq 0 && $OUT != *"$REF"* ]]; then
  pass "officer of TUNIS does not find it by name"
else
  fail "officer of TUNIS does not find it by name" "$(details)"
fi

# -- lifecycle
ctl "$OFFICER_RABAT" case transition "$REF" ACTIVE --reason "Contact made through the family"
expect_ok "transition to ACTIVE"
ctl "$OFFICER_RABAT" case transition "$REF" RESOLVED --outcome RETURNED_TO_NL \
  --reason "Emergency travel document issued; back in the Netherlands"
expect_error "RETURNED_TO_NL without the date of return" FAILED_PRECONDITION "abandonment.returned_on"
ctl "$OFFICER_RABAT" case update "$REF" --returned "$(date -u +%F)"
expect_ok "the date of return is recorded"
ctl "$OFFICER_RABAT" case transition "$REF" RESOLVED --outcome RETURNED_TO_NL \
  --reason "Emergency travel document issued; back in the Netherlands"
expect_ok "transition to RESOLVED with outcome RETURNED_TO_NL"
ctl "$OFFICER_RABAT" --json case get "$REF"
if [[ $RC -eq 0 && $(json_field status) == *RESOLVED* && $(json_field outcome) == *RETURNED_TO_NL* ]]; then
  pass "the case is RESOLVED with outcome RETURNED_TO_NL"
else
  fail "the case is RESOLVED with outcome RETURNED_TO_NL" "$(details)"
fi

ctl "$OFFICER_RABAT" --json case events "$REF"
counts=$(count_events)
if [[ $RC -eq 0 && $counts == "1 2" ]]; then
  pass "events: one CREATED and two TRANSITIONED"
else
  fail "events: one CREATED and two TRANSITIONED (counted: $counts)" "$(details)"
fi

# -- a stale version changes nothing
ctl "$OFFICER_RABAT" case update "$REF" --version 1 --region Oujda
expect_error "an update from a stale version is ABORTED" ABORTED

# -- the safety information is never changed silently; its history keeps the former value
ctl "$OFFICER_RABAT" case update "$REF" --safe-channel "+212 611 111111"
expect_error "a safety change without a reason is INVALID_ARGUMENT naming the reason" \
  INVALID_ARGUMENT "reason: required"
ctl "$OFFICER_RABAT" case update "$REF" --safe-channel "+212 611 111111" \
  --reason "Her husband found the old number"
expect_ok "a safety change with its reason"
ctl "$OFFICER_RABAT" case history "$REF" --field safety
if [[ $RC -eq 0 && $OUT == *"safety.safe_contact_channel: Signal +212 600 111 222 → +212 611 111111"* &&
      $OUT == *"why: Her husband found the old number"* ]]; then
  pass "case history shows the former value, the new one and why"
else
  fail "case history shows the former value, the new one and why" "$(details)"
fi

# -- errors
ctl "$OFFICER_RABAT" case create --type abandonment --country ZZZ --name "Amina Example" \
  --sex female --nationality dual --referral family
expect_error "a bad country code is INVALID_ARGUMENT naming case.country" INVALID_ARGUMENT case.country

ctl "" case list --country MA
expect_error "no token is UNAUTHENTICATED" UNAUTHENTICATED

ctl "$POLICY" case list --country MA
expect_error "policy staff may not list cases (PERMISSION_DENIED)" PERMISSION_DENIED
ctl "$POLICY" case get "$REF"
expect_error "policy staff may not read a case (PERMISSION_DENIED)" PERMISSION_DENIED

# ---------------------------------------------------------------------------------------------
# Sharing, emergency access and referral (docs/security.md).
MANAGER_RABAT=$(mint manager RABAT) || setup_fail "dev token not minted"
MANAGER_TUNIS=$(mint manager TUNIS) || setup_fail "dev token not minted"
LKHA=$(mint lkha) || setup_fail "dev token not minted"  # LKHA caseworkers carry no post

# -- the same person at another unit: only the unit is told
ctl "$LKHA" case duplicates --name "Amina Example" --dob 2006-03-01
if [[ $RC -eq 0 && $OUT == *"RABAT"*"same name and date of birth"*"(ask RABAT for a share)"* &&
      $OUT != *"$REF"* ]]; then
  pass "LKHA learns that RABAT has a case of the same person, not which"
else
  fail "LKHA learns that RABAT has a case of the same person, not which" "$(details)"
fi
ctl "$MANAGER_TUNIS" emergency search --name "amina EXAMPLE" --dob 2006-03-01 \
  --reason "She called the embassy in Tunis and is in danger"
if [[ $RC -eq 0 && $OUT == *"$REF"*"RABAT"* && $ERR == *"flagged in the audit trail"* ]]; then
  pass "the emergency search finds the reference and unit by exact name and date of birth"
else
  fail "the emergency search finds the reference and unit by exact name and date of birth" \
    "$(details)"
fi
ctl "$OFFICER_TUNIS" emergency search --name "Amina Example" --dob 2006-03-01 \
  --reason "She called the embassy in Tunis and is in danger"
expect_error "an officer may not make an emergency search" PERMISSION_DENIED

# -- the residence-permit clock: a regular permit lapses after 6 months abroad
LEFT_NL=$(date -u -d "$(date -u +%F) -6 months +20 days" +%F)
ctl "$OFFICER_RABAT" --json case create --type abandonment --country MA --name "Nadia Example" \
  --sex female --nationality residence-permit --referral family --left-nl "$LEFT_NL" \
  --permit-kind regular-fixed-term
PERMIT_REF=$(json_field reference)
ctl "$OFFICER_RABAT" deadlines
if [[ $RC -eq 0 && -n $PERMIT_REF && $OUT == *"4 week(s)  $PERMIT_REF  permit absence"* ]]; then
  pass "the deadline list warns four weeks before a regular permit lapses"
else
  fail "the deadline list warns four weeks before a regular permit lapses" "$(details)"
fi
# -- her documents and the way home
ctl "$OFFICER_RABAT" case document add "$PERMIT_REF" --type passport --status withheld \
  --withheld-by "her husband" --number NX1234567
expect_ok "the withheld passport is recorded"
ctl "$OFFICER_RABAT" case update "$PERMIT_REF" --return-route "Nador - Amsterdam" \
  --return-funding consular-loan --loan-cents 45000 --reception-arranged
expect_ok "the way home is planned with a consular loan"
ctl "$OFFICER_RABAT" case get "$PERMIT_REF"
if [[ $RC -eq 0 && $OUT == *"withheld by her husband"* && $OUT == *"consular loan (EUR 450.00)"* &&
      $OUT == *"Nador - Amsterdam"* ]]; then
  pass "case get shows the documents and the way home"
else
  fail "case get shows the documents and the way home" "$(details)"
fi
ctl "$OFFICER_RABAT" case update "$PERMIT_REF" --return-funding family
expect_error "a loan amount without a consular loan names the field" INVALID_ARGUMENT \
  "case.abandonment.return_plan.loan_amount_cents"



# -- a divorce recognition followed through the foreign court
ctl "$OFFICER_RABAT" --json case create --type divorce --country MA --name "Naima Courtcase" \
  --sex female --nationality dual --referral lkha --divorce-date 2025-03-04 \
  --foreign-court "Tribunal de premiere instance, Nador" --foreign-case-number 1234/2026
COURT_REF=$(json_field reference)
expect_ok "a divorce-recognition case names the foreign court and its case number"
ctl "$OFFICER_RABAT" case stage add "$COURT_REF" --stage filed --on 2025-09-01
expect_ok "the filing is recorded as a step"
HEARING_DAY=$(date -u -d "$(date -u +%F) +10 days" +%F)
ctl "$OFFICER_RABAT" case stage add "$COURT_REF" --stage hearing --on "$HEARING_DAY" \
  --note "bring the legalised certificate"
expect_ok "a hearing ahead is recorded"
ctl "$OFFICER_RABAT" case stage add "$COURT_REF" --stage decision \
  --on "$(date -u -d "$(date -u +%F) +1 day" +%F)"
expect_error "a decision tomorrow is refused, naming the step's day" INVALID_ARGUMENT \
  "case.divorce_recognition.stages[2].on"
ctl "$OFFICER_RABAT" case update "$COURT_REF" --obstacle other
expect_error "the obstacle other needs words" INVALID_ARGUMENT \
  "case.divorce_recognition.obstacle_note"
ctl "$OFFICER_RABAT" case get "$COURT_REF"
expect_out "case get shows the proceedings in order" "Proceedings abroad:" "filed" \
  "hearing" "bring the legalised certificate" "1234/2026"
ctl "$OFFICER_RABAT" deadlines
expect_out "the deadline list shows the hearing" "$COURT_REF" "$HEARING_DAY" "hearing"

# -- every read carries a purpose, chosen once per session; a name search names what it showed
CASES_DSN=${ADMIN_DSN/%dbname=postgres/dbname=consular}
CONSULAR_ACCESS_PURPOSE=supervision ctl "$MANAGER_RABAT" case get "$COURT_REF"
LAST_PURPOSE=$(psql "$CASES_DSN" -X -At -c "SELECT action || ':' || purpose FROM audit.events
  WHERE actor = 'dev-manager-rabat' ORDER BY id DESC LIMIT 1")
if [[ $RC -eq 0 && $LAST_PURPOSE == "CaseService.GetCase:supervision" ]]; then
  pass "the purpose chosen for the session is in the read's audit row"
else
  fail "the purpose chosen for the session is in the read's audit row" "$(details) / $LAST_PURPOSE"
fi
ctl "$MANAGER_RABAT" --access-purpose curiosity case get "$COURT_REF"
if [[ $RC -ne 0 && $ERR == *"--access-purpose"* ]]; then
  pass "an unknown purpose is refused naming --access-purpose"
else
  fail "an unknown purpose is refused naming --access-purpose" "$(details)"
fi
ctl "$OFFICER_RABAT" case find --name "Naima Courtcase"
RETURNED=$(psql "$CASES_DSN" -X -At -c "SELECT purpose || ':' || array_length(returned_case_ids, 1)
  FROM audit.events WHERE action = 'CaseService.SearchCases' ORDER BY id DESC LIMIT 1")
if [[ $RC -eq 0 && $OUT == *"$COURT_REF"* && $RETURNED == "casework:1" ]]; then
  pass "a name search records the case it returned, under the role's usual purpose"
else
  fail "a name search records the case it returned" "$(details) / $RETURNED"
fi

ctl "$OFFICER_RABAT" --json case create --type divorce --country MA --name "Samira Sharetest" \
  --sex female --nationality dual --referral self
SHARED_REF=$(json_field reference)
SHARED_ID=$(json_field id)
if [[ $RC -eq 0 && -n $SHARED_REF && -n $SHARED_ID ]]; then
  pass "officer of RABAT creates a case to share ($SHARED_REF)"
else
  fail "officer of RABAT creates a case to share" "$(details)"
  exit 1
fi
ctl "$LKHA" case get "$SHARED_REF"
expect_error "before any share, LKHA cannot get the RABAT case (NOT_FOUND)" NOT_FOUND

# -- share with LKHA, read-only
ctl "$OFFICER_RABAT" --json case share "$SHARED_REF" --with lkha --access read \
  --basis "Art. 5 expertise centre advice"
SHARE_ID=$(json_field id)
if [[ $RC -eq 0 && -n $SHARE_ID && $(json_field grantee) == LKHA \
      && $(json_field access) == SHARE_ACCESS_READ && $(json_field active) == true \
      && $(json_field legalBasis) == "Art. 5 expertise centre advice" ]]; then
  pass "officer of RABAT shares the case with LKHA read-only"
else
  fail "officer of RABAT shares the case with LKHA read-only" "$(details)"
fi
ctl "$OFFICER_RABAT" case share "$SHARED_REF" --with LKHA --access read-write --basis "again"
expect_error "a second live share to LKHA is ALREADY_EXISTS" ALREADY_EXISTS

ctl "$LKHA" case get "$SHARED_REF"
expect_out "LKHA caseworker gets the shared case and sees the access is shared read-only" \
  "$SHARED_REF" "shared read-only"
ctl "$LKHA" case list
expect_out "LKHA caseworker sees the shared case in case list" "$SHARED_REF"
ctl "$LKHA" case note "$SHARED_REF" --text "LKHA note through a read-only share"
expect_error "LKHA cannot add a note through a read-only share (PERMISSION_DENIED)" \
  PERMISSION_DENIED
ctl "$OFFICER_RABAT" case shares "$SHARED_REF"
expect_out "case shares as RABAT lists the LKHA share as active" "GRANTEE" "$SHARE_ID" "LKHA" \
  "active" "Art. 5 expertise centre advice" "1 share(s)"
ctl "$OFFICER_RABAT" case events "$SHARED_REF"
expect_out "the timeline shows the share" "shared" "shared with LKHA (read)"

# -- revoke: gone from the very next call
ctl "$OFFICER_RABAT" case unshare "$SHARE_ID"
expect_out "officer of RABAT revokes the share" "$SHARE_ID" "revoked"
ctl "$LKHA" case get "$SHARED_REF"
expect_error "right after the revocation, LKHA's get is NOT_FOUND" NOT_FOUND
ctl "$LKHA" case list
expect_out_without "right after the revocation, LKHA's list leaves the case out" "$SHARED_REF"
ctl "$OFFICER_RABAT" case shares "$SHARED_REF"
expect_out_without "case shares leaves the revoked share out" "$SHARE_ID"
ctl "$OFFICER_RABAT" case shares "$SHARED_REF" --all
expect_out "case shares --all shows the revoked share as revoked" "$SHARE_ID" "revoked"
ctl "$OFFICER_RABAT" case unshare "$SHARE_ID"
expect_error "revoking it again is FAILED_PRECONDITION" FAILED_PRECONDITION
ctl "$OFFICER_RABAT" case events "$SHARED_REF"
expect_out "the timeline shows the revocation" "share revoked" "share with LKHA revoked"

# -- emergency access by a TUNIS post manager
ctl "$MANAGER_TUNIS" case get "$SHARED_REF"
expect_error "before emergency access, the TUNIS manager's get is NOT_FOUND" NOT_FOUND
ctl "$OFFICER_TUNIS" emergency open "$SHARED_REF" --reason "Officers may not open emergency access"
expect_error "an officer may not open emergency access (PERMISSION_DENIED)" PERMISSION_DENIED
ctl "$MANAGER_TUNIS" --json emergency open "$SHARED_REF" --minutes 30 \
  --reason "The person is at the Tunis desk asking for urgent help"
GRANT_ID=$(json_field id)
if [[ $RC -eq 0 && -n $GRANT_ID && $(json_field handlingPost) == RABAT \
      && $(json_field active) == true && $ERR == *warning:*logged*reviewed* ]]; then
  pass "the TUNIS manager opens emergency access, with a warning that it is logged and reviewed"
else
  fail "the TUNIS manager opens emergency access, with a warning that it is logged and reviewed" \
    "$(details)"
fi
ctl "$MANAGER_TUNIS" case get "$SHARED_REF"
expect_out "through emergency access the TUNIS manager gets the case" "$SHARED_REF" \
  "Access:" "emergency"
ctl "$MANAGER_TUNIS" case note "$SHARED_REF" --text "Note through emergency access"
expect_error "emergency access is read-only (note: PERMISSION_DENIED)" PERMISSION_DENIED
ctl "$MANAGER_TUNIS" case list
expect_out_without "emergency access does not put the case in the TUNIS manager's list" \
  "$SHARED_REF"

ctl "$OFFICER_RABAT" emergency list
expect_error "an officer may not list emergency access (PERMISSION_DENIED)" PERMISSION_DENIED
ctl "$MANAGER_RABAT" emergency list
expect_out "emergency list as the RABAT manager shows the access, unreviewed, with its reason" \
  "$GRANT_ID" "$SHARED_REF" "dev-manager-tunis" "unreviewed" \
  "The person is at the Tunis desk asking for urgent help"
ctl "$MANAGER_RABAT" emergency list --unreviewed --page-size 1 --all
expect_out "emergency list --unreviewed --all as the RABAT manager shows it" "$GRANT_ID"
ctl "$MANAGER_TUNIS" emergency review "$GRANT_ID" --justified
expect_error "the TUNIS manager may not review their own access (PERMISSION_DENIED)" \
  PERMISSION_DENIED
ctl "$MANAGER_RABAT" emergency review "$GRANT_ID" --justified
expect_out "the RABAT manager reviews it as justified" "$GRANT_ID" "justified" \
  "dev-manager-rabat"
ctl "$MANAGER_RABAT" emergency review "$GRANT_ID" --not-justified
expect_error "reviewing it a second time is FAILED_PRECONDITION" FAILED_PRECONDITION
ctl "$MANAGER_RABAT" emergency list --unreviewed
expect_out_without "emergency list --unreviewed leaves the reviewed access out" "$GRANT_ID"

# This script runs no audit service (see audit_e2e.sh for `consularctl audit list`): read the rows
# in the database instead.
EMERGENCY_ROWS=$(psql "${ADMIN_DSN/%dbname=postgres/dbname=consular}" -X -At -c \
  "SELECT count(*) FROM audit.events WHERE case_id = '$SHARED_ID' AND emergency
     AND actor = 'dev-manager-tunis' AND action = 'CaseService.GetCase' AND outcome = 'OK'")
if [[ $EMERGENCY_ROWS -ge 1 ]]; then
  pass "the get through emergency access has an audit row flagged emergency ($EMERGENCY_ROWS)"
else
  fail "the get through emergency access has an audit row flagged emergency" \
    "rows: '$EMERGENCY_ROWS'"
fi

# -- an LKHA case referred to RABAT
ctl "$LKHA" --json case create --type abandonment --country MA --name "Nadia Refertest" \
  --sex female --nationality dutch-only --referral lkha
LKHA_REF=$(json_field reference)
if [[ $RC -eq 0 && -n $LKHA_REF && $(json_field handlingPost) == LKHA \
      && $(json_field version) == 1 ]]; then
  pass "LKHA caseworker creates a case handled by LKHA ($LKHA_REF)"
else
  fail "LKHA caseworker creates a case handled by LKHA" "$(details)"
fi
ctl "$OFFICER_RABAT" case get "$LKHA_REF"
expect_error "before the referral, RABAT cannot get the LKHA case (NOT_FOUND)" NOT_FOUND
ctl "$LKHA" case refer "$LKHA_REF" --to rabatt --basis "Art. 7 referral to the post" --version 1
expect_error "a referral to a unit not in the register (RABATT) is refused by field" \
  INVALID_ARGUMENT "to_post: RABATT is not an active unit of the register"
ctl "$LKHA" case refer "$LKHA_REF" --to kabul --basis "Art. 7 referral to the post" --version 1
expect_error "a referral to a closed post (KABUL) is refused by field" INVALID_ARGUMENT \
  "to_post: KABUL is not an active unit of the register"
ctl "$LKHA" case refer "$LKHA_REF" --to rabat --basis "Art. 7 referral to the post" --version 1
expect_out "LKHA refers the case to RABAT, which is to answer; LKHA handles it meanwhile" \
  "$LKHA_REF" "LKHA" "to RABAT on" "waiting for its answer"
ctl "$OFFICER_RABAT" --json case get "$LKHA_REF"
if [[ $RC -eq 0 && $(json_field handlingPost) == LKHA \
      && $(json_field callerAccess) == CASE_ACCESS_SHARED_READ ]]; then
  pass "while the referral waits, RABAT reads the case to judge it"
else
  fail "while the referral waits, RABAT reads the case to judge it" "$(details)"
fi
ctl "$MANAGER_RABAT" inbox
REFERRAL_ID=$(grep -F "$LKHA_REF" <<<"$OUT" | grep -F "TO ANSWER" | awk '{print $NF}')
if [[ $RC -eq 0 && ${#REFERRAL_ID} -eq 36 ]]; then
  pass "the referral is in RABAT's inbox, to answer"
else
  fail "the referral is in RABAT's inbox, to answer" "$(details)"
fi
ctl "$OFFICER_RABAT" inbox accept "${REFERRAL_ID:0:8}"
expect_error "an officer does not accept a referral (PERMISSION_DENIED)" PERMISSION_DENIED
ctl "$MANAGER_RABAT" inbox accept "${REFERRAL_ID:0:8}"
expect_out "the RABAT manager accepts it by the first 8 characters of its id" \
  "accepted: the case is handled by RABAT now"
ctl "$OFFICER_RABAT" --json case get "$LKHA_REF"
if [[ $RC -eq 0 && $(json_field handlingPost) == RABAT \
      && $(json_field callerAccess) == CASE_ACCESS_HANDLING && $(json_field version) == 3 ]]; then
  pass "once accepted, the RABAT officer gets the case as its handling unit (version 3)"
else
  fail "once accepted, the RABAT officer gets the case as its handling unit (version 3)" \
    "$(details)"
fi
ctl "$LKHA" --json case get "$LKHA_REF"
if [[ $RC -eq 0 && $(json_field callerAccess) == CASE_ACCESS_SHARED_READ ]]; then
  pass "after the referral, LKHA still gets the case, read-only"
else
  fail "after the referral, LKHA still gets the case, read-only" "$(details)"
fi
ctl "$LKHA" inbox
expect_out "LKHA's inbox has RABAT's answer" "our referral" "$LKHA_REF" "accepted"
ctl "$LKHA" case note "$LKHA_REF" --text "LKHA note after the referral"
expect_error "after the referral, LKHA may not add a note (PERMISSION_DENIED)" PERMISSION_DENIED
ctl "$OFFICER_RABAT" case events "$LKHA_REF"
expect_out "the timeline shows the referral and its acceptance" "referral proposed" \
  "referred LKHA→RABAT"
ctl "$MANAGER_RABAT" case refer "$LKHA_REF" --to TUNIS --basis "Stale referral" --version 1
expect_error "a referral from a stale version is ABORTED" ABORTED
# -- who works it: the manager assigns, the officer finds it among hers
ctl "$MANAGER_RABAT" case assign "$LKHA_REF" --to dev-officer-rabat
expect_out "the RABAT manager assigns the case to an officer" "dev-officer-rabat"
ctl "$OFFICER_RABAT" case list --mine
expect_out "the officer's own cases list it" "$LKHA_REF"
ctl "$OFFICER_RABAT" case assign "$LKHA_REF" --to dev-officer2-rabat
expect_error "an officer does not give a case away (PERMISSION_DENIED)" PERMISSION_DENIED

# -- the database goes away and comes back
"$OPS/pg.sh" stop "$PG_DIR" >/dev/null
ctl "$OFFICER_RABAT" case get "$REF"
expect_error "with PostgreSQL stopped, get is UNAVAILABLE" UNAVAILABLE

"$OPS/pg.sh" start "$PG_DIR" "$PG_PORT" --no-durability >/dev/null
# The pool drops the dead connections and opens new ones: the very next call succeeds.
ctl "$OFFICER_RABAT" case get "$REF"
if [[ $RC -eq 0 && $OUT == *"$REF"* ]]; then
  pass "with PostgreSQL back, the next get succeeds without a server restart"
else
  fail "with PostgreSQL back, the next get succeeds without a server restart" "$(details)"
fi
ctl "$OFFICER_RABAT" case note "$REF" --text "Written after the database came back"
expect_ok "with PostgreSQL back, a change succeeds too"

# -- graceful stop
kill -TERM "$SERVER_PID"
server_status=0
for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$SERVER_PID" 2>/dev/null; then
  fail "server stops on SIGTERM within 20 s" "$(tail -n 20 "$SERVER_LOG")"
else
  wait "$SERVER_PID" || server_status=$?
  SERVER_PID=""
  if [[ $server_status -eq 0 ]]; then
    pass "server exits 0 on SIGTERM"
  else
    fail "server exits 0 on SIGTERM (exit $server_status)" "$(tail -n 20 "$SERVER_LOG")"
  fi
fi

# -- nothing personal in the audit trail, the server log or the statement log
# (These two queries are kept out of the statement log: they name the fixtures themselves.)
AUDIT_ROWS=$(PGOPTIONS="-c log_statement=none" psql "${ADMIN_DSN/%dbname=postgres/dbname=consular}" -X -At -c "SELECT count(*) FROM audit.events")
AUDIT_LEAKS=$(PGOPTIONS="-c log_statement=none" psql "${ADMIN_DSN/%dbname=postgres/dbname=consular}" -X -At -c \
  "SELECT count(*) FROM audit.events e WHERE e::text ILIKE '%amina%' OR e::text LIKE '%2006%03%01%' OR e::text ILIKE '%came back%' OR e::text ILIKE '%Tunis desk%'")
if [[ $AUDIT_ROWS -gt 10 && $AUDIT_LEAKS -eq 0 ]]; then
  pass "every call left an audit row ($AUDIT_ROWS), none with a name, birth date or note text"
else
  fail "audit rows without personal data" "rows $AUDIT_ROWS, rows with fixture data $AUDIT_LEAKS"
fi
if grep -q "log_statement\|statement: " "$PG_DIR/postgres.log" && [[ $(grep -c "execute\|statement:" "$PG_DIR/postgres.log") -gt 10 ]]; then
  LEAKED=$(grep -il -e "Amina" -e "2006-03-01" -e "600 111 222" -e "database came back" -e "Back in the Netherlands" \
    -e "Tunis desk" -e "611 111111" -e "husband found" -e "Nadia" \
    "$SERVER_LOG" "$PG_DIR/postgres.log" || true)
  if [[ -z $LEAKED ]]; then
    pass "the server log and PostgreSQL's statement log hold no fixture name, date of birth, contact, note text or emergency reason"
  else
    fail "no personal data in the logs" "found in: $LEAKED
$(grep -ih -m 3 -e "Amina" -e "2006-03-01" -e "600 111 222" -e "database came back" \
    -e "Back in the Netherlands" -e "Tunis desk" "$SERVER_LOG" "$PG_DIR/postgres.log" | cut -c 1-300)"
  fi
else
  fail "no personal data in the logs" "the PostgreSQL statement log was not written"
fi

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
