#!/usr/bin/env bash
# The operator's view of one server: its access log (one JSON line per call, no personal data), its
# metrics, and health following the database. consular-cases over TLS on real PostgreSQL says
# SERVING through the
# standard gRPC health service (grpc.health.v1.Health/Check, read with raw_call); with PostgreSQL
# stopped it says NOT_SERVING within seconds and calls fail cleanly; with PostgreSQL back it says
# SERVING again and calls work, without a restart of the server.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tests/e2e/health_e2e.sh --cases BIN --migrate BIN --ctl BIN --raw-call BIN [--work-dir DIR]
Set CONSULAR_E2E_KEEP=1 to keep the temporary folder for inspection.
USAGE
}

CASES_BIN="" MIGRATE_BIN="" CTL_BIN="" RAW_BIN="" WORK_PARENT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cases) CASES_BIN=$2; shift 2 ;;
    --migrate) MIGRATE_BIN=$2; shift 2 ;;
    --ctl) CTL_BIN=$2; shift 2 ;;
    --raw-call) RAW_BIN=$2; shift 2 ;;
    --work-dir) WORK_PARENT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
for bin in "$CASES_BIN" "$MIGRATE_BIN" "$CTL_BIN" "$RAW_BIN"; do
  [[ -n $bin && -x $bin ]] || { usage >&2; exit 2; }
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OPS=$(cd "$HERE/../../ops" && pwd)
KEEP=${CONSULAR_E2E_KEEP:-0}
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

e2e_make_work_dir health
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
start_server "$CASES_BIN" "$CASES_PORT" "$CASES_LOG" --metrics-listen "127.0.0.1:$METRICS_PORT"
CASES_PID=$STARTED_PID
wait_listening consular-cases "$CASES_PID" "$CASES_LOG"
CTL_ADDRS=(--addr "localhost:$CASES_PORT")
OFFICER=$(mint officer RABAT) || setup_fail "dev token not minted"

# The server's Prometheus metrics (text format); METRIC_LINE WANT: the value of one sample.
metrics() { curl -s "http://127.0.0.1:$METRICS_PORT/metrics" || true; }
sample() {  # NAME{LABELS} as printed: its value, or "" when absent
  awk -v want="$1" 'index($0, want " ") == 1 { print $2 }' <<<"$(metrics)"
}
# NAME{LABELS} WANT SECONDS: passes when the sample reads WANT within SECONDS.
wait_sample() {
  local i
  for ((i = 0; i < $3 * 5; i++)); do
    [[ $(sample "$1") == "$2" ]] && return 0
    sleep 0.2
  done
  return 1
}

# The overall health (service ""): HealthCheckResponse{status} is 0801 for SERVING, 0802 for
# NOT_SERVING.
health() {
  "$RAW_BIN" --addr "localhost:$CASES_PORT" --ca "$CERTS/ca.pem" \
    --method /grpc.health.v1.Health/Check --show-response 2>&1 || true
}
# WANT SECONDS: passes when the health answer ends in WANT within SECONDS.
wait_health() {
  local want=$1 seconds=$2 i
  for ((i = 0; i < seconds * 5; i++)); do
    HEALTH=$(health)
    [[ $HEALTH == "OK "*" $want" ]] && return 0
    sleep 0.2
  done
  return 1
}

if wait_health 0801 5; then
  pass "with its database up the server is SERVING"
else
  fail "with its database up the server is SERVING" "$HEALTH"
fi
ctl "$OFFICER" case list
expect_ok "a call works"
# The access log: one JSON line for that call, with its method, code, latency, the caller's role
# and unit; and for a call whose request holds a
# person's name, that name nowhere in the log.
ctl "$OFFICER" case create --type abandonment --country MA --name "Zoraida Logcheck" \
  --sex female --nationality dual --referral family
expect_ok "a case is created"
if python3 - "$CASES_LOG" <<'PY'
import json, sys
calls = []
for line in open(sys.argv[1]):
    entry = json.loads(line)  # every line is one JSON object
    if entry.get("msg") == "call":
        calls.append(entry)
