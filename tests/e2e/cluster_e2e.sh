#!/usr/bin/env bash
# The README's client commands on the highly available cluster: ops/cluster.sh up (etcd, three
# PostgreSQL nodes under Patroni with synchronous replication, then the services and the gateway
# of ops/stack.sh on the multi-host DSN), a case created and listed with consularctl, the audit
# chain verified; a planned failover to the standby, and the same services go on writing, without
# a restart, on the new primary; ops/cluster.sh down stops everything. All in a temporary folder.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tests/e2e/cluster_e2e.sh --build-dir DIR [--work-dir DIR]
  --build-dir  the build folder holding the services, consular-migrate and consularctl
Set CONSULAR_E2E_KEEP=1 to keep the temporary folder for inspection.
USAGE
}

BUILD="" WORK_PARENT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) BUILD=$2; shift 2 ;;
    --work-dir) WORK_PARENT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
[[ -n $BUILD && -x $BUILD/tools/consularctl/consularctl ]] || { usage >&2; exit 2; }
BUILD=$(cd "$BUILD" && pwd)

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OPS=$(cd "$HERE/../../ops" && pwd)
KEEP=${CONSULAR_E2E_KEEP:-0}
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

e2e_make_work_dir cluster
export CONSULAR_BUILD_DIR=$BUILD
e2e_cluster_dir
export CONSULAR_CLUSTER_DIR=$CLUSTER_DIR
export CONSULAR_STACK_DIR=$WORK/stack
IFS=, read -r -a ports <<<"$(free_low_ports 17)"
export CONSULAR_CLUSTER_PG_PORTS="${ports[0]},${ports[1]},${ports[2]}"
export CONSULAR_CLUSTER_API_PORTS="${ports[3]},${ports[4]},${ports[5]}"
export CONSULAR_CLUSTER_ETCD_PORTS="${ports[6]},${ports[7]}"
export CONSULAR_CASES_PORT=${ports[8]} CONSULAR_CASES_METRICS_PORT=${ports[9]}
export CONSULAR_AUDIT_PORT=${ports[10]} CONSULAR_AUDIT_METRICS_PORT=${ports[11]}
export CONSULAR_CONTACTS_PORT=${ports[12]} CONSULAR_CONTACTS_METRICS_PORT=${ports[13]}
export CONSULAR_STATS_PORT=${ports[14]} CONSULAR_STATS_METRICS_PORT=${ports[15]}
export CONSULAR_WEB_PORT=${ports[16]}

# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local status=$?
  "$OPS/cluster.sh" down >"$WORK/down-at-exit.log" 2>&1 || true
  e2e_finish "$status" "$WORK/up.log" "$CONSULAR_STACK_DIR/logs/cases.log" \
    "$CONSULAR_CLUSTER_DIR"/node*/patroni.log
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== ops/cluster.sh up in $WORK"
if "$OPS/cluster.sh" up --dev-sign-in >"$WORK/up.log" 2>&1; then
  pass "ops/cluster.sh up: three nodes, then the services and the gateway"
else
  fail "ops/cluster.sh up" "$(tail -n 30 "$WORK/up.log")"
  exit 1
fi
if "$OPS/cluster.sh" status >"$WORK/status.out" 2>&1 \
    && grep -q "leader" "$WORK/status.out" && grep -q "sync_standby" "$WORK/status.out" \
    && grep -q "consular-cases:.*running" "$WORK/status.out"; then
  pass "status: a leader, a synchronous standby, the services running"
else
  fail "status: a leader, a synchronous standby, the services running" "$(cat "$WORK/status.out")"
fi
ADMIN_DSN=$("$OPS/cluster.sh" dsn postgres postgres)
SYNC=$(psql "$ADMIN_DSN" -X -tA -c "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'")
SETTINGS=$(psql "$ADMIN_DSN" -X -tA -c "SHOW synchronous_standby_names")
if [[ $SYNC == 1 && -n $SETTINGS ]]; then
  pass "commits wait for one synchronous standby (synchronous_standby_names = $SETTINGS)"
else
  fail "commits wait for one synchronous standby" "sync standbys: $SYNC, names: $SETTINGS"
fi

