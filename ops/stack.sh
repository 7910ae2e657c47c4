#!/usr/bin/env bash
# The local stack: a throwaway PostgreSQL cluster and the consular services, all under .stack/ of
# the checkout. Nothing is installed system-wide and nothing listens beyond 127.0.0.1.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/stack.sh up|down|status

  up      start PostgreSQL (.stack/pg), create the database roles (docs/database-roles.md) and
          the "consular" database, apply the migrations, make development certificates and keys
          (.stack/certs), start consular-cases and consular-audit over TLS and write .stack/env
          for consularctl. Harmless when the stack is up already.
  down    stop consular-audit and consular-cases (SIGTERM, waiting for them to exit), then
          PostgreSQL. Data is kept.
  status  tell what runs; exit 0 when everything does, 3 otherwise

Environment:
  CONSULAR_CASES_PORT   port of consular-cases on 127.0.0.1 (default 50051)
  CONSULAR_AUDIT_PORT   port of consular-audit on 127.0.0.1 (default 50052)
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
# The database role consular-cases logs in as: "consular_app" is the service role (a member of
# consular_service, not the owner, held by row-level security; docs/database-roles.md); "consular"
# is the owner, which the server's start-up check refuses once it calls it.
SERVICE_DB_ROLE=consular_app
CASES_PID=$STACK/cases.pid
CASES_LOG=$LOGS/cases.log
ENV_FILE=$STACK/env
AUDIT_PORT=${CONSULAR_AUDIT_PORT:-50052}
AUDIT_PID=$STACK/audit.pid
AUDIT_LOG=$LOGS/audit.log
AUDIT_BIN=$BUILD_DIR/services/audit/consular-audit

CASES_BIN=$BUILD_DIR/services/cases/consular-cases
MIGRATE_BIN=$BUILD_DIR/tools/migrate/consular-migrate
CTL_BIN=$BUILD_DIR/tools/consularctl/consularctl

die() { echo "stack.sh: $*" >&2; exit 1; }

require_binaries() {
  local missing=() bin
  for bin in "$CASES_BIN" "$AUDIT_BIN" "$MIGRATE_BIN" "$CTL_BIN"; do
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
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'consular_service') THEN
        CREATE ROLE consular_service NOLOGIN;
      END IF;
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'consular_maintenance') THEN
        CREATE ROLE consular_maintenance NOLOGIN;
      END IF;
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'consular_app') THEN
        CREATE ROLE consular_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE
          IN ROLE consular_service;
      END IF;
    END \$\$;"
  # The owner migrates and runs maintenance jobs (consular-keys rotate), which must see every row.
  sql "$admin_dsn" "DO \$\$ BEGIN
      IF NOT pg_has_role('consular', 'consular_maintenance', 'MEMBER') THEN
        GRANT consular_maintenance TO consular;
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
    --field-keys "$CERTS/field-keys" \
    --blind-index-key "$CERTS/blind-index.key" \
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

# consular-audit: the audit service and the sequencer that hash-chains the audit trail.
audit_pid() {
  [[ -f $AUDIT_PID ]] || return 1
  local pid
  pid=$(<"$AUDIT_PID")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q consular-audit || return 1
  echo "$pid"
}

