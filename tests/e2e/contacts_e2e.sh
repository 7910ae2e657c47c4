#!/usr/bin/env bash
# End-to-end test of the partner directory and the contact log: real PostgreSQL, consular-cases and
# consular-contacts over TLS, the real client. Everything it starts lives in a temporary folder and
# is stopped and removed on exit.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tests/e2e/contacts_e2e.sh --cases BIN --contacts BIN --migrate BIN --ctl BIN [--work-dir DIR]

  --cases     the consular-cases server binary
  --contacts  the consular-contacts server binary
  --migrate   the consular-migrate binary
  --ctl       the consularctl binary
  --work-dir  folder for the temporary files (default: the system's temporary folder)
Set CONSULAR_E2E_KEEP=1 to keep the temporary folder for inspection.
USAGE
}

CASES_BIN="" CONTACTS_BIN="" MIGRATE_BIN="" CTL_BIN="" WORK_PARENT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cases) CASES_BIN=$2; shift 2 ;;
    --contacts) CONTACTS_BIN=$2; shift 2 ;;
    --migrate) MIGRATE_BIN=$2; shift 2 ;;
    --ctl) CTL_BIN=$2; shift 2 ;;
    --work-dir) WORK_PARENT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
if [[ -z $CASES_BIN || -z $CONTACTS_BIN || -z $MIGRATE_BIN || -z $CTL_BIN ]]; then
  usage >&2
  exit 2
fi
for bin in "$CASES_BIN" "$CONTACTS_BIN" "$MIGRATE_BIN" "$CTL_BIN"; do
  [[ -x $bin ]] || { echo "contacts_e2e: not an executable: $bin" >&2; exit 2; }
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OPS=$(cd "$HERE/../../ops" && pwd)

KEEP=${CONSULAR_E2E_KEEP:-0}
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

# ---------------------------------------------------------------------------------------------
# Set-up: a temporary folder, PostgreSQL, certificates, the servers.

e2e_make_work_dir e2e
CASES_PID=""
CONTACTS_PID=""
CASES_LOG=$WORK/cases.log
CONTACTS_LOG=$WORK/contacts.log
CASES_PORT=$(free_port)
CONTACTS_PORT=$(free_port)

# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local status=$?
  e2e_stop_pids "$CASES_PID" "$CONTACTS_PID"
  e2e_finish "$status" "$CASES_LOG" "$CONTACTS_LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

e2e_setup_database

# ---------------------------------------------------------------------------------------------
# Checks.

# consularctl (ctl, lib.sh) talks to:
CTL_ADDRS=(--addr "localhost:$CASES_PORT" --contacts-addr "localhost:$CONTACTS_PORT")

# -- migrations
if "$MIGRATE_BIN" --dsn "$OWNER_DSN" >"$WORK/migrate.log" 2>&1; then
  pass "migrations apply"
else
  fail "migrations apply" "$(cat "$WORK/migrate.log")"
  exit 1
fi
# The register of units and the posts' accreditations as the local stack seeds them.
e2e_seed_units "$OWNER_DSN"

# Every statement and its parameters go to the PostgreSQL log from here on, to prove that no
# note text or ad-hoc name reaches the database in plaintext.
psql "$ADMIN_DSN" -X -q -v ON_ERROR_STOP=1 -c "ALTER DATABASE consular SET log_statement = 'all'" \
  || setup_fail "cannot turn on statement logging"

# -- both servers over TLS, as the service database role
start_server "$CASES_BIN" "$CASES_PORT" "$CASES_LOG"
CASES_PID=$STARTED_PID
start_server "$CONTACTS_BIN" "$CONTACTS_PORT" "$CONTACTS_LOG"
CONTACTS_PID=$STARTED_PID
wait_listening consular-cases "$CASES_PID" "$CASES_LOG"
wait_listening consular-contacts "$CONTACTS_PID" "$CONTACTS_LOG"

ADMIN=$(mint admin) || setup_fail "dev token not minted"
MANAGER_RABAT=$(mint manager RABAT) || setup_fail "dev token not minted"
MANAGER_TUNIS=$(mint manager TUNIS) || setup_fail "dev token not minted"
OFFICER_RABAT=$(mint officer RABAT) || setup_fail "dev token not minted"
OFFICER_TUNIS=$(mint officer TUNIS) || setup_fail "dev token not minted"