# The README's client commands, with the stack's env as the README says.
# shellcheck source=/dev/null
source "$CONSULAR_STACK_DIR/env"
CTL=consularctl
OFFICER=$($CTL dev token --role officer --post RABAT) || setup_fail "dev token not minted"
AUDITOR=$($CTL dev token --role auditor) || setup_fail "dev token not minted"
if CONSULAR_TOKEN=$OFFICER $CTL case create --type abandonment --country MA \
     --name "Amina Example" --sex female --nationality dual --referral family \
     --flag passport-withheld --json >"$WORK/create1.json" 2>"$WORK/create1.err"; then
  REF1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["reference"])' "$WORK/create1.json")
  pass "consularctl case create on the cluster ($REF1)"
else
  fail "consularctl case create on the cluster" "$(cat "$WORK/create1.err")"
  REF1=none
fi
LIST=$(CONSULAR_TOKEN=$OFFICER $CTL case list --country MA 2>&1 || true)
if grep -q "$REF1" <<<"$LIST"; then
  pass "consularctl case list shows it"
else
  fail "consularctl case list shows it" "$LIST"
fi

# A planned failover: the synchronous standby becomes the primary.
OLD=$("$OPS/cluster.sh" leader)
if "$OPS/cluster.sh" failover >"$WORK/failover.log" 2>&1 && NEW=$("$OPS/cluster.sh" leader) \
    && [[ $NEW != "$OLD" ]]; then
  pass "ops/cluster.sh failover: $OLD handed the primary role to $NEW ($(grep -o 'after [0-9]* s' "$WORK/failover.log"))"
else
  fail "ops/cluster.sh failover" "$(tail -n 20 "$WORK/failover.log")"
fi
# The services were not restarted: the same processes write on the new primary. A call that meets
# a connection the failover broke fails UNAVAILABLE; the client retries it with the same request
# id, which can never create a second case.
CASES_PID=$(<"$CONSULAR_STACK_DIR/cases.pid")
CREATED=0
for _ in $(seq 60); do
  if CONSULAR_TOKEN=$OFFICER $CTL case create --type abandonment --country MA \
       --name "Bea Example" --sex female --nationality dual --referral family \
       --request-id "cluster-e2e-after-failover" --json >"$WORK/create2.json" 2>"$WORK/create2.err"
  then
    CREATED=1
    break
  fi
  grep -q "UNAVAILABLE" "$WORK/create2.err" || break
  sleep 0.5
done
if (( CREATED )); then
  pass "after the failover a case is created on the new primary"
else
  fail "after the failover a case is created on the new primary" "$(cat "$WORK/create2.err")"
fi
COUNT=$(CONSULAR_TOKEN=$OFFICER $CTL case list --country MA 2>&1 | grep -c "^ABN-" || true)
if [[ $COUNT == 2 ]]; then
  pass "two cases, none twice"
else
  fail "two cases, none twice" "$COUNT listed"
fi
if [[ $(<"$CONSULAR_STACK_DIR/cases.pid") == "$CASES_PID" ]] && kill -0 "$CASES_PID" 2>/dev/null; then
  pass "consular-cases (pid $CASES_PID) ran throughout, never restarted"
else
  fail "consular-cases ran throughout"
fi
VERIFY=""
for _ in $(seq 30); do
  VERIFY=$(CONSULAR_TOKEN=$AUDITOR $CTL audit verify 2>&1 || true)
  [[ $VERIFY == *"chain valid"*"0 pending"* ]] && break
  sleep 0.5
done
if [[ $VERIFY == *"chain valid"* ]]; then
  pass "the audit chain verifies across the failover"
else
  fail "the audit chain verifies across the failover" "$VERIFY"
fi

if "$OPS/cluster.sh" down >"$WORK/down.log" 2>&1; then
  pass "ops/cluster.sh down"
else
  fail "ops/cluster.sh down" "$(tail -n 20 "$WORK/down.log")"
fi
if ! "$OPS/cluster.sh" status >"$WORK/status-after.out" 2>&1 \
    && ! pgrep -f "patroni $CONSULAR_CLUSTER_DIR/" >/dev/null \
    && ! kill -0 "$CASES_PID" 2>/dev/null; then
  pass "after down nothing of it runs"
else
  fail "after down nothing of it runs" "$(cat "$WORK/status-after.out")"
fi

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
