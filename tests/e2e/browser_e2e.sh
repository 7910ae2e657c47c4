#!/usr/bin/env bash
# The web client in a real browser: real PostgreSQL, consular-cases, consular-contacts,
# consular-audit and consular-stats over TLS, consular-web over HTTPS serving web/dist, and
# headless Chromium driven by web/tests/browser/walk.mjs (playwright-core, axe-core) with the
# officer's day (CASEWORK=1), then web/tests/browser/screens.mjs (deadlines, inbox, partners,
# emergency access, the audit trail), web/tests/browser/sharing.mjs (shares, handover, history,
# finding by name, duplicates, partner changes), web/tests/browser/records.mjs (legal holds,
# subject access, bulk exports, destruction lists and schedules), web/tests/browser/talks.mjs (the talks register: talks,
# commitments, decisions, briefings), web/tests/browser/statistics.mjs (policy staff's
# statistics screens and the dossier download) and, last, web/tests/browser/destruction.mjs (a
# destruction list proposed, reviewed in both slots and processed; the tombstone).
# Screenshots of each screen go to the --screenshots folder.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tests/e2e/browser_e2e.sh --cases BIN --contacts BIN --audit BIN --stats BIN --web BIN --migrate BIN
                                --ctl BIN                                  --client DIR --screenshots DIR [--work-dir DIR]
--client is the web client's folder (web/), built (dist/) and installed (node_modules/).
Set CONSULAR_E2E_KEEP=1 to keep the temporary folder for inspection.
USAGE
}

CASES_BIN="" CONTACTS_BIN="" AUDIT_BIN="" STATS_BIN="" WEB_BIN="" MIGRATE_BIN="" CTL_BIN="" CLIENT_DIR="" SHOTS="" WORK_PARENT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cases) CASES_BIN=$2; shift 2 ;;
    --contacts) CONTACTS_BIN=$2; shift 2 ;;
    --audit) AUDIT_BIN=$2; shift 2 ;;
    --stats) STATS_BIN=$2; shift 2 ;;
    --web) WEB_BIN=$2; shift 2 ;;
    --migrate) MIGRATE_BIN=$2; shift 2 ;;
    --ctl) CTL_BIN=$2; shift 2 ;;
    --client) CLIENT_DIR=$2; shift 2 ;;
    --screenshots) SHOTS=$2; shift 2 ;;
    --work-dir) WORK_PARENT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
for bin in "$CASES_BIN" "$CONTACTS_BIN" "$AUDIT_BIN" "$STATS_BIN" "$WEB_BIN" "$MIGRATE_BIN" "$CTL_BIN"; do
  [[ -n $bin && -x $bin ]] || { usage >&2; exit 2; }
done
[[ -n $SHOTS && -f $CLIENT_DIR/dist/index.html && -d $CLIENT_DIR/node_modules/playwright-core ]] || {
  echo "SETUP FAILED: the web client is not built; run ops/build.sh (ops/build-web.sh)" >&2
  exit 1
}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OPS=$(cd "$HERE/../../ops" && pwd)
KEEP=${CONSULAR_E2E_KEEP:-0}
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

e2e_make_work_dir browser
CASES_PID="" CONTACTS_PID="" AUDIT_PID="" STATS_PID="" WEB_PID=""
CASES_LOG=$WORK/cases.log
CONTACTS_LOG=$WORK/contacts.log
AUDIT_LOG=$WORK/audit.log
STATS_LOG=$WORK/stats.log
WEB_LOG=$WORK/web.log
CASES_PORT=$(free_port)
CONTACTS_PORT=$(free_port)
AUDIT_PORT=$(free_port)
STATS_PORT=$(free_port)
WEB_PORT=$(free_port)

# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local status=$?
  e2e_stop_pids "$CASES_PID" "$CONTACTS_PID" "$AUDIT_PID" "$STATS_PID" "$WEB_PID"
  e2e_finish "$status" "$CASES_LOG" "$CONTACTS_LOG" "$AUDIT_LOG" "$STATS_LOG" "$WEB_LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

e2e_setup_database
"$MIGRATE_BIN" --dsn "$OWNER_DSN" >"$WORK/migrate.log" 2>&1 || setup_fail "migrations"
e2e_seed_units "$OWNER_DSN"