# The line number in OUT of the first line holding TEXT (0 if none).
line_of() {
  local n
  n=$(grep -n -F -- "$1" <<<"$OUT" | head -n 1 | cut -d: -f1)
  echo "${n:-0}"
}

PAST=$(date -u -d "-10 days" +%F)
FUTURE=$(date -u -d "+10 days" +%F)
LATER=$(date -u -d "+30 days" +%F)
NOTE_PAST="Benali will ask the Rabat court for the judgment file"
NOTE_FUTURE="Benali expects the recognition hearing date by email"
ADHOC_NAME="Yasmina Adhoctest"

# ---------------------------------------------------------------------------------------------
# The directory.

# -- the register of units: read by everyone, kept by administrators
ctl "$OFFICER_RABAT" post list --accredited-to MA
expect_out "everyone reads the register: the posts accredited to Morocco" "RABAT" "CASABLANCA" \
  "2 unit(s)"
ctl "$ADMIN" post accredit RABAT --country EH
expect_out "an administrator adds a country to RABAT; those it had stay" \
  "Accredited to: EH, MA, MR"
ctl "$MANAGER_RABAT" post accredit RABAT --country DZ
expect_error "a post manager may not change the register (PERMISSION_DENIED)" PERMISSION_DENIED
ctl "$ADMIN" post unaccredit RABAT --country EH
expect_out "an administrator takes that country off again" "Accredited to: MA, MR"
ctl "$ADMIN" post add izmir --name "Consulate of the Netherlands in Izmir" --city Izmir \
  --country TR --accredit TR
expect_out "an administrator adds a post" "Unit:          IZMIR" "Accredited to: TR" \
  "Version:       1"
ctl "$ADMIN" post add IZMIR --name "Again" --country TR
expect_error "the same post again is ALREADY_EXISTS" ALREADY_EXISTS
ctl "$ADMIN" post add IZMIRR --name "Typo" --country XX
expect_error "a post in an unknown country is refused by field" INVALID_ARGUMENT "unit.country"
ctl "$MANAGER_RABAT" post update IZMIR --name "Consulate-General of the Netherlands in Izmir"
expect_error "only administrators rename a post" PERMISSION_DENIED
ctl "$ADMIN" post update IZMIR --name "Consulate-General of the Netherlands in Izmir"
expect_out "an administrator renames it; its code stays" \
  "Name:          Consulate-General of the Netherlands in Izmir" "Unit:          IZMIR" \
  "Version:       2"
ctl "$ADMIN" post close IZMIR --reason "Merged into the consulate-general in Istanbul"
expect_out "an administrator closes it with a reason" \
  "Active:        no: Merged into the consulate-general in Istanbul"
ctl "$OFFICER_RABAT" post list
if [[ $RC -eq 0 && $OUT == *RABAT* && $OUT != *IZMIR* && $OUT != *KABUL* ]]; then
  pass "closed posts are not listed unless asked"
else
  fail "closed posts are not listed unless asked" "$(details)"
fi
ctl "$OFFICER_RABAT" post show RABAT
expect_out "post show RABAT lists MA" "RABAT" "MA"

# -- a RABAT post manager adds a Moroccan lawyer and vets it
ctl "$MANAGER_TUNIS" partner add --kind lawyer --name "Cabinet Tunistest" --country MA \
  --city Rabat
expect_error "a TUNIS post manager may not add a partner in MA (PERMISSION_DENIED)" \
  PERMISSION_DENIED MA
ctl "$MANAGER_RABAT" --json partner add --kind lawyer --name "Cabinet Benali" --country MA \
  --city Rabat --specialism family-law --specialism recognition-of-foreign-judgments \
  --language ar --language fr
PARTNER_ID=$(json_field id)
if [[ $RC -eq 0 && -n $PARTNER_ID && $(json_field vettingStatus) == VETTING_STATUS_UNVETTED \
      && $(json_field version) == 1 && $(json_field active) == true \
      && $OUT == *SPECIALISM_FAMILY_LAW* && $OUT == *SPECIALISM_RECOGNITION_OF_FOREIGN_JUDGMENTS* ]]
then
  pass "the RABAT post manager adds a lawyer in MA, unvetted ($PARTNER_ID)"
else
  fail "the RABAT post manager adds a lawyer in MA, unvetted" "$(details)"
  exit 1
fi
ctl "$MANAGER_RABAT" partner vet "$PARTNER_ID" --status vetted \
  --note "Bar membership checked with the Rabat bar" --version 1
