#!/usr/bin/env bash
# Fault test: a durable PostgreSQL cluster, consular-cases and consular-audit over TLS, and
# consular-fault-driver writing from several clients. Each round, mid-load, the driver runs this
# script with --inject, which kills PostgreSQL or consular-cases with SIGKILL (by pid, never by
# name) and starts it again; the driver then proves that nothing acknowledged was lost or
# duplicated. Everything lives in a temporary folder, removed on exit.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tests/fault/fault_e2e.sh --scenario SCENARIO --driver BIN --cases BIN --audit BIN
                                --migrate BIN --ctl BIN [--rounds N] [--work-dir DIR]
       tests/fault/fault_e2e.sh --inject SCENARIO --state FILE      (the driver runs this)

  SCENARIO  postmaster      kill -9 of the postmaster; its backends notice and exit; restart
            postmaster-all  kill -9 of the postmaster and every process of the cluster at once
            cases-service   kill -9 of consular-cases; restart it on the same port
            primary-node    on the three-node Patroni cluster of ops/cluster.sh: kill -9 of the
                            primary's Patroni, its postmaster and every process of it at once;
                            Patroni promotes the synchronous standby; the services, connected
                            with the multi-host DSN, carry on; the killed node is started again
                            once another is primary and rejoins as a standby
  --rounds  faults (one a round); default: $CONSULAR_FAULT_ROUNDS, else 3
  --work-dir folder for the temporary files (default: the system's temporary folder)
Set CONSULAR_E2E_KEEP=1 to keep the temporary folder (logs, cluster) for inspection.
USAGE
}

SCENARIO="" INJECT="" STATE="" DRIVER_BIN="" CASES_BIN="" AUDIT_BIN="" MIGRATE_BIN="" CTL_BIN=""
WORK_PARENT="" ROUNDS=${CONSULAR_FAULT_ROUNDS:-3}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --scenario) SCENARIO=$2; shift 2 ;;
    --inject) INJECT=$2; shift 2 ;;
    --state) STATE=$2; shift 2 ;;
    --driver) DRIVER_BIN=$2; shift 2 ;;
    --cases) CASES_BIN=$2; shift 2 ;;
    --audit) AUDIT_BIN=$2; shift 2 ;;
    --migrate) MIGRATE_BIN=$2; shift 2 ;;
    --ctl) CTL_BIN=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --work-dir) WORK_PARENT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SELF=$HERE/$(basename "${BASH_SOURCE[0]}")

# True while process PID exists and is not a zombie (a killed child not reaped yet).
alive() {  # PID
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $state && $state != Z ]]
}

# Waits (at most 20 s) until every PID is gone (a zombie counts as gone).
wait_gone() {  # PID...
  local pid
  for _ in $(seq 200); do
    for pid in "$@"; do
      if alive "$pid"; then sleep 0.1; continue 2; fi
    done
    return 0
  done
  echo "fault: still alive 20 s after SIGKILL: $*" >&2
  return 1
}

# Waits (at most 30 s) until PID is reaped too. A killed postmaster must be: until then its pid in
# postmaster.pid still answers kill -0, and pg_ctl and PostgreSQL take the cluster for running.
wait_reaped() {  # PID
  for _ in $(seq 300); do
    [[ -e /proc/$1 ]] || return 0
    sleep 0.1
  done
  echo "fault: process $1 not reaped 30 s after it died" >&2
  return 1
}

# Starts consular-cases in the background on CASES_PORT (log: CASES_LOG, appended), records its
# pid in $WORK/cases.pid and waits (at most 30 s) until it listens. Started from a subshell that
# exits at once, it is no job of this shell (which would report its SIGKILL).
start_cases() {
  local mark pid
  mark=0
  [[ -f $CASES_LOG ]] && mark=$(wc -l <"$CASES_LOG")
  (
    "$CASES_BIN" --listen "127.0.0.1:$CASES_PORT" --dsn "$APP_DSN" \
      --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key" \
      --token-public-keys "$CERTS/token-public.pem" \
      --field-keys "$CERTS/field-keys" --blind-index-key "$CERTS/blind-index.key" \
      </dev/null >>"$CASES_LOG" 2>&1 &
    echo $! >"$WORK/cases.pid"
  )
  pid=$(<"$WORK/cases.pid")
  for _ in $(seq 300); do
    alive "$pid" || { echo "fault: consular-cases exited at start" >&2; return 1; }
    if tail -n +"$((mark + 1))" "$CASES_LOG" | grep -q "listening on"; then return 0; fi
    sleep 0.1
  done
  echo "fault: consular-cases not listening after 30 s" >&2
  return 1
}

