#!/usr/bin/env bash
# The restore drill: a backup is only as good as the last restore made from it. This restores the
# cluster from the pgBackRest repository into a NEW folder (never the source's), to a point in
# time or to the end of the archived WAL, starts it on a socket port of its own, and proves the
# result usable: the row counts of every table, the schema against the migrations, the audit
# chain. See docs/operations.md#restoring-and-the-restore-drill.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/restore-drill.sh --to DIR [--target-time TIME | --latest] [OPTIONS]
       ops/restore-drill.sh counts --dsn DSN

Restores a backup into the new cluster folder DIR (ops/pg.sh's layout; it must not exist or be
empty) and checks it:
  1. restore   pgBackRest restores the newest backup taken before the target and PostgreSQL
               replays the archived WAL up to the target time (inclusive), or to the end of the
               archive (--latest, the default), then opens the cluster for writing. The restored
               cluster never archives (archive_mode = off): it cannot write into the repository.
  2. rows      the row count of every table equals --expected-counts FILE (when given)
  3. schema    consular-migrate --check: every migration applied with its checksum, no other
  4. audit     consular-audit on the restored cluster (throwaway TLS and token keys made in
               DIR/drill-credentials) and consularctl audit verify --full with an auditor's
               token: the whole chain, whatever verified watermark the backup holds
Prints a report, also written to DIR/drill-report.txt. Exit status 0 when every check passed,
1 when one failed or the restore did, 2 on a usage error.

  counts --dsn DSN   print "schema.table count" for every table of the database at DSN (a
                     superuser's, so row-level security hides nothing), in one snapshot, with
                     the time it was taken: the expected list for a later drill

Options:
  --to DIR               the new cluster's folder
  --target-time TIME     replay up to this moment, e.g. '2026-12-07 17:30:00+00'
  --latest               replay every archived WAL segment (the default)
  --set LABEL            restore this backup set (see ops/backup.sh info) instead of the newest
                         one before the target
  --port PORT            socket port of the restored cluster (default: a free one)
  --expected-counts FILE lines "schema.table count" ("#" starts a comment), as counts prints them
  --repo DIR             CONSULAR_BACKUP_REPO: the repository folder (default .stack/backup)
  --repo-config FILE     CONSULAR_BACKUP_REPO_CONFIG: repository options instead of --repo, as for
                         ops/backup.sh setup (object storage, encryption)
  --stanza NAME          CONSULAR_BACKUP_STANZA (default consular)
  --database NAME        the database checked (default consular)
  --app-role NAME        the services' login role, which consular-audit uses (default consular_app)
  --build-dir DIR        CONSULAR_BUILD_DIR: where the binaries below were built (default build/)
  --migrate BIN, --audit BIN, --ctl BIN
                         consular-migrate, consular-audit and consularctl themselves
  --recovery-timeout S   how long WAL replay may take (default 600 s)
  --keep-running         leave the restored cluster running (by default it is stopped at the end;
                         the folder is kept either way: remove it when done)
USAGE
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OPS=$ROOT/ops

die() { echo "restore-drill.sh: $*" >&2; exit 1; }
usage_error() { echo "restore-drill.sh: $*" >&2; usage >&2; exit 2; }

# The row count of every table, in one statement (one snapshot), sorted by name.
COUNT_SQL="SELECT n.nspname || '.' || c.relname || ' ' ||
       (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I',
                                                   n.nspname, c.relname), false, true, '')))[1]::text
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
 ORDER BY 1"

table_counts() {  # DSN
  psql "$1" -X -q -v ON_ERROR_STOP=1 -tA -c "$COUNT_SQL"
}

