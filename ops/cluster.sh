#!/usr/bin/env bash
# A highly available PostgreSQL 15 cluster on one machine, for tests and for trying it: three
# nodes on local ports, each run by Patroni, with etcd as the store that elects the primary.
# Replication is synchronous (Patroni's synchronous_mode, strict): a commit PostgreSQL
# acknowledged exists on two nodes. When the primary dies, Patroni promotes the synchronous
# standby and the services, which connect with a multi-host DSN (target_session_attrs=read-write),
# find it by themselves. docs/operations.md describes the same on three machines.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/cluster.sh up [--dev-sign-in] | db-up | down | status | failover [--to NODE]
                      | dsn [ROLE [DATABASE]] | leader | members | start-node NODE | stop-node NODE
                      | wait-healthy [SECONDS]

  up          db-up, then the consular services and the web gateway against the cluster
              (ops/stack.sh with CONSULAR_STACK_PG_DSN; .stack/env for consularctl as usual).
              --dev-sign-in as for ops/stack.sh. Harmless when it runs already.
  db-up       etcd and the three Patroni nodes (node1, node2, node3); waits for a primary and a
              synchronous standby; creates the database roles (docs/database-roles.md) and the
              "consular" database, applies the migrations and seeds the register of units
  down        stops the services (if up), the three nodes and etcd. Data is kept.
  status      Patroni's view of the cluster (patronictl list) and the services; exit 0 when a
              primary, a synchronous standby and every node run, 3 otherwise
  failover    a planned failover: Patroni hands the primary role to a standby (NODE, or the
              synchronous standby) and the old primary follows it; prints how long writes stopped
  dsn [ROLE [DATABASE]]
              the multi-host libpq conninfo for ROLE (default consular_app; also consular, the
              owner, and postgres, the superuser) on DATABASE (default consular), with
              target_session_attrs=read-write
  leader      the name of the primary node (exit 3 when there is none)
  members     one line per node: name, role, state, lag (from Patroni's REST API)
  start-node NODE / stop-node NODE
              starts or stops one node's Patroni (and with it its PostgreSQL)
  wait-healthy [SECONDS]
              waits (default 120 s) until a primary, a synchronous standby and all three nodes
              run; exit 1 (and what each node is) if not

Environment:
  CONSULAR_CLUSTER_DIR       the cluster's folder (default .cluster of the checkout): etcd/,
                             node1..3/ (data, patroni.yml, log), secrets/ (passwords, pgpass)
  CONSULAR_CLUSTER_PG_PORTS  the nodes' PostgreSQL ports (default 25441,25442,25443)
  CONSULAR_CLUSTER_API_PORTS the nodes' Patroni REST ports (default 28441,28442,28443)
  CONSULAR_CLUSTER_ETCD_PORTS etcd's client and peer port (default 22379,22380)
  CONSULAR_BUILD_DIR         where the binaries were built (default build/ of the checkout)
The ports are remembered in the folder at the first db-up; later runs use the same. The defaults
are below the kernel's ephemeral range (32768-60999): a port there can be taken by the local end of
an outgoing connection just before a node binds it.
Run as root, PostgreSQL and Patroni run as the "postgres" user.
USAGE
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OPS=$ROOT/ops
DIR=$(realpath -m -- "${CONSULAR_CLUSTER_DIR:-$ROOT/.cluster}")
BUILD_DIR=${CONSULAR_BUILD_DIR:-$ROOT/build}
MIGRATE_BIN=$BUILD_DIR/tools/migrate/consular-migrate
SECRETS=$DIR/secrets
NODES=(node1 node2 node3)
SCOPE=consular

die() { echo "cluster.sh: $*" >&2; exit 1; }

AS_ROOT=0
[[ $(id -u) -eq 0 ]] && AS_ROOT=1

find_bindir() {
  local d
  for d in /usr/lib/postgresql/15/bin "$(pg_config --bindir 2>/dev/null || true)"; do
    if [[ -n $d && -x $d/initdb && -x $d/pg_ctl ]]; then
      echo "$d"
      return 0
    fi
  done
  die "PostgreSQL 15 server binaries not found; run ops/install-deps.sh"
}

require_tools() {
  local tool
  for tool in patroni patronictl etcd etcdctl psql curl; do
    command -v "$tool" >/dev/null || die "$tool not found; run ops/install-deps.sh"
  done
}

# The ports: from the folder when it was set up before, else from the environment or defaults.
load_ports() {
  if [[ -f $DIR/ports ]]; then
    # shellcheck source=/dev/null
    source "$DIR/ports"
  else
    IFS=, read -r -a PG_PORTS <<<"${CONSULAR_CLUSTER_PG_PORTS:-25441,25442,25443}"
    IFS=, read -r -a API_PORTS <<<"${CONSULAR_CLUSTER_API_PORTS:-28441,28442,28443}"
    IFS=, read -r -a ETCD_PORTS <<<"${CONSULAR_CLUSTER_ETCD_PORTS:-22379,22380}"
  fi
  [[ ${#PG_PORTS[@]} -eq 3 && ${#API_PORTS[@]} -eq 3 && ${#ETCD_PORTS[@]} -eq 2 ]] \
    || die "three PostgreSQL ports, three REST ports and two etcd ports are needed"
  local p
  for p in "${PG_PORTS[@]}" "${API_PORTS[@]}" "${ETCD_PORTS[@]}"; do
    [[ $p =~ ^[0-9]+$ ]] && (( p > 0 && p < 65536 )) || die "bad port: $p"
  done
}

save_ports() {
  {
    echo "PG_PORTS=(${PG_PORTS[*]})"
    echo "API_PORTS=(${API_PORTS[*]})"
    echo "ETCD_PORTS=(${ETCD_PORTS[*]})"
  } >"$DIR/ports"
}

node_index() {  # NODE: 0, 1 or 2
  local i
  for i in "${!NODES[@]}"; do
    [[ ${NODES[i]} == "$1" ]] && { echo "$i"; return 0; }
  done
  die "no node $1 (node1, node2 or node3)"
}

port_open() {  # PORT
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pid_alive() {  # FILE: prints the pid in FILE when that process runs
  local pid
  [[ -f $1 ]] || return 1
  pid=$(<"$1")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# Runs a command as the nodes' owner: the postgres user when we are root (setpriv execs it, so a
# pid recorded before is the command's own).
OWNER_PREFIX=()
(( AS_ROOT )) && OWNER_PREFIX=(setpriv --reuid=postgres --regid=postgres --init-groups --)
as_owner() { "${OWNER_PREFIX[@]}" "$@"; }

check_reachable() {
  (( AS_ROOT )) || return 0
  id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' user (package postgresql)"
  local probe
  probe=$(dirname "$DIR")
  while [[ ! -e $probe ]]; do probe=$(dirname "$probe"); done
  as_owner test -x "$probe" \
    || die "the postgres user cannot reach $probe; choose another CONSULAR_CLUSTER_DIR"
}

# --- secrets -------------------------------------------------------------------------------------
# A random password per database role, made once. secrets/ is readable by the one who runs this
# script only; secrets/pgpass is the libpq password file the services' DSN names.
ROLES=(postgres replicator consular consular_app)
make_secrets() {
  mkdir -p "$SECRETS"
  chmod 700 "$SECRETS"
  local role
  for role in "${ROLES[@]}"; do
    if [[ ! -s $SECRETS/$role.password ]]; then
      (umask 077 && openssl rand -hex 24 >"$SECRETS/$role.password")
    fi
  done
  (
    umask 077
    for role in "${ROLES[@]}"; do
      printf '*:*:*:%s:%s\n' "$role" "$(<"$SECRETS/$role.password")"
    done >"$SECRETS/pgpass"
  )
}
password() { cat "$SECRETS/$1.password"; }

# --- etcd ----------------------------------------------------------------------------------------
start_etcd() {
  local e=$DIR/etcd pid
  if pid=$(pid_alive "$e/etcd.pid"); then
    echo "etcd already running (pid $pid) on 127.0.0.1:${ETCD_PORTS[0]}"
    return 0
  fi
  port_open "${ETCD_PORTS[0]}" && die "port ${ETCD_PORTS[0]} is taken; set CONSULAR_CLUSTER_ETCD_PORTS"
  mkdir -p "$e"
  chmod 700 "$e"
  echo "Starting etcd on 127.0.0.1:${ETCD_PORTS[0]} (log: $e/etcd.log)"
  local client=http://127.0.0.1:${ETCD_PORTS[0]} peer=http://127.0.0.1:${ETCD_PORTS[1]}
  # shellcheck disable=SC2016
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$e/etcd.pid" \
    etcd --name etcd1 --data-dir "$e/data" \
      --listen-client-urls "$client" --advertise-client-urls "$client" \
      --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
      --initial-cluster "etcd1=$peer" --initial-cluster-state new \
      --initial-cluster-token "consular-$SCOPE" \
      </dev/null >>"$e/etcd.log" 2>&1 &
  local _
  for _ in $(seq 100); do
    if ETCDCTL_API=3 etcdctl --endpoints "$client" endpoint health >/dev/null 2>&1; then
      return 0
    fi
    pid_alive "$e/etcd.pid" >/dev/null || { tail -n 20 "$e/etcd.log" >&2; die "etcd exited"; }
    sleep 0.2
  done
  tail -n 20 "$e/etcd.log" >&2
  die "etcd not healthy after 20 s"
}

# --- Patroni nodes -------------------------------------------------------------------------------
write_patroni_config() {  # NODE
  local node=$1 i nd
  i=$(node_index "$node")
  nd=$DIR/$node
  local cfg=$nd/patroni.yml
  (umask 077 && cat >"$cfg.new") <<YAML
# Written by ops/cluster.sh at every start of the node.
scope: $SCOPE
namespace: /service/
name: $node
log:
  level: INFO
restapi:
  listen: 127.0.0.1:${API_PORTS[i]}
  connect_address: 127.0.0.1:${API_PORTS[i]}
etcd3:
  hosts: 127.0.0.1:${ETCD_PORTS[0]}
bootstrap:
  # The cluster-wide settings, stored in etcd when the first node bootstraps the cluster.
  dcs:
    # The primary holds its leader key for ttl seconds and renews it every loop_wait: a primary
    # that dies is replaced within about ttl + loop_wait seconds.
    ttl: 15
    loop_wait: 2
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    # A commit waits until a synchronous standby has it; only that standby may be promoted.
    # Strict: with no standby left, commits wait rather than exist on one node only.
    synchronous_mode: true
    synchronous_mode_strict: true
    synchronous_node_count: 1
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        fsync: 'on'
        synchronous_commit: 'on'
        full_page_writes: 'on'
        wal_level: replica
        wal_log_hints: 'on'
        hot_standby: 'on'
        max_connections: 200
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 256MB
        password_encryption: scram-sha-256
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - data-checksums
postgresql:
  listen: 127.0.0.1:${PG_PORTS[i]}
  connect_address: 127.0.0.1:${PG_PORTS[i]}
  data_dir: $nd/data
  bin_dir: $BINDIR
  pgpass: $nd/pgpass
  use_unix_socket: true
  authentication:
    superuser:
      username: postgres
      password: $(password postgres)
    replication:
      username: replicator
      password: $(password replicator)
    rewind:
      username: postgres
      password: $(password postgres)
  parameters:
    unix_socket_directories: '$nd/run'
  # The Unix socket is in a folder only the postgres user can open; over TCP, passwords.
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 scram-sha-256
  basebackup:
    - checkpoint: fast
tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false
YAML
  mv -f "$cfg.new" "$cfg"
  (( AS_ROOT )) && chown postgres:postgres "$cfg"
  return 0
}

start_node() {  # NODE
  local node=$1 i nd pid
  i=$(node_index "$node")
  nd=$DIR/$node
  if pid=$(pid_alive "$nd/patroni.pid"); then
    echo "$node already running (Patroni pid $pid; PostgreSQL on 127.0.0.1:${PG_PORTS[i]})"
    return 0
  fi
  port_open "${PG_PORTS[i]}" && die "port ${PG_PORTS[i]} is taken; set CONSULAR_CLUSTER_PG_PORTS"
  port_open "${API_PORTS[i]}" && die "port ${API_PORTS[i]} is taken; set CONSULAR_CLUSTER_API_PORTS"
  mkdir -p "$nd/run"
  chmod 700 "$nd" "$nd/run"
  (( AS_ROOT )) && chown postgres:postgres "$nd" "$nd/run"
  if [[ -f $nd/patroni.log ]]; then
    (( AS_ROOT )) && chown postgres:postgres "$nd/patroni.log"
  fi
  write_patroni_config "$node"
  echo "Starting $node: PostgreSQL on 127.0.0.1:${PG_PORTS[i]}, Patroni on 127.0.0.1:${API_PORTS[i]}"
  # Its own session, outliving this script; the pid written is Patroni's (setpriv execs).
  # shellcheck disable=SC2016
  (cd "$nd" && exec setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$nd/patroni.pid" \
    "${OWNER_PREFIX[@]}" patroni "$nd/patroni.yml") </dev/null >>"$nd/patroni.log" 2>&1 &
  local _
  for _ in $(seq 50); do
    [[ -s $nd/patroni.pid ]] && break
    sleep 0.1
  done
}

# Stops a node's Patroni with SIGTERM: it stops its PostgreSQL (fast) first.
stop_node() {  # NODE
  local node=$1 nd pid
  nd=$DIR/$node
  if ! pid=$(pid_alive "$nd/patroni.pid"); then
    echo "$node not running"
    rm -f "$nd/patroni.pid"
    return 0
  fi
  echo "Stopping $node (Patroni pid $pid)"
  kill -TERM "$pid"
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$node did not stop within 60 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$nd/patroni.pid"
}

api() {  # NODE PATH: GET from a node's REST API, prints the body; fails when unreachable
  local i
  i=$(node_index "$1")
  curl -fsS --max-time 2 "http://127.0.0.1:${API_PORTS[i]}$2"
}

# The cluster as Patroni sees it: one JSON document (from any node that answers).
cluster_json() {
  local node
  for node in "${NODES[@]}"; do
    api "$node" /cluster 2>/dev/null && return 0
  done
  return 1
}

# members: name role state lag, one line each.
members() {
  cluster_json | python3 -c '
import json, sys
for m in json.load(sys.stdin).get("members", []):
    print(m["name"], m.get("role", "?"), m.get("state", "?"), m.get("lag", 0))'
}

leader() {
  local line
  line=$(members 2>/dev/null | awk '$2 == "leader" && $3 == "running" {print $1}')
  [[ -n $line ]] || return 3
  echo "$line"
}

# Waits (at most SECONDS) until there is a running leader and a streaming synchronous standby;
# with --all, also every node running and streaming.
wait_healthy() {  # SECONDS [--all]
  local limit=$1 all=${2:-} deadline=$((SECONDS + $1)) m
  while (( SECONDS < deadline )); do
    if m=$(members 2>/dev/null); then
      local leaders syncs running
      leaders=$(awk '$2 == "leader" && $3 == "running"' <<<"$m" | wc -l)
      syncs=$(awk '$2 == "sync_standby" && ($3 == "streaming" || $3 == "running")' <<<"$m" | wc -l)
      running=$(awk '$3 == "running" || $3 == "streaming"' <<<"$m" | wc -l)
      if (( leaders == 1 && syncs >= 1 )) && { [[ $all != --all ]] || (( running == 3 )); }; then
        return 0
      fi
    fi
    sleep 0.5
  done
  echo "cluster.sh: not healthy after $limit s:" >&2
  members >&2 2>/dev/null || echo "  (no node answers)" >&2
  return 1
}

conninfo() {  # ROLE [DBNAME]
  local role=$1 db=${2:-consular} hosts ports
  hosts=$(printf '127.0.0.1,%.0s' "${PG_PORTS[@]}")
  ports=$(IFS=,; echo "${PG_PORTS[*]}")
  # target_session_attrs: libpq tries the hosts in turn and keeps the one that accepts writes.
  printf 'host=%s port=%s user=%s dbname=%s passfile=%s target_session_attrs=read-write connect_timeout=3\n' \
    "${hosts%,}" "$ports" "$role" "$db" "$SECRETS/pgpass"
}

sql() {  # SQL: run as the superuser on the primary
  psql "$(conninfo postgres postgres)" -X -q -v ON_ERROR_STOP=1 -tA -c "$1"
}

setup_database() {
  psql "$(conninfo postgres postgres)" -X -q -v ON_ERROR_STOP=1 -f "$OPS/seed/roles.sql"
  # The server keeps only their scram-sha-256 hash (password_encryption); the statements are not
  # logged (log_statement is none).
  sql "ALTER ROLE consular PASSWORD '$(password consular)'" >/dev/null
  sql "ALTER ROLE consular_app PASSWORD '$(password consular_app)'" >/dev/null
  if [[ -z $(sql "SELECT 1 FROM pg_database WHERE datname = 'consular'") ]]; then
    echo "Creating database consular"
    sql "CREATE DATABASE consular OWNER consular"
  fi
  # A synchronous standby has the new database's WAL on disk when CREATE DATABASE returns, not
  # necessarily replayed: until it is, a client that tries that node first (libpq goes through the
  # hosts in turn) fails with "database does not exist" instead of moving on to the primary.
  local port deadline=$((SECONDS + 60))
  for port in "${PG_PORTS[@]}"; do
    until psql "host=127.0.0.1 port=$port user=postgres dbname=consular passfile=$SECRETS/pgpass connect_timeout=3" \
        -X -q -tA -c "SELECT 1" >/dev/null 2>&1; do
      (( SECONDS < deadline )) || die "database consular not on 127.0.0.1:$port after 60 s"
      sleep 0.2
    done
  done
}

# --- commands ------------------------------------------------------------------------------------
cmd_db_up() {
  require_tools
  [[ -x $MIGRATE_BIN ]] || die "not built yet: $MIGRATE_BIN (ops/build.sh)"
  BINDIR=$(find_bindir)
  mkdir -p "$DIR"
  check_reachable
  load_ports
  save_ports
  make_secrets
  start_etcd
  local node
  for node in "${NODES[@]}"; do start_node "$node"; done
  echo "Waiting for a primary and a synchronous standby"
  wait_healthy 120
  setup_database
  echo "Applying migrations"
  "$MIGRATE_BIN" --dsn "$(conninfo consular)"
  echo "Seeding the register of units (ops/seed/units.sql)"
  psql "$(conninfo consular)" -X -q -v ON_ERROR_STOP=1 -f "$OPS/seed/units.sql"
  echo "Waiting for every node to stream"
  wait_healthy 120 --all
  members | sed 's/^/  /'
}

cmd_up() {
  cmd_db_up
  touch "$DIR/with-services"
  CONSULAR_STACK_STOP_HINT="ops/cluster.sh down" CONSULAR_STACK_PG_DSN="$(conninfo postgres postgres | sed -E 's/ (user|dbname)=[^ ]*//g')" \
    "$OPS/stack.sh" up "$@"
}

cmd_down() {
  load_ports
  if [[ -f $DIR/with-services ]]; then
    CONSULAR_STACK_PG_DSN="external" "$OPS/stack.sh" down || true
    rm -f "$DIR/with-services"
  fi
  local node
  # Standbys first, so that the primary is not replaced while the cluster stops.
  local primary
  primary=$(leader 2>/dev/null || true)
  for node in "${NODES[@]}"; do
    [[ $node == "$primary" ]] || stop_node "$node"
  done
  [[ -n $primary ]] && stop_node "$primary"
  local pid
  if pid=$(pid_alive "$DIR/etcd/etcd.pid"); then
    echo "Stopping etcd (pid $pid)"
    kill -TERM "$pid"
    local deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$DIR/etcd/etcd.pid"
}

cmd_status() {
  load_ports
  local ok=0 m
  if m=$(members 2>/dev/null); then
    printf '%-8s %-13s %-10s %s\n' node role state lag
    awk '{printf "%-8s %-13s %-10s %s\n", $1, $2, $3, $4}' <<<"$m"
    wait_healthy 1 --all >/dev/null 2>&1 || ok=3
  else
    echo "no node answers"
    ok=3
  fi
  if [[ -f $DIR/with-services ]]; then
    CONSULAR_STACK_PG_DSN="external" "$OPS/stack.sh" status || ok=3
  fi
  return "$ok"
}

cmd_failover() {
  load_ports
  local to=""
  case "${1:-}" in
    --to) to=${2:?--to needs a node}; node_index "$to" >/dev/null ;;
    "") ;;
    *) usage >&2; exit 2 ;;
  esac
  local old
  old=$(leader) || die "no primary: nothing to fail over from"
  if [[ -z $to ]]; then
    to=$(members | awk '$2 == "sync_standby" && ($3 == "streaming" || $3 == "running") {print $1; exit}')
    [[ -n $to ]] || die "no synchronous standby to hand over to"
  fi
  [[ $to != "$old" ]] || die "$to is the primary already"
  echo "Failing over from $old to $to"
  local started=$SECONDS
  patronictl -c "$DIR/$old/patroni.yml" failover "$SCOPE" --candidate "$to" --force
  wait_healthy 120
  local now
  now=$(leader)
  [[ $now == "$to" ]] || die "the primary is $now, not $to"
  echo "$to is the primary after $((SECONDS - started)) s"
  wait_healthy 120 --all && members | sed 's/^/  /'
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  db-up) cmd_db_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  failover) shift; cmd_failover "$@" ;;
  dsn) load_ports; [[ -f $SECRETS/pgpass ]] || die "no cluster in $DIR (db-up first)"
       conninfo "${2:-consular_app}" "${3:-consular}" ;;
  leader) load_ports; leader ;;
  members) load_ports; members ;;
  start-node) load_ports; BINDIR=$(find_bindir); start_node "${2:?start-node needs a node}" ;;
  stop-node) load_ports; stop_node "${2:?stop-node needs a node}" ;;
  wait-healthy) load_ports; wait_healthy "${2:-120}" --all ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
