#!/usr/bin/env bash
# Installs what is needed, builds with warnings as errors and runs every test against a throwaway
# PostgreSQL cluster. This is what CI runs.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/test.sh [CTEST ARGS...]

Installs the Debian packages (needs root or sudo), builds with --werror, starts a throwaway
PostgreSQL cluster in build/test-pg (fsync, synchronous_commit and full_page_writes off; exported to
the tests as CONSULAR_TEST_PG, a libpq conninfo of its superuser), runs ctest and stops the cluster
again. Extra arguments go to ctest, e.g.
  ops/test.sh -L e2e          only the end-to-end tests
  ops/test.sh -R CaseStore    tests whose name matches
Environment: JOBS (build jobs, default 2), CTEST_JOBS (default 2), CTEST_TIMEOUT (seconds per test,
default 600), CONSULAR_TEST_PG_PORT (default 55432), CONSULAR_BUILD_DIR (default build/),
CONSULAR_SANITIZE=1 (build and test with AddressSanitizer and UBSan; use a build folder of its own,
e.g. CC=clang CXX=clang++ CONSULAR_SANITIZE=1 CONSULAR_BUILD_DIR=build-asan ops/test.sh).
USAGE
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OPS=$ROOT/ops
BUILD_DIR=${CONSULAR_BUILD_DIR:-$ROOT/build}
PG_PORT=${CONSULAR_TEST_PG_PORT:-55432}

"$OPS/install-deps.sh"
"$OPS/build.sh" --werror

# A fresh cluster every run. When the build folder cannot hold it (socket path too long, or the
# postgres user cannot reach it), a temporary folder is used instead.
PG_DIR=$BUILD_DIR/test-pg
PG_TEMP=""
if [[ -d $PG_DIR ]]; then
  "$OPS/pg.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
fi
if ! "$OPS/pg.sh" check "$PG_DIR" "$PG_PORT" 2>/dev/null; then
  PG_TEMP=$(mktemp -d -t consular-test-pg.XXXXXX)
  PG_DIR=$PG_TEMP
  echo "test.sh: $BUILD_DIR/test-pg is not usable for PostgreSQL here; using $PG_DIR"
fi

# shellcheck disable=SC2317  # called by the trap
cleanup() {
  "$OPS/pg.sh" stop "$PG_DIR" || true
  if [[ -n $PG_TEMP ]]; then rm -rf "$PG_TEMP"; fi
}
trap cleanup EXIT

# A throwaway cluster: durability off for speed (ops/pg.sh --help). The fault tests, which prove
# that nothing acknowledged is lost, start durable clusters of their own.
"$OPS/pg.sh" start "$PG_DIR" "$PG_PORT" --no-durability
CONSULAR_TEST_PG=$("$OPS/pg.sh" dsn "$PG_DIR" "$PG_PORT")
export CONSULAR_TEST_PG
echo "CONSULAR_TEST_PG=$CONSULAR_TEST_PG"

# A sanitizer build (ops/build.sh --sanitize, CONSULAR_SANITIZE=1): the runtimes' options.
# LeakSanitizer skips the leaks listed in ops/sanitizers/lsan.supp, inside system libraries only
# (libpq, c-ares); UBSan prints where. gRPC, protobuf and abseil are not instrumented; no
# container-overflow false positive was seen, so that check stays on.
if [[ $(sed -n 's/^CONSULAR_SANITIZE:BOOL=//p' "$BUILD_DIR/CMakeCache.txt") == ON ]]; then
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1:strict_init_order=1}
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$OPS/sanitizers/lsan.supp:print_suppressions=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
fi

status=0
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "${CTEST_JOBS:-2}" \
  --timeout "${CTEST_TIMEOUT:-600}" "$@" || status=$?
exit "$status"
