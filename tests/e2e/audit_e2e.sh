#!/usr/bin/env bash
# End-to-end test of the audit trail: real PostgreSQL, consular-audit over TLS with its sequencer,
# the real client. Tampering with a row directly in the database must make `consularctl audit
# verify --full` fail and name that row, and `consularctl audit verify` (from the verified
# watermark) when the row is the watermark's own or comes after it. Everything lives in a
# temporary folder, removed on exit.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tests/e2e/audit_e2e.sh --audit BIN --migrate BIN --ctl BIN [--work-dir DIR]

  --audit     the consular-audit server binary
  --migrate   the consular-migrate binary
  --ctl       the consularctl binary
  --work-dir  folder for the temporary files (default: the system's temporary folder)
Set CONSULAR_E2E_KEEP=1 to keep the temporary folder for inspection.
USAGE
}

AUDIT_BIN="" MIGRATE_BIN="" CTL_BIN="" WORK_PARENT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --audit) AUDIT_BIN=$2; shift 2 ;;
    --migrate) MIGRATE_BIN=$2; shift 2 ;;
    --ctl) CTL_BIN=$2; shift 2 ;;
    --work-dir) WORK_PARENT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
if [[ -z $AUDIT_BIN || -z $MIGRATE_BIN || -z $CTL_BIN ]]; then usage >&2; exit 2; fi
for bin in "$AUDIT_BIN" "$MIGRATE_BIN" "$CTL_BIN"; do
  [[ -x $bin ]] || { echo "audit_e2e: not an executable: $bin" >&2; exit 2; }
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OPS=$(cd "$HERE/../../ops" && pwd)

KEEP=${CONSULAR_E2E_KEEP:-0}
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

# ---------------------------------------------------------------------------------------------
# Set-up: a temporary folder, PostgreSQL, certificates.

e2e_make_work_dir audit-e2e
SERVER_PID=""
SERVER_LOG=$WORK/audit.log
AUDIT_PORT=$(free_port)

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
CTL_ADDRS=(--audit-addr "localhost:$AUDIT_PORT")

sql() {  # DSN SQL: one statement, unaligned result
  psql "$1" -X -q -v ON_ERROR_STOP=1 -tA -c "$2"
}

# Waits (at most 20 s) until the sequencer has chained every committed event.
wait_chained() {
  for _ in $(seq 200); do
    [[ $(sql "$SUPER_DSN" "SELECT count(*) FROM audit.pending") == 0 ]] && return 0
    sleep 0.1
  done
  return 1
}

# -- migrations
if "$MIGRATE_BIN" --dsn "$OWNER_DSN" >"$WORK/migrate.log" 2>&1; then
  pass "migrations apply"
else
  fail "migrations apply" "$(cat "$WORK/migrate.log")"
  exit 1
fi
e2e_seed_units "$OWNER_DSN"  # the register of units: tokens name posts of it

# -- the server over TLS, with its sequencer
"$AUDIT_BIN" --listen "127.0.0.1:$AUDIT_PORT" --dsn "$APP_DSN" \
  --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key" \
  --token-public-keys "$CERTS/token-public.pem" --chain-interval-ms 50 >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
ready=0
for _ in $(seq 100); do
  kill -0 "$SERVER_PID" 2>/dev/null || break
  if grep -q "listening on" "$SERVER_LOG"; then ready=1; break; fi
  sleep 0.2
done
if (( ready )); then
  pass "consular-audit starts and says it is listening"
else
  fail "consular-audit starts and says it is listening" "$(tail -n 20 "$SERVER_LOG")"
  exit 1
fi

AUDITOR=$(mint auditor) || setup_fail "dev token not minted"
OFFICER=$(mint officer RABAT) || setup_fail "dev token not minted"

# -- who may call
ctl "$OFFICER" audit verify
if [[ $RC -eq 1 && $ERR == *"error: PERMISSION_DENIED"* ]]; then
  pass "an officer may not verify the trail (PERMISSION_DENIED)"
