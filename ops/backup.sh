#!/usr/bin/env bash
# Backups of a PostgreSQL cluster of ops/pg.sh with pgBackRest: full, differential and incremental
# backups into a repository, and WAL archiving between them, so the cluster can be restored to any
# moment since the oldest backup kept (ops/restore-drill.sh does it). The configuration is written
# by "setup" into the cluster's folder; no system-wide configuration is read.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/backup.sh COMMAND [OPTIONS]

Commands:
  setup     write the pgBackRest configuration (PG_DIR/pgbackrest.conf), turn WAL archiving on
            (ops/pg.sh start --archive-command), create the stanza in the repository and check
            that WAL reaches it. Harmless when done already; run it again to change an option.
            Turning archiving on in a running cluster needs a restart: --restart does it.
  full      a full backup: a copy of the whole cluster
  diff      a differential backup: what changed since the last full one
  incr      an incremental backup: what changed since the last backup of any type
  info      the backups in the repository (type, when, size) and the WAL kept for them
  check     force a WAL switch and check that the segment reaches the repository
  expire    apply the retention now (every backup does it after itself)
  metrics   write the Prometheus textfile (--textfile-dir) without a backup: the backups'
            times from the repository and WAL archiving from pg_stat_archiver
  archive-command   print the archive_command that setup gives the cluster

Options (each also from the environment variable shown):
  --pg-dir DIR        CONSULAR_BACKUP_PG_DIR     the cluster's folder (ops/pg.sh); default .stack/pg
  --textfile-dir DIR  CONSULAR_BACKUP_TEXTFILE_DIR  folder of node-exporter's textfile collector:
                      after each successful backup, and by "metrics", consular_backup_STANZA.prom
                      is written there (atomically). None: no file.
  --stanza NAME       CONSULAR_BACKUP_STANZA     the stanza, pgBackRest's name for the cluster in
                      the repository; default consular
Options of setup only (they go into the configuration; the other commands read it from there):
  --repo DIR          CONSULAR_BACKUP_REPO       the repository: a local folder; default .stack/backup
  --repo-config FILE  CONSULAR_BACKUP_REPO_CONFIG  repository options to use instead of --repo,
                      copied into the configuration: object storage (repo1-type=s3 and its
                      repo1-s3-* options) and encryption (repo1-cipher-type=aes-256-cbc,
                      repo1-cipher-pass), see docs/operations.md#backups
  --retention-full N  CONSULAR_BACKUP_RETENTION_FULL  full backups kept, each with its
                      differential and incremental backups and the WAL to restore them to any
                      moment; older ones are expired after each backup. Default 2
  --restart           restart the cluster when archive_mode must change

Run as root, pgBackRest runs as the user that owns the cluster (the "postgres" user for a
cluster of ops/pg.sh), which must be able to write to the repository folder.
Exit status: 0 on success, 1 when pgBackRest or the cluster failed, 2 on a usage error.
USAGE
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OPS=$ROOT/ops

die() { echo "backup.sh: $*" >&2; exit 1; }
usage_error() { echo "backup.sh: $*" >&2; usage >&2; exit 2; }

[[ $# -ge 1 ]] || { usage >&2; exit 2; }
CMD=$1
shift
case "$CMD" in
  setup|full|diff|incr|info|check|expire|metrics|archive-command) ;;
  -h|--help|help) usage; exit 0 ;;
  *) usage_error "unknown command: $CMD" ;;
esac

