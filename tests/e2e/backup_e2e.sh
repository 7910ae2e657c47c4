#!/usr/bin/env bash
# Backups that are restored, not just taken: a durable cluster with WAL archiving (ops/backup.sh
# setup), consular-cases and consular-audit over TLS, cases created through consularctl, a full
# and an incremental backup, the row counts recorded at a moment T, a case created after T; then
# ops/restore-drill.sh restores to T into a new cluster (the migrations check passes, the audit
# chain verifies, the counts equal those at T, the later case is absent), and restored to the end
# of the archive it reports the difference and fails. The key ring comes back from its encrypted
# archive (ops/keys-backup.sh; a wrong passphrase fails clearly), and consular-cases on the
# restored cluster with the restored keys reads a case from before T with its name decrypted.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tests/e2e/backup_e2e.sh --cases BIN --audit BIN --migrate BIN --ctl BIN [--work-dir DIR]
Needs pgbackrest, gpg and promtool. Set CONSULAR_E2E_KEEP=1 to keep the temporary folder.
USAGE
}

CASES_BIN="" AUDIT_BIN="" MIGRATE_BIN="" CTL_BIN="" WORK_PARENT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cases) CASES_BIN=$2; shift 2 ;;
    --audit) AUDIT_BIN=$2; shift 2 ;;
    --migrate) MIGRATE_BIN=$2; shift 2 ;;
    --ctl) CTL_BIN=$2; shift 2 ;;
    --work-dir) WORK_PARENT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
for bin in "$CASES_BIN" "$AUDIT_BIN" "$MIGRATE_BIN" "$CTL_BIN"; do
  [[ -n $bin && -x $bin ]] || { usage >&2; exit 2; }
done

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OPS=$(cd "$HERE/../../ops" && pwd)
KEEP=${CONSULAR_E2E_KEEP:-0}
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

for tool in pgbackrest gpg promtool; do
  command -v "$tool" >/dev/null || { echo "SETUP FAILED: $tool not installed; run ops/install-deps.sh" >&2; exit 1; }
done

# Durable, as in production: the point is WAL archiving and recovery.
PG_START_FLAGS=()
e2e_make_work_dir backup

# The repository and the restored clusters: folders the cluster's user (as root: "postgres") must
# reach, with socket paths short enough; beside the cluster when WORK will do, else a temporary
# folder of their own.
EXTRA_DIRS=()
BK_BASE=$WORK/bk
if ! "$OPS/pg.sh" check "$BK_BASE/latest" 65535 >/dev/null 2>&1; then
  BK_BASE=$(mktemp -d -t consular-bk.XXXXXX)
  EXTRA_DIRS+=("$BK_BASE")
fi
mkdir -p "$BK_BASE" && chmod 711 "$BK_BASE"
REPO=$BK_BASE/repo
AT_T=$BK_BASE/at-t        # restored to T
LATEST=$BK_BASE/latest    # restored to the end of the archive
TEXTFILE=$WORK/textfile
VAULT=$WORK/vault         # the encrypted key archive
PASSPHRASE=$WORK/secrets/passphrase
WRONG=$WORK/secrets/wrong-passphrase
RESTORED_KEYS=$WORK/restored-keys

CASES_PID="" AUDIT_PID="" RESTORED_CASES_PID=""
CASES_LOG=$WORK/cases.log
AUDIT_LOG=$WORK/audit.log
RESTORED_LOG=$WORK/restored-cases.log
CASES_PORT=$(free_port)
AUDIT_PORT=$(free_port)
RESTORED_PORT=$(free_port)

# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local status=$?
  e2e_stop_pids "$CASES_PID" "$AUDIT_PID" "$RESTORED_CASES_PID"
  local dir
  for dir in "$AT_T" "$LATEST" "$BK_BASE/future"; do
    if [[ -f $dir/data/PG_VERSION ]]; then "$OPS/pg.sh" stop "$dir" >/dev/null 2>&1 || true; fi
  done
  if [[ $status -ne 0 ]]; then
    for dir in "$AT_T" "$LATEST"; do
      [[ -f $dir/postgres.log ]] && { echo "--- $dir/postgres.log ---"; tail -n 20 "$dir/postgres.log"; }
    done
  fi
  if [[ $KEEP != 1 ]]; then
    for dir in "${EXTRA_DIRS[@]}"; do rm -rf "$dir"; done
  fi
  e2e_finish "$status" "$CASES_LOG" "$AUDIT_LOG" "$RESTORED_LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

