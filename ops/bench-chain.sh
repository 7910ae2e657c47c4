#!/usr/bin/env bash
# The audit chain verification benchmark: AuditService.VerifyChain from the verified watermark on a
# long audit trail. Builds Release, starts a fresh durable PostgreSQL cluster of its own (fsync,
# synchronous_commit and full_page_writes on), writes a chain of N audit rows with COPY (hashed
# with the chain's own code: tests/bench/chain_bench.cc), starts consular-audit over TLS on it,
# times one full verification, then K times writes M audit rows as the services write them, lets
# the server's sequencer chain them, and times VerifyChain (over gRPC, TLS, an auditor's token).
# Stops everything and removes the folder at the end.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/bench-chain.sh [--build-dir DIR] [--rows N] [--new-rows M] [--repeat K]
                          [--writers W] [--pg-port P] [--audit-port P] [--no-build]

  --build-dir   the Release build folder (default build-release/ of the checkout); built with
                ops/build.sh --release unless --no-build
  --rows        audit rows in the chain before the timed verifications (default 10000000)
  --new-rows    rows written and chained before each timed verification (default 1000)
  --repeat      timed verifications (default 10)
  --writers     threads writing the new rows, one audited call per transaction (default 4)
  --pg-port     the cluster's socket port (only names the socket; default: a free port)
  --audit-port  consular-audit's TCP port on 127.0.0.1 (default: a free port)
Environment: JOBS (build jobs, default 2), CONSULAR_E2E_KEEP=1 (keep the temporary folder).
Prints one line per step and at the end:
  verify-chain: rows=N new=M repeat=K p50_ms=x max_ms=y full_ms=z
(p50 and max over the K verifications from the watermark; full_ms the full verification of the
N rows). A chain of 10,000,000 rows takes about 5 GB in PostgreSQL.
USAGE
}

die_usage() { echo "bench-chain.sh: $*" >&2; usage >&2; exit 2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build-release
ROWS=10000000 NEW_ROWS=1000 REPEAT=10 WRITERS=4
PG_PORT_ARG="" AUDIT_PORT="" BUILD_IT=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir|--rows|--new-rows|--repeat|--writers|--pg-port|--audit-port)
      [[ $# -ge 2 ]] || die_usage "$1 needs a value"
      case "$1" in
        --build-dir) BUILD=$2 ;;
        --rows) ROWS=$2 ;;
        --new-rows) NEW_ROWS=$2 ;;
        --repeat) REPEAT=$2 ;;
        --writers) WRITERS=$2 ;;
        --pg-port) PG_PORT_ARG=$2 ;;
        --audit-port) AUDIT_PORT=$2 ;;
      esac
      shift 2 ;;
    --no-build) BUILD_IT=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die_usage "unknown argument: $1" ;;
  esac
done
number() {  # FLAG VALUE MIN
  [[ $2 =~ ^[0-9]+$ ]] && (( $2 >= $3 )) || die_usage "$1 must be a whole number of at least $3"
}
number --rows "$ROWS" 1
number --new-rows "$NEW_ROWS" 1
number --repeat "$REPEAT" 1
number --writers "$WRITERS" 1
[[ -z $PG_PORT_ARG ]] || number --pg-port "$PG_PORT_ARG" 1
[[ -z $AUDIT_PORT ]] || number --audit-port "$AUDIT_PORT" 1
BUILD=$(realpath -m -- "$BUILD")

if (( BUILD_IT )); then
  CONSULAR_BUILD_DIR=$BUILD JOBS=${JOBS:-2} "$ROOT/ops/build.sh" --release \
    chain_bench consular-audit consular-migrate consularctl
fi
BENCH_BIN=$BUILD/tests/bench/chain_bench
AUDIT_BIN=$BUILD/services/audit/consular-audit
MIGRATE_BIN=$BUILD/tools/migrate/consular-migrate
CTL_BIN=$BUILD/tools/consularctl/consularctl
for bin in "$BENCH_BIN" "$AUDIT_BIN" "$MIGRATE_BIN" "$CTL_BIN"; do
  [[ -x $bin ]] || { echo "bench-chain.sh: not built: $bin" >&2; exit 1; }