start_audit() {
  local app_dsn=$1 pid
  if pid=$(audit_pid); then
    echo "consular-audit already running (pid $pid) on 127.0.0.1:$AUDIT_PORT"
    return 0
  fi
  if port_open "$AUDIT_PORT"; then
    die "port $AUDIT_PORT is taken by another program; choose another with CONSULAR_AUDIT_PORT"
  fi
  mkdir -p "$LOGS"
  [[ -f $AUDIT_LOG ]] && mv -f "$AUDIT_LOG" "$AUDIT_LOG.1"
  echo "Starting consular-audit on 127.0.0.1:$AUDIT_PORT (log: $AUDIT_LOG)"
  rm -f "$AUDIT_PID"
  # shellcheck disable=SC2016  # $$ and $@ are expanded by the child shell
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$AUDIT_PID" \
    "$AUDIT_BIN" \
    --listen "127.0.0.1:$AUDIT_PORT" \
    --dsn "$app_dsn" \
    --tls-cert "$CERTS/server.pem" \
    --tls-key "$CERTS/server.key" \
    --token-public-keys "$CERTS/token-public.pem" \
    </dev/null >"$AUDIT_LOG" 2>&1 &
  local deadline=$((SECONDS + 20))
  while (( SECONDS < deadline )); do
    grep -q "listening on" "$AUDIT_LOG" 2>/dev/null && return 0
    if [[ -s $AUDIT_PID ]] && ! kill -0 "$(<"$AUDIT_PID")" 2>/dev/null; then
      echo "consular-audit exited during start-up; last lines of $AUDIT_LOG:" >&2
      tail -n 30 "$AUDIT_LOG" >&2 || true
      rm -f "$AUDIT_PID"
      exit 1
    fi
    sleep 0.2
  done
  echo "consular-audit not ready after 20 s; last lines of $AUDIT_LOG:" >&2
  tail -n 30 "$AUDIT_LOG" >&2 || true
  exit 1
}

stop_audit() {
  local pid
  if pid=$(audit_pid); then
    echo "Stopping consular-audit (pid $pid)"
    kill -TERM "$pid"
    local deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  else
    echo "consular-audit not running"
  fi
  rm -f "$AUDIT_PID"
}

write_env() {
  {
    echo "# Written by ops/stack.sh up: settings for consularctl against the local stack."
    echo "export CONSULAR_ADDR=$(printf %q "localhost:$CASES_PORT")"
    echo "export CONSULAR_AUDIT_ADDR=$(printf %q "localhost:$AUDIT_PORT")"
    echo "export CONSULAR_CA_CERT=$(printf %q "$CERTS/ca.pem")"
    echo "export CONSULAR_DEV_SIGNING_KEY=$(printf %q "$CERTS/token-signing.pem")"
    echo "export PATH=$(printf %q "$(dirname "$CTL_BIN")")\":\$PATH\""
  } >"$ENV_FILE"
}

print_howto() {
  cat <<HOWTO

The stack is up: consular-cases on localhost:$CASES_PORT and consular-audit on
localhost:$AUDIT_PORT (TLS), PostgreSQL in $PG_DIR.

  source $ENV_FILE
  export CONSULAR_TOKEN=\$(consularctl dev token --role officer --post RABAT)
  consularctl case create --type abandonment --country MA --name "Amina Example" \\
      --sex female --nationality dual --referral family --flag passport-withheld
  consularctl case list --country MA

Audit trail (auditors only): consularctl audit list|verify with a token of --role auditor.
Logs: $CASES_LOG, $AUDIT_LOG
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
  local admin_dsn owner_dsn app_dsn
  admin_dsn=$("$OPS/pg.sh" dsn "$PG_DIR")
  owner_dsn=${admin_dsn/%user=postgres dbname=postgres/user=consular dbname=consular}
  app_dsn=${admin_dsn/%user=postgres dbname=postgres/user=$SERVICE_DB_ROLE dbname=consular}
  setup_database "$admin_dsn"
  echo "Applying migrations"
  "$MIGRATE_BIN" --dsn "$owner_dsn"
  "$OPS/dev-certs.sh" "$CERTS"
  start_cases "$app_dsn"
  start_audit "${admin_dsn/%user=postgres dbname=postgres/user=consular_app dbname=consular}"
  write_env
  print_howto
}

cmd_down() {
  local pid
  stop_audit
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
  if pid=$(audit_pid); then
    echo "consular-audit: running (pid $pid) on localhost:$AUDIT_PORT"
  else
    echo "consular-audit: stopped"
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
