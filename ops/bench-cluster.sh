#!/usr/bin/env bash
# The price and the worth of high availability, measured in one run: CreateCase and GetCase
# throughput on one durable PostgreSQL node next to the three-node cluster of ops/cluster.sh
# (synchronous replication: every commit waits for a standby), then the time from kill -9 of the
# cluster's primary to the first write acknowledged again.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/bench-cluster.sh [--duration SECONDS] [--clients N] [--rounds N] [--out FILE]

Builds the release binaries (build-release/), then, one after the other on this machine:
  1. single: ops/stack.sh on one durable PostgreSQL (fsync, synchronous_commit, full_page_writes
     on), in build-release/bench-ha/single; consular-loadgen create, then get, N clients each;
  2. cluster: ops/cluster.sh up (three nodes under Patroni, synchronous_mode strict, the services
     on the multi-host DSN), in build-release/bench-ha/cluster; the same two loads;
  3. failover: the fault test primary-node (tests/fault/fault_e2e.sh) with --rounds N: each round
     kills the primary (Patroni, postmaster and its processes) under a load of 6 writing clients;
     the time from the kill to the first write acknowledged again, per round;
and prints a table (also written to FILE, default build-release/bench-ha.txt).
Defaults: --duration 20, --clients 32, --rounds 5.
USAGE
}

DURATION=20
CLIENTS=32
ROUNDS=5
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${CONSULAR_BUILD_DIR:-$ROOT/build-release}
OUT=$BUILD_DIR/bench-ha.txt
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

OPS=$ROOT/ops
"$OPS/install-deps.sh"
if [[ ${CONSULAR_BENCH_NO_BUILD:-0} != 1 ]]; then
  CONSULAR_BUILD_DIR=$BUILD_DIR "$OPS/build.sh" --release consular-cases consular-audit \
    consular-contacts consular-stats consular-web consular-migrate consularctl consular-loadgen \
    consular-fault-driver
fi
export CONSULAR_BUILD_DIR=$BUILD_DIR
WORK=$BUILD_DIR/bench-ha
RAW=$WORK/raw
LOADGEN=$BUILD_DIR/tools/loadgen/consular-loadgen

export CONSULAR_CASES_PORT=53051 CONSULAR_AUDIT_PORT=53052 CONSULAR_CONTACTS_PORT=53053
export CONSULAR_STATS_PORT=53054 CONSULAR_WEB_PORT=53443
export CONSULAR_CLUSTER_PG_PORTS=26441,26442,26443 CONSULAR_CLUSTER_API_PORTS=29441,29442,29443
export CONSULAR_CLUSTER_ETCD_PORTS=23379,23380
export CONSULAR_STACK_PG_DURABLE=1

stop_all() {
  CONSULAR_STACK_DIR=$WORK/single-stack "$OPS/stack.sh" down >/dev/null 2>&1 || true
  CONSULAR_STACK_DIR=$WORK/cluster-stack CONSULAR_CLUSTER_DIR=$WORK/cluster \
    "$OPS/cluster.sh" down >/dev/null 2>&1 || true
}
stop_all
rm -rf "$WORK"
mkdir -p "$RAW"
trap stop_all EXIT

echo "== machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)," \
  "$(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo) RAM" | tee "$RAW/machine.txt"