done

OPS=$ROOT/ops
KEEP=${CONSULAR_E2E_KEEP:-0}
WORK_PARENT=""
# shellcheck source=tests/e2e/lib.sh
source "$ROOT/tests/e2e/lib.sh"
PG_START_FLAGS=()  # durable, as deployed

e2e_make_work_dir bench-chain
[[ -z $PG_PORT_ARG ]] || PG_PORT=$PG_PORT_ARG
[[ -n $AUDIT_PORT ]] || AUDIT_PORT=$(free_port)
AUDIT_PID=""
AUDIT_LOG=$WORK/audit.log
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local status=$?
  e2e_stop_pids "$AUDIT_PID"
  e2e_finish "$status" "$AUDIT_LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

e2e_setup_database >/dev/null
# Durable whatever pg.sh writes (ALTER SYSTEM wins over its included file), with the memory and
# WAL room a bulk load of some GB wants; a restart applies shared_buffers.
psql "$ADMIN_DSN" -X -q -v ON_ERROR_STOP=1 <<'SQL'
ALTER SYSTEM SET fsync = on;
ALTER SYSTEM SET synchronous_commit = on;
ALTER SYSTEM SET full_page_writes = on;
ALTER SYSTEM SET shared_buffers = '2GB';
ALTER SYSTEM SET maintenance_work_mem = '512MB';
ALTER SYSTEM SET max_wal_size = '8GB';
ALTER SYSTEM SET checkpoint_timeout = '30min';
SQL
"$OPS/pg.sh" stop "$PG_DIR" >/dev/null
"$OPS/pg.sh" start "$PG_DIR" "$PG_PORT" >/dev/null
echo "PostgreSQL: $(psql "$ADMIN_DSN" -X -At -c "SELECT 'fsync=' || current_setting('fsync') ||
  ' synchronous_commit=' || current_setting('synchronous_commit') || ' full_page_writes=' ||
  current_setting('full_page_writes') || ' shared_buffers=' || current_setting('shared_buffers')")"

"$MIGRATE_BIN" --dsn "$OWNER_DSN" >"$WORK/migrate.log" 2>&1 \
  || setup_fail "migrations: $(tail -n 5 "$WORK/migrate.log")"

echo "+ chain_bench load --rows $ROWS"
"$BENCH_BIN" load --dsn "$SUPER_DSN" --rows "$ROWS"
echo "database size: $(psql "$ADMIN_DSN" -X -At -c "SELECT pg_size_pretty(pg_database_size('consular'))")"

"$AUDIT_BIN" --listen "127.0.0.1:$AUDIT_PORT" --dsn "$APP_DSN" \
  --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key" \
  --token-public-keys "$CERTS/token-public.pem" --max-call-seconds 600 >"$AUDIT_LOG" 2>&1 &
AUDIT_PID=$!
listening=0
for _ in $(seq 150); do
  kill -0 "$AUDIT_PID" 2>/dev/null || break
  if grep -q "listening on" "$AUDIT_LOG"; then listening=1; break; fi
  sleep 0.2
done
(( listening )) || setup_fail "consular-audit did not start: $(tail -n 5 "$AUDIT_LOG")"
TOKEN=$("$CTL_BIN" dev token --role auditor --key "$CERTS/token-signing.pem")

echo "+ chain_bench run --rows $ROWS --new-rows $NEW_ROWS --repeat $REPEAT (VerifyChain over gRPC)"
"$BENCH_BIN" run --audit-addr "localhost:$AUDIT_PORT" --ca-cert "$CERTS/ca.pem" --token "$TOKEN" \
  --dsn "$APP_DSN" --rows "$ROWS" --new-rows "$NEW_ROWS" --repeat "$REPEAT" --writers "$WRITERS"