expect_out "the RABAT post manager vets it (version 2)" "Vetting:" "vetted" "Version:" "2"
ctl "$OFFICER_RABAT" partner list --country MA --specialism family-law
expect_out "partner list --country MA --specialism family-law finds it, vetted" "$PARTNER_ID" \
  "Cabinet Benali" "vetted" "1 partner(s)"
ctl "$OFFICER_TUNIS" partner show "$PARTNER_ID"
expect_out "the directory is readable by another post's officer" "Cabinet Benali" \
  "family law, recognition of foreign judgments"

# ---------------------------------------------------------------------------------------------
# The contact log.

ctl "$OFFICER_RABAT" --json case create --type divorce --country MA --name "Samira Contacttest" \
  --sex female --nationality dual --referral self
REF=$(json_field reference)
if [[ $RC -eq 0 && -n $REF ]]; then
  pass "a RABAT officer creates a Moroccan case ($REF)"
else
  fail "a RABAT officer creates a Moroccan case" "$(details)"
  exit 1
fi

ctl "$OFFICER_RABAT" --json contact log "$REF" --partner "$PARTNER_ID" --channel phone \
  --direction outgoing --purpose legal-advice --outcome help-agreed --follow-up "$PAST" \
  --note "$NOTE_PAST"
PAST_ID=$(json_field id)
if [[ $RC -eq 0 && -n $PAST_ID && $(json_field caseReference) == "$REF" \
      && $(json_field partnerKind) == PARTNER_KIND_LAWYER && $(json_field version) == 1 ]]; then
  pass "the officer logs a phone call with the lawyer, follow-up $PAST (past)"
else
  fail "the officer logs a phone call with the lawyer, follow-up $PAST (past)" "$(details)"
fi
ctl "$OFFICER_RABAT" --json contact log "$REF" --partner "$PARTNER_ID" --channel email \
  --direction incoming --purpose court-representation --outcome information-received \
  --follow-up "$FUTURE" --note "$NOTE_FUTURE"
FUTURE_ID=$(json_field id)
if [[ $RC -eq 0 && -n $FUTURE_ID ]]; then
  pass "the officer logs an email from the lawyer, follow-up $FUTURE (future)"
else
  fail "the officer logs an email from the lawyer, follow-up $FUTURE (future)" "$(details)"
fi
ctl "$OFFICER_RABAT" contact log "$REF" --adhoc-name "$ADHOC_NAME" --adhoc-org "Association Amal" \
  --channel in-person --direction incoming --purpose shelter --outcome referred-on
expect_out "the officer logs an ad-hoc contact" "$ADHOC_NAME, Association Amal (ad hoc)" "other"

# A person on the case marked do not contact: an outgoing contact with him is refused.
ctl "$OFFICER_RABAT" --json case person add "$REF" --role perpetrator --name "Karim Example" \
  --do-not-contact --note "Holds her passport" --reason "She named him"