if [[ ${1:-} == counts ]]; then
  shift
  DSN=""
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --dsn) [[ $# -ge 2 ]] || usage_error "--dsn needs a value"; DSN=$2; shift 2 ;;
      -h|--help) usage; exit 0 ;;
      *) usage_error "unknown option: $1" ;;
    esac
  done
  [[ -n $DSN ]] || usage_error "counts needs --dsn"
  taken=$(psql "$DSN" -X -tA -v ON_ERROR_STOP=1 \
            -c "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00'") \
    || die "cannot reach the database"
  echo "# row counts of database $(psql "$DSN" -X -tA -c 'SELECT current_database()'), taken at $taken"
  table_counts "$DSN" || die "counting failed"
  exit 0
fi

TO_ARG="" TARGET_TIME="" LATEST=0 SET_LABEL="" PG_PORT="" EXPECTED=""
REPO_ARG=${CONSULAR_BACKUP_REPO:-$ROOT/.stack/backup}
REPO_CONFIG=${CONSULAR_BACKUP_REPO_CONFIG:-}
STANZA=${CONSULAR_BACKUP_STANZA:-consular}
DATABASE=consular APP_ROLE=consular_app
BUILD_DIR=${CONSULAR_BUILD_DIR:-$ROOT/build}
MIGRATE_BIN="" AUDIT_BIN="" CTL_BIN="" RECOVERY_TIMEOUT=600 KEEP_RUNNING=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --keep-running) KEEP_RUNNING=1; shift; continue ;;
    --latest) LATEST=1; shift; continue ;;
    -h|--help) usage; exit 0 ;;
  esac
  [[ $# -ge 2 ]] || usage_error "$1 needs a value"
  case "$1" in
    --to) TO_ARG=$2 ;;
    --target-time) TARGET_TIME=$2 ;;
    --set) SET_LABEL=$2 ;;
    --port) PG_PORT=$2 ;;
    --expected-counts) EXPECTED=$2 ;;
    --repo) REPO_ARG=$2 ;;
    --repo-config) REPO_CONFIG=$2 ;;
    --stanza) STANZA=$2 ;;
    --database) DATABASE=$2 ;;
    --app-role) APP_ROLE=$2 ;;
    --build-dir) BUILD_DIR=$2 ;;
    --migrate) MIGRATE_BIN=$2 ;;
    --audit) AUDIT_BIN=$2 ;;
    --ctl) CTL_BIN=$2 ;;
    --recovery-timeout) RECOVERY_TIMEOUT=$2 ;;
    *) usage_error "unknown option: $1" ;;
  esac
  shift 2
done
[[ -n $TO_ARG ]] || usage_error "--to DIR is required"
if [[ -n $TARGET_TIME ]] && (( LATEST )); then usage_error "--target-time or --latest, not both"; fi
if [[ -n $TARGET_TIME ]] \
    && ! [[ $TARGET_TIME =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([+-][0-9]{2}(:?[0-9]{2})?)$ ]]; then
  usage_error "--target-time must look like '2026-12-07 17:30:00+00' (with its UTC offset)"
fi
[[ $RECOVERY_TIMEOUT =~ ^[1-9][0-9]*$ ]] || usage_error "--recovery-timeout must be a number of seconds"
[[ -z $EXPECTED || -r $EXPECTED ]] || die "cannot read $EXPECTED"
MIGRATE_BIN=${MIGRATE_BIN:-$BUILD_DIR/tools/migrate/consular-migrate}
AUDIT_BIN=${AUDIT_BIN:-$BUILD_DIR/services/audit/consular-audit}
CTL_BIN=${CTL_BIN:-$BUILD_DIR/tools/consularctl/consularctl}
for bin in "$MIGRATE_BIN" "$AUDIT_BIN" "$CTL_BIN"; do
  [[ -x $bin ]] || die "not built: $bin (ops/build.sh, or give --build-dir / --migrate / --audit / --ctl)"
done
command -v pgbackrest >/dev/null || die "pgbackrest not found; run ops/install-deps.sh"
EXPECTED=${EXPECTED:+$(realpath -- "$EXPECTED")}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

TO=$(realpath -m -- "$TO_ARG")
DATA=$TO/data
if [[ -e $TO ]] && [[ ! -d $TO || -n $(ls -A "$TO") ]]; then
  die "$TO exists and is not empty: the drill restores into a new folder only"
