#!/usr/bin/env bash
# The casework walk of docs/casework.md, end to end: real PostgreSQL, consular-cases,
# consular-contacts and consular-audit over TLS, and the real client, step by step as the document
# shows it. Everything it starts lives in a temporary folder and is stopped and removed on exit.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tests/e2e/casework_e2e.sh --cases BIN --contacts BIN --audit BIN --migrate BIN --ctl BIN
                                 [--work-dir DIR]
Set CONSULAR_E2E_KEEP=1 to keep the temporary folder for inspection.
USAGE
}

CASES_BIN="" CONTACTS_BIN="" AUDIT_BIN="" MIGRATE_BIN="" CTL_BIN="" WORK_PARENT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cases) CASES_BIN=$2; shift 2 ;;
    --contacts) CONTACTS_BIN=$2; shift 2 ;;
    --audit) AUDIT_BIN=$2; shift 2 ;;
    --migrate) MIGRATE_BIN=$2; shift 2 ;;
    --ctl) CTL_BIN=$2; shift 2 ;;
    --work-dir) WORK_PARENT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
for bin in "$CASES_BIN" "$CONTACTS_BIN" "$AUDIT_BIN" "$MIGRATE_BIN" "$CTL_BIN"; do
  [[ -n $bin && -x $bin ]] || { usage >&2; exit 2; }
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OPS=$(cd "$HERE/../../ops" && pwd)
KEEP=${CONSULAR_E2E_KEEP:-0}
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

e2e_make_work_dir casework
CASES_PID="" CONTACTS_PID="" AUDIT_PID=""
CASES_LOG=$WORK/cases.log
CONTACTS_LOG=$WORK/contacts.log
AUDIT_LOG=$WORK/audit.log
CASES_PORT=$(free_port)
CONTACTS_PORT=$(free_port)
AUDIT_PORT=$(free_port)

# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local status=$?
  e2e_stop_pids "$CASES_PID" "$CONTACTS_PID" "$AUDIT_PID"
  e2e_finish "$status" "$CASES_LOG" "$CONTACTS_LOG" "$AUDIT_LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

e2e_setup_database
"$MIGRATE_BIN" --dsn "$OWNER_DSN" >"$WORK/migrate.log" 2>&1 || setup_fail "migrations"
e2e_seed_units "$OWNER_DSN"

start_server "$CASES_BIN" "$CASES_PORT" "$CASES_LOG"
CASES_PID=$STARTED_PID
start_server "$CONTACTS_BIN" "$CONTACTS_PORT" "$CONTACTS_LOG"
CONTACTS_PID=$STARTED_PID
"$AUDIT_BIN" --listen "127.0.0.1:$AUDIT_PORT" --dsn "$APP_DSN" \
  --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key" \
  --token-public-keys "$CERTS/token-public.pem" --chain-interval-ms 50 >"$AUDIT_LOG" 2>&1 &
AUDIT_PID=$!
wait_listening consular-cases "$CASES_PID" "$CASES_LOG"
wait_listening consular-contacts "$CONTACTS_PID" "$CONTACTS_LOG"
wait_listening consular-audit "$AUDIT_PID" "$AUDIT_LOG"

CTL_ADDRS=(--addr "localhost:$CASES_PORT" --contacts-addr "localhost:$CONTACTS_PORT"
           --audit-addr "localhost:$AUDIT_PORT")

token() {  # ROLE [POST] [SUBJECT]
  local args=(dev token --role "$1" --key "$CERTS/token-signing.pem")
  [[ -n ${2:-} ]] && args+=(--post "$2")
  [[ -n ${3:-} ]] && args+=(--subject "$3")
  "$CTL_BIN" "${args[@]}" || setup_fail "dev token not minted"
}
OFFICER=$(token officer RABAT)
OFFICER2=$(token officer RABAT dev-officer2-rabat)
MANAGER=$(token manager RABAT)
LKHA=$(token lkha)
TUNIS=$(token manager TUNIS)
AUDITOR=$(token auditor)

# PYTHON-EXPRESSION over the JSON case `c` in OUT: prints its value.
json_eval() {
  python3 -c 'import json, sys
c = json.loads(sys.stdin.read())
print(eval(sys.argv[1]))' "$1" <<<"$OUT" 2>/dev/null || true
}

