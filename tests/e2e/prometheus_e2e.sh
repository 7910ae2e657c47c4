#!/usr/bin/env bash
# The servers' metrics as an operator's Prometheus sees them: consular-cases over TLS on real
# PostgreSQL with --metrics-listen, Debian's prometheus scraping it every second with the rules
# of ops/prometheus (promtool checks them first), and the recording rule consular:calls:rate1m
# answering through Prometheus's query API for the calls the test made. The Grafana dashboard of
# ops/prometheus is checked to be JSON that queries only metrics and rules that exist.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tests/e2e/prometheus_e2e.sh --cases BIN --migrate BIN --ctl BIN [--work-dir DIR]
Needs Debian's prometheus (prometheus, promtool). Set CONSULAR_E2E_KEEP=1 to keep the temporary
folder for inspection.
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
RULES=$OPS/prometheus
KEEP=${CONSULAR_E2E_KEEP:-0}
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

command -v prometheus >/dev/null && command -v promtool >/dev/null || {
  echo "SETUP FAILED: Debian's prometheus is not installed; run ops/install-deps.sh" >&2
  exit 1
}

e2e_make_work_dir prometheus
CASES_PID="" PROM_PID=""
CASES_LOG=$WORK/cases.log
PROM_LOG=$WORK/prometheus.log
CASES_PORT=$(free_port)
METRICS_PORT=$(free_port)
PROM_PORT=$(free_port)

# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local status=$?
  e2e_stop_pids "$CASES_PID" "$PROM_PID"
  e2e_finish "$status" "$CASES_LOG" "$PROM_LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if promtool check rules "$RULES/recording.yml" "$RULES/alerts.yml" >"$WORK/promtool.log" 2>&1; then
  pass "promtool accepts the recording and alerting rules of ops/prometheus"
else
  fail "promtool accepts the recording and alerting rules of ops/prometheus" "$(cat "$WORK/promtool.log")"
fi

e2e_setup_database
"$MIGRATE_BIN" --dsn "$OWNER_DSN" >"$WORK/migrate.log" 2>&1 || setup_fail "migrations"
e2e_seed_units "$OWNER_DSN"
start_server "$CASES_BIN" "$CASES_PORT" "$CASES_LOG" --metrics-listen "127.0.0.1:$METRICS_PORT"
CASES_PID=$STARTED_PID
wait_listening consular-cases "$CASES_PID" "$CASES_LOG"

cat >"$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $RULES/recording.yml
  - $RULES/alerts.yml
scrape_configs:
  - job_name: consular-cases
    static_configs:
      - targets: ["127.0.0.1:$METRICS_PORT"]
YAML
prometheus --config.file "$WORK/prometheus.yml" --storage.tsdb.path "$WORK/tsdb" \
  --web.listen-address "127.0.0.1:$PROM_PORT" >"$PROM_LOG" 2>&1 &
PROM_PID=$!

# QUERY: the API's answer.
query() {
  curl -s --get "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" || true
}
# A rate needs samples from before the calls: wait for Prometheus's first scrapes.
SCRAPED=0
for _ in $(seq 60); do
  [[ $(query 'up{job="consular-cases"} == 1') == *'"value":['* ]] && { SCRAPED=1; break; }
  sleep 0.5
done
(( SCRAPED )) || setup_fail "Prometheus did not scrape the server: $(tail -n 5 "$PROM_LOG")"
sleep 1

CTL_ADDRS=(--addr "localhost:$CASES_PORT")
OFFICER=$(mint officer RABAT) || setup_fail "dev token not minted"
# Calls for a minute's rate, over a few scrapes: listings that succeed, and a case that does not
# exist.
for _ in $(seq 10); do
  ctl "$OFFICER" case list
  ctl "$OFFICER" case get ABN-2000-99999
  sleep 0.3
done

