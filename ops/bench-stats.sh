#!/usr/bin/env bash
# The statistics benchmark in one command: builds Release into build-release/, starts a throwaway
# PostgreSQL cluster tuned for a bulk load (durability settings left at PostgreSQL's defaults),
# runs stats_bench with the arguments given and stops the cluster again. See BENCHMARKS.md.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/bench-stats.sh [STATS_BENCH ARGS...]

Builds stats_bench (Release, build-release/ or $CONSULAR_BUILD_DIR), starts a fresh PostgreSQL 15
cluster in build-release/bench-pg (socket port 55433), runs
  stats_bench ARGS...
against it (CONSULAR_TEST_PG is its superuser) and stops the cluster. Examples:
  ops/bench-stats.sh                              1,000,000 cases, ~10,000,000 events, 500 requests
  ops/bench-stats.sh --sealed --verify --recount-iterations 20
                                                  what ops/bench.sh runs: the data sealed with real
                                                  keys, as consular-datagen --mode bulk writes it
  ops/bench-stats.sh --cases 20000 --verify --check-load    a quick check of the whole chain
  ops/bench-stats.sh --help                       stats_bench's flags
Environment: JOBS (build jobs, default 1), CONSULAR_BUILD_DIR (default build-release/),
CONSULAR_BENCH_PG_PORT (default 55433), CONSULAR_BENCH_PG_KEEP=1 (reuse the cluster folder if it
exists and leave the cluster running afterwards, e.g. for --keep-database and later --dsn runs;
stop it with ops/pg.sh stop DIR).
USAGE
}

case "${1:-}" in
  -h|--usage) usage; exit 0 ;;
esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OPS=$ROOT/ops
export CONSULAR_BUILD_DIR=${CONSULAR_BUILD_DIR:-$ROOT/build-release}
BUILD_DIR=$CONSULAR_BUILD_DIR
PG_PORT=${CONSULAR_BENCH_PG_PORT:-55433}
KEEP=${CONSULAR_BENCH_PG_KEEP:-0}

JOBS=${JOBS:-1} "$OPS/build.sh" --release stats_bench
BENCH=$BUILD_DIR/tests/bench/stats_bench
[[ -x $BENCH ]] || { echo "bench-stats.sh: $BENCH was not built" >&2; exit 1; }

# A fresh cluster every run (unless kept). When the build folder cannot hold it (socket path too
# long, or the postgres user cannot reach it), a temporary folder is used instead.
PG_DIR=$BUILD_DIR/bench-pg
PG_TEMP=""
DSN=""
if [[ $KEEP != 1 && -d $PG_DIR ]]; then
  "$OPS/pg.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
fi
if ! "$OPS/pg.sh" check "$PG_DIR" "$PG_PORT" 2>/dev/null; then
  PG_TEMP=$(mktemp -d -t consular-bench-pg.XXXXXX)
  PG_DIR=$PG_TEMP
  echo "bench-stats.sh: $BUILD_DIR/bench-pg is not usable for PostgreSQL here; using $PG_DIR"
fi

# shellcheck disable=SC2317  # called by the trap
cleanup() {
  if [[ $KEEP == 1 ]]; then
    echo "bench-stats.sh: cluster left running in $PG_DIR (CONSULAR_TEST_PG=$DSN)"
    return
  fi
  "$OPS/pg.sh" stop "$PG_DIR" || true
  if [[ -n $PG_TEMP ]]; then rm -rf "$PG_TEMP"; fi
}
trap cleanup EXIT

"$OPS/pg.sh" start "$PG_DIR" "$PG_PORT"
DSN=$("$OPS/pg.sh" dsn "$PG_DIR" "$PG_PORT")

# Durable, as ops/pg.sh starts it by default; the ALTER SYSTEM lines (which win over pg.sh's
# included file) pin fsync, synchronous_commit and full_page_writes on whatever pg.sh does, so that
# commits, the audit row's among them, cost what they cost in production. The rest gives the server
# the memory and WAL room a bulk load of ~15 GB wants. A restart applies shared_buffers.
psql "$DSN" -v ON_ERROR_STOP=1 -q <<'SQL'
ALTER SYSTEM SET fsync = on;
ALTER SYSTEM SET synchronous_commit = on;
ALTER SYSTEM SET full_page_writes = on;
ALTER SYSTEM SET shared_buffers = '4GB';
ALTER SYSTEM SET maintenance_work_mem = '1GB';
ALTER SYSTEM SET max_wal_size = '16GB';
ALTER SYSTEM SET checkpoint_timeout = '30min';
SQL
"$OPS/pg.sh" stop "$PG_DIR" >/dev/null
"$OPS/pg.sh" start "$PG_DIR" "$PG_PORT"

export CONSULAR_TEST_PG=$DSN
echo "CONSULAR_TEST_PG=$CONSULAR_TEST_PG"
echo "+ $BENCH $*"
"$BENCH" "$@"
