#!/usr/bin/env bash
# The local stack: a throwaway PostgreSQL cluster and the consular services, all under .stack/ of
# the checkout. Nothing is installed system-wide and nothing listens beyond 127.0.0.1.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/stack.sh up|down|status

  up      start PostgreSQL (.stack/pg), create the "consular" role and database, apply the
          migrations, make development certificates and keys (.stack/certs), start consular-cases
          over TLS and write .stack/env for consularctl. Harmless when the stack is up already.
  down    stop consular-cases (SIGTERM, waiting for it to exit), then PostgreSQL. Data is kept.
  status  tell what runs; exit 0 when everything does, 3 otherwise

Environment:
  CONSULAR_CASES_PORT   port of consular-cases on 127.0.0.1 (default 50051)
  CONSULAR_BUILD_DIR    where the binaries were built (default build/ of the checkout)
  CONSULAR_STACK_PG_DIR where the PostgreSQL cluster lives (default .stack/pg)

The binaries must be built first: ops/build.sh
USAGE
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OPS=$ROOT/ops
STACK=$ROOT/.stack
BUILD_DIR=${CONSULAR_BUILD_DIR:-$ROOT/build}
PG_DIR=${CONSULAR_STACK_PG_DIR:-$STACK/pg}
CERTS=$STACK/certs
LOGS=$STACK/logs
CASES_PORT=${CONSULAR_CASES_PORT:-50051}
CASES_PID=$STACK/cases.pid
CASES_LOG=$LOGS/cases.log
ENV_FILE=$STACK/env

CASES_BIN=$BUILD_DIR/services/cases/consular-cases
MIGRATE_BIN=$BUILD_DIR/tools/migrate/consular-migrate
CTL_BIN=$BUILD_DIR/tools/consularctl/consularctl

die() { echo "stack.sh: $*" >&2; exit 1; }

require_binaries() {
  local missing=() bin
  for bin in "$CASES_BIN" "$MIGRATE_BIN" "$CTL_BIN"; do
    [[ -x $bin ]] || missing+=("$bin")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    printf 'stack.sh: not built yet: %s\n' "${missing[@]}" >&2
    die "build first with ops/build.sh"
  fi
}

# The pid of the running consular-cases started by this script, or nothing.
cases_pid() {
  [[ -f $CASES_PID ]] || return 1
  local pid
  pid=$(<"$CASES_PID")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q consular-cases || return 1
  echo "$pid"
}

