#!/usr/bin/env bash
# A PostgreSQL 15 cluster in a folder: no system service is touched, nothing listens on TCP;
# clients connect through a Unix socket inside the folder. Durable by default (fsync,
# synchronous_commit and full_page_writes on); throwaway test clusters may opt out.
#
# Layout of DIR:  data/ (the cluster), run/ (the socket), postgres.log, port (the port last used).
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/pg.sh start|stop|status|dsn|check DIR [PORT] [--no-durability]
                                                 [--archive-command CMD | --no-archive]

  start   initialise the cluster in DIR if missing, start it and wait until it accepts connections
  stop    stop it (fast mode); does nothing if it is not running
  status  print "running" (exit 0) or "stopped" (exit 3)
  dsn     print the libpq conninfo of the superuser "postgres", e.g.
            host=DIR/run port=5432 user=postgres dbname=postgres
  check   exit 0 if DIR can hold a cluster here (socket path length, permissions), else explain

PORT only names the socket (DIR/run/.s.PGSQL.PORT); the default is the port of the last start, or 5432.
Run as root, the server runs as the "postgres" user and DIR is given to that user.
Authentication is "trust": only processes that can reach DIR/run can connect.

Durability: every start writes fsync, synchronous_commit and full_page_writes = on, PostgreSQL's
defaults: a commit that was acknowledged survives a crash of PostgreSQL and of the machine.
  --no-durability   (start only) turns all three off, for throwaway test clusters only: faster,
                    and still safe when only PostgreSQL crashes, but a crash or power loss of the
                    machine can lose acknowledged commits or corrupt the cluster. It holds until
                    the next start, which states it again.

WAL archiving (for point-in-time recovery; ops/backup.sh setup gives the command):
  --archive-command CMD  (start only) archive_mode = on, archive_command = CMD (%p is the WAL
                    file's path, %f its name) and archive_timeout = 60 s, kept in
                    DATA/ops-pg-archive.conf: unlike the durability settings it holds for later
                    starts without the option, until --no-archive. On a running cluster the
                    command changes with a reload; archive_mode itself only with a restart
                    (stop, then start), which start then says.
  --no-archive      (start only) turns WAL archiving off again (at the next restart)
USAGE
}

die() { echo "pg.sh: $*" >&2; exit 1; }