BEGAN=$SECONDS
e2e_setup_database
"$MIGRATE_BIN" --dsn "$OWNER_DSN" >"$WORK/migrate.log" 2>&1 || setup_fail "migrations"
e2e_seed_units "$OWNER_DSN"

# -- set-up: archiving on, the stanza in a repository folder
if "$OPS/backup.sh" setup --pg-dir "$PG_DIR" --repo "$REPO" --restart >"$WORK/setup.log" 2>&1 \
    && [[ $(psql "$ADMIN_DSN" -X -tA -c "SHOW archive_mode") == on ]]; then
  pass "backup.sh setup turns WAL archiving on and creates the stanza"
else
  fail "backup.sh setup turns WAL archiving on and creates the stanza" "$(tail -n 20 "$WORK/setup.log")"
  exit 1
fi

start_server "$CASES_BIN" "$CASES_PORT" "$CASES_LOG"
CASES_PID=$STARTED_PID
"$AUDIT_BIN" --listen "127.0.0.1:$AUDIT_PORT" --dsn "$APP_DSN" \
  --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key" \
  --token-public-keys "$CERTS/token-public.pem" >"$AUDIT_LOG" 2>&1 &
AUDIT_PID=$!
wait_listening consular-cases "$CASES_PID" "$CASES_LOG"
wait_listening consular-audit "$AUDIT_PID" "$AUDIT_LOG"
CTL_ADDRS=(--addr "localhost:$CASES_PORT" --audit-addr "localhost:$AUDIT_PORT")
OFFICER=$(mint officer RABAT) || setup_fail "dev token not minted"

# NAME: creates a case for NAME as the officer; prints its reference.
new_case() {
  ctl "$OFFICER" --json case create --type abandonment --country MA --name "$1" \
    --sex female --nationality dual --referral family
  local ref
  ref=$(json_field reference)
  [[ $RC -eq 0 && -n $ref ]] || { echo "case create failed: $(details)" >&2; return 1; }
  echo "$ref"
}
# Waits (at most 30 s) until the audit sequencer has chained every audit row.
wait_chained() {
  for _ in $(seq 300); do
    [[ $(psql "$SUPER_DSN" -X -tA -c "SELECT count(*) FROM audit.pending") == 0 ]] && return 0
    sleep 0.1
  done
  return 1
}

REF_FULL=$(new_case "Amina Voorbeeld") || exit 1
ctl "$OFFICER" case get "$REF_FULL"
if "$OPS/backup.sh" full --pg-dir "$PG_DIR" --textfile-dir "$TEXTFILE" >"$WORK/full.log" 2>&1; then
  pass "a full backup"
else
  fail "a full backup" "$(tail -n 20 "$WORK/full.log")"
fi
REF_INCR=$(new_case "Fatima Tussenpoos") || exit 1
ctl "$OFFICER" case transition "$REF_INCR" ACTIVE --reason "Contact made"
if "$OPS/backup.sh" incr --pg-dir "$PG_DIR" --textfile-dir "$TEXTFILE" >"$WORK/incr.log" 2>&1; then
  pass "an incremental backup"
else
  fail "an incremental backup" "$(tail -n 20 "$WORK/incr.log")"
fi
"$OPS/backup.sh" info --pg-dir "$PG_DIR" >"$WORK/info.log" 2>&1 || true
if grep -q "full backup: " "$WORK/info.log" && grep -q "incr backup: " "$WORK/info.log"; then
  pass "backup.sh info lists the full and the incremental backup"
else
  fail "backup.sh info lists the full and the incremental backup" "$(cat "$WORK/info.log")"
fi

PROM=$TEXTFILE/consular_backup_consular.prom
now=$(date +%s)
full_ts=$(awk '/^consular_backup_last_success_timestamp_seconds\{.*type="full"/ { print $2 }' "$PROM" 2>/dev/null)
incr_ts=$(awk '/^consular_backup_last_success_timestamp_seconds\{.*type="incr"/ { print $2 }' "$PROM" 2>/dev/null)
if [[ -n $full_ts && -n $incr_ts ]] && (( full_ts <= incr_ts && now - full_ts < 300 )) \
    && grep -q '^consular_wal_archive_failed_total{stanza="consular"} 0$' "$PROM" \
    && promtool check metrics <"$PROM" >"$WORK/promtool.log" 2>&1; then
  pass "each backup leaves the times of the newest full and incremental backup in the textfile for Prometheus"