else
  fail "an officer may not verify the trail (PERMISSION_DENIED)" "$(details)"
fi
ctl "$OFFICER" audit list
if [[ $RC -eq 1 && $ERR == *"error: PERMISSION_DENIED"* ]]; then
  pass "an officer may not list the trail (PERMISSION_DENIED)"
else
  fail "an officer may not list the trail (PERMISSION_DENIED)" "$(details)"
fi
ctl "" audit verify
if [[ $RC -eq 1 && $ERR == *"error: UNAUTHENTICATED"* ]]; then
  pass "no token: UNAUTHENTICATED"
else
  fail "no token: UNAUTHENTICATED" "$(details)"
fi

# -- case calls as the case service records them (writers only INSERT)
CASE_ID=0b7c1f3e-1d2a-4c5b-9e8f-1234567890ab
for i in 1 2 3 4 5; do
  sql "$APP_DSN" "INSERT INTO audit.events (occurred_at, actor, actor_role, actor_post, action,
      case_id, purpose, outcome) VALUES (now(), 'dev-officer-rabat', 'CONSULAR_OFFICER', 'RABAT',
      'CaseService.GetCase', '$CASE_ID', 'follow-up', 'OK')" >/dev/null
done
if wait_chained; then
  pass "the sequencer chains new events moments after commit"
else
  fail "the sequencer chains new events moments after commit" "$(tail -n 20 "$SERVER_LOG")"
fi

ctl "$AUDITOR" audit verify
VALID_RE='^chain valid up to seq ([0-9]+) \(([0-9]+) events checked, ([0-9]+) pending\)'
if [[ $RC -eq 0 && $OUT =~ $VALID_RE ]]; then
  pass "auditor: verify says the chain is valid (${BASH_REMATCH[0]})"
else
  fail "auditor: verify says the chain is valid" "$(details)"
fi
FIRST_HEAD=${BASH_REMATCH[1]:-0}

# -- the next verification starts from the verified watermark: only the rows chained since
sql "$APP_DSN" "INSERT INTO audit.events (occurred_at, actor, actor_role, actor_post, action,
    case_id, purpose, outcome) VALUES (now(), 'dev-officer-rabat', 'CONSULAR_OFFICER', 'RABAT',
    'CaseService.ListCases', NULL, 'follow-up', 'OK')" >/dev/null
wait_chained || true
ctl "$AUDITOR" audit verify
if [[ $RC -eq 0 && $OUT =~ $VALID_RE && ${BASH_REMATCH[1]} -gt $FIRST_HEAD \
      && $OUT == *"after the verified watermark at seq $FIRST_HEAD"* ]]; then
  pass "auditor: the next verify recomputes only the rows after the verified watermark"
else
  fail "auditor: the next verify recomputes only the rows after the verified watermark" \
    "$(details)"
fi
ctl "$AUDITOR" audit verify --full
if [[ $RC -eq 0 && $OUT =~ $VALID_RE && $OUT == *"verified seq 1 to "*" in full"* ]]; then
  pass "auditor: verify --full recomputes the whole chain"
else
  fail "auditor: verify --full recomputes the whole chain" "$(details)"
fi

ctl "$AUDITOR" audit list --case "$CASE_ID" --since "$(date -u +%F)"
if [[ $RC -eq 0 && $OUT == *"ID  SEQ  WHEN"* && $OUT == *"5 event(s)"* \
      && $OUT == *"CaseService.GetCase"* && $OUT == *"consular officer"* ]]; then
  pass "auditor: list --case shows the case's 5 events"
else
  fail "auditor: list --case shows the case's 5 events" "$(details)"
fi

