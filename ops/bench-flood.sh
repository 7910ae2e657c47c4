#!/usr/bin/env bash
# The hostile-flood benchmark: consular-cases (over TLS, on its own PostgreSQL cluster) is flooded
# by ops/bench/flood.py with unauthenticated streams from a client that never acknowledges the
# server's SETTINGS, and with silent connections that complete TLS and send nothing. Prints the
# server's resident memory idle, at its peak during the flood and after it, and whether a real
# client is still served during and after the flood. Traffic goes to 127.0.0.1 only.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/bench-flood.sh [--build-dir DIR] [--connections N] [--streams N] [--silent N]
                          [--seconds S] [-- SERVER FLAGS...]

  --build-dir    where consular-cases, consular-migrate and consularctl are (default build-release/,
                 else build/)
  --connections  flooding connections (default 8), each opening --streams streams (default 2000)
  --silent       connections that complete TLS and send nothing (default 200)
  --seconds      how long the flood lasts (default 40)
Extra flags after -- go to consular-cases (e.g. -- --memory-quota-mib 64).
USAGE
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=""
CONNECTIONS=8 STREAMS=2000 SILENT=200 SECONDS_=40
SERVER_FLAGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) BUILD=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --streams) STREAMS=$2; shift 2 ;;
    --silent) SILENT=$2; shift 2 ;;
    --seconds) SECONDS_=$2; shift 2 ;;
    --) shift; SERVER_FLAGS=("$@"); break ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
if [[ -z $BUILD ]]; then
  BUILD=$ROOT/build-release
  [[ -x $BUILD/services/cases/consular-cases ]] || BUILD=$ROOT/build
fi
CASES_BIN=$BUILD/services/cases/consular-cases
MIGRATE_BIN=$BUILD/tools/migrate/consular-migrate
CTL_BIN=$BUILD/tools/consularctl/consularctl
for bin in "$CASES_BIN" "$MIGRATE_BIN" "$CTL_BIN"; do
  [[ -x $bin ]] || { echo "bench-flood: not built: $bin (run ops/build.sh --release)" >&2; exit 2; }
done

OPS=$ROOT/ops
KEEP=${CONSULAR_E2E_KEEP:-0}
WORK_PARENT=""
# shellcheck source=tests/e2e/lib.sh
source "$ROOT/tests/e2e/lib.sh"
PG_START_FLAGS=()  # durable, as deployed

e2e_make_work_dir flood
CASES_PID=""
CASES_LOG=$WORK/cases.log
CASES_PORT=$(free_port)
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local status=$?
  e2e_stop_pids "$CASES_PID"
  e2e_finish "$status" "$CASES_LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

e2e_setup_database >/dev/null
"$MIGRATE_BIN" --dsn "$OWNER_DSN" >"$WORK/migrate.log" 2>&1 || setup_fail "migrations"
e2e_seed_units "$OWNER_DSN"  # the register of units: tokens name posts of it
start_server "$CASES_BIN" "$CASES_PORT" "$CASES_LOG" "${SERVER_FLAGS[@]}"
CASES_PID=$STARTED_PID
wait_listening consular-cases "$CASES_PID" "$CASES_LOG" >/dev/null
CTL_ADDRS=(--addr "localhost:$CASES_PORT")
OFFICER=$(mint officer RABAT)

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$CASES_PID/status"; }
mib() { python3 -c "import sys; print(f'{int(sys.argv[1]) / 1024:.1f}')" "$1"; }

# Idle: after one real call, so the pools and the TLS state exist.
ctl "$OFFICER" case list >/dev/null || true
sleep 2
IDLE=$(rss_kib)

python3 "$OPS/bench/flood.py" --port "$CASES_PORT" --ca "$CERTS/ca.pem" \
  --connections "$CONNECTIONS" --streams "$STREAMS" --silent "$SILENT" --seconds "$SECONDS_" \
  >"$WORK/flood.json" 2>"$WORK/flood.err" &
FLOOD_PID=$!
PEAK=$IDLE
served_during=0
tries_during=0
next_call=$(( $(date +%s) + 5 ))
while kill -0 "$FLOOD_PID" 2>/dev/null; do
  now_rss=$(rss_kib)
  (( now_rss > PEAK )) && PEAK=$now_rss
  if (( $(date +%s) >= next_call )); then
    tries_during=$((tries_during + 1))
    ctl "$OFFICER" --timeout 10 case list
    [[ $RC -eq 0 ]] && served_during=$((served_during + 1))
    next_call=$(( $(date +%s) + 5 ))
  fi
  sleep 0.2
done
wait "$FLOOD_PID" || { cat "$WORK/flood.err" >&2; exit 1; }
# The flood's connections are closed; the server hands freed memory back every 10 s.
sleep 12
AFTER=$(rss_kib)
ctl "$OFFICER" case list
served_after=$([[ $RC -eq 0 ]] && echo yes || echo no)
HWM=$(awk '/^VmHWM:/ {print $2}' "/proc/$CASES_PID/status")

echo "flood: $(cat "$WORK/flood.json")"
echo "consular-cases resident memory: idle $(mib "$IDLE") MiB, peak $(mib "$PEAK") MiB (VmHWM $(mib "$HWM") MiB), after $(mib "$AFTER") MiB"
echo "a real client during the flood: served $served_during of $tries_during calls; after it: $served_after"