# No monthly destruction list of its own: the walks propose theirs, and know what is on it.
start_server "$CASES_BIN" "$CASES_PORT" "$CASES_LOG" --destruction-list-interval-minutes 0
CASES_PID=$STARTED_PID
start_server "$CONTACTS_BIN" "$CONTACTS_PORT" "$CONTACTS_LOG"
CONTACTS_PID=$STARTED_PID
start_server "$STATS_BIN" "$STATS_PORT" "$STATS_LOG" --refresh-ms 200
STATS_PID=$STARTED_PID
"$AUDIT_BIN" --listen "127.0.0.1:$AUDIT_PORT" --dsn "$APP_DSN" \
  --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key" \
  --token-public-keys "$CERTS/token-public.pem" --chain-interval-ms 50 >"$AUDIT_LOG" 2>&1 &
AUDIT_PID=$!
wait_listening consular-cases "$CASES_PID" "$CASES_LOG"
wait_listening consular-contacts "$CONTACTS_PID" "$CONTACTS_LOG"
wait_listening consular-audit "$AUDIT_PID" "$AUDIT_LOG"
wait_listening consular-stats "$STATS_PID" "$STATS_LOG"
"$WEB_BIN" --listen "127.0.0.1:$WEB_PORT" --tls-cert "$CERTS/server.pem" \
  --tls-key "$CERTS/server.key" --ca-cert "$CERTS/ca.pem" --cases-addr "localhost:$CASES_PORT" \
  --contacts-addr "localhost:$CONTACTS_PORT" --audit-addr "localhost:$AUDIT_PORT" \
  --stats-addr "localhost:$STATS_PORT" \
  --static-dir "$CLIENT_DIR/dist" --dev-sign-in-key "$CERTS/token-signing.pem" >"$WEB_LOG" 2>&1 &
WEB_PID=$!
wait_listening consular-web "$WEB_PID" "$WEB_LOG"

CTL_ADDRS=(--addr "localhost:$CASES_PORT" --stats-addr "localhost:$STATS_PORT")
NAME="Nadia Browsertest"
DOB=1991-02-03
COVERT="Her husband reads her messages; never leave a voicemail"
ctl "$(mint officer RABAT)" case create --type abandonment --country MA --name "$NAME" \
  --sex female --nationality dual --referral family --covert-notes "$COVERT" --dob "$DOB" --json
REF=$(json_field reference)
[[ -n $REF ]] || setup_fail "case create: $ERR"

# A country with figures for policy staff: Morocco, through the public API (the case above and
# nine more of RABAT: five abandonment and five divorce-recognition cases in all, so that no
# figure is small enough to be suppressed), in a release an administrator makes once the rollups
# have caught up (bounded lag). STATS_YEAR tells the walks which year to look at.
OFFICER=$(mint officer RABAT) || setup_fail "dev token not minted"
ADMIN=$(mint admin) || setup_fail "dev token not minted"
POLICY=$(mint policy) || setup_fail "dev token not minted"
STATS_YEAR=$(date -u +%Y)
SEEDED=0
for i in $(seq 1 9); do
  type=abandonment
  (( i > 4 )) && type=divorce
  ctl "$OFFICER" case create --type "$type" --country MA --name "Seeded Person $i" \
    --sex female --nationality dual --referral family --dob "1990-01-0$i"
  [[ $RC -eq 0 ]] && SEEDED=$((SEEDED + 1))
done
[[ $SEEDED -eq 9 ]] || setup_fail "seeding Morocco: $ERR"
RELEASED=0
for _ in $(seq 15); do
  # The rollups catch up within a few refreshes (200 ms): a release made after that holds all ten
  # cases at once, and fewer releases leave disclosure control less to protect between them.
  sleep 1
  ctl "$ADMIN" stats release create
  ctl "$POLICY" stats country MA --year "$STATS_YEAR"
  if [[ $RC -eq 0 ]] && awk 'index($0, "cases opened") == 1 && $NF == 10 { found = 1 }
                            END { exit !found }' <<<"$OUT"; then
    RELEASED=1
    break
  fi
done
(( RELEASED )) || setup_fail "no release with Morocco's 10 cases: $OUT $ERR"

rm -rf "$SHOTS"
WALK_STATUS=0
WEB_URL="https://localhost:$WEB_PORT" CASE_REF=$REF CASE_NAME=$NAME COVERT=$COVERT \
  SCREENSHOTS=$SHOTS CASEWORK=1 node "$CLIENT_DIR/tests/browser/walk.mjs" || WALK_STATUS=$?