# -- by the case's reference: the service finds the case's UUID, the auditor sees no case
sql "$SUPER_DSN" "INSERT INTO cases.cases (id, reference, case_type, status, handling_post,
    country, referral_source, subject_sex, subject_nationality_status, personal,
    subject_name_bidx, opened_at, updated_at, version) VALUES ('$CASE_ID', 'ABN-2026-00042',
    'CASE_TYPE_ABANDONMENT', 'CASE_STATUS_ACTIVE', 'RABAT', 'MA', 'REFERRAL_SOURCE_SELF',
    'SEX_FEMALE', 'NATIONALITY_STATUS_DUAL', '\\x01' || decode(repeat('00', 42), 'hex'),
    decode(repeat('00', 32), 'hex'), now(), now(), 1)" >/dev/null
ctl "$AUDITOR" audit list --case abn-2026-00042 --action CaseService.GetCase
if [[ $RC -eq 0 && $OUT == *"5 event(s)"* && $OUT == *"$CASE_ID"* ]]; then
  pass "auditor: list --case by reference shows the case's 5 events"
else
  fail "auditor: list --case by reference shows the case's 5 events" "$(details)"
fi
ctl "$AUDITOR" audit list --case DIV-2026-00042
expect_error "auditor: an unknown reference is NOT_FOUND" NOT_FOUND "no case has reference"

ctl "$AUDITOR" audit list --actor dev-officer-rabat --action CaseService.GetCase --page-size 2 --all
if [[ $RC -eq 0 && $OUT == *"5 event(s)"* ]]; then
  pass "auditor: list --actor --action --all follows the pages"
else
  fail "auditor: list --actor --action --all follows the pages" "$(details)"
fi

ctl "$AUDITOR" audit list --action AuditService.VerifyChain --json
if [[ $RC -eq 0 && $OUT == *'"outcome": "PERMISSION_DENIED"'* \
      && $OUT == *'"outcome": "OK"'* ]]; then
  pass "every audit call is itself in the trail, denied ones too"
else
  fail "every audit call is itself in the trail, denied ones too" "$(details)"
fi

ctl "$AUDITOR" audit list --until yesterday
if [[ $RC -eq 2 && $ERR == *"--until"* ]]; then
  pass "a malformed --until is a usage error naming the flag"
else
  fail "a malformed --until is a usage error naming the flag" "$(details)"
fi

# -- the services' role cannot change the trail
if ERR=$(sql "$APP_DSN" "UPDATE audit.events SET actor = 'someone-else'" 2>&1); then
  fail "UPDATE of audit.events is refused" "$ERR"
elif [[ $ERR == *"permission denied"* ]]; then
  pass "UPDATE of audit.events is refused"
else
  fail "UPDATE of audit.events is refused" "$ERR"
fi
if ERR=$(sql "$APP_DSN" "DELETE FROM audit.chain" 2>&1); then
  fail "DELETE from audit.chain is refused" "$ERR"
elif [[ $ERR == *"permission denied"* ]]; then
  pass "DELETE from audit.chain is refused"
else
  fail "DELETE from audit.chain is refused" "$ERR"
fi
if ERR=$(sql "$OWNER_DSN" "UPDATE audit.events SET actor = 'someone-else'" 2>&1); then
  fail "the trigger refuses UPDATE even to the owner" "$ERR"
elif [[ $ERR == *"append-only"* ]]; then
  pass "the trigger refuses UPDATE even to the owner"
else
  fail "the trigger refuses UPDATE even to the owner" "$ERR"
fi

# -- tampering, with triggers switched off by the superuser
wait_chained || true
EDITED=$(sql "$SUPER_DSN" "SELECT event_id FROM audit.chain WHERE seq = 3")
ORIGINAL_ACTOR=$(sql "$SUPER_DSN" "SELECT actor FROM audit.events WHERE id = $EDITED")
ORIGINAL_OUTCOME=$(sql "$SUPER_DSN" "SELECT outcome FROM audit.events WHERE id = $EDITED")
sql "$SUPER_DSN" "SET session_replication_role = replica;
  UPDATE audit.events SET outcome = 'OK', actor = 'someone-else' WHERE id = $EDITED" >/dev/null