export CONSULAR_ACCESS_PURPOSE=casework
LEFT_NL=$(date -u -d "$(date -u +%F) -5 months" +%F)
TODAY=$(date -u +%F)

# ---------------------------------------------------------------------------------------------
# 1. The call: an officer in Rabat opens her case.
ctl "$OFFICER" case duplicates --name "Fatima El-Amrani" --dob 1990-04-02
expect_out_without "1. no case of her anywhere yet" "RABAT"
ctl "$OFFICER" case create --type abandonment --country MA --name "Fatima El-Amrani" \
  --dob 2990-04-02 --sex female --nationality residence-permit --referral self
expect_error "1. a mistyped date of birth is refused, naming the flag" INVALID_ARGUMENT \
  "--dob: "
ctl "$OFFICER" --json case create --type abandonment --country MA --name "Fatima El-Amrani" \
  --dob 1990-04-02 --sex female --nationality residence-permit --referral self \
  --flag passport-withheld --flag children-with-person --left-nl "$LEFT_NL" \
  --permit-kind regular-fixed-term --safe-channel "+212 600 111 222 (her sister's phone)" \
  --safe-times "weekday mornings" --covert-notes "Husband reads her messages; never leave a voicemail" \
  --code-word jasmine
REF=$(json_field reference)
if [[ $RC -eq 0 && $REF == ABN-* && $(json_field assignedTo) == dev-officer-rabat ]]; then
  pass "1. the officer opens her case ($REF) and works it"
else
  fail "1. the officer opens her case and works it" "$(details)"
  exit 1
fi
ctl "$OFFICER" case person add "$REF" --role child --name "Sara El-Amrani" --dob 2017-06-01 \
  --nationality "Dutch and Moroccan" --with-her
expect_ok "1. her daughter is on the case"
ctl "$OFFICER" case person add "$REF" --role child --name "Adam El-Amrani" --dob 2020-09-15 \
  --nationality "Dutch and Moroccan" --with-her
expect_ok "1. her son is on the case"
ctl "$OFFICER" case person add "$REF" --role perpetrator --name "Karim El-Amrani" \
  --do-not-contact --note "Holds her passport"
expect_ok "1. her husband is on the case, never to be contacted"
ctl "$OFFICER" case document add "$REF" --type passport --status withheld \
  --withheld-by "her husband"
expect_ok "1. her passport, withheld by her husband"
ctl "$OFFICER" case get "$REF"
expect_out "1. case get shows the persons and the document; the code word only as set" \
  "Sara El-Amrani" "Adam El-Amrani" "DO NOT CONTACT" "withheld by her husband" \
  "Code word:" "set (case get --reveal-code-word"
ctl "$OFFICER" --json case get "$REF"
HUSBAND=$(json_eval '[p["id"] for p in c["persons"] if p["role"] == "PERSON_ROLE_PERPETRATOR"][0]')
ctl "$OFFICER" case person update "$REF" "${HUSBAND:0:8}" \
  --note "Holds her passport and the children's"
UPDATE_RC=$RC
ctl "$OFFICER" --json case get "$REF"
if [[ $UPDATE_RC -eq 0 && $(json_eval '[p["note"] for p in c["persons"] if p["id"] == "'"$HUSBAND"'"][0]') \
      == "Holds her passport and the children's" ]]; then
  pass "1. a person is changed by the first 8 characters of the id"
else
  fail "1. a person is changed by the first 8 characters of the id" "$(details)"
fi
ctl "$OFFICER" contact log "$REF" --person "${HUSBAND:0:8}" --channel phone --direction outgoing \
  --purpose mediation --outcome pending
expect_error "1. a call to the husband (named by the first 8 characters of his id) is refused" \
  FAILED_PRECONDITION
ctl "$OFFICER" --json contact log "$REF" --adhoc-name "Her sister" --channel phone \
  --direction incoming --purpose other --outcome information-received \
  --follow-up "$(date -u -d "$TODAY +7 days" +%F)"