if [[ $WALK_STATUS -eq 0 ]]; then
  pass "the browser walk passed every check (screenshots in $SHOTS)"
else
  fail "the browser walk passed every check" "exit $WALK_STATUS"
fi
SCREENS_STATUS=0
WEB_URL="https://localhost:$WEB_PORT" CASE_REF=$REF CASE_NAME=$NAME CASE_DOB=$DOB \
  SCREENSHOTS=$SHOTS node "$CLIENT_DIR/tests/browser/screens.mjs" || SCREENS_STATUS=$?
if [[ $SCREENS_STATUS -eq 0 ]]; then
  pass "the screens walk (deadlines, inbox, partners, emergency access, audit) passed every check"
else
  fail "the screens walk (deadlines, inbox, partners, emergency access, audit) passed every check" \
    "exit $SCREENS_STATUS"
fi
# A case of TUNIS about the same person (in Tunisia, away from Morocco's published figures):
# RABAT's case lists it among its possible duplicates by its unit only, and finding by name at
# RABAT does not show it.
SHARING_STATUS=0
ctl "$(mint officer TUNIS)" case create --type abandonment --country TN --name "$NAME" \
  --sex female --nationality dual --referral family --dob "$DOB" --json
DUP_REF=$(json_field reference)
if [[ -z $DUP_REF ]]; then
  echo "case create at TUNIS: $ERR" >&2
  SHARING_STATUS=1
else
  WEB_URL="https://localhost:$WEB_PORT" CASE_REF=$REF CASE_NAME=$NAME DUPLICATE_REF=$DUP_REF \
    DUPLICATE_UNIT=TUNIS SCREENSHOTS=$SHOTS node "$CLIENT_DIR/tests/browser/sharing.mjs" || SHARING_STATUS=$?
fi
if [[ $SHARING_STATUS -eq 0 ]]; then
  pass "the sharing walk (share, revoke, assign, history, find, duplicates, partner changes) passed every check"
else
  fail "the sharing walk (share, revoke, assign, history, find, duplicates, partner changes) passed every check" \
    "exit $SHARING_STATUS"
fi
# The talks walk before the statistics walk: the latter makes a release of its own, and the figures
# of a release that follows another by a few cases are withheld (disclosure control), where the
# talks walk reads Morocco's published figures of the seeded release.
TALKS_STATUS=0
WEB_URL="https://localhost:$WEB_PORT" STATS_YEAR=$STATS_YEAR SCREENSHOTS=$SHOTS \
  node "$CLIENT_DIR/tests/browser/talks.mjs" || TALKS_STATUS=$?
if [[ $TALKS_STATUS -eq 0 ]]; then
  pass "the talks walk (plan, postpone, replan, held, commitments, decisions, briefing, cancel) passed every check"
else
  fail "the talks walk (plan, postpone, replan, held, commitments, decisions, briefing, cancel) passed every check" \
    "exit $TALKS_STATUS"
fi
# Morocco's cases by type as consularctl prints them from the same release: "5" each, or "x"
# where disclosure control withholds the split (the releases made while seeding differ by a few
# cases); the browser must show exactly that.
ctl "$POLICY" stats country MA --year "$STATS_YEAR"
MA_BY_TYPE=$(awk '/^cases opened by case type$/ { s = 1; next } s && /^$/ { s = 0 } s' <<<"$OUT")
STATS_STATUS=0
WEB_URL="https://localhost:$WEB_PORT" STATS_YEAR=$STATS_YEAR SCREENSHOTS=$SHOTS \
  MA_ABANDONMENT=$(awk '$1 == "abandonment" { print $NF }' <<<"$MA_BY_TYPE") \
  MA_DIVORCE=$(awk '/^foreign divorce recognition / { print $NF }' <<<"$MA_BY_TYPE") \
  node "$CLIENT_DIR/tests/browser/statistics.mjs" || STATS_STATUS=$?
if [[ $STATS_STATUS -eq 0 ]]; then
  pass "the statistics walk (countries, Morocco's figures, time series, dossier, releases) passed every check"
else
  fail "the statistics walk (countries, Morocco's figures, time series, dossier, releases) passed every check" \
    "exit $STATS_STATUS"
fi