port_open() {  # PORT: true when something accepts TCP connections on 127.0.0.1:PORT
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

sql() {  # DSN SQL: run one statement, print the unaligned result
  psql "$1" -X -q -v ON_ERROR_STOP=1 -tA -c "$2"
}

setup_database() {
  local admin_dsn=$1
  sql "$admin_dsn" "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'consular') THEN
        CREATE ROLE consular LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
      END IF;
    END \$\$;"
  if [[ -z $(sql "$admin_dsn" "SELECT 1 FROM pg_database WHERE datname = 'consular'") ]]; then
    echo "Creating database consular"
    sql "$admin_dsn" "CREATE DATABASE consular OWNER consular"
  fi
}

start_cases() {
  local app_dsn=$1 pid
  if pid=$(cases_pid); then
    echo "consular-cases already running (pid $pid) on 127.0.0.1:$CASES_PORT"
    return 0
  fi
  if port_open "$CASES_PORT"; then
    die "port $CASES_PORT is taken by another program; choose another with CONSULAR_CASES_PORT"
  fi
  mkdir -p "$LOGS"
  [[ -f $CASES_LOG ]] && mv -f "$CASES_LOG" "$CASES_LOG.1"
  echo "Starting consular-cases on 127.0.0.1:$CASES_PORT (log: $CASES_LOG)"
  rm -f "$CASES_PID"
  # Its own session, so that it outlives this script and the terminal. The child writes its own
  # pid before becoming the server.
  # shellcheck disable=SC2016  # $$ and $@ are expanded by the child shell
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$CASES_PID" \
    "$CASES_BIN" \
    --listen "127.0.0.1:$CASES_PORT" \
    --dsn "$app_dsn" \
    --tls-cert "$CERTS/server.pem" \
    --tls-key "$CERTS/server.key" \
    --token-public-keys "$CERTS/token-public.pem" \
    </dev/null >"$CASES_LOG" 2>&1 &

  local deadline=$((SECONDS + 20))
  while (( SECONDS < deadline )); do
    if grep -q "listening on" "$CASES_LOG" 2>/dev/null; then
      return 0
    fi
    if pid=$(cases_pid) && port_open "$CASES_PORT"; then
      return 0
    fi
    if [[ -s $CASES_PID ]] && ! kill -0 "$(<"$CASES_PID")" 2>/dev/null; then
      echo "consular-cases exited during start-up; last lines of $CASES_LOG:" >&2
      tail -n 30 "$CASES_LOG" >&2 || true
      rm -f "$CASES_PID"
      exit 1
    fi
    sleep 0.2
  done
  echo "consular-cases not ready after 20 s; last lines of $CASES_LOG:" >&2
  tail -n 30 "$CASES_LOG" >&2 || true
  exit 1
}

write_env() {
  {
    echo "# Written by ops/stack.sh up: settings for consularctl against the local stack."
    echo "export CONSULAR_ADDR=$(printf %q "localhost:$CASES_PORT")"
    echo "export CONSULAR_CA_CERT=$(printf %q "$CERTS/ca.pem")"
    echo "export CONSULAR_DEV_SIGNING_KEY=$(printf %q "$CERTS/token-signing.pem")"
    echo "export PATH=$(printf %q "$(dirname "$CTL_BIN")")\":\$PATH\""
  } >"$ENV_FILE"
}

print_howto() {
  cat <<HOWTO

The stack is up: consular-cases on localhost:$CASES_PORT (TLS), PostgreSQL in $PG_DIR.

  source $ENV_FILE
  export CONSULAR_TOKEN=\$(consularctl dev token --role officer --post RABAT)
  consularctl case create --type abandonment --country MA --name "Amina Example" \\
      --sex female --nationality dual --referral family --flag passport-withheld
  consularctl case list --country MA

Log: $CASES_LOG
Stop with: ops/stack.sh down
HOWTO
}

cmd_up() {
  require_binaries
  command -v psql >/dev/null || die "psql not found; run ops/install-deps.sh"
  mkdir -p "$STACK"
  if ! "$OPS/pg.sh" check "$PG_DIR" >/dev/null 2>&1; then
    "$OPS/pg.sh" check "$PG_DIR" || true
    die "cannot keep PostgreSQL in $PG_DIR; set CONSULAR_STACK_PG_DIR to another folder"
  fi
  "$OPS/pg.sh" start "$PG_DIR"
  local admin_dsn app_dsn
  admin_dsn=$("$OPS/pg.sh" dsn "$PG_DIR")
  app_dsn=${admin_dsn/%user=postgres dbname=postgres/user=consular dbname=consular}
  setup_database "$admin_dsn"
  echo "Applying migrations"
  "$MIGRATE_BIN" --dsn "$app_dsn"
  "$OPS/dev-certs.sh" "$CERTS"
  start_cases "$app_dsn"
  write_env
  print_howto
}

cmd_down() {
  local pid
  if pid=$(cases_pid); then
    echo "Stopping consular-cases (pid $pid)"
    kill -TERM "$pid"
    local deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "consular-cases did not stop within 20 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  else
    echo "consular-cases not running"
  fi
  rm -f "$CASES_PID"
  if [[ -d $PG_DIR ]]; then
    "$OPS/pg.sh" stop "$PG_DIR"
  fi
}

cmd_status() {
  local ok=0 pid
  if pid=$(cases_pid); then
    echo "consular-cases: running (pid $pid) on localhost:$CASES_PORT"
  else
    echo "consular-cases: stopped"
    ok=3
  fi
  if [[ -d $PG_DIR ]] && "$OPS/pg.sh" status "$PG_DIR" >/dev/null; then
    echo "postgresql:     running in $PG_DIR"
  else
    echo "postgresql:     stopped"
    ok=3
  fi
  return "$ok"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
