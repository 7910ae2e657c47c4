#!/usr/bin/env bash
# The local stack: a PostgreSQL cluster of its own (durable: fsync, synchronous_commit and
# full_page_writes on) and the consular services, all under .stack/ of the checkout. Nothing is
# installed system-wide and nothing listens beyond 127.0.0.1.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/stack.sh up [--dev-sign-in]|down|status

  up      start PostgreSQL (.stack/pg), create the database roles (docs/database-roles.md) and
          the "consular" database, apply the migrations, make development certificates and keys
          (.stack/certs), start consular-cases, consular-audit, consular-contacts and
          consular-stats over TLS (each with Prometheus metrics on its port - 41000, e.g.
          http://127.0.0.1:9051/metrics) and the web gateway consular-web (HTTPS, docs/web.md),
          and write .stack/env for consularctl. Harmless when the stack is up already.
          --dev-sign-in: the gateway offers the development sign-in (any role and post); never
          outside development.
  down    stop the services (SIGTERM, waiting for them to exit), then PostgreSQL. Data is kept.
  status  tell what runs; exit 0 when everything does, 3 otherwise

Environment:
  CONSULAR_CASES_PORT   port of consular-cases on 127.0.0.1 (default 50051)
  CONSULAR_AUDIT_PORT   port of consular-audit on 127.0.0.1 (default 50052)
  CONSULAR_CONTACTS_PORT port of consular-contacts on 127.0.0.1 (default 50053)
  CONSULAR_STATS_PORT   port of consular-stats on 127.0.0.1 (default 50054)
  CONSULAR_WEB_PORT     port of consular-web on 127.0.0.1 (default 8443)
  CONSULAR_CASES_METRICS_PORT (AUDIT, CONTACTS, STATS likewise)
                        port of a service's /metrics (default: its port - 41000)
  CONSULAR_BUILD_DIR    where the binaries were built (default build/ of the checkout)
  CONSULAR_STACK_DIR    the stack's folder: certificates, logs, pids, env (default .stack)
  CONSULAR_STACK_PG_DIR where the PostgreSQL cluster lives (default .stack/pg)
  CONSULAR_STACK_PG_DSN  a libpq conninfo without user and dbname: use that PostgreSQL (e.g. the
                        three-node cluster of ops/cluster.sh, which sets it) instead of a cluster
                        of the stack's own; up and down then neither start nor stop PostgreSQL
  CONSULAR_STACK_PG_DURABLE  1 (default): PostgreSQL runs with fsync, synchronous_commit and
                        full_page_writes on, so an acknowledged change survives a crash of
                        PostgreSQL or of the machine. 0: all three off (ops/pg.sh --no-durability),
                        for a throwaway stack only, e.g. ops/bench.sh's

The binaries must be built first: ops/build.sh
USAGE
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OPS=$ROOT/ops
STACK=${CONSULAR_STACK_DIR:-$ROOT/.stack}
BUILD_DIR=${CONSULAR_BUILD_DIR:-$ROOT/build}
PG_DIR=${CONSULAR_STACK_PG_DIR:-$STACK/pg}
PG_START_FLAGS=()
case "${CONSULAR_STACK_PG_DURABLE:-1}" in
  1) ;;
  0) PG_START_FLAGS=(--no-durability) ;;
  *) echo "stack.sh: CONSULAR_STACK_PG_DURABLE must be 1 or 0" >&2; exit 2 ;;
esac
EXTERNAL_PG=${CONSULAR_STACK_PG_DSN:-}
CERTS=$STACK/certs
LOGS=$STACK/logs
# The database role the services log in as: "consular_app" is the service role (a member of
# consular_service, not the owner, held by row-level security; docs/database-roles.md); "consular"
# is the owner, which the servers' start-up check refuses.
SERVICE_DB_ROLE=consular_app
ENV_FILE=$STACK/env
MIGRATE_BIN=$BUILD_DIR/tools/migrate/consular-migrate
CTL_BIN=$BUILD_DIR/tools/consularctl/consularctl

# The services, in start order: name, port, binary.
SERVICES=(cases audit contacts stats web)
declare -A PORT=(
  [cases]=${CONSULAR_CASES_PORT:-50051}
  [audit]=${CONSULAR_AUDIT_PORT:-50052}
  [contacts]=${CONSULAR_CONTACTS_PORT:-50053}
  [stats]=${CONSULAR_STATS_PORT:-50054}
  [web]=${CONSULAR_WEB_PORT:-8443}
)
declare -A BIN=(
  [cases]=$BUILD_DIR/services/cases/consular-cases
  [audit]=$BUILD_DIR/services/audit/consular-audit
  [contacts]=$BUILD_DIR/services/contacts/consular-contacts
  [stats]=$BUILD_DIR/services/stats/consular-stats
  [web]=$BUILD_DIR/services/web/consular-web
)
declare -A PORT_VAR=([cases]=CONSULAR_CASES_PORT [audit]=CONSULAR_AUDIT_PORT
                     [contacts]=CONSULAR_CONTACTS_PORT [stats]=CONSULAR_STATS_PORT
                     [web]=CONSULAR_WEB_PORT)