fi
PG_PORT=${PG_PORT:-$(free_port)}
"$OPS/pg.sh" check "$TO" "$PG_PORT" || die "cannot keep a cluster in $TO"

# As root the restored cluster runs as "postgres", as ops/pg.sh runs it; else as ourselves.
OWNER=$(id -un)
[[ $(id -u) -eq 0 ]] && OWNER=postgres
as_owner() {
  if [[ $OWNER != "$(id -un)" ]]; then
    (cd "$TO" && runuser -u "$OWNER" -- "$@")
  else
    (cd "$TO" && "$@")
  fi
}

# The report: one line per step, printed as it goes and written to DIR/drill-report.txt at the end.
REPORT=()
FAILED=()
report() { REPORT+=("$1"); echo "$1"; }
step_ok() { report "$(printf '  %-11s OK    %s' "$1" "$2")"; }
step_fail() { report "$(printf '  %-11s FAIL  %s' "$1" "$2")"; FAILED+=("$1"); }
detail() {  # TEXT: indented lines under the step's line
  local line
  [[ -n $1 ]] || return 0
  while IFS= read -r line; do report "                    $line"; done <<<"$1"
}

AUDIT_PID=""
STARTED=0  # 1 once this drill started the restored cluster
# shellcheck disable=SC2317  # called by the trap
finish() {
  local status=$?
  if [[ -n $AUDIT_PID ]] && kill -0 "$AUDIT_PID" 2>/dev/null; then
    kill -TERM "$AUDIT_PID" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$AUDIT_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$AUDIT_PID" 2>/dev/null || true
  fi
  if (( STARTED && ! KEEP_RUNNING )); then
    "$OPS/pg.sh" stop "$TO" >/dev/null 2>&1 || true
  fi
  if [[ -d $TO && ${#REPORT[@]} -gt 0 ]]; then
    printf '%s\n' "${REPORT[@]}" >"$TO/drill-report.txt" 2>/dev/null || true
  fi
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

conclude() {
  if [[ ${#FAILED[@]} -eq 0 ]]; then
    report "Result: PASSED, the restored cluster is in $TO ($( (( KEEP_RUNNING )) && echo "running, socket port $PG_PORT" || echo stopped))"
    exit 0
  fi
  report "Result: FAILED (${FAILED[*]}); the restored cluster is in $TO"
  exit 1
}

# ---------------------------------------------------------------------------------------------
# 1. restore

mkdir -p "$TO"
[[ $OWNER != "$(id -un)" ]] && chown "$OWNER:" "$TO"
chmod 700 "$TO"
as_owner mkdir -p "$TO/pgbackrest/lock" "$TO/pgbackrest/log"
if [[ -n $REPO_CONFIG ]]; then
  [[ -r $REPO_CONFIG ]] || die "cannot read $REPO_CONFIG"
  REPO_LINES=$(grep -Ev '^[[:space:]]*(#|$)' "$REPO_CONFIG")
  REPO_DESC="from $REPO_CONFIG"
else
  REPO=$(realpath -m -- "$REPO_ARG")
  [[ -d $REPO ]] || die "no repository in $REPO"
  REPO_LINES="repo1-path=$REPO"
  REPO_DESC=$REPO
fi
# Its own configuration: the restored cluster's restore_command reads it while replaying WAL.
# shellcheck disable=SC2016  # $1 is expanded by the child shell
as_owner bash -c 'umask 077; cat >"$1"' _ "$TO/pgbackrest.conf" <<CONF
# Written by ops/restore-drill.sh: reads the repository, never writes to it.
[global]
$REPO_LINES
log-level-console=warn
log-level-file=off
lock-path=$TO/pgbackrest/lock
log-path=$TO/pgbackrest/log

[$STANZA]
pg1-path=$DATA
CONF

report "Restore drill: stanza $STANZA, repository $REPO_DESC, target ${TARGET_TIME:-latest (the end of the archived WAL)}"
restore_args=(--log-level-console=info --archive-mode=off)
if [[ -n $TARGET_TIME ]]; then
  restore_args+=(--type=time "--target=$TARGET_TIME" --target-action=promote)
fi
[[ -n $SET_LABEL ]] && restore_args+=("--set=$SET_LABEL")
started=$SECONDS
if ! as_owner pgbackrest "--config=$TO/pgbackrest.conf" "--stanza=$STANZA" "${restore_args[@]}" \
       restore >"$TO/restore.log" 2>&1; then
  step_fail restore "pgbackrest restore failed (log: $TO/restore.log)"
  detail "$(grep -E 'ERROR|WARN' "$TO/restore.log" | tail -n 5)"
  conclude
fi
backup_set=$(sed -n 's/.*restore backup set \([^ ,]*\).*/\1/p' "$TO/restore.log" | head -n 1)
# Copied from the source with the data: the source's archiving settings (ops/pg.sh).
as_owner rm -f "$DATA/ops-pg-archive.conf"

STARTED=1
# After a failed start or replay: PostgreSQL's reason, and what it means.
explain_recovery_failure() {
  detail "$(grep -E 'FATAL|PANIC' "$TO/postgres.log" | tail -n 3)"
  if grep -q "recovery ended before configured recovery target was reached" "$TO/postgres.log"; then
    detail "The archive holds no WAL past the target time yet: what the source wrote after it
is archived when its WAL segment is full, after archive_timeout (60 s) or at
ops/backup.sh check. Wait, or choose an earlier target."
  fi
}

if ! "$OPS/pg.sh" start "$TO" "$PG_PORT" >"$TO/start.log" 2>&1; then
  step_fail restore "the restored cluster did not start (log: $TO/postgres.log)"
  explain_recovery_failure
  conclude
fi
ADMIN_DSN=$("$OPS/pg.sh" dsn "$TO")
SUPER_DSN=${ADMIN_DSN/%dbname=postgres/dbname=$DATABASE}
APP_DSN=${ADMIN_DSN/%user=postgres dbname=postgres/user=$APP_ROLE dbname=$DATABASE}

# Replay ends when the target (or the archive's end) is reached; then the cluster is promoted.
deadline=$((SECONDS + RECOVERY_TIMEOUT))
in_recovery=t
while (( SECONDS < deadline )); do
  in_recovery=$(psql "$ADMIN_DSN" -X -tA -c "SELECT pg_is_in_recovery()" 2>/dev/null || echo gone)
  [[ $in_recovery == f ]] && break
  if [[ $in_recovery == gone ]] && ! "$OPS/pg.sh" status "$TO" >/dev/null 2>&1; then break; fi
  sleep 0.2
done
if [[ $in_recovery != f ]]; then
  step_fail restore "WAL replay did not finish (log: $TO/postgres.log)"
  explain_recovery_failure
  conclude
fi
step_ok restore "backup set ${backup_set:-?} into $TO (socket port $PG_PORT) in $((SECONDS - started)) s"
# PostgreSQL's own words on where replay stopped: the first commit past the target it left out,
# and the last one it kept.
detail "$(grep -Eo 'recovery stopping (before|after) .*|last completed transaction was at log time .*' \
            "$TO/postgres.log" | sed 's/^/replay: /' || true)"

# ---------------------------------------------------------------------------------------------
# 2. row counts, before anything starts on the cluster (consular-audit writes audit rows)

if [[ -n $EXPECTED ]]; then
  if ! actual=$(table_counts "$SUPER_DSN" 2>"$TO/counts.err"); then
    step_fail rows "cannot count the rows of database $DATABASE: $(head -n 1 "$TO/counts.err")"
  else
    declare -A expected_count=() actual_count=()
    while read -r table count _; do
      [[ -z $table || $table == \#* ]] && continue
      expected_count[$table]=$count
    done <"$EXPECTED"
    while read -r table count; do
      [[ -n $table ]] && actual_count[$table]=$count
    done <<<"$actual"
    mismatches=()
    for table in "${!expected_count[@]}"; do
      if [[ -z ${actual_count[$table]+x} ]]; then
        mismatches+=("$table: expected ${expected_count[$table]} rows, the table is missing")
      elif [[ ${actual_count[$table]} != "${expected_count[$table]}" ]]; then
        mismatches+=("$table: expected ${expected_count[$table]} rows, restored ${actual_count[$table]}")
      fi
    done
    for table in "${!actual_count[@]}"; do
      [[ -z ${expected_count[$table]+x} ]] \
        && mismatches+=("$table: not in the expected list (${actual_count[$table]} rows restored)")
    done
    if [[ ${#expected_count[@]} -eq 0 ]]; then
      step_fail rows "$EXPECTED lists no table"
    elif [[ ${#mismatches[@]} -eq 0 ]]; then
      step_ok rows "${#expected_count[@]} tables, each with the rows of $(basename "$EXPECTED")"
    else
      step_fail rows "${#mismatches[@]} of ${#expected_count[@]} tables differ from $(basename "$EXPECTED")"
      detail "$(printf '%s\n' "${mismatches[@]}" | sort)"
    fi
  fi
else
  report "  rows        SKIP  no --expected-counts given"
fi

# ---------------------------------------------------------------------------------------------
# 3. the schema against the migrations

# Nothing from the caller's environment (CONSULAR_DSN, CONSULAR_TLS_CLIENT_CA, ...) may change
# what the binaries do.
clean_env=(env)
while read -r var; do clean_env+=(-u "$var"); done < <(compgen -e | grep '^CONSULAR_' || true)

if migrate_out=$("${clean_env[@]}" "$MIGRATE_BIN" --check --dsn "$SUPER_DSN" 2>&1); then
  step_ok schema "$(tail -n 1 <<<"$migrate_out")"
else
  step_fail schema "consular-migrate --check:"
  detail "$migrate_out"
fi

# ---------------------------------------------------------------------------------------------
# 4. the audit chain, through consular-audit and consularctl as an auditor would check it

CREDS=$TO/drill-credentials
"$OPS/dev-certs.sh" "$CREDS" >"$TO/credentials.log" 2>&1 || die "cannot make drill credentials"
# Only TLS and token keys are needed here; the drill's folder holds no field keys.
rm -f "$CREDS/field-keys" "$CREDS/blind-index.key"
AUDIT_PORT=$(free_port)
AUDIT_LOG=$TO/drill-audit.log
"${clean_env[@]}" "$AUDIT_BIN" --listen "127.0.0.1:$AUDIT_PORT" --dsn "$APP_DSN" \
  --tls-cert "$CREDS/server.pem" --tls-key "$CREDS/server.key" \
  --token-public-keys "$CREDS/token-public.pem" --max-call-seconds 600 \
  </dev/null >"$AUDIT_LOG" 2>&1 &
AUDIT_PID=$!
listening=0
for _ in $(seq 150); do
  kill -0 "$AUDIT_PID" 2>/dev/null || break
  if grep -q "listening on" "$AUDIT_LOG"; then listening=1; break; fi
  sleep 0.2
done
if (( ! listening )); then
  step_fail audit "consular-audit did not start on the restored cluster (log: $AUDIT_LOG)"
  detail "$(tail -n 3 "$AUDIT_LOG")"
else
  token=$("${clean_env[@]}" "$CTL_BIN" dev token --role auditor --key "$CREDS/token-signing.pem")
  if verify_out=$("${clean_env[@]}" "$CTL_BIN" --audit-addr "localhost:$AUDIT_PORT" \
                    --ca-cert "$CREDS/ca.pem" --token "$token" --timeout 600 audit verify --full 2>&1); then
    step_ok audit "$(head -n 1 <<<"$verify_out")"
    detail "$(tail -n +2 <<<"$verify_out")"
  else
    step_fail audit "consularctl audit verify --full:"
    detail "$verify_out"
  fi
fi

conclude