# Starts the (durable) cluster again after a crash. While backends of the killed postmaster live
# on, they hold its shared memory and PostgreSQL refuses to start: try again until they are gone.
restart_pg() {
  local attempt started=$SECONDS
  for attempt in $(seq 120); do
    if "$OPS/pg.sh" start "$PG_DIR" "$PG_PORT" >"$WORK/pg-start.out" 2>&1 \
       && ! grep -q "already running" "$WORK/pg-start.out"; then
      echo "  PostgreSQL started again (attempt $attempt, $((SECONDS - started)) s)"
      return 0
    fi
    sleep 0.5
  done
  echo "fault: PostgreSQL did not start again within 60 s:" >&2
  cat "$WORK/pg-start.out" >&2
  return 1
}

postmaster_pid() {
  local pid
  pid=$(head -n 1 "$PG_DIR/data/postmaster.pid" 2>/dev/null || true)
  [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || { echo "fault: no running postmaster" >&2; return 1; }
  echo "$pid"
}

# ---------------------------------------------------------------------------------------------
# --inject: one fault, run by the driver mid-load. Returns once what was killed runs again.
if [[ -n $INJECT ]]; then
  [[ -f $STATE ]] || { echo "fault: no state file: $STATE" >&2; exit 2; }
  # shellcheck source=/dev/null
  source "$STATE"
  began=$SECONDS
  case "$INJECT" in
    postmaster)
      pm=$(postmaster_pid)
      kill -9 "$pm"
      wait_reaped "$pm"
      echo "  killed the postmaster (pid $pm) with SIGKILL; gone after $((SECONDS - began)) s"
      restart_pg
      ;;
    postmaster-all)
      pm=$(postmaster_pid)
      # Stopped, it forks no new backend while its processes are listed; then all die at once.
      kill -STOP "$pm"
      mapfile -t children < <(ps -o pid= --ppid "$pm" | tr -d ' ')
      kill -9 "$pm" "${children[@]}"
      wait_gone "${children[@]}"
      wait_reaped "$pm"
      echo "  killed the postmaster (pid $pm) and its ${#children[@]} processes with SIGKILL;" \
        "gone after $((SECONDS - began)) s"
      restart_pg
      ;;
    primary-node)
      cluster() { CONSULAR_CLUSTER_DIR=$CLUSTER_DIR "$OPS/cluster.sh" "$@"; }
      # The node killed in the round before must have rejoined: three nodes, one synchronous.
      cluster wait-healthy 120 >"$WORK/healthy.out" 2>&1 \
        || { cat "$WORK/healthy.out" >&2; echo "fault: the cluster is not whole" >&2; exit 1; }
      node=$(cluster leader) || { echo "fault: no primary" >&2; exit 1; }
      patroni=$(<"$CLUSTER_DIR/$node/patroni.pid")
      pm=$(head -n 1 "$CLUSTER_DIR/$node/data/postmaster.pid")
      alive "$patroni" && alive "$pm" || { echo "fault: $node is not running" >&2; exit 1; }
      kill -STOP "$pm"
      mapfile -t children < <(ps -o pid= --ppid "$pm" | tr -d ' ')
      kill -9 "$patroni" "$pm" "${children[@]}"
      wait_gone "$patroni" "$pm" "${children[@]}"
      echo "  killed $node, the primary: Patroni (pid $patroni), the postmaster (pid $pm) and its" \
        "${#children[@]} processes with SIGKILL; gone after $((SECONDS - began)) s"
      echo "$node" >>"$WORK/killed-primaries"
      # Once another node holds the leader key, the killed one starts again and follows it
      # (pg_rewind when its WAL went further). In the background: the load goes on meanwhile.
      (
        for _ in $(seq 600); do
          now=$(cluster leader 2>/dev/null || true)
          if [[ -n $now && $now != "$node" ]]; then
            echo "new primary: $now"
            exec env CONSULAR_CLUSTER_DIR="$CLUSTER_DIR" "$OPS/cluster.sh" start-node "$node"
          fi
          sleep 0.2
        done
        echo "no new primary within 120 s"
      ) </dev/null >>"$WORK/rejoin.log" 2>&1 &
      ;;
    cases-service)
      pid=$(<"$WORK/cases.pid")
      alive "$pid" || { echo "fault: consular-cases (pid $pid) is not running" >&2; exit 1; }
      kill -9 "$pid"
      wait_gone "$pid"
      echo "  killed consular-cases (pid $pid) with SIGKILL"
      start_cases
      echo "  consular-cases started again (pid $(<"$WORK/cases.pid"))"
      ;;
    *) echo "fault: unknown fault $INJECT" >&2; exit 2 ;;
  esac
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# The test.
case "$SCENARIO" in
  postmaster) FAULT_NAME="kill -9 of the postmaster" ;;
  postmaster-all) FAULT_NAME="kill -9 of the postmaster and all its processes" ;;
  cases-service) FAULT_NAME="kill -9 of consular-cases" ;;
  primary-node) FAULT_NAME="kill -9 of the primary node (Patroni and PostgreSQL)" ;;
  *) usage >&2; exit 2 ;;