SISTER_CALL=$(json_field id)
if [[ $RC -eq 0 && ${#SISTER_CALL} -eq 36 ]]; then
  pass "1. her sister's call is logged, with a follow-up in a week"
else
  fail "1. her sister's call is logged, with a follow-up in a week" "$(details)"
fi
ctl "$OFFICER" deadlines
expect_out "1. the deadline list warns that her permit lapses abroad" "$REF" "permit absence"
ctl "$OFFICER" case show "$REF"
if [[ $RC -eq 0 && $OUT == *"Sara El-Amrani"* && $OUT == *"withheld by her husband"* \
      && $OUT == *"permit absence"* && $OUT == *"Open follow-ups:"*"Her sister"* \
      && $OUT == *"hidden (case show --covert"* && $OUT != *"voicemail"* ]]; then
  pass "1. case show: persons, documents, deadlines, follow-ups on one screen, covert notes hidden"
else
  fail "1. case show: persons, documents, deadlines, follow-ups on one screen" "$(details)"
fi
ctl "$OFFICER" case show "$REF" --covert
expect_out "1. case show --covert shows the covert notes" "never leave a voicemail"
ctl "$OFFICER" case update "$REF" --safe-times "Tuesday and Thursday mornings"
expect_error "1. a safety change without a reason is refused" INVALID_ARGUMENT "reason"
ctl "$OFFICER" case update "$REF" --safe-times "Tuesday and Thursday mornings" \
  --reason "She asked for fewer calls"
expect_ok "1. with a reason, the safe times change"
ctl "$OFFICER" case history "$REF" --field safety.safe_contact_times
expect_out "1. the history keeps the former safe times and the reason" "weekday mornings" \
  "Tuesday and Thursday mornings" "She asked for fewer calls"
ctl "$MANAGER" --json case get "$REF"
VERSION=$(json_field version)
ctl "$MANAGER" case refer "$REF" --to RABATT --basis "Casablanca district" --version "$VERSION"
expect_error "1. a referral to a post not in the register is refused" INVALID_ARGUMENT \
  "to_post: RABATT is not an active unit of the register"

# ---------------------------------------------------------------------------------------------
# 2. The manager hands the work out.
ctl "$MANAGER" case assign "$REF" --to dev-officer2-rabat
expect_out "2. the manager assigns the case to a colleague" "dev-officer2-rabat"
ctl "$OFFICER2" case list --mine
expect_out "2. it is among the colleague's own cases" "$REF"

# ---------------------------------------------------------------------------------------------
# 3. LKHA: the same person, and a divorce before a foreign court.
ctl "$LKHA" case create --type abandonment --country MA --name "Fatima Elamrani" \
  --dob 1990-04-02 --sex female --nationality residence-permit --referral family
if [[ $RC -eq 0 && $OUT == *"Possible duplicates"*"RABAT"*"(ask RABAT for a share)"* \
      && $OUT != *"$REF"* ]]; then
  pass "3. LKHA is told RABAT may have the same person, and nothing of the case"
else
  fail "3. LKHA is told RABAT may have the same person, and nothing of the case" "$(details)"
fi
ctl "$MANAGER" case share "$REF" --with LKHA --access read --basis "LKHA expertise, art. 5"
expect_ok "3. RABAT shares its case with LKHA"
ctl "$LKHA" inbox
SHARE_ID=$(grep -F "$REF" <<<"$OUT" | grep -F "TO ANSWER" | awk '{print $NF}')
if [[ $RC -eq 0 && ${#SHARE_ID} -eq 36 ]]; then
  pass "3. the share waits in LKHA's inbox"
else
  fail "3. the share waits in LKHA's inbox" "$(details)"
fi
ctl "$LKHA" inbox accept "${SHARE_ID:0:8}"
expect_out "3. LKHA accepts it" "accepted"
ctl "$LKHA" case get "$REF"
expect_out_without "3. LKHA reads the case, but not the covert notes" "voicemail"

ctl "$LKHA" --json case create --type divorce --country MA --name "Naima Bennani" --sex female \
  --nationality dual --referral self --divorce-date 2025-03-04 \
  --foreign-court "Tribunal de premiere instance, Nador" --foreign-case-number 1234/2026 \
  --obstacle other --obstacle-note "The registry asks for a certificate of custom"
DIV=$(json_field reference)
if [[ $RC -eq 0 && $DIV == DIV-* ]]; then
  pass "3. LKHA opens a divorce-recognition case with the foreign court ($DIV)"
else
  fail "3. LKHA opens a divorce-recognition case" "$(details)"
fi
ctl "$LKHA" case stage add "$DIV" --stage filed --on 2025-09-01
expect_ok "3. the filing is recorded"
HEARING=$(date -u -d "$TODAY +10 days" +%F)
ctl "$LKHA" case stage add "$DIV" --stage hearing --on "$HEARING"
expect_ok "3. a hearing ahead is recorded"
ctl "$LKHA" deadlines
expect_out "3. the hearing is on LKHA's deadline list" "$DIV" "$HEARING"
ctl "$LKHA" case update "$DIV" --decision granted --decided "$TODAY"
expect_ok "3. the court grants recognition"
ctl "$LKHA" case transition "$DIV" ACTIVE --reason "Proceedings under way"
expect_ok "3. the case is active"
ctl "$LKHA" case transition "$DIV" RESOLVED --outcome refused --reason "Wrong outcome"
expect_error "3. resolving it as refused contradicts the decision" FAILED_PRECONDITION
ctl "$LKHA" case transition "$DIV" RESOLVED --outcome recognised --reason "Recognised"
expect_ok "3. resolved as recognised"

# ---------------------------------------------------------------------------------------------
# 4. Tunis: a call from her, in danger.
ctl "$TUNIS" case get "$REF"
expect_error "4. the Tunis manager cannot see Rabat's case" NOT_FOUND
CONSULAR_ACCESS_PURPOSE=emergency ctl "$TUNIS" emergency search --name "Fatima El-Amrani" \
  --dob 1990-04-02 --reason "She called the embassy in Tunis, in danger"
expect_out "4. the emergency search finds the reference and the unit" "$REF" "RABAT"
CONSULAR_ACCESS_PURPOSE=emergency ctl "$TUNIS" emergency open "$REF" \
  --reason "She called the embassy in Tunis, in danger"
expect_ok "4. the Tunis manager opens emergency access"
CONSULAR_ACCESS_PURPOSE=emergency ctl "$TUNIS" case get "$REF"
if [[ $RC -eq 0 && $OUT == *"Tuesday and Thursday mornings"* && $OUT != *"voicemail"* ]]; then
  pass "4. through emergency access: how to reach her safely, not the covert notes"
else
  fail "4. through emergency access: how to reach her safely, not the covert notes" "$(details)"
fi

# ---------------------------------------------------------------------------------------------
# 5. The auditor: who looked at her file.
CONSULAR_ACCESS_PURPOSE=audit ctl "$AUDITOR" audit list --case "$REF"
if [[ $RC -eq 0 && $OUT == *"dev-manager-tunis"*"CaseService.GetCase"*"emergency access"* \
      && $OUT == *"CaseService.EmergencySearch"* && $OUT == *"dev-officer-rabat"* \
      && $OUT == *"casework"* && $OUT != *"Fatima"* ]]; then
  pass "5. the auditor sees every look at her case, with its purpose, and no content"
else
  fail "5. the auditor sees every look at her case, with its purpose, and no content" "$(details)"
fi

# ---------------------------------------------------------------------------------------------
# 6. The way home.
ctl "$OFFICER2" case update "$REF" --return-route "Nador - Amsterdam" \
  --return-funding consular-loan --loan-cents 45000 --reception-arranged
expect_ok "6. her way home is planned, with a consular loan"
ctl "$OFFICER2" case transition "$REF" ACTIVE --reason "Contact made"
expect_ok "6. the case is active"
ctl "$OFFICER2" case transition "$REF" RESOLVED --outcome returned-to-nl --reason "Back home"
expect_error "6. she is not counted as returned without the day she came back" \
  FAILED_PRECONDITION "abandonment.returned_on"
ctl "$OFFICER2" case update "$REF" --returned "$TODAY"
expect_ok "6. the day she came back is recorded"
ctl "$OFFICER2" case transition "$REF" RESOLVED --outcome returned-to-nl --reason "Back home"
expect_out "6. the case is resolved: returned to the Netherlands" "resolved" "returned to NL"
ctl "$MANAGER" case transition "$REF" CLOSED --reason "She is home, nothing left to do"
expect_error "6. a case with an open follow-up is not closed" FAILED_PRECONDITION "$SISTER_CALL"
ctl "$OFFICER" contact cancel "${SISTER_CALL:0:8}"
expect_ok "6. the follow-up of her sister's call is cancelled"
ctl "$MANAGER" case transition "$REF" CLOSED --reason "She is home, nothing left to do"
expect_out "6. the manager closes the case" "closed"

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