# The recording rule's group is evaluated every 15 s: wait until it has a positive rate of both the
# listings that succeeded and the reads that were refused. positive ANSWER: the query's first
# result has a value above 0.
positive() {
  python3 -c 'import json, sys
a = json.loads(sys.argv[1])
r = a["data"]["result"]
sys.exit(0 if a["status"] == "success" and r and float(r[0]["value"][1]) > 0 else 1)' "$1" 2>/dev/null
}
RECORDED=0 REFUSED=0
for _ in $(seq 60); do
  ANSWER=$(query 'consular:calls:rate1m{method="/consular.v1.CaseService/ListCases",code="OK"}')
  positive "$ANSWER" && RECORDED=1
  REFUSED_ANSWER=$(query 'consular:calls:rate1m{method="/consular.v1.CaseService/GetCase",code="NOT_FOUND"}')
  positive "$REFUSED_ANSWER" && REFUSED=1
  (( RECORDED && REFUSED )) && break
  sleep 0.5
done
if (( RECORDED )); then
  pass "Prometheus scrapes the server and the recording rule gives the rate of its calls"
else
  fail "Prometheus scrapes the server and the recording rule gives the rate of its calls" \
    "$ANSWER $(tail -n 5 "$PROM_LOG")"
fi
if (( REFUSED )); then
  pass "the refused calls have a rate of their own, by status code"
else
  fail "the refused calls have a rate of their own, by status code" "$REFUSED_ANSWER"
fi
ANSWER=$(query 'up{job="consular-cases"} * on (instance) consular_database_ready')
if [[ $ANSWER == *'"value":['*',"1"]'* ]]; then
  pass "the server is up and its database ready, as Prometheus sees them"
else
  fail "the server is up and its database ready, as Prometheus sees them" "$ANSWER"
fi

# The audit sequencer's lag: every call above wrote an audit row; the sequencer chains them
# within moments and says so at each round.
CHAINED=0
for _ in $(seq 60); do
  ANSWER=$(query 'consular_audit_chain_pending_events == 0
    and time() - consular_audit_sequencer_last_round_timestamp_seconds < 10
    and consular_audit_chain_lag_seconds == 0')
  [[ $ANSWER == *'"value":['* ]] && { CHAINED=1; break; }
  sleep 0.5
done
if (( CHAINED )); then
  pass "the audit sequencer's lag: nothing pending, its last round seconds ago"
else
  fail "the audit sequencer's lag: nothing pending, its last round seconds ago" \
    "$(curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | grep audit_)"
fi

# The dashboard: JSON, and every metric it queries is one the server or a rule makes, or one
# consular-stats alone registers (its rollups' lag; e2e_stats reads it).
KNOWN=$(curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | awk '/^consular_/ { sub(/[{ ].*/, ""); print }' | sort -u)
KNOWN+=$'\n'$(grep -ohE '"consular_rollup_[a-z0-9_]+"' "$HERE/../../services/stats/main.cc" | tr -d '"')
if python3 - "$RULES/grafana-dashboard.json" "$RULES/recording.yml" "$KNOWN" <<'PY'
import json, re, sys
dashboard = json.load(open(sys.argv[1]))
recorded = set(re.findall(r"record: (\S+)", open(sys.argv[2]).read()))
known = set(sys.argv[3].split()) | recorded
known |= {k.rsplit("_", 1)[0] for k in known if k.endswith(("_bucket", "_sum", "_count"))}
used = set()
for panel in dashboard["panels"]:
    for target in panel["targets"]:
        used |= set(re.findall(r"consular[:_][a-z0-9_:]+", target["expr"]))
unknown = sorted(u for u in used if u not in known)
print("unknown:", unknown)
sys.exit(1 if unknown or not used else 0)
PY
then
  pass "the Grafana dashboard is JSON and queries only metrics and rules that exist"
else
  fail "the Grafana dashboard is JSON and queries only metrics and rules that exist" "$KNOWN"
fi

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