esac
if [[ -z $DRIVER_BIN || -z $CASES_BIN || -z $AUDIT_BIN || -z $MIGRATE_BIN || -z $CTL_BIN ]]; then
  usage >&2
  exit 2
fi
for bin in "$DRIVER_BIN" "$CASES_BIN" "$AUDIT_BIN" "$MIGRATE_BIN" "$CTL_BIN"; do
  [[ -x $bin ]] || { echo "fault: not an executable: $bin" >&2; exit 2; }
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "fault: rounds must be a positive number" >&2; exit 2; }

OPS=$(cd "$HERE/../../ops" && pwd)
KEEP=${CONSULAR_E2E_KEEP:-0}
# shellcheck source=tests/e2e/lib.sh
source "$HERE/../e2e/lib.sh"
PG_START_FLAGS=()  # durable: what this test proves

e2e_make_work_dir "fault-$SCENARIO"
CASES_PORT=$(free_port)
AUDIT_PORT=$(free_port)
CASES_LOG=$WORK/cases.log
AUDIT_LOG=$WORK/audit.log
AUDIT_PID=""

CLUSTER_DIR=""

# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local status=$?
  e2e_stop_pids "$(cat "$WORK/cases.pid" 2>/dev/null || true)" "$AUDIT_PID"
  if [[ -n $CLUSTER_DIR ]]; then
    # A rejoin still waiting in the background ends with the cluster.
    CONSULAR_CLUSTER_DIR=$CLUSTER_DIR "$OPS/cluster.sh" down >"$WORK/cluster-down.log" 2>&1 || true
  fi
  local logs=("$CASES_LOG" "$AUDIT_LOG" "$PG_DIR/postgres.log")
  [[ -n $CLUSTER_DIR ]] && logs+=("$WORK/rejoin.log" "$CLUSTER_DIR"/node*/patroni.log)
  e2e_finish "$status" "${logs[@]}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ $SCENARIO == primary-node ]]; then
  # The three-node cluster instead of the one cluster of e2e_setup_database.
  echo "== set-up in $WORK"
  e2e_cluster_dir
  IFS=, read -r -a ports <<<"$(free_low_ports 8)"
  export CONSULAR_CLUSTER_PG_PORTS="${ports[0]},${ports[1]},${ports[2]}"
  export CONSULAR_CLUSTER_API_PORTS="${ports[3]},${ports[4]},${ports[5]}"
  export CONSULAR_CLUSTER_ETCD_PORTS="${ports[6]},${ports[7]}"
  CONSULAR_CLUSTER_DIR=$CLUSTER_DIR CONSULAR_BUILD_DIR=$(dirname "$(dirname "$(dirname "$MIGRATE_BIN")")") \
    "$OPS/cluster.sh" db-up >"$WORK/cluster-up.log" 2>&1 \
    || setup_fail "the cluster did not start: $(tail -n 30 "$WORK/cluster-up.log")"
  cluster_dsn() { CONSULAR_CLUSTER_DIR=$CLUSTER_DIR "$OPS/cluster.sh" dsn "$@"; }
  ADMIN_DSN=$(cluster_dsn postgres postgres)
  OWNER_DSN=$(cluster_dsn consular)
  APP_DSN=$(cluster_dsn consular_app)
  SUPER_DSN=$(cluster_dsn postgres)
  "$OPS/dev-certs.sh" "$WORK/certs" >/dev/null || setup_fail "certificates not created"
  CERTS=$WORK/certs
  SYNC=$(psql "$ADMIN_DSN" -X -tA -c "SELECT count(*) FROM pg_stat_replication
    WHERE sync_state = 'sync'")
  if [[ $SYNC == 1 ]]; then
    pass "three nodes, one synchronous standby (Patroni synchronous_mode)"
  else
    fail "three nodes, one synchronous standby" "$SYNC synchronous standbys"
    exit 1
  fi
else
  e2e_setup_database
fi
SETTINGS=$(psql "$ADMIN_DSN" -X -tA -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name)
  FROM pg_settings WHERE name IN ('fsync', 'full_page_writes', 'synchronous_commit')")
if [[ $SETTINGS == "fsync=on full_page_writes=on synchronous_commit=on" ]]; then
  pass "the cluster is durable ($SETTINGS)"
else
  fail "the cluster is durable" "$SETTINGS"
  exit 1
fi
"$MIGRATE_BIN" --dsn "$OWNER_DSN" >"$WORK/migrate.log" 2>&1 \
  || { fail "migrations apply" "$(cat "$WORK/migrate.log")"; exit 1; }
e2e_seed_units "$OWNER_DSN"  # the register of units: tokens name posts of it

{
  for var in WORK OPS PG_DIR PG_PORT CASES_BIN CASES_PORT CASES_LOG APP_DSN CERTS CLUSTER_DIR; do
    printf '%s=%q\n' "$var" "${!var}"
  done
} >"$WORK/state"
start_cases || { fail "consular-cases starts" "$(tail -n 20 "$CASES_LOG")"; exit 1; }
CASES_PID=$(<"$WORK/cases.pid")
"$AUDIT_BIN" --listen "127.0.0.1:$AUDIT_PORT" --dsn "$APP_DSN" \
  --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key" \
  --token-public-keys "$CERTS/token-public.pem" --chain-interval-ms 100 \
  </dev/null >"$AUDIT_LOG" 2>&1 &
AUDIT_PID=$!
wait_listening "consular-audit" "$AUDIT_PID" "$AUDIT_LOG"

mint_long() {  # ROLE [POST]: a dev token that outlives many rounds
  local args=(dev token --role "$1" --key "$CERTS/token-signing.pem" --ttl-minutes 600)
  [[ -n ${2:-} ]] && args+=(--post "$2")
  "$CTL_BIN" "${args[@]}"
}
mint_long officer RABAT >"$WORK/officer.token" || setup_fail "dev token not minted"
mint_long auditor >"$WORK/auditor.token" || setup_fail "dev token not minted"

echo "== $ROUNDS round(s): $FAULT_NAME"
DRIVER_STATUS=0
"$DRIVER_BIN" --cases-addr "127.0.0.1:$CASES_PORT" --audit-addr "127.0.0.1:$AUDIT_PORT" \
  --ca-cert "$CERTS/ca.pem" --officer-token-file "$WORK/officer.token" \
  --auditor-token-file "$WORK/auditor.token" --dsn "$SUPER_DSN" \
  --fault-command "bash $(printf %q "$SELF") --inject $SCENARIO --state $(printf %q "$WORK/state")" \
  --fault-name "$FAULT_NAME" --rounds "$ROUNDS" || DRIVER_STATUS=$?
if [[ $DRIVER_STATUS -eq 0 ]]; then
  pass "$ROUNDS round(s) of $FAULT_NAME: nothing acknowledged lost or duplicated, audit chain valid"
else
  fail "$ROUNDS round(s) of $FAULT_NAME: see the driver's report above"
fi

# What was not killed kept running: its connection pool recovered by itself.
if alive "$AUDIT_PID"; then
  pass "consular-audit (pid $AUDIT_PID) ran throughout, never restarted"
else
  fail "consular-audit (pid $AUDIT_PID) ran throughout" "$(tail -n 20 "$AUDIT_LOG")"
fi
if [[ $SCENARIO != cases-service ]]; then
  if [[ $(<"$WORK/cases.pid") == "$CASES_PID" ]] && alive "$CASES_PID"; then
    pass "consular-cases (pid $CASES_PID) ran throughout, never restarted"
  else
    fail "consular-cases (pid $CASES_PID) ran throughout" "$(tail -n 20 "$CASES_LOG")"
  fi
fi
if [[ $SCENARIO == primary-node ]]; then
  # Each round killed the primary of that moment, and another node took over.
  mapfile -t killed <"$WORK/killed-primaries"
  if [[ ${#killed[@]} -eq $ROUNDS ]]; then
    pass "$ROUNDS primaries killed (${killed[*]}), a standby promoted each time"
  else
    fail "a primary killed each round" "${#killed[@]} killed"
  fi
  if CONSULAR_CLUSTER_DIR=$CLUSTER_DIR "$OPS/cluster.sh" wait-healthy 120 >"$WORK/healthy.out" 2>&1
  then
    pass "every killed node rejoined as a standby: $(CONSULAR_CLUSTER_DIR=$CLUSTER_DIR \
      "$OPS/cluster.sh" members | tr '\n' ';')"
  else
    fail "every killed node rejoined" "$(cat "$WORK/healthy.out")"
  fi
elif [[ $SCENARIO != cases-service ]]; then
  # Each SIGKILL of PostgreSQL left a cluster that had to be recovered from its WAL.
  RECOVERIES=$(grep -c "not properly shut down; automatic recovery in progress" \
    "$PG_DIR/postgres.log" || true)
  if [[ $RECOVERIES -eq $ROUNDS ]]; then
    pass "PostgreSQL ran crash recovery after each kill ($RECOVERIES)"
  else
    fail "PostgreSQL ran crash recovery after each kill" "$RECOVERIES recoveries in the log"
  fi
fi

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
