# Shared by the end-to-end scripts (sourced, not run): a temporary folder with a throwaway
# PostgreSQL cluster, the database roles and development certificates, stopping servers, the
# clean-up on exit, and PASS/FAIL bookkeeping. The script sets OPS (the ops/ folder), KEEP
# (1: keep the temporary folder) and WORK_PARENT (where to make it; empty: the system's) first.

# The database role the servers log in as: "consular_app" is the service role (member of
# consular_service, not the owner, held by row-level security; docs/database-roles.md); "consular"
# is the owner, which the servers' start-up check refuses.
SERVICE_DB_ROLE=consular_app

# Nothing from the caller's environment may change what the binaries do.
while read -r var; do unset "$var"; done < <(compgen -e | grep '^CONSULAR_' || true)

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# N distinct free ports (default 1), comma-separated, below the kernel's ephemeral range
# (32768-60999): for what is started again, or after many outgoing connections, where a port in
# that range can be taken by the local end of a connection (even one in TIME_WAIT) just before it
# is bound. Each is held while the others are chosen, and reserved for this test script (a file
# per port in a folder all tests share, naming the script's process) until the script ends: a test
# running at the same time never chooses it in the seconds before it is bound. A reservation whose
# process has ended, or older than a day, is taken over.
free_low_ports() {  # [N]
  python3 - "${1:-1}" "$$" "${TMPDIR:-/tmp}/consular-test-ports" <<'PY'
import os, random, socket, sys, time
wanted, owner, folder = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
os.makedirs(folder, mode=0o1777, exist_ok=True)

def reserve(port):
    path = os.path.join(folder, str(port))
    for _ in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            try:
                holder = int(open(path).read().strip() or 0)
                stale = time.time() - os.stat(path).st_mtime > 86400
            except (OSError, ValueError):
                holder, stale = 0, True
            alive = holder > 0 and holder != owner
            if alive:
                try:
                    os.kill(holder, 0)
                except ProcessLookupError:
                    alive = False
                except PermissionError:
                    pass
            if holder == owner or (alive and not stale):
                return False
            try:
                os.unlink(path)  # its process ended: take it over (one of two racers wins)
            except FileNotFoundError:
                pass
            continue
        os.write(fd, str(owner).encode())
        os.close(fd)
        return True
    return False

held = []
while len(held) < wanted:
    s = socket.socket()
    port = random.randrange(20000, 32000)
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        s.close()
        continue
    if reserve(port):
        held.append(s)
    else:
        s.close()
print(",".join(str(s.getsockname()[1]) for s in held))
PY
}

# How e2e_setup_database starts the cluster: a throwaway one, durability off for speed (ops/pg.sh
# --help). The fault tests, which prove that nothing acknowledged is lost, empty it: durable.
PG_START_FLAGS=(--no-durability)

# Makes the temporary folder WORK and chooses the cluster's folder PG_DIR and socket port PG_PORT
# (PG_TEMP: a second temporary folder when WORK's path is too long for a socket). NAME names them.
e2e_make_work_dir() {  # NAME
  if [[ -n $WORK_PARENT ]]; then
    mkdir -p "$WORK_PARENT"
    WORK=$(mktemp -d "$WORK_PARENT/$1.XXXXXX")
  else
    WORK=$(mktemp -d -t "consular-$1.XXXXXX")
  fi
  WORK=$(cd "$WORK" && pwd)
  chmod 711 "$WORK"  # as root, the postgres user must pass through to its cluster
  PG_DIR=$WORK/pg
  PG_TEMP=""
  PG_PORT=$(free_port)  # names the socket only; nothing listens on TCP
  if ! "$OPS/pg.sh" check "$PG_DIR" "$PG_PORT" >/dev/null 2>&1; then
    # The build tree is too deep for a socket path, or the postgres user cannot reach it.
    PG_TEMP=$(mktemp -d -t "consular-$1-pg.XXXXXX")
    PG_DIR=$PG_TEMP
  fi
}