else
  fail "each backup leaves the times of the newest full and incremental backup in the textfile for Prometheus" \
    "$(cat "$PROM" "$WORK/promtool.log" 2>&1)"
fi

# -- the moment T: nothing commits for a second either side of it
REF_BEFORE_T=$(new_case "Noor Voordien") || exit 1
ctl "$OFFICER" case get "$REF_BEFORE_T"
wait_chained || setup_fail "the audit sequencer did not chain the trail"
sleep 1.2
T=$(date -u '+%Y-%m-%d %H:%M:%S+00')
"$OPS/restore-drill.sh" counts --dsn "$SUPER_DSN" >"$WORK/counts-at-t.txt" \
  || setup_fail "row counts not taken"
sleep 1.2
REF_AFTER_T=$(new_case "Layla Nadien") || exit 1
ctl "$OFFICER" case get "$REF_AFTER_T"
wait_chained || setup_fail "the audit sequencer did not chain the trail"
# Archives the WAL written after T: a restore to T must see past it.
if "$OPS/backup.sh" check --pg-dir "$PG_DIR" >"$WORK/check.log" 2>&1; then
  pass "backup.sh check: the current WAL segment reaches the repository"
else
  fail "backup.sh check: the current WAL segment reaches the repository" "$(tail -n 20 "$WORK/check.log")"
fi
echo "   (T = $T; $(grep -c '^[a-z]' "$WORK/counts-at-t.txt") tables counted; cases $REF_FULL $REF_INCR $REF_BEFORE_T before T, $REF_AFTER_T after)"

# -- the drill to T
DRILL=("$OPS/restore-drill.sh" --repo "$REPO" --migrate "$MIGRATE_BIN" --audit "$AUDIT_BIN"
       --ctl "$CTL_BIN" --expected-counts "$WORK/counts-at-t.txt")
RC=0
"${DRILL[@]}" --to "$AT_T" --target-time "$T" --keep-running >"$WORK/drill-t.log" 2>&1 || RC=$?
DRILL_OUT=$(cat "$WORK/drill-t.log")
if [[ $RC -eq 0 && $DRILL_OUT == *"Result: PASSED"* ]]; then
  pass "the restore drill to T passes"
else
  fail "the restore drill to T passes" "$DRILL_OUT"
fi
drill_line() { grep -E "^  $1 +$2 " "$WORK/drill-t.log" >/dev/null; }
if drill_line rows OK; then
  pass "the restored row counts equal those at T, table by table"
else
  fail "the restored row counts equal those at T, table by table" "$DRILL_OUT"
fi
if drill_line schema OK && grep -q "schema matches the" "$WORK/drill-t.log"; then
  pass "the restored schema matches the migrations (consular-migrate --check)"
else
  fail "the restored schema matches the migrations (consular-migrate --check)" "$DRILL_OUT"
fi
if drill_line audit OK && grep -q "chain valid up to seq" "$WORK/drill-t.log"; then
  pass "the restored audit chain verifies (consularctl audit verify)"
else
  fail "the restored audit chain verifies (consularctl audit verify)" "$DRILL_OUT"
fi
if [[ -f $AT_T/drill-report.txt ]] && grep -q "Result: PASSED" "$AT_T/drill-report.txt"; then
  pass "the drill's report is written beside the restored cluster"
else
  fail "the drill's report is written beside the restored cluster" "$(ls -la "$AT_T" 2>&1)"