# Records management and exports on a case of its own (with covert notes, which a subject-access
# export must leave out): a legal hold placed and lifted, a subject-access request approved and
# downloaded, a bulk export under two keys, the records screen. Last, so that its case of Morocco
# comes after every release the walks above read.
RECORDS_STATUS=0
RECORDS_NAME="Rosa Recordstest"
RECORDS_COVERT="Her brother watches the house; call only before noon"
ctl "$(mint officer RABAT)" case create --type abandonment --country MA --name "$RECORDS_NAME" \
  --sex female --nationality dual --referral family --covert-notes "$RECORDS_COVERT" --dob 1993-04-05 --json
RECORDS_REF=$(json_field reference)
if [[ -z $RECORDS_REF ]]; then
  echo "case create for the records walk: $ERR" >&2
  RECORDS_STATUS=1
else
  WEB_URL="https://localhost:$WEB_PORT" CASE_REF=$RECORDS_REF CASE_NAME=$RECORDS_NAME \
    COVERT=$RECORDS_COVERT SCREENSHOTS=$SHOTS node "$CLIENT_DIR/tests/browser/records.mjs" || RECORDS_STATUS=$?
fi
if [[ $RECORDS_STATUS -eq 0 ]]; then
  pass "the records walk (legal hold, subject access, bulk export, records screen) passed every check"
else
  fail "the records walk (legal hold, subject access, bulk export, records screen) passed every check" \
    "exit $RECORDS_STATUS"
fi

# A destruction list from proposal to tombstone, after every other walk (which assume that no
# case is ever due): abandonment cases are kept 0 years from now on, and two of RABAT are closed,
# so both are due today; the walk proposes the list, reviews it in both slots (keeping the
# second), processes it and reads the first case's tombstone.
DESTRUCTION_STATUS=0
MANAGER=$(mint manager RABAT) || setup_fail "dev token not minted"
DESTROY_NAME="Dina Destructiontest"
KEEP_NAME="Karima Keeptest"
closed_case() {  # NAME: opens a case of RABAT and closes it; sets CLOSED_REF (empty on failure)
  CLOSED_REF=""
  ctl "$OFFICER" case create --type abandonment --country MA --name "$1" --sex female \
    --nationality dual --referral family --dob 1989-06-07 --json
  local ref
  ref=$(json_field reference)
  [[ -n $ref ]] || { echo "case create for the destruction walk: $ERR" >&2; return 0; }
  ctl "$OFFICER" case transition "$ref" ACTIVE --reason "Reached her by phone"
  [[ $RC -eq 0 ]] || { echo "case $ref not active: $ERR" >&2; return 0; }
  ctl "$OFFICER" case transition "$ref" RESOLVED --outcome contact-lost --reason "No answer since"
  [[ $RC -eq 0 ]] || { echo "case $ref not resolved: $ERR" >&2; return 0; }
  ctl "$MANAGER" case transition "$ref" CLOSED --reason "Nothing left to do"
  [[ $RC -eq 0 ]] || { echo "case $ref not closed: $ERR" >&2; return 0; }
  CLOSED_REF=$ref
}
ctl "$ADMIN" retention set-schedule --type abandonment --years 0 \
  --reason "Volledige vernietigingscyclus in de browsertest"
if [[ $RC -ne 0 ]]; then
  echo "retention set-schedule: $ERR" >&2
  DESTRUCTION_STATUS=1
else
  closed_case "$DESTROY_NAME"
  DESTROY_REF=$CLOSED_REF
  closed_case "$KEEP_NAME"
  KEEP_REF=$CLOSED_REF
  if [[ -z $DESTROY_REF || -z $KEEP_REF ]]; then
    DESTRUCTION_STATUS=1
  else
    WEB_URL="https://localhost:$WEB_PORT" DESTROY_REF=$DESTROY_REF DESTROY_NAME=$DESTROY_NAME \
      KEEP_REF=$KEEP_REF KEEP_NAME=$KEEP_NAME SCREENSHOTS=$SHOTS \
      node "$CLIENT_DIR/tests/browser/destruction.mjs" || DESTRUCTION_STATUS=$?
  fi
fi
if [[ $DESTRUCTION_STATUS -eq 0 ]]; then
  pass "the destruction walk (propose, review in both slots, process, tombstone) passed every check"
else
  fail "the destruction walk (propose, review in both slots, process, tombstone) passed every check" \
    "exit $DESTRUCTION_STATUS"
fi
echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