# Chooses CLUSTER_DIR, the folder of a three-node cluster of ops/cluster.sh, in WORK when the
# postgres user can reach it there and its nodes' socket paths fit, else in a temporary folder of
# its own (CLUSTER_TEMP, removed by e2e_finish).
CLUSTER_TEMP=""
e2e_cluster_dir() {
  CLUSTER_DIR=$WORK/cluster
  local sock="$CLUSTER_DIR/node1/run/.s.PGSQL.99999"
  if [[ -n $PG_TEMP ]] || (( ${#sock} > 107 )); then
    CLUSTER_TEMP=$(mktemp -d -t "consular-cluster.XXXXXX")
    chmod 711 "$CLUSTER_TEMP"
    CLUSTER_DIR=$CLUSTER_TEMP/cluster
  fi
}

# Stops each running process among PIDs: SIGTERM, up to 5 s, then SIGKILL.
e2e_stop_pids() {  # PID...
  local pid
  for pid in "$@"; do
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

# The end of a script's clean-up: stops PostgreSQL, shows the servers' logs after a failure,
# removes (or keeps) the temporary folders, exits with STATUS.
e2e_finish() {  # STATUS LOG...
  local status=$1 log
  shift
  "$OPS/pg.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
  if [[ $status -ne 0 ]]; then
    for log in "$@"; do
      [[ -f $log ]] || continue
      echo "--- last lines of $(basename "$log") ---"
      tail -n 40 "$log" || true
    done
  fi
  if [[ $KEEP == 1 ]]; then
    echo "kept $WORK"
  else
    rm -rf "$WORK"
    if [[ -n $PG_TEMP ]]; then rm -rf "$PG_TEMP"; fi
    if [[ -n $CLUSTER_TEMP ]]; then rm -rf "$CLUSTER_TEMP"; fi
  fi
  exit "$status"
}

setup_fail() { echo "SETUP FAILED: $*" >&2; exit 1; }

# Seeds the register of units and the posts' countries as the local stack does
# (ops/seed/units.sql) into the migrated database at DSN: tokens name posts of the register.
e2e_seed_units() {  # DSN
  psql "$1" -X -q -v ON_ERROR_STOP=1 -f "$OPS/seed/units.sql" >"$WORK/seed.log" 2>&1 \
    || setup_fail "cannot seed the register of units: $(cat "$WORK/seed.log")"
}

# Starts the cluster, creates the roles and the database "consular" as ops/stack.sh does, and the
# development certificates and keys in CERTS. Sets ADMIN_DSN (superuser), OWNER_DSN ("consular":
# owns the schema, migrates, and as a member of consular_maintenance may see every row), APP_DSN
# ($SERVICE_DB_ROLE) and SUPER_DSN (the superuser on database consular).
e2e_setup_database() {
  echo "== set-up in $WORK"
  "$OPS/pg.sh" start "$PG_DIR" "$PG_PORT" "${PG_START_FLAGS[@]}" >/dev/null \
    || setup_fail "PostgreSQL did not start"
  ADMIN_DSN=$("$OPS/pg.sh" dsn "$PG_DIR" "$PG_PORT")
  OWNER_DSN=${ADMIN_DSN/%user=postgres dbname=postgres/user=consular dbname=consular}
  APP_DSN=${ADMIN_DSN/%user=postgres dbname=postgres/user=$SERVICE_DB_ROLE dbname=consular}
  SUPER_DSN=${ADMIN_DSN/%user=postgres dbname=postgres/user=postgres dbname=consular}
  psql "$ADMIN_DSN" -X -q -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE consular LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE" \
    -c "CREATE ROLE consular_service NOLOGIN" \
    -c "CREATE ROLE consular_maintenance NOLOGIN" \
    -c "GRANT consular_maintenance TO consular" \
    -c "CREATE ROLE consular_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE
          IN ROLE consular_service" \
    -c "CREATE DATABASE consular OWNER consular" >/dev/null || setup_fail "database not created"
  "$OPS/dev-certs.sh" "$WORK/certs" >/dev/null || setup_fail "certificates not created"
  CERTS=$WORK/certs
}

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS  $1"; }
fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL  $1"
  local line
  if [[ -n ${2:-} ]]; then
    while IFS= read -r line; do echo "      $line"; done <<<"$2"
  fi
  return 0
}

# Runs consularctl with the addresses in CTL_ADDRS (set by the script, e.g. (--addr HOST:PORT)) and
# the development CA. TOKEN may be empty for "no token". Sets OUT, ERR and RC.
CTL_ADDRS=()
ctl() {  # TOKEN ARGS...
  local token=$1
  shift
  local args=("${CTL_ADDRS[@]}" --ca-cert "$CERTS/ca.pem")
  [[ -n $token ]] && args+=(--token "$token")
  RC=0
  OUT=$("$CTL_BIN" "${args[@]}" "$@" 2>"$WORK/ctl.err") || RC=$?
  ERR=$(<"$WORK/ctl.err")
}

details() { printf 'exit %s\nstdout: %s\nstderr: %s' "$RC" "$OUT" "$ERR"; }

# NAME: the last ctl call succeeded.
expect_ok() {
  if [[ $RC -eq 0 ]]; then pass "$1"; else fail "$1" "$(details)"; fi
}

# NAME TEXT...: the last ctl call succeeded and its stdout holds every TEXT.
expect_out() {
  local name=$1 text
  shift
  if [[ $RC -ne 0 ]]; then fail "$name" "$(details)"; return 0; fi
  for text in "$@"; do
    if [[ $OUT != *"$text"* ]]; then fail "$name" "$(details)"; return 0; fi
  done
  pass "$name"
}

# NAME TEXT: the last ctl call succeeded and its stdout does not hold TEXT.
expect_out_without() {
  if [[ $RC -eq 0 && $OUT != *"$2"* ]]; then pass "$1"; else fail "$1" "$(details)"; fi
}

# NAME CODE [TEXT]: the last ctl call exited 1 with "error: CODE" (and TEXT) on stderr.
expect_error() {
  local name=$1 code=$2 text=${3:-}
  if [[ $RC -eq 1 && $ERR == *"error: $code"* && $ERR == *"$text"* ]]; then
    pass "$name"
  else
    fail "$name" "$(details)"
  fi
}

# FIELD: the value of a top-level field of the JSON object in OUT.
json_field() {
  python3 -c 'import json, sys
value = json.loads(sys.stdin.read()).get(sys.argv[1], "")
print(value if isinstance(value, str) else json.dumps(value))' "$1" <<<"$OUT" 2>/dev/null || true
}

mint() {  # ROLE [POST]: a dev token
  local args=(dev token --role "$1" --key "$CERTS/token-signing.pem")
  [[ -n ${2:-} ]] && args+=(--post "$2")
  "$CTL_BIN" "${args[@]}"
}

# Starts a server over TLS as the service database role ($APP_DSN), with the development
# certificates and keys, in the background; extra ARGS go to the server. Sets STARTED_PID.
start_server() {  # BIN PORT LOG ARGS...: starts it in the background; sets STARTED_PID
  local bin=$1 port=$2 log=$3
  shift 3
  "$bin" --listen "127.0.0.1:$port" --dsn "$APP_DSN" \
    --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key" \
    --token-public-keys "$CERTS/token-public.pem" \
    --field-keys "$CERTS/field-keys" --blind-index-key "$CERTS/blind-index.key" "$@" >"$log" 2>&1 &
  STARTED_PID=$!
}
# NAME PID LOG: passes once the server says it listens; fails and exits after 20 s or if it died.
wait_listening() {
  local ready=0
  for _ in $(seq 100); do
    kill -0 "$2" 2>/dev/null || break
    if grep -q "listening on" "$3"; then ready=1; break; fi
    sleep 0.2
  done
  if (( ready )); then
    pass "$1 starts and says it is listening"
  else
    fail "$1 starts and says it is listening" "$(tail -n 20 "$3")"
    exit 1
  fi
}