fi
AT_T_DSN=$("$OPS/pg.sh" dsn "$AT_T")
AT_T_SUPER=${AT_T_DSN/%dbname=postgres/dbname=consular}
present=$(psql "$AT_T_SUPER" -X -tA -c "SELECT string_agg(reference, ' ' ORDER BY reference)
                                         FROM cases.cases" 2>&1 || true)
if [[ $present == "$REF_FULL $REF_INCR $REF_BEFORE_T" ]]; then
  pass "the restored cluster has the cases created before T, and not the one created after"
else
  fail "the restored cluster has the cases created before T, and not the one created after" \
    "restored: $present; wanted: $REF_FULL $REF_INCR $REF_BEFORE_T"
fi
if [[ $(psql "$AT_T_DSN" -X -tA -c "SHOW archive_mode") == off && ! -e $AT_T/data/ops-pg-archive.conf ]]; then
  pass "the restored cluster does not archive into the source's repository"
else
  fail "the restored cluster does not archive into the source's repository"
fi
source_cases=$(psql "$SUPER_DSN" -X -tA -c "SELECT count(*) FROM cases.cases" 2>&1 || true)
if [[ $source_cases == 4 && $(psql "$ADMIN_DSN" -X -tA -c "SHOW archive_mode") == on ]]; then
  pass "the source cluster is untouched: still running, archiving, with all four cases"
else
  fail "the source cluster is untouched: still running, archiving, with all four cases" "$source_cases"
fi

# -- the drill to the end of the archive, against the counts at T: it must find the difference
RC=0
"${DRILL[@]}" --to "$LATEST" --latest >"$WORK/drill-latest.log" 2>&1 || RC=$?
if [[ $RC -eq 1 ]] && grep -Eq "^  rows +FAIL" "$WORK/drill-latest.log" \
    && grep -q "cases.cases: expected 3 rows, restored 4" "$WORK/drill-latest.log" \
    && grep -q "Result: FAILED (rows)" "$WORK/drill-latest.log"; then
  pass "restored to the end of the archive, the drill finds the case after T and fails on the counts"
else
  fail "restored to the end of the archive, the drill finds the case after T and fails on the counts" \
    "exit $RC; $(cat "$WORK/drill-latest.log")"
fi
FUTURE=$(date -u -d '+1 hour' '+%Y-%m-%d %H:%M:%S+00')
RC=0
"${DRILL[@]}" --to "$BK_BASE/future" --target-time "$FUTURE" >"$WORK/drill-future.log" 2>&1 || RC=$?
if [[ $RC -eq 1 ]] && grep -Eq "^  restore +FAIL" "$WORK/drill-future.log" \
    && grep -q "holds no WAL past the target time" "$WORK/drill-future.log"; then
  pass "a target time past the archived WAL fails, saying why"
else
  fail "a target time past the archived WAL fails, saying why" "exit $RC; $(cat "$WORK/drill-future.log")"
fi
RC=0
"${DRILL[@]}" --to "$AT_T" --latest >"$WORK/drill-again.log" 2>&1 || RC=$?
if [[ $RC -eq 1 ]] && grep -q "exists and is not empty" "$WORK/drill-again.log"; then
  pass "the drill never restores into a folder that holds something"
else
  fail "the drill never restores into a folder that holds something" "exit $RC; $(cat "$WORK/drill-again.log")"
fi

# -- the key ring: encrypted archive, wrong passphrase, restore
mkdir -p "$WORK/secrets" && chmod 700 "$WORK/secrets"
(umask 077; echo "a long test passphrase, never a real one" >"$PASSPHRASE"
 echo "another test passphrase, the wrong one" >"$WRONG")
openssl rand -base64 32 >"$CERTS/page-token.key"
RC=0
"$OPS/keys-backup.sh" backup --keys-dir "$CERTS" --out "$VAULT/keys.tar.gpg" \
  --passphrase-file "$PASSPHRASE" >"$WORK/keys-backup.log" 2>&1 || RC=$?
if [[ $RC -eq 0 && -s $VAULT/keys.tar.gpg && -s $VAULT/keys.tar.gpg.sha256 ]] \
    && ! grep -aq "active dev-1" "$VAULT/keys.tar.gpg" \
    && ! grep -aqF "$(cat "$CERTS/blind-index.key")" "$VAULT/keys.tar.gpg"; then
  pass "keys-backup.sh backup writes an encrypted archive of the key ring (no key in clear)"
else
  fail "keys-backup.sh backup writes an encrypted archive of the key ring (no key in clear)" \
    "exit $RC; $(cat "$WORK/keys-backup.log")"
fi
RC=0
"$OPS/keys-backup.sh" restore --in "$VAULT/keys.tar.gpg" --passphrase-file "$WRONG" \
  --to "$RESTORED_KEYS" >"$WORK/keys-wrong.log" 2>&1 || RC=$?
if [[ $RC -eq 1 && ! -e $RESTORED_KEYS ]] && grep -q "wrong passphrase" "$WORK/keys-wrong.log"; then
  pass "a wrong passphrase fails clearly and restores nothing"
else
  fail "a wrong passphrase fails clearly and restores nothing" "exit $RC; $(cat "$WORK/keys-wrong.log")"
fi
RC=0
"$OPS/keys-backup.sh" restore --in "$VAULT/keys.tar.gpg" --passphrase-file "$PASSPHRASE" \
  --to "$RESTORED_KEYS" >"$WORK/keys-restore.log" 2>&1 || RC=$?
same=1
for file in field-keys blind-index.key token-signing.pem token-public.pem page-token.key; do
  cmp -s "$CERTS/$file" "$RESTORED_KEYS/$file" || same=0
done
if [[ $RC -eq 0 ]] && (( same )) && [[ $(stat -c %a "$RESTORED_KEYS/field-keys") == 600 ]]; then
  pass "the key ring is restored from its archive into a fresh folder, every file as it was (mode 600)"
else
  fail "the key ring is restored from its archive into a fresh folder, every file as it was (mode 600)" \
    "exit $RC; $(cat "$WORK/keys-restore.log")"
fi
if "$OPS/keys-backup.sh" verify --in "$VAULT/keys.tar.gpg" --passphrase-file "$PASSPHRASE" \
     --keys-dir "$RESTORED_KEYS" >"$WORK/keys-verify.log" 2>&1; then
  pass "keys-backup.sh verify: the archive matches its manifest and the restored keys"
else
  fail "keys-backup.sh verify: the archive matches its manifest and the restored keys" "$(cat "$WORK/keys-verify.log")"
fi

# -- the restored cluster with the restored keys: a case from before T, its name decrypted
AT_T_APP=${AT_T_DSN/%user=postgres dbname=postgres/user=$SERVICE_DB_ROLE dbname=consular}
"$CASES_BIN" --listen "127.0.0.1:$RESTORED_PORT" --dsn "$AT_T_APP" \
  --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key" \
  --token-public-keys "$RESTORED_KEYS/token-public.pem" \
  --field-keys "$RESTORED_KEYS/field-keys" --blind-index-key "$RESTORED_KEYS/blind-index.key" \
  --page-token-key "$RESTORED_KEYS/page-token.key" >"$RESTORED_LOG" 2>&1 &
RESTORED_CASES_PID=$!
wait_listening "consular-cases on the restored cluster with the restored keys" \
  "$RESTORED_CASES_PID" "$RESTORED_LOG"
CTL_ADDRS=(--addr "localhost:$RESTORED_PORT")
RESTORED_OFFICER=$("$CTL_BIN" dev token --role officer --post RABAT --key "$RESTORED_KEYS/token-signing.pem")
ctl "$RESTORED_OFFICER" case get "$REF_FULL"
expect_out "case get reads a case from before the full backup, its name decrypted" "$REF_FULL" "Amina Voorbeeld"
ctl "$RESTORED_OFFICER" case get "$REF_BEFORE_T"
expect_out "case get reads the case created just before T, from the archived WAL" "Noor Voordien"
ctl "$RESTORED_OFFICER" case find --name "noor voordien"
expect_out "find by name works with the restored blind-index key" "$REF_BEFORE_T"
ctl "$RESTORED_OFFICER" case get "$REF_AFTER_T"
expect_error "the case created after T does not exist there" NOT_FOUND

# -- the source is lost: the restored cluster takes its place, archives and is backed up
e2e_stop_pids "$CASES_PID" "$AUDIT_PID"
"$OPS/pg.sh" stop "$PG_DIR" >/dev/null
RC=0
{ "$OPS/backup.sh" setup --pg-dir "$AT_T" --repo "$REPO" --restart \
    && "$OPS/backup.sh" full --pg-dir "$AT_T" --textfile-dir "$TEXTFILE"; } >"$WORK/promote.log" 2>&1 || RC=$?
"$OPS/backup.sh" info --pg-dir "$AT_T" >"$WORK/info-after.log" 2>&1 || true
if [[ $RC -eq 0 && $(psql "$AT_T_DSN" -X -tA -c "SHOW archive_mode") == on ]] \
    && [[ $(grep -c "full backup: " "$WORK/info-after.log") == 2 ]]; then
  pass "the restored cluster, made the primary, archives again and takes a full backup into the same repository"
else
  fail "the restored cluster, made the primary, archives again and takes a full backup into the same repository" \
    "exit $RC; $(tail -n 15 "$WORK/promote.log"; cat "$WORK/info-after.log")"
fi
ctl "$RESTORED_OFFICER" case get "$REF_FULL"
expect_out "consular-cases reads the case again after the cluster's restart" "Amina Voorbeeld"

echo "$PASSED passed, $FAILED failed in $((SECONDS - BEGAN)) s"
[[ $FAILED -eq 0 ]]