PERSON_ID=$(python3 -c 'import json, sys
print(json.loads(sys.stdin.read())["persons"][0]["id"])' <<<"$OUT" 2>/dev/null || true)
if [[ $RC -eq 0 && ${#PERSON_ID} -eq 36 ]]; then
  pass "the officer puts the husband on the case, marked do not contact"
else
  fail "the officer puts the husband on the case, marked do not contact" "$(details)"
fi
ctl "$OFFICER_RABAT" case get "$REF"
expect_out "case get shows him as not to be contacted" "perpetrator" "DO NOT CONTACT"
ctl "$OFFICER_RABAT" contact log "$REF" --person "$PERSON_ID" --channel phone \
  --direction outgoing --purpose other --outcome no-answer
expect_error "an outgoing contact with a do-not-contact person is FAILED_PRECONDITION" \
  FAILED_PRECONDITION "marked do not contact"

ctl "$OFFICER_RABAT" contact due --to "$FUTURE"
PAST_LINE=$(line_of "$PAST_ID")
FUTURE_LINE=$(line_of "$FUTURE_ID")
if [[ $RC -eq 0 && $PAST_LINE -gt 1 && $FUTURE_LINE -gt $PAST_LINE \
      && $(sed -n "${PAST_LINE}p" <<<"$OUT") == "$PAST  OVERDUE 10 days"* \
      && $(sed -n "${FUTURE_LINE}p" <<<"$OUT") != *OVERDUE* \
      && $OUT == *"2 follow-up(s), 1 overdue"* ]]; then
  pass "contact due --to $FUTURE lists the overdue follow-up first, marked OVERDUE 10 days"
else
  fail "contact due --to $FUTURE lists the overdue follow-up first, marked OVERDUE 10 days" \
    "$(details)"
fi
ctl "$OFFICER_RABAT" contact due
expect_out "contact due (up to today) lists only the overdue one" "$PAST_ID" "1 follow-up(s)"

ctl "$OFFICER_RABAT" contact done "$PAST_ID" --version 1
if [[ $RC -eq 0 && $OUT == *"Follow-up done:"*"by dev-officer-rabat"* && $OUT =~ Version:\ +2 ]]
then
  pass "contact done clears the overdue follow-up (version 2)"
else
  fail "contact done clears the overdue follow-up (version 2)" "$(details)"
fi
ctl "$OFFICER_RABAT" contact due --to "$FUTURE"
if [[ $RC -eq 0 && $OUT != *"$PAST_ID"* && $OUT == *"$FUTURE_ID"* \
      && $OUT == *"1 follow-up(s), 0 overdue"* ]]; then
  pass "the next contact due no longer lists it"
else
  fail "the next contact due no longer lists it" "$(details)"
fi
ctl "$OFFICER_RABAT" contact done "$PAST_ID" --version 2
expect_error "completing it again is FAILED_PRECONDITION" FAILED_PRECONDITION

# -- another post cannot log on the case
ctl "$OFFICER_TUNIS" contact log "$REF" --partner "$PARTNER_ID" --channel phone \
  --direction outgoing --purpose legal-advice --outcome no-answer
expect_error "a TUNIS officer logging a contact on the RABAT case gets NOT_FOUND" NOT_FOUND
ctl "$OFFICER_TUNIS" contact due --to "$LATER"
expect_out_without "a TUNIS officer's contact due does not show RABAT's follow-ups" "$FUTURE_ID"

# -- a suspended partner cannot be used for a new contact; its past contacts stay listed
ctl "$MANAGER_RABAT" partner vet "$PARTNER_ID" --status suspended \
  --note "Complaint under review by the bar" --version 2
expect_out "the RABAT post manager suspends the lawyer" "suspended"
ctl "$OFFICER_RABAT" contact log "$REF" --partner "$PARTNER_ID" --channel phone \
  --direction outgoing --purpose legal-advice --outcome pending
expect_error "a new contact with the suspended lawyer is FAILED_PRECONDITION" \
  FAILED_PRECONDITION suspended
ctl "$OFFICER_RABAT" contact list --partner "$PARTNER_ID"
expect_out "contact list --partner still lists the two past contacts" "$PAST_ID" "$FUTURE_ID" \
  "2 contact(s)"
ctl "$OFFICER_RABAT" contact list --case "$REF"
expect_out "contact list --case lists all three, with their notes" "$PAST_ID" "$FUTURE_ID" \
  "$ADHOC_NAME" "$NOTE_PAST" "3 contact(s)"

# -- the case's timeline
ctl "$OFFICER_RABAT" case events "$REF"
expect_out "case events shows the contacts logged and the follow-up completed with kind and purpose" \
  "contact logged" "contact $PAST_ID logged: lawyer, legal advice" \
  "contact $FUTURE_ID logged: lawyer, court representation" "logged: other, shelter" \
  "follow up completed" "follow-up of contact $PAST_ID done: lawyer, legal advice"

# -- nothing personal in the statement log or the server logs
if grep -q "statement: " "$PG_DIR/postgres.log" \
    && [[ $(grep -c "execute\|statement:" "$PG_DIR/postgres.log") -gt 10 ]]; then
  LEAKED=$(grep -il -e "$NOTE_PAST" -e "$NOTE_FUTURE" -e "$ADHOC_NAME" -e "Association Amal" \
    -e "Bar membership checked" -e "Complaint under review" \
    "$CASES_LOG" "$CONTACTS_LOG" "$PG_DIR/postgres.log" || true)
  if [[ -z $LEAKED ]]; then
    pass "PostgreSQL's statement log and the server logs hold no note text, ad-hoc name or vetting note"
  else
    fail "no note text or ad-hoc name in the logs" "found in: $LEAKED"
  fi
else
  fail "no note text or ad-hoc name in the logs" "the PostgreSQL statement log was not written"
fi

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