declare -A RPS P50 P99
loads() {  # SETUP: create and get through the stack whose env is sourced
  local setup=$1 scenario
  for scenario in create get; do
    echo "== $setup, $scenario: consular-loadgen, $CLIENTS clients, ${DURATION}s"
    "$LOADGEN" --scenario "$scenario" --concurrency "$CLIENTS" --duration "${DURATION}s" \
      --warmup 3s --country-weights MA --setup-cases 200 --json >"$RAW/$setup-$scenario.json"
    read -r rps p50 p99 < <(python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
print(r["throughput_rps"], r["latency_ms"]["p50"], r["latency_ms"]["p99"])' "$RAW/$setup-$scenario.json")
    RPS[$setup-$scenario]=$rps P50[$setup-$scenario]=$p50 P99[$setup-$scenario]=$p99
    echo "   $rps req/s, p50 $p50 ms, p99 $p99 ms"
  done
}

# -- 1. one durable node
CONSULAR_STACK_DIR=$WORK/single-stack CONSULAR_STACK_PG_DIR=$WORK/single-stack/pg \
  "$OPS/stack.sh" up >"$RAW/single-up.log"
# shellcheck source=/dev/null
source "$WORK/single-stack/env"
loads single
CONSULAR_STACK_DIR=$WORK/single-stack "$OPS/stack.sh" down >/dev/null

# -- 2. three nodes, synchronous
CONSULAR_STACK_DIR=$WORK/cluster-stack CONSULAR_CLUSTER_DIR=$WORK/cluster \
  "$OPS/cluster.sh" up >"$RAW/cluster-up.log"
# shellcheck source=/dev/null
source "$WORK/cluster-stack/env"
SYNC=$(psql "$(CONSULAR_CLUSTER_DIR=$WORK/cluster "$OPS/cluster.sh" dsn postgres postgres)" -X -tA \
  -c "SELECT string_agg(application_name || '=' || sync_state, ' ' ORDER BY application_name)
      FROM pg_stat_replication")
echo "   standbys: $SYNC"
loads cluster
stop_all

# -- 3. failover under load
echo "== failover: $ROUNDS round(s) of kill -9 of the primary node"
bash "$ROOT/tests/fault/fault_e2e.sh" --scenario primary-node --rounds "$ROUNDS" \
  --driver "$BUILD_DIR/tests/fault/consular-fault-driver" \
  --cases "$BUILD_DIR/services/cases/consular-cases" \
  --audit "$BUILD_DIR/services/audit/consular-audit" \
  --migrate "$BUILD_DIR/tools/migrate/consular-migrate" \
  --ctl "$BUILD_DIR/tools/consularctl/consularctl" --work-dir "$WORK" | tee "$RAW/failover.log"
mapfile -t FAILOVER < <(sed -n 's/.*first write acknowledged \([0-9.]*\) s after it.*/\1/p' \
  "$RAW/failover.log")
[[ ${#FAILOVER[@]} -eq $ROUNDS ]] || { echo "bench-cluster: no failover times" >&2; exit 1; }
grep -q "^PASS fault test" "$RAW/failover.log" || { echo "bench-cluster: fault test failed" >&2; exit 1; }
read -r FO_MEDIAN FO_MAX < <(printf '%s\n' "${FAILOVER[@]}" | sort -n | awk '
  { v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m, v[NR] }')

{
  echo "High availability: $(sed 's/^== machine: //' "$RAW/machine.txt"); $(date -u +%Y-%m-%d)"
  echo "consular-loadgen, $CLIENTS clients, ${DURATION} s each, warm-up 3 s; durable PostgreSQL everywhere"
  echo
  printf '%-10s %-22s %12s %9s %9s %12s\n' call setup "req/s" "p50 ms" "p99 ms" "vs single"
  for scenario in create get; do
    for setup in single cluster; do
      ratio=$(python3 -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]):.0%}")' \
        "${RPS[$setup-$scenario]}" "${RPS[single-$scenario]}")
      name=$([[ $setup == single ]] && echo "one node" || echo "3 nodes, synchronous")
      printf '%-10s %-22s %12.0f %9.2f %9.2f %12s\n' "$scenario" "$name" "${RPS[$setup-$scenario]}" \
        "${P50[$setup-$scenario]}" "${P99[$setup-$scenario]}" "$ratio"
    done
  done
  echo
  echo "Failover (kill -9 of the primary's Patroni and PostgreSQL, 6 writing clients):"
  echo "  kill to first acknowledged write, per round (s): ${FAILOVER[*]}"
  echo "  median $FO_MEDIAN s, longest $FO_MAX s (goal: <= 30 s)"
  grep "^PASS fault test" "$RAW/failover.log" | sed 's/^/  /'
} | tee "$OUT"
