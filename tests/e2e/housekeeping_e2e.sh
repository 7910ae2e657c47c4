#!/usr/bin/env bash
# Housekeeping in a running server: consular-cases on real PostgreSQL, its housekeeping interval
# set to one second in its --config file, deletes the idempotency records and emergency searches
# whose retention has passed (made old by writing their times as the superuser) and keeps the
# young ones, at start and again in later rounds; its metrics count the rows per kind and show the
# last successful round; the audit trail keeps every row; SIGTERM stops it cleanly.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tests/e2e/housekeeping_e2e.sh --cases BIN --migrate BIN --ctl BIN [--work-dir DIR]
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
for bin in "$CASES_BIN" "$MIGRATE_BIN" "$CTL_BIN"; do
  [[ -n $bin && -x $bin ]] || { usage >&2; exit 2; }
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OPS=$(cd "$HERE/../../ops" && pwd)
KEEP=${CONSULAR_E2E_KEEP:-0}
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

e2e_make_work_dir housekeeping
CASES_PID=""
CASES_LOG=$WORK/cases.log
CASES_PORT=$(free_port)
METRICS_PORT=$(free_port)

# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local status=$?
  e2e_stop_pids "$CASES_PID"
  e2e_finish "$status" "$CASES_LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

e2e_setup_database
"$MIGRATE_BIN" --dsn "$OWNER_DSN" >"$WORK/migrate.log" 2>&1 || setup_fail "migrations"
e2e_seed_units "$OWNER_DSN"

sql() { psql "$SUPER_DSN" -X -q -v ON_ERROR_STOP=1 -tA -c "$1"; }
SEALED="decode('01' || repeat('ab', 60), 'hex')"
# Idempotency records: two past the default 30 days, one young; emergency searches: one past the
# default 730 days, one young.
sql "INSERT INTO cases.idempotency (actor, request_id, method, request_hash, created_at) VALUES
       ('officer', 'old-1', 'CreateCase', '\\x00', now() - interval '31 days'),
       ('officer', 'old-2', 'CreateCase', '\\x00', now() - interval '90 days'),
       ('officer', 'young', 'CreateCase', '\\x00', now() - interval '29 days')" \
  || setup_fail "old idempotency records not written"
sql "INSERT INTO cases.emergency_searches (id, actor, actor_role, actor_unit, reason,
       found_case_ids, searched_at) VALUES
       (gen_random_uuid(), 'mgr', 'ROLE_POST_MANAGER', 'RABAT', $SEALED, '{}', now() - interval '731 days'),
       (gen_random_uuid(), 'mgr', 'ROLE_POST_MANAGER', 'RABAT', $SEALED, '{}', now() - interval '10 days')" \
  || setup_fail "emergency searches not written"
AUDIT_BEFORE=$(sql "SELECT count(*) FROM audit.events")

cat >"$WORK/cases.toml" <<TOML
housekeeping-interval-seconds = 1
idempotency-retention-days = 30
emergency-retention-days = 730
TOML
start_server "$CASES_BIN" "$CASES_PORT" "$CASES_LOG" --config "$WORK/cases.toml" \
  --metrics-listen "127.0.0.1:$METRICS_PORT"
CASES_PID=$STARTED_PID
wait_listening consular-cases "$CASES_PID" "$CASES_LOG"

metrics() { curl -s "http://127.0.0.1:$METRICS_PORT/metrics" || true; }
sample() {  # NAME{LABELS} as printed: its value, or "" when absent
  awk -v want="$1" 'index($0, want " ") == 1 { print $2 }' <<<"$(metrics)"
}
# SQL WANT SECONDS: true once the query's answer is WANT within SECONDS.
wait_query() {
  local i
  for ((i = 0; i < $3 * 5; i++)); do
    [[ $(sql "$1") == "$2" ]] && return 0
    sleep 0.2
  done
  return 1
}

IDS="SELECT string_agg(request_id, ',' ORDER BY request_id) FROM cases.idempotency"
if wait_query "$IDS" young 10 \
    && wait_query "SELECT count(*) FROM cases.emergency_searches" 1 5; then
  pass "the running server deletes the expired records and searches, and keeps the young ones"
else
  fail "the running server deletes the expired records and searches, and keeps the young ones" \
    "$(sql "$IDS"); $(tail -n 5 "$CASES_LOG")"
fi
EXPIRED='consular_housekeeping_expired_rows_total{kind="cases_idempotency"}'
SEARCHES='consular_housekeeping_expired_rows_total{kind="emergency_searches"}'
LAST=$(sample consular_housekeeping_last_success_timestamp_seconds)
if [[ $(sample "$EXPIRED") == 2 && $(sample "$SEARCHES") == 1 \
      && $(sample 'consular_housekeeping_expired_rows_total{kind="ended_shares"}') == 0 \
      && -n $LAST && ${LAST%%.*} -gt $(( $(date +%s) - 60 )) ]] \
   && metrics | grep -q '^# TYPE consular_housekeeping_expired_rows_total counter'; then
  pass "the metrics count the rows per kind and show the last successful round"
else
  fail "the metrics count the rows per kind and show the last successful round" \
    "$(metrics | grep housekeeping)"
fi

# A later round: a record that has just become old goes too.
sql "UPDATE cases.idempotency SET created_at = now() - interval '45 days' WHERE request_id = 'young'"
if wait_query "SELECT count(*) FROM cases.idempotency" 0 10 && sleep 0.5 \
    && [[ $(sample "$EXPIRED") == 3 ]]; then
  pass "housekeeping runs again every interval"
else
  fail "housekeeping runs again every interval" "$(sql "$IDS"); $(metrics | grep housekeeping)"
fi
if [[ $(sql "SELECT count(*) FROM audit.events") == "$AUDIT_BEFORE" ]] \
   && grep -q 'housekeeping: deleted 2 expired rows of cases_idempotency' "$CASES_LOG"; then
  pass "the audit trail keeps every row, and the server logs what it deleted"
else
  fail "the audit trail keeps every row, and the server logs what it deleted" \
    "$(grep housekeeping "$CASES_LOG" | head -5)"
fi

kill -TERM "$CASES_PID"
status=0
for _ in $(seq 100); do kill -0 "$CASES_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$CASES_PID" 2>/dev/null; then
  fail "SIGTERM stops the server and its housekeeping cleanly" "still running after 10 s"
else
  wait "$CASES_PID" || status=$?
  if [[ $status -eq 0 ]] && ! grep -q '"level":"error"' "$CASES_LOG"; then
    pass "SIGTERM stops the server and its housekeeping cleanly"
  else
    fail "SIGTERM stops the server and its housekeeping cleanly" "exit $status; $(tail -n 5 "$CASES_LOG")"
  fi
fi
CASES_PID=""

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