want = {"/consular.v1.CaseService/ListCases", "/consular.v1.CaseService/CreateCase"}
seen = set()
for c in calls:
    if c["method"] in want and c["code"] == "OK" and c["role"] == "ROLE_CONSULAR_OFFICER" \
            and c["unit"] == "RABAT" and c["latency_ms"] >= 0 and c["service"] == "consular-cases":
        seen.add(c["method"])
sys.exit(0 if seen == want else 1)
PY
then
  pass "the access log has one JSON line per call: method, code, latency, role, unit"
else
  fail "the access log has one JSON line per call" "$(grep '"call"' "$CASES_LOG" | tail -n 5)"
fi
if ! grep -q "Zoraida\|Logcheck" "$CASES_LOG"; then
  pass "no personal data in the log: the name sent is not in it"
else
  fail "no personal data in the log" "$(grep "Zoraida\|Logcheck" "$CASES_LOG")"
fi
CREATE_OK='consular_calls_total{code="OK",method="/consular.v1.CaseService/CreateCase"}'
if [[ $(sample "$CREATE_OK") == 1 ]]; then
  pass "the metrics count the logged call"
else
  fail "the metrics count the logged call" "$(metrics | grep calls_total)"
fi
LIST_OK='consular_calls_total{code="OK",method="/consular.v1.CaseService/ListCases"}'
if [[ $(sample "$LIST_OK") == 1 ]] && wait_sample consular_database_ready 1 5 \
    && metrics | grep -q '^consular_build_info{service="consular-cases",version="[^"]*"} 1' \
    && metrics | grep -q '^consular_call_duration_seconds_bucket{method="/consular.v1.CaseService/ListCases",le="0.1"} ' \
    && metrics | grep -q '^consular_db_pool_connections_open ' \
    && metrics | grep -q '^consular_worker_queue_depth 0'; then
  pass "the metrics count the call by method and code, with its latency, the pools, readiness and build"
else
  fail "the metrics count the call by method and code, with its latency, the pools, readiness and build" \
    "$(metrics | grep '^consular_' | head -40)"
fi

"$OPS/pg.sh" stop "$PG_DIR" "$PG_PORT" >/dev/null || setup_fail "PostgreSQL did not stop"
if wait_health 0802 10; then
  pass "with its database gone the server says NOT_SERVING within seconds"
else
  fail "with its database gone the server says NOT_SERVING within seconds" "$HEALTH"
fi
ctl "$OFFICER" case list
if [[ $RC -ne 0 && $ERR == *UNAVAILABLE* ]] && kill -0 "$CASES_PID" 2>/dev/null; then
  pass "a call without the database is UNAVAILABLE, and the server keeps running"
else
  fail "a call without the database is UNAVAILABLE, and the server keeps running" "$(details)"
fi
LIST_DOWN='consular_calls_total{code="UNAVAILABLE",method="/consular.v1.CaseService/ListCases"}'
if [[ $(sample "$LIST_DOWN") == 1 && $(sample consular_database_ready) == 0 ]]; then
  pass "the metrics show the database down and the call it failed"
else
  fail "the metrics show the database down and the call it failed" "$(metrics | grep '^consular_' | head -40)"
fi
if grep -q "NOT_SERVING: the database does not answer" "$CASES_LOG"; then
  pass "the server logs why it is not serving"
else
  fail "the server logs why it is not serving" "$(tail -n 5 "$CASES_LOG")"
fi

"$OPS/pg.sh" start "$PG_DIR" "$PG_PORT" "${PG_START_FLAGS[@]}" >/dev/null \
  || setup_fail "PostgreSQL did not start again"
if wait_health 0801 10; then
  pass "with its database back the server is SERVING again, without a restart"
else
  fail "with its database back the server is SERVING again, without a restart" "$HEALTH"
fi
ok=0
for _ in $(seq 10); do
  ctl "$OFFICER" case list
  [[ $RC -eq 0 ]] && { ok=1; break; }
  sleep 0.5
done
if (( ok )); then
  pass "calls work again on the same server"
else
  fail "calls work again on the same server" "$(details)"
fi

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