DURABLE=1
ARCHIVE=keep  # keep: leave the archiving settings as they are; on: set ARCHIVE_COMMAND; off
ARCHIVE_COMMAND=""
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-durability) DURABLE=0; shift ;;
    --archive-command)
      [[ $# -ge 2 && -n $2 ]] || die "--archive-command needs a command"
      ARCHIVE=on; ARCHIVE_COMMAND=$2; shift 2 ;;
    --archive-command=*)
      ARCHIVE=on; ARCHIVE_COMMAND=${1#--archive-command=}; shift
      [[ -n $ARCHIVE_COMMAND ]] || die "--archive-command needs a command" ;;
    --no-archive) ARCHIVE=off; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
set -- "${args[@]}"
[[ $# -ge 2 && $# -le 3 ]] || { usage >&2; exit 2; }
cmd=$1
dir_arg=$2
port_arg=${3:-}
if (( ! DURABLE )) && [[ $cmd != start ]]; then
  die "--no-durability goes with start only"
fi
if [[ $ARCHIVE != keep && $cmd != start ]]; then
  die "--archive-command and --no-archive go with start only"
fi

case "$cmd" in
  start|stop|status|dsn|check) ;;
  -h|--help|help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac

# Absolute path without requiring it to exist.
DIR=$(realpath -m -- "$dir_arg")
DATA=$DIR/data
RUN=$DIR/run
LOG=$DIR/postgres.log

if [[ -n $port_arg ]]; then
  PORT=$port_arg
elif [[ -f $DIR/port ]]; then
  PORT=$(<"$DIR/port")
else
  PORT=5432
fi
if ! [[ $PORT =~ ^[0-9]+$ ]] || (( PORT < 1 || PORT > 65535 )); then
  die "bad port: $PORT"
fi

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
  die "PostgreSQL 15 server binaries (initdb, pg_ctl) not found; run ops/install-deps.sh"
}

# Runs a command as the cluster's owner: the postgres user when we are root, else ourselves.
# The working directory is DIR so that the postgres user is never left in a folder it cannot read.
as_owner() {
  if (( AS_ROOT )); then
    (cd "$DIR" && runuser -u postgres -- "$@")
  else
    (cd "$DIR" && "$@")
  fi
}

check_socket_path() {
  local sock="$RUN/.s.PGSQL.$PORT"
  # sun_path holds 108 bytes including the terminating NUL.
  if (( ${#sock} > 107 )); then
    die "socket path too long (${#sock} bytes, limit 107): $sock
  choose a shorter DIR"
  fi
}

# As root: the postgres user must be able to reach DIR through every parent folder.
check_reachable() {
  (( AS_ROOT )) || return 0
  id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' user (package postgresql)"
  # The nearest folder above DIR that exists already.
  local probe
  probe=$(dirname "$DIR")
  while [[ ! -e $probe ]]; do probe=$(dirname "$probe"); done
  if ! runuser -u postgres -- test -x "$probe"; then
    die "the postgres user cannot reach $probe (a parent folder is not searchable by others);
  the cluster must live where that user can get to it, or run as a non-root user"
  fi
}

is_running() {
  [[ -f $DATA/PG_VERSION ]] || return 1
  as_owner "$BINDIR/pg_ctl" status -D "$DATA" >/dev/null 2>&1
}

conninfo_value() {
  # Quote a conninfo value when it holds spaces, quotes or backslashes.
  local v=$1
  if [[ $v =~ [[:space:]\'\\] || -z $v ]]; then
    v=${v//\\/\\\\}
    v=${v//\'/\\\'}
    printf "'%s'" "$v"
  else
    printf '%s' "$v"
  fi
}

conf_value() {
  # A single-quoted postgresql.conf string.
  local v=${1//\'/\'\'}
  printf "'%s'" "$v"
}

ARCHIVE_CONF_NAME=ops-pg-archive.conf
ARCHIVE_INCLUDE="include_if_exists '$ARCHIVE_CONF_NAME'"

# Writes (ARCHIVE=on) or removes (ARCHIVE=off) DATA/ops-pg-archive.conf. True when it changed.
write_archive_conf() {
  local file=$DATA/$ARCHIVE_CONF_NAME new
  case "$ARCHIVE" in
    on)
      new="# Written by ops/pg.sh start --archive-command: WAL archiving for point-in-time recovery.
archive_mode = on
archive_command = $(conf_value "$ARCHIVE_COMMAND")
archive_timeout = 60
"
      [[ -f $file && "$(cat "$file")"$'\n' == "$new" ]] && return 1
      printf '%s' "$new" | as_owner tee "$file" >/dev/null
      ;;
    off)
      [[ -f $file ]] || return 1
      as_owner rm -f "$file"
      ;;
    *) return 1 ;;
  esac
}

# After a start or reload with --archive-command or --no-archive: says whether archive_mode is
# what was asked, or that it needs a restart.
report_archive() {
  [[ $ARCHIVE == keep ]] && return 0
  local mode
  mode=$(psql "host=$RUN port=$PORT user=postgres dbname=postgres" -X -tA \
           -c "SHOW archive_mode" 2>/dev/null || true)
  if [[ $mode == "$ARCHIVE" ]]; then
    if [[ $ARCHIVE == on ]]; then echo "WAL archiving on"; else echo "WAL archiving off"; fi
  else
    echo "archive_mode is still ${mode:-unknown}: it changes when the cluster restarts" \
      "(ops/pg.sh stop $DIR, then start)"
  fi
}

do_start() {
  check_socket_path
  check_reachable
  local durability=on
  (( DURABLE )) || durability=off
  if is_running; then
    echo "PostgreSQL already running in $DIR"
    if ! grep -qx "fsync = $durability" "$DATA/ops-pg.conf" 2>/dev/null; then
      # Started with the other durability: the three settings take effect on a reload.
      as_owner sed -i -E "s/^(fsync|synchronous_commit|full_page_writes) = .*/\\1 = $durability/" \
        "$DATA/ops-pg.conf"
      as_owner "$BINDIR/pg_ctl" reload -D "$DATA" >/dev/null
      local _
      for _ in $(seq 50); do
        [[ $(psql "host=$RUN port=$PORT user=postgres dbname=postgres" -X -tA \
               -c "SHOW fsync" 2>/dev/null) == "$durability" ]] && break
        sleep 0.1
      done
      # What it wrote with fsync off may still sit in the kernel's cache only.
      if (( DURABLE )); then sync; fi
      echo "fsync, synchronous_commit and full_page_writes are now $durability"
    fi
    if write_archive_conf; then
      if [[ $ARCHIVE == on ]] && ! grep -qxF "$ARCHIVE_INCLUDE" "$DATA/ops-pg.conf"; then
        echo "$ARCHIVE_INCLUDE" | as_owner tee -a "$DATA/ops-pg.conf" >/dev/null
      fi
      as_owner "$BINDIR/pg_ctl" reload -D "$DATA" >/dev/null
      sleep 0.2
    fi
    report_archive
    return 0
  fi
  mkdir -p "$DIR"
  # Trust authentication: whoever reaches the socket is superuser, so only the owner may.
  if (( AS_ROOT )); then
    chown postgres:postgres "$DIR"
  fi
  chmod 700 "$DIR"
  if (( AS_ROOT )); then
    if ! runuser -u postgres -- test -w "$DIR"; then
      die "the postgres user cannot write to $DIR; check the permissions of its parent folders"
    fi
  fi
  if [[ ! -f $DATA/PG_VERSION ]]; then
    echo "Initialising a PostgreSQL cluster in $DATA"
    rm -rf "$DATA"
    local sync_flag=()
    (( DURABLE )) || sync_flag=(--no-sync)
    as_owner "$BINDIR/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      "${sync_flag[@]}" >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
    cat >>"$DATA/postgresql.conf" <<CONF

# Added by ops/pg.sh: a cluster reachable only through its Unix socket.
include_if_exists 'ops-pg.conf'
CONF
  elif (( DURABLE )) && grep -qx 'fsync = off' "$DATA/ops-pg.conf" 2>/dev/null; then
    # It ran with fsync off until now: what it wrote may still sit in the kernel's cache only.
    # Flush every file before relying on fsync (PostgreSQL's documentation of fsync asks for it).
    echo "Flushing $DATA to disk before it runs with fsync on"
    as_owner "$BINDIR/initdb" --sync-only -D "$DATA" >/dev/null
  fi
  as_owner mkdir -p "$RUN"
  write_archive_conf || true
  local archive_include=""
  [[ -f $DATA/$ARCHIVE_CONF_NAME ]] && archive_include=$ARCHIVE_INCLUDE
  # Written at every start so that PORT, DIR and the durability can change between starts.
  as_owner tee "$DATA/ops-pg.conf" >/dev/null <<CONF
listen_addresses = ''
port = $PORT
unix_socket_directories = $(conf_value "$RUN")
fsync = $durability
synchronous_commit = $durability
full_page_writes = $durability
max_connections = 200
log_min_messages = warning
$archive_include
CONF
  echo "$PORT" | as_owner tee "$DIR/port" >/dev/null
  if ! as_owner "$BINDIR/pg_ctl" start -D "$DATA" -l "$LOG" -w -t 60 >/dev/null; then
    tail -n 30 "$LOG" >&2 || true
    die "PostgreSQL did not start (log: $LOG)"
  fi
  if (( DURABLE )); then
    echo "PostgreSQL running in $DIR (socket $RUN/.s.PGSQL.$PORT; durable)"
  else
    echo "PostgreSQL running in $DIR (socket $RUN/.s.PGSQL.$PORT; fsync, synchronous_commit," \
      "full_page_writes off: a throwaway cluster)"
  fi
  report_archive
}

do_stop() {
  if ! is_running; then
    echo "PostgreSQL not running in $DIR"
    return 0
  fi
  as_owner "$BINDIR/pg_ctl" stop -D "$DATA" -m fast -w -t 60 >/dev/null
  echo "PostgreSQL stopped in $DIR"
}

BINDIR=$(find_bindir)

case "$cmd" in
  start) do_start ;;
  stop) do_stop ;;
  status)
    if is_running; then echo "running"; else echo "stopped"; exit 3; fi
    ;;
  dsn)
    echo "host=$(conninfo_value "$RUN") port=$PORT user=postgres dbname=postgres"
    ;;
  check)
    check_socket_path
    check_reachable
    ;;
esac
