#!/usr/bin/env bash
# The systemd units as ops/install.sh installs them, checked offline in a temporary root (nothing
# of the real system changes; systemd need not run): the layout, the users, existing
# configuration kept, every key of the example configuration files accepted by its binary,
# `systemd-analyze verify` silent on every unit (it must complain about a broken one), and
# `systemd-analyze security --offline` at most MAX-EXPOSURE for each service.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tests/systemd/units_test.sh --build-dir DIR [--max-exposure N.N] [--work-dir DIR]

  --build-dir     the build folder ops/install.sh installs from
  --max-exposure  the highest exposure score `systemd-analyze security` may give a unit (1.1)
  --work-dir      folder for the temporary root (default: the system's temporary folder)
Set CONSULAR_E2E_KEEP=1 to keep the temporary root for inspection.
USAGE
}

BUILD_DIR="" MAX_EXPOSURE=1.1 WORK_PARENT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) BUILD_DIR=$2; shift 2 ;;
    --max-exposure) MAX_EXPOSURE=$2; shift 2 ;;
    --work-dir) WORK_PARENT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
[[ -n $BUILD_DIR && -d $BUILD_DIR ]] || { usage >&2; exit 2; }
[[ $MAX_EXPOSURE =~ ^[0-9]+(\.[0-9])?$ ]] || { echo "--max-exposure: N.N" >&2; exit 2; }
command -v systemd-analyze >/dev/null || { echo "SETUP FAILED: systemd-analyze not found" >&2; exit 1; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OPS=$(cd "$HERE/../../ops" && pwd)
KEEP=${CONSULAR_E2E_KEEP:-0}
if [[ -n $WORK_PARENT ]]; then
  mkdir -p "$WORK_PARENT"
  WORK=$(mktemp -d "$WORK_PARENT/systemd-units.XXXXXX")
else
  WORK=$(mktemp -d -t consular-systemd-units.XXXXXX)
fi
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local status=$?
  if [[ $KEEP == 1 ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT

PASSED=0 FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS  $1"; }
fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL  $1"
  local line
  if [[ -n ${2:-} ]]; then
    while IFS= read -r line; do echo "      $line"; done <<<"$2"
  fi
}

ROOT=$WORK/root
mkdir -p "$ROOT/usr/lib/systemd"
# The system's own units (sysinit.target, network-online.target, ...), which the units depend on
# and verify loads from the root.
cp -R /usr/lib/systemd/system "$ROOT/usr/lib/systemd/"
mkdir -p "$WORK/dist"
echo '<!doctype html><title>Consulair</title>' >"$WORK/dist/index.html"

SERVICES=(cases audit contacts stats web)
UNITS=()
for name in "${SERVICES[@]}"; do UNITS+=("consular-$name.service"); done

# ---------------------------------------------------------------------------------------------
# Installing.

RC=0
OUT=$("$OPS/install.sh" --build-dir "$BUILD_DIR" --root "$ROOT" --web-dist "$WORK/dist" 2>&1) || RC=$?
missing=()
for name in "${SERVICES[@]}"; do
  [[ -x $ROOT/usr/lib/consular/bin/consular-$name ]] || missing+=("/usr/lib/consular/bin/consular-$name")
  [[ -f $ROOT/etc/systemd/system/consular-$name.service ]] || missing+=("consular-$name.service")
  [[ -f $ROOT/etc/consular/$name.toml ]] || missing+=("/etc/consular/$name.toml")
  [[ -d $ROOT/etc/consular/credentials/$name ]] || missing+=("/etc/consular/credentials/$name")
done
for path in /usr/bin/consularctl /usr/bin/consular-migrate /usr/bin/consular-keys \
    /usr/share/consular/web/index.html /etc/systemd/system/consular.target \
    /usr/lib/sysusers.d/consular.conf /usr/share/doc/consular/operations.md; do
  [[ -e $ROOT$path ]] || missing+=("$path")
done
if [[ $RC -eq 0 && ${#missing[@]} -eq 0 ]]; then
  pass "install.sh --root lays out binaries, web client, units, configuration and credentials folders"
else
  fail "install.sh --root lays out binaries, web client, units, configuration and credentials folders" \
    "exit $RC; missing: ${missing[*]}"$'\n'"$OUT"
fi

modes=$(stat -c '%a %n' "$ROOT/etc/consular/credentials" "$ROOT/etc/consular/credentials/cases" \
  "$ROOT/etc/consular/cases.toml")
if [[ $modes == "700 $ROOT/etc/consular/credentials"$'\n'"700 $ROOT/etc/consular/credentials/cases"$'\n'"644 $ROOT/etc/consular/cases.toml" ]]; then
  pass "the credentials folders are root's only (0700); the configuration files hold no secret (0644)"
else
  fail "the credentials folders are root's only (0700); the configuration files hold no secret (0644)" "$modes"
fi

users_ok=1
for name in "${SERVICES[@]}"; do
  grep -q "^consular-$name:x:[0-9]*:[0-9]*:[^:]*:/:/usr/sbin/nologin$" "$ROOT/etc/passwd" || users_ok=0
  grep -q "^consular-$name:x:[0-9]*:" "$ROOT/etc/group" || users_ok=0
done
if (( users_ok )); then
  pass "each service has its system user and group, without a login, in the root's /etc/passwd"
else
  fail "each service has its system user and group, without a login, in the root's /etc/passwd" \
    "$(cat "$ROOT/etc/passwd" 2>/dev/null)"
fi

echo '# the operator was here' >>"$ROOT/etc/consular/cases.toml"
RC=0
OUT=$("$OPS/install.sh" --build-dir "$BUILD_DIR" --root "$ROOT" --web-dist "$WORK/dist" 2>&1) || RC=$?
if [[ $RC -eq 0 ]] && grep -q 'the operator was here' "$ROOT/etc/consular/cases.toml" \
    && [[ $OUT == *"kept $ROOT/etc/consular/cases.toml"* ]]; then
  pass "installing again keeps a configuration file the operator changed"
else
  fail "installing again keeps a configuration file the operator changed" "exit $RC"$'\n'"$OUT"
fi

# ---------------------------------------------------------------------------------------------
# The example configuration files: every key, those commented out too, is a flag of the binary.

for name in "${SERVICES[@]}"; do
  example=$ROOT/usr/share/consular/config/$name.toml
  sed -E 's/^#([a-z][a-z-]*) = /\1 = /' "$example" >"$WORK/$name-all-keys.toml"
  keys=$(grep -cE '^[a-z][a-z-]* = ' "$WORK/$name-all-keys.toml" || true)
  RC=0
  OUT=$("$ROOT/usr/lib/consular/bin/consular-$name" --config "$WORK/$name-all-keys.toml" --help 2>&1) \
    || RC=$?
  if [[ $RC -eq 0 && $keys -ge 10 ]]; then
    pass "consular-$name accepts each of the $keys keys of its example configuration file"
  else
    fail "consular-$name accepts each of the $keys keys of its example configuration file" \
      "exit $RC: $(head -n 3 <<<"$OUT")"
  fi
done

# ---------------------------------------------------------------------------------------------
# systemd-analyze verify: it loads each unit from the root (its dependencies too) and checks the
# executables exist there. It reports a bad line as a warning but still exits 0, so any output
# at all counts as failure.

verify() {  # UNIT...: sets OUT and RC
  RC=0
  OUT=$(systemd-analyze verify --root="$ROOT" --man=no --recursive-errors=no "$@" 2>&1) || RC=$?
}
verify "${UNITS[@]}" consular.target
if [[ $RC -eq 0 && -z $OUT ]]; then
  pass "systemd-analyze verify finds nothing to say about any of the units and consular.target"
else
  fail "systemd-analyze verify finds nothing to say about any of the units and consular.target" \
    "exit $RC"$'\n'"$OUT"
fi

# The check checks: a unit with a misspelt setting, and one whose program is missing, fail it.
sed 's/^ProtectSystem=strict$/ProtectSytem=strict/' "$ROOT/etc/systemd/system/consular-cases.service" \
  >"$ROOT/etc/systemd/system/consular-misspelt.service"
verify consular-misspelt.service
misspelt_rc=$RC misspelt_out=$OUT
sed 's|^ExecStart=/usr/lib/consular/bin/consular-cases |ExecStart=/usr/lib/consular/bin/consular-missing |' \
  "$ROOT/etc/systemd/system/consular-cases.service" >"$ROOT/etc/systemd/system/consular-missing.service"
verify consular-missing.service
if [[ $misspelt_rc -ne 0 && $misspelt_out == *"Unknown key 'ProtectSytem'"* ]] \
    && [[ $RC -ne 0 && $OUT == *"/usr/lib/consular/bin/consular-missing is not executable"* ]]; then
  pass "the same check fails a unit with a misspelt setting and one whose program is missing"
else
  fail "the same check fails a unit with a misspelt setting and one whose program is missing" \
    "misspelt: exit $misspelt_rc: $misspelt_out"$'\n'"missing: exit $RC: $OUT"
fi
rm -f "$ROOT/etc/systemd/system/consular-misspelt.service" "$ROOT/etc/systemd/system/consular-missing.service"

# ---------------------------------------------------------------------------------------------
# systemd-analyze security: the exposure of each service, offline, from its unit file.

threshold=$(awk -v n="$MAX_EXPOSURE" 'BEGIN { printf "%d", n * 10 + 0.5 }')
printf '\n%-28s %s\n' "unit" "exposure (at most $MAX_EXPOSURE)"
for unit in "${UNITS[@]}"; do
  RC=0
  OUT=$(systemd-analyze security --offline=true --root="$ROOT" --no-pager \
    --threshold="$threshold" "$unit" 2>&1) || RC=$?
  score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]* [A-Z]*\).*/\1/p' <<<"$OUT")
  printf '%-28s %s\n' "$unit" "${score:-?}"
  if [[ $RC -eq 0 && -n $score ]]; then
    pass "$unit: exposure $score, at most $MAX_EXPOSURE"
  else
    fail "$unit: exposure ${score:-unknown}, at most $MAX_EXPOSURE" \
      "$(grep -E '✗' <<<"$OUT" || echo "$OUT")"
  fi
done

echo "units_test: $PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