PG_DIR_ARG=${CONSULAR_BACKUP_PG_DIR:-$ROOT/.stack/pg}
TEXTFILE_DIR=${CONSULAR_BACKUP_TEXTFILE_DIR:-}
STANZA=${CONSULAR_BACKUP_STANZA:-consular}
REPO_ARG=${CONSULAR_BACKUP_REPO:-$ROOT/.stack/backup}
REPO_CONFIG=${CONSULAR_BACKUP_REPO_CONFIG:-}
RETENTION_FULL=${CONSULAR_BACKUP_RETENTION_FULL:-2}
RESTART=0
SETUP_ONLY_GIVEN=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --pg-dir) [[ $# -ge 2 ]] || usage_error "$1 needs a value"; PG_DIR_ARG=$2; shift 2 ;;
    --textfile-dir) [[ $# -ge 2 ]] || usage_error "$1 needs a value"; TEXTFILE_DIR=$2; shift 2 ;;
    --stanza) [[ $# -ge 2 ]] || usage_error "$1 needs a value"; STANZA=$2; shift 2 ;;
    --repo) [[ $# -ge 2 ]] || usage_error "$1 needs a value"; REPO_ARG=$2; SETUP_ONLY_GIVEN+=("$1"); shift 2 ;;
    --repo-config) [[ $# -ge 2 ]] || usage_error "$1 needs a value"; REPO_CONFIG=$2; SETUP_ONLY_GIVEN+=("$1"); shift 2 ;;
    --retention-full) [[ $# -ge 2 ]] || usage_error "$1 needs a value"; RETENTION_FULL=$2; SETUP_ONLY_GIVEN+=("$1"); shift 2 ;;
    --restart) RESTART=1; SETUP_ONLY_GIVEN+=("$1"); shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage_error "unknown option: $1" ;;
  esac
done
if [[ $CMD != setup && ${#SETUP_ONLY_GIVEN[@]} -gt 0 ]]; then
  usage_error "${SETUP_ONLY_GIVEN[0]} goes with setup only (the configuration written by setup holds it)"
fi
[[ $STANZA =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || usage_error "bad stanza name: $STANZA"
[[ $RETENTION_FULL =~ ^[1-9][0-9]*$ ]] || usage_error "--retention-full must be a positive number"

PG_DIR=$(realpath -m -- "$PG_DIR_ARG")
DATA=$PG_DIR/data
CONF=$PG_DIR/pgbackrest.conf
STATE=$PG_DIR/pgbackrest  # pgBackRest's lock, log and spool folders

command -v pgbackrest >/dev/null || die "pgbackrest not found; run ops/install-deps.sh"
PGBACKREST=$(command -v pgbackrest)
command -v python3 >/dev/null || die "python3 not found; run ops/install-deps.sh"

[[ -f $DATA/PG_VERSION ]] || die "no cluster in $PG_DIR (ops/pg.sh start $PG_DIR makes one)"

# The cluster's user: pgBackRest must run as the user that runs PostgreSQL.
OWNER=$(stat -c %U "$DATA")
AS_ROOT=0
if [[ $(id -u) -eq 0 ]]; then
  AS_ROOT=1
elif [[ $OWNER != "$(id -un)" ]]; then
  die "the cluster in $PG_DIR belongs to $OWNER: run this as $OWNER or as root"
fi

as_owner() {
  if (( AS_ROOT )) && [[ $OWNER != root ]]; then
    (cd "$PG_DIR" && runuser -u "$OWNER" -- "$@")
  else
    (cd "$PG_DIR" && "$@")
  fi
}

pgbr() {  # ARGS...: pgBackRest with this cluster's configuration and stanza
  as_owner "$PGBACKREST" "--config=$CONF" "--stanza=$STANZA" "$@"
}

admin_dsn() { "$OPS/pg.sh" dsn "$PG_DIR"; }

is_running() { "$OPS/pg.sh" status "$PG_DIR" >/dev/null 2>&1; }

archive_command() {
  printf '%q %q %q archive-push %%p' "$PGBACKREST" "--config=$CONF" "--stanza=$STANZA"
}

require_config() {
  [[ -f $CONF ]] || die "no configuration $CONF: run ops/backup.sh setup --pg-dir $PG_DIR first"
}

# ---------------------------------------------------------------------------------------------
# setup

write_config() {
  local port repo_lines
  port=$(cat "$PG_DIR/port" 2>/dev/null || echo 5432)
  if [[ -n $REPO_CONFIG ]]; then
    [[ -r $REPO_CONFIG ]] || die "cannot read $REPO_CONFIG"
    if grep -Eq '^[[:space:]]*\[' "$REPO_CONFIG"; then
      die "$REPO_CONFIG: give the repository options only (repo1-...=...), without [sections]"
    fi
    repo_lines="# Repository options from $(realpath "$REPO_CONFIG")
$(grep -Ev '^[[:space:]]*(#|$)' "$REPO_CONFIG")"
  else
    repo_lines="repo1-path=$REPO"
  fi
  local content
  content="# Written by ops/backup.sh setup (docs/operations.md#backups); run setup again to change it.
[global]
$repo_lines
repo1-retention-full-type=count
repo1-retention-full=$RETENTION_FULL
# A backup starts with an immediate checkpoint instead of waiting for the next one.
start-fast=y
compress-type=zst
process-max=1
log-level-console=warn
log-level-file=info
log-path=$STATE/log
lock-path=$STATE/lock
spool-path=$STATE/spool

[$STANZA]
pg1-path=$DATA
pg1-socket-path=$PG_DIR/run
pg1-port=$port
pg1-user=postgres
"
  # The repository options may hold secrets (repo1-cipher-pass, repo1-s3-key-secret): mode 600.
  as_owner mkdir -p "$STATE/log" "$STATE/lock" "$STATE/spool"
  # shellcheck disable=SC2016  # $1 is expanded by the child shell
  printf '%s' "$content" | as_owner bash -c 'umask 077; cat >"$1.new" && mv -f "$1.new" "$1"' _ "$CONF"
  echo "Wrote $CONF"
}

prepare_repo() {
  [[ -n $REPO_CONFIG ]] && return 0
  if [[ ! -d $REPO ]]; then
    mkdir -p "$REPO"
    (( AS_ROOT )) && chown "$OWNER:" "$REPO"
    chmod 750 "$REPO"
  fi
  if ! as_owner test -w "$REPO" -a -x "$REPO"; then
    die "$OWNER cannot write to the repository $REPO (or cannot reach it through its parent folders)"
  fi
}

cmd_setup() {
  REPO=$(realpath -m -- "$REPO_ARG")
  case "$REPO/" in
    "$PG_DIR"/*) die "the repository must not live inside the cluster's folder $PG_DIR" ;;
  esac
  prepare_repo
  write_config
  "$OPS/pg.sh" start "$PG_DIR" --archive-command "$(archive_command)" | sed 's/^/pg.sh: /'
  # A restored cluster (ops/restore-drill.sh) has archive_mode = off and its recovery settings
  # from ALTER SYSTEM (postgresql.auto.conf), which would win over the settings of ops/pg.sh.
  local restored
  restored=$(grep -Eos '^[[:space:]]*(archive_mode|archive_command|restore_command|recovery_target[a-z_]*)[[:space:]]*=' \
               "$DATA/postgresql.auto.conf" | tr -d ' =' || true)
  if [[ -n $restored ]]; then
    echo "Resetting what a restore set with ALTER SYSTEM: $(tr '\n' ' ' <<<"$restored")"
    local name resets=()
    for name in $restored; do resets+=(-c "ALTER SYSTEM RESET $name"); done
    psql "$(admin_dsn)" -X -q -v ON_ERROR_STOP=1 "${resets[@]}" -c "SELECT pg_reload_conf()" >/dev/null
  fi
  local mode
  mode=$(psql "$(admin_dsn)" -X -tA -c "SHOW archive_mode")
  if [[ $mode != on ]]; then
    if (( ! RESTART )); then
      die "archive_mode is off until PostgreSQL restarts: run setup again with --restart, or
  restart it yourself (ops/pg.sh stop $PG_DIR; ops/pg.sh start $PG_DIR)"
    fi
    echo "Restarting PostgreSQL in $PG_DIR for archive_mode = on"
    "$OPS/pg.sh" stop "$PG_DIR" >/dev/null
    "$OPS/pg.sh" start "$PG_DIR" | sed 's/^/pg.sh: /'
  fi
  # stanza-create does nothing for a stanza that exists and matches the cluster.
  pgbr --log-level-console=info stanza-create
  pgbr --log-level-console=info check
  echo "Backups set up: stanza $STANZA, repository $( [[ -n $REPO_CONFIG ]] && echo "from $REPO_CONFIG" || echo "$REPO" )"
}

# ---------------------------------------------------------------------------------------------
# the Prometheus textfile

write_metrics() {
  [[ -n $TEXTFILE_DIR ]] || return 0
  mkdir -p "$TEXTFILE_DIR"
  local info archiver="" target tmp
  info=$(pgbr --output=json info) || { echo "backup.sh: pgbackrest info failed; no metrics written" >&2; return 1; }
  if is_running; then
    archiver=$(psql "$(admin_dsn)" -X -tA -F ' ' -c "SELECT archived_count, failed_count,
        coalesce(extract(epoch FROM last_archived_time)::bigint::text, ''),
        coalesce(extract(epoch FROM last_failed_time)::bigint::text, '')
      FROM pg_stat_archiver" 2>/dev/null || true)
  fi
  target=$TEXTFILE_DIR/consular_backup_$STANZA.prom
  tmp=$(mktemp "$TEXTFILE_DIR/.consular_backup_$STANZA.prom.XXXXXX")
  STANZA=$STANZA ARCHIVER=$archiver python3 - "$info" >"$tmp" <<'PY' || { rm -f "$tmp"; return 1; }
import json, os, sys, time

stanza = os.environ["STANZA"]
info = [s for s in json.loads(sys.argv[1]) if s.get("name") == stanza]
backups = info[0].get("backup", []) if info else []
last, size, count = {}, {}, {}
for b in backups:
    if b.get("error"):
        continue
    kind = b["type"]
    stop = b["timestamp"]["stop"]
    count[kind] = count.get(kind, 0) + 1
    if stop >= last.get(kind, 0):
        last[kind] = stop
        size[kind] = b["info"]["repository"]["delta"]

def metric(name, kind, help_text, samples):
    print(f"# HELP {name} {help_text}")
    print(f"# TYPE {name} {kind}")
    for labels, value in samples:
        print(f"{name}{{{labels}}} {value}")

def label(kind):
    return f'stanza="{stanza}",type="{kind}"'

metric("consular_backup_last_success_timestamp_seconds", "gauge",
       "When the newest complete backup of each type ended (Unix time).",
       [(label(k), last[k]) for k in sorted(last)])
metric("consular_backup_last_size_bytes", "gauge",
       "What the newest backup of each type added to the repository, in bytes (compressed).",
       [(label(k), size[k]) for k in sorted(size)])
metric("consular_backup_sets", "gauge",
       "Complete backups of each type in the repository.",
       [(label(k), count[k]) for k in sorted(count)])
fields = os.environ.get("ARCHIVER", "").split(" ")
if len(fields) == 4:
    archived, failed, last_ok, last_failed = fields
    s = f'stanza="{stanza}"'
    metric("consular_wal_archived_total", "counter",
           "WAL segments archived since the statistics were reset (pg_stat_archiver).",
           [(s, archived)])
    metric("consular_wal_archive_failed_total", "counter",
           "Failed attempts to archive a WAL segment (pg_stat_archiver).", [(s, failed)])
    if last_ok:
        metric("consular_wal_archive_last_success_timestamp_seconds", "gauge",
               "When the last WAL segment was archived (Unix time).", [(s, last_ok)])
    if last_failed:
        metric("consular_wal_archive_last_failure_timestamp_seconds", "gauge",
               "When archiving a WAL segment last failed (Unix time).", [(s, last_failed)])
metric("consular_backup_textfile_timestamp_seconds", "gauge",
       "When ops/backup.sh wrote this file (Unix time).",
       [(f'stanza="{stanza}"', int(time.time()))])
PY
  chmod 644 "$tmp"
  mv -f "$tmp" "$target"
  echo "Wrote $target"
}

# ---------------------------------------------------------------------------------------------

cmd_backup() {  # TYPE
  local type=$1 started=$SECONDS
  require_config
  is_running || die "PostgreSQL is not running in $PG_DIR"
  echo "Starting a backup of $PG_DIR (type $type, stanza $STANZA)"
  pgbr --log-level-console=info --type="$type" backup
  echo "$type backup done in $((SECONDS - started)) s"
  write_metrics
}

case "$CMD" in
  setup) cmd_setup ;;
  full|diff|incr) cmd_backup "$CMD" ;;
  info) require_config; pgbr info ;;
  check)
    require_config
    is_running || die "PostgreSQL is not running in $PG_DIR"
    pgbr --log-level-console=info check
    ;;
  expire) require_config; pgbr --log-level-console=info expire ;;
  metrics)
    require_config
    [[ -n $TEXTFILE_DIR ]] || usage_error "metrics needs --textfile-dir (or CONSULAR_BACKUP_TEXTFILE_DIR)"
    write_metrics
    ;;
  archive-command) require_config; archive_command; echo ;;
esac