# Row 3 lies before the verified watermark: only the full verification recomputes it.
ctl "$AUDITOR" audit verify
if [[ $RC -eq 0 && $OUT == "chain valid up to seq"* ]]; then
  pass "an edited row before the verified watermark is not recomputed by verify"
else
  fail "an edited row before the verified watermark is not recomputed by verify" "$(details)"
fi
ctl "$AUDITOR" audit verify --full
if [[ $RC -eq 1 && $OUT == *"chain BROKEN at seq 3 (event id $EDITED)"* \
      && $OUT == *"the verified watermark stays at seq"* ]]; then
  pass "an edited row is named by verify --full (seq 3, event $EDITED)"
else
  fail "an edited row is named by verify --full (seq 3, event $EDITED)" "$(details)"
fi

# Put the row back exactly as it was: the chain is whole again.
sql "$SUPER_DSN" "SET session_replication_role = replica;
  UPDATE audit.events SET outcome = '$ORIGINAL_OUTCOME', actor = '$ORIGINAL_ACTOR'
  WHERE id = $EDITED" >/dev/null
ctl "$AUDITOR" audit verify --full
if [[ $RC -eq 0 && $OUT == "chain valid up to seq"* ]]; then
  pass "the row restored exactly verifies again"
else
  fail "the row restored exactly verifies again" "$(details)"
fi

# The anchor of the verified watermark is checked by every verification.
wait_chained || true
ctl "$AUDITOR" audit verify
ANCHOR=$(sql "$SUPER_DSN" "SELECT seq FROM audit.verified_watermark")
ANCHOR_EVENT=$(sql "$SUPER_DSN" "SELECT event_id FROM audit.chain WHERE seq = $ANCHOR")
ANCHOR_ACTOR=$(sql "$SUPER_DSN" "SELECT actor FROM audit.events WHERE id = $ANCHOR_EVENT")
sql "$SUPER_DSN" "SET session_replication_role = replica;
  UPDATE audit.events SET actor = 'someone-else' WHERE id = $ANCHOR_EVENT" >/dev/null
ctl "$AUDITOR" audit verify
if [[ $RC -eq 1 && $OUT == *"chain BROKEN at seq $ANCHOR (event id $ANCHOR_EVENT)"* ]]; then
  pass "an edited row at the verified watermark is named by verify (seq $ANCHOR)"
else
  fail "an edited row at the verified watermark is named by verify (seq $ANCHOR)" "$(details)"
fi
sql "$SUPER_DSN" "SET session_replication_role = replica;
  UPDATE audit.events SET actor = '$ANCHOR_ACTOR' WHERE id = $ANCHOR_EVENT" >/dev/null

DELETED=$(sql "$SUPER_DSN" "SELECT event_id FROM audit.chain WHERE seq = 2")
sql "$SUPER_DSN" "SET session_replication_role = replica;
  DELETE FROM audit.events WHERE id = $DELETED" >/dev/null
ctl "$AUDITOR" audit verify --full
if [[ $RC -eq 1 && $OUT == *"chain BROKEN at seq 2 (event id $DELETED)"* \
      && $OUT == *deleted* ]]; then
  pass "a deleted row is named by verify --full (seq 2, event $DELETED)"
else
  fail "a deleted row is named by verify --full (seq 2, event $DELETED)" "$(details)"
fi

# -- graceful stop
kill -TERM "$SERVER_PID"
STOP_RC=0
wait "$SERVER_PID" || STOP_RC=$?
SERVER_PID=""
if [[ $STOP_RC -eq 0 ]]; then
  pass "SIGTERM stops consular-audit with exit 0"
else
  fail "SIGTERM stops consular-audit with exit 0" "exit $STOP_RC; $(tail -n 10 "$SERVER_LOG")"
fi

echo "== $PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