die() { echo "stack.sh: $*" >&2; exit 1; }

require_binaries() {
  local missing=() bin
  for bin in "${BIN[@]}" "$MIGRATE_BIN" "$CTL_BIN"; do
    [[ -x $bin ]] || missing+=("$bin")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    printf 'stack.sh: not built yet: %s\n' "${missing[@]}" >&2
    die "build first with ops/build.sh"
  fi
}

# The pid of the running consular-NAME started by this script, or nothing.
service_pid() {  # NAME
  local file=$STACK/$1.pid pid
  [[ -f $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "consular-$1" || return 1
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
  psql "$admin_dsn" -X -q -v ON_ERROR_STOP=1 -f "$OPS/seed/roles.sql"
  if [[ -z $(sql "$admin_dsn" "SELECT 1 FROM pg_database WHERE datname = 'consular'") ]]; then
    echo "Creating database consular"
    sql "$admin_dsn" "CREATE DATABASE consular OWNER consular"
  fi
}

# Starts consular-NAME on 127.0.0.1:PORT[NAME] with the TLS flags (and, for a gRPC service, the
# token keys and reflection) and ARGS, and waits until it listens.
start_service() {  # NAME ARGS...
  local name=$1 pid
  shift
  local port=${PORT[$name]} bin=${BIN[$name]} pid_file=$STACK/$name.pid log=$LOGS/$name.log
  if pid=$(service_pid "$name"); then
    echo "consular-$name already running (pid $pid) on 127.0.0.1:$port"
    return 0
  fi
  if port_open "$port"; then
    die "port $port is taken by another program; choose another with ${PORT_VAR[$name]}"
  fi
  mkdir -p "$LOGS"
  [[ -f $log ]] && mv -f "$log" "$log.1"
  echo "Starting consular-$name on 127.0.0.1:$port (log: $log)"
  rm -f "$pid_file"
  # --reflection: the local stack lists its API to grpcurl and the like (off in a deployment).
  # Prometheus metrics on the service's port - 41000 (cases: 127.0.0.1:9051/metrics): below the
  # kernel's ephemeral range (32768-60999), where an outgoing connection's local port (e.g. of a
  # database connection in TIME_WAIT) could take a port the moment before it is bound.
  local metrics_var=CONSULAR_${name^^}_METRICS_PORT
  local grpc_flags=(--token-public-keys "$CERTS/token-public.pem" --reflection
                    --metrics-listen "127.0.0.1:${!metrics_var:-$((port - 41000))}")
  [[ $name == web ]] && grpc_flags=()
  # Its own session, so that it outlives this script and the terminal. The child writes its own
  # pid before becoming the server.
  # shellcheck disable=SC2016  # $$ and $@ are expanded by the child shell
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$pid_file" \
    "$bin" \
    --listen "127.0.0.1:$port" \
    --tls-cert "$CERTS/server.pem" \
    --tls-key "$CERTS/server.key" \
    "${grpc_flags[@]}" \
    "$@" \
    </dev/null >"$log" 2>&1 &

  local deadline=$((SECONDS + 20))
  while (( SECONDS < deadline )); do
    if grep -q "listening on" "$log" 2>/dev/null; then
      return 0
    fi
    if pid=$(service_pid "$name") && port_open "$port"; then
      return 0
    fi
    if [[ -s $pid_file ]] && ! kill -0 "$(<"$pid_file")" 2>/dev/null; then
      echo "consular-$name exited during start-up; last lines of $log:" >&2
      tail -n 30 "$log" >&2 || true
      rm -f "$pid_file"
      exit 1
    fi
    sleep 0.2
  done
  echo "consular-$name not ready after 20 s; last lines of $log:" >&2
  tail -n 30 "$log" >&2 || true
  exit 1
}

stop_service() {  # NAME
  local name=$1 pid
  if pid=$(service_pid "$name"); then
    echo "Stopping consular-$name (pid $pid)"
    kill -TERM "$pid"
    local deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "consular-$name did not stop within 20 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  else
    echo "consular-$name not running"
  fi
  rm -f "$STACK/$name.pid"
}

write_env() {
  {
    echo "# Written by ops/stack.sh up: settings for consularctl against the local stack."
    echo "export CONSULAR_ADDR=$(printf %q "localhost:${PORT[cases]}")"
    echo "export CONSULAR_AUDIT_ADDR=$(printf %q "localhost:${PORT[audit]}")"
    echo "export CONSULAR_CONTACTS_ADDR=$(printf %q "localhost:${PORT[contacts]}")"
    echo "export CONSULAR_STATS_ADDR=$(printf %q "localhost:${PORT[stats]}")"
    echo "export CONSULAR_WEB_URL=$(printf %q "https://localhost:${PORT[web]}")"
    echo "export CONSULAR_CA_CERT=$(printf %q "$CERTS/ca.pem")"
    echo "export CONSULAR_DEV_SIGNING_KEY=$(printf %q "$CERTS/token-signing.pem")"
    echo "export PATH=$(printf %q "$(dirname "$CTL_BIN")")\":\$PATH\""
  } >"$ENV_FILE"
}

print_howto() {
  cat <<HOWTO

The stack is up: consular-cases on localhost:${PORT[cases]}, consular-audit on
localhost:${PORT[audit]}, consular-contacts on localhost:${PORT[contacts]} and consular-stats on
localhost:${PORT[stats]} (TLS), the web gateway on https://localhost:${PORT[web]}$WEB_NOTE,
$PG_NOTE.

  source $ENV_FILE
  export CONSULAR_TOKEN=\$(consularctl dev token --role officer --post RABAT)
  consularctl case create --type abandonment --country MA --name "Amina Example" \\
      --sex female --nationality dual --referral family --flag passport-withheld
  consularctl case list --country MA

Audit trail (auditors only): consularctl audit list|verify with a token of --role auditor.
Partners and contacts: consularctl partner ... and consularctl contact ... (see README).
Statistics (policy staff): consularctl stats|talk|report ... (see README).
Logs: $LOGS
Stop with: ${CONSULAR_STACK_STOP_HINT:-ops/stack.sh down}
HOWTO
}

cmd_up() {
  local dev_sign_in=0
  case "${1:-}" in
    --dev-sign-in) dev_sign_in=1 ;;
    "") ;;
    *) usage >&2; exit 2 ;;
  esac
  require_binaries
  command -v psql >/dev/null || die "psql not found; run ops/install-deps.sh"
  mkdir -p "$STACK"
  local admin_dsn owner_dsn app_dsn
  if [[ -n $EXTERNAL_PG ]]; then
    admin_dsn="$EXTERNAL_PG user=postgres dbname=postgres"
    PG_NOTE="PostgreSQL at $EXTERNAL_PG"
  else
    if ! "$OPS/pg.sh" check "$PG_DIR" >/dev/null 2>&1; then
      "$OPS/pg.sh" check "$PG_DIR" || true
      die "cannot keep PostgreSQL in $PG_DIR; set CONSULAR_STACK_PG_DIR to another folder"
    fi
    "$OPS/pg.sh" start "$PG_DIR" "${PG_START_FLAGS[@]}"
    admin_dsn=$("$OPS/pg.sh" dsn "$PG_DIR")
    PG_NOTE="PostgreSQL in $PG_DIR"
  fi
  owner_dsn=${admin_dsn/%user=postgres dbname=postgres/user=consular dbname=consular}
  app_dsn=${admin_dsn/%user=postgres dbname=postgres/user=$SERVICE_DB_ROLE dbname=consular}
  setup_database "$admin_dsn"
  echo "Applying migrations"
  "$MIGRATE_BIN" --dsn "$owner_dsn"
  echo "Seeding the register of units (ops/seed/units.sql)"
  psql "$owner_dsn" -X -q -v ON_ERROR_STOP=1 -f "$OPS/seed/units.sql"
  "$OPS/dev-certs.sh" "$CERTS"
  local keys=(--field-keys "$CERTS/field-keys" --blind-index-key "$CERTS/blind-index.key")
  start_service cases --dsn "$app_dsn" "${keys[@]}"
  start_service audit --dsn "$app_dsn"
  start_service contacts --dsn "$app_dsn" "${keys[@]}"
  start_service stats --dsn "$app_dsn" "${keys[@]}"
  local web_flags=(--ca-cert "$CERTS/ca.pem"
    --cases-addr "localhost:${PORT[cases]}" --audit-addr "localhost:${PORT[audit]}"
    --contacts-addr "localhost:${PORT[contacts]}" --stats-addr "localhost:${PORT[stats]}")
  WEB_NOTE=""
  if [[ -f $ROOT/web/dist/index.html ]]; then
    web_flags+=(--static-dir "$ROOT/web/dist")
  fi
  if (( dev_sign_in )); then
    web_flags+=(--dev-sign-in-key "$CERTS/token-signing.pem")
    WEB_NOTE=" (development sign-in)"
  fi
  start_service web "${web_flags[@]}"
  write_env
  print_howto
}

cmd_down() {
  local i
  for (( i = ${#SERVICES[@]} - 1; i >= 0; i-- )); do
    stop_service "${SERVICES[i]}"
  done
  if [[ -z $EXTERNAL_PG && -d $PG_DIR ]]; then
    "$OPS/pg.sh" stop "$PG_DIR"
  fi
}

cmd_status() {
  local ok=0 pid name
  for name in "${SERVICES[@]}"; do
    if pid=$(service_pid "$name"); then
      printf '%-18s running (pid %s) on localhost:%s\n' "consular-$name:" "$pid" "${PORT[$name]}"
    else
      printf '%-18s stopped\n' "consular-$name:"
      ok=3
    fi
  done
  if [[ -n $EXTERNAL_PG ]]; then
    printf '%-18s not the stack'"'"'s own (CONSULAR_STACK_PG_DSN)\n' "postgresql:"
  elif [[ -d $PG_DIR ]] && "$OPS/pg.sh" status "$PG_DIR" >/dev/null; then
    printf '%-18s running in %s\n' "postgresql:" "$PG_DIR"
  else
    printf '%-18s stopped\n' "postgresql:"
    ok=3
  fi
  return "$ok"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
