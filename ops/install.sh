#!/usr/bin/env bash
# Installs built binaries, the web client, the systemd units, their system users and example
# configuration files, so that systemd runs the services (docs/operations.md, "Running under
# systemd"). Builds nothing.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/install.sh [--build-dir DIR] [--web-dist DIR] [--root DIR] [--strip] [--no-reload]

Installs what ops/build.sh built (a --release build for a deployment) for systemd:
  /usr/lib/consular/bin/         consular-cases, consular-audit, consular-contacts, consular-stats,
                                 consular-web (the servers, started by their units only)
  /usr/bin/                      consularctl, consular-migrate, consular-keys
  /usr/share/consular/web/       the built web client (web/dist), which consular-web serves
  /usr/share/consular/config/    the example configuration files, always the newest
  /usr/share/doc/consular/       the documentation (docs/*.md)
  /etc/systemd/system/           consular-{cases,audit,contacts,stats,web}.service, consular.target
  /usr/lib/sysusers.d/consular.conf   one system user per service, created with systemd-sysusers
  /etc/consular/<name>.toml      the configuration files: an example where none exists; an
                                 existing one is never overwritten
  /etc/consular/tls/             for the certificates (public; readable by the services)
  /etc/consular/credentials/     for the secrets, root only (0700): systemd hands each service
                                 its own (LoadCredential=)
Then, on the running system, `systemctl daemon-reload`. Nothing is enabled or started.

  --build-dir DIR  the build folder (default: $CONSULAR_BUILD_DIR, else build/ of the checkout)
  --web-dist DIR   the built web client (default: web/dist of the checkout; skipped with a
                   warning when it has no index.html)
  --root DIR       install below DIR instead of / (a package root or a test's folder): users go
                   to DIR/etc/passwd, and systemd is not told
  --strip          strip the binaries of their symbols
  --no-reload      do not run systemctl daemon-reload
Run as root unless --root names a folder you may write.
USAGE
}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CHECKOUT=$(cd "$HERE/.." && pwd)
BUILD_DIR=${CONSULAR_BUILD_DIR:-$CHECKOUT/build}
WEB_DIST=$CHECKOUT/web/dist
ROOT=/
STRIP=()
RELOAD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) BUILD_DIR=${2:?--build-dir needs a folder}; shift 2 ;;
    --web-dist) WEB_DIST=${2:?--web-dist needs a folder}; shift 2 ;;
    --root) ROOT=${2:?--root needs a folder}; shift 2 ;;
    --strip) STRIP=(-s); shift ;;
    --no-reload) RELOAD=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done

die() { echo "install.sh: $*" >&2; exit 1; }
note() { echo "install.sh: $*"; }

[[ -d $ROOT ]] || die "--root: no folder $ROOT"
ROOT=$(cd "$ROOT" && pwd)
[[ -d $BUILD_DIR ]] || die "no build folder $BUILD_DIR (build with ops/build.sh, or give --build-dir)"
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
if [[ $ROOT == / && $(id -u) -ne 0 ]]; then
  die "installing into / needs root (or give --root DIR)"
fi
# DEST PATH: PATH below the root.
dest() { if [[ $ROOT == / ]]; then echo "$1"; else echo "$ROOT$1"; fi; }

SERVERS=(cases audit contacts stats web)
declare -A BINARIES=(
  [consular-cases]=services/cases/consular-cases
  [consular-audit]=services/audit/consular-audit
  [consular-contacts]=services/contacts/consular-contacts
  [consular-stats]=services/stats/consular-stats
  [consular-web]=services/web/consular-web
  [consularctl]=tools/consularctl/consularctl
  [consular-migrate]=tools/migrate/consular-migrate
  [consular-keys]=tools/keys/consular-keys
)
for name in "${!BINARIES[@]}"; do
  [[ -x $BUILD_DIR/${BINARIES[$name]} ]] \
    || die "$name not built: no $BUILD_DIR/${BINARIES[$name]} (ops/build.sh --release)"
done

umask 022

# Binaries: the servers where only their units start them, the tools on the PATH.
for name in "${SERVERS[@]}"; do
  install -D -m 0755 "${STRIP[@]}" "$BUILD_DIR/${BINARIES[consular-$name]}" \
    "$(dest /usr/lib/consular/bin)/consular-$name"
done
for name in consularctl consular-migrate consular-keys; do
  install -D -m 0755 "${STRIP[@]}" "$BUILD_DIR/${BINARIES[$name]}" "$(dest /usr/bin)/$name"
done
note "binaries in $(dest /usr/lib/consular/bin) and $(dest /usr/bin)"

# The web client: replaced as a whole, so no file of an older build stays behind.
if [[ -f $WEB_DIST/index.html ]]; then
  rm -rf "$(dest /usr/share/consular/web)"
  mkdir -p "$(dest /usr/share/consular/web)"
  cp -R "$WEB_DIST/." "$(dest /usr/share/consular/web)/"
  chmod -R u=rwX,go=rX "$(dest /usr/share/consular/web)"
  note "web client in $(dest /usr/share/consular/web)"
else
  echo "install.sh: warning: no web client in $WEB_DIST (ops/build-web.sh builds it); consular-web" \
       "will serve no pages" >&2
fi

# Documentation, the example configuration files, units and users.
install -d -m 0755 "$(dest /usr/share/doc/consular)" "$(dest /usr/share/consular/config)"
install -m 0644 "$CHECKOUT"/docs/*.md "$(dest /usr/share/doc/consular)/"
install -m 0644 "$HERE"/systemd/config/*.toml "$(dest /usr/share/consular/config)/"
install -d -m 0755 "$(dest /etc/systemd/system)"
install -m 0644 "$HERE"/systemd/consular-*.service "$HERE/systemd/consular.target" \
  "$(dest /etc/systemd/system)/"
install -D -m 0644 "$HERE/systemd/sysusers.conf" "$(dest /usr/lib/sysusers.d)/consular.conf"
note "units in $(dest /etc/systemd/system)"

if [[ $ROOT == / ]]; then
  systemd-sysusers /usr/lib/sysusers.d/consular.conf
else
  systemd-sysusers --root="$ROOT" "$(dest /usr/lib/sysusers.d)/consular.conf"
fi
note "system users consular-{cases,audit,contacts,stats,web} present"

# Configuration: an example where there is none; the operator's own file is never touched.
install -d -m 0755 "$(dest /etc/consular)" "$(dest /etc/consular/tls)"
for name in "${SERVERS[@]}"; do
  config=$(dest /etc/consular)/$name.toml
  if [[ -e $config ]]; then
    note "kept $config (the newest example: $(dest /usr/share/consular/config)/$name.toml)"
  else
    install -m 0644 "$HERE/systemd/config/$name.toml" "$config"
    note "wrote the example $config: edit it before starting consular-$name"
  fi
done
install -d -m 0700 "$(dest /etc/consular/credentials)"
for name in "${SERVERS[@]}"; do
  install -d -m 0700 "$(dest /etc/consular/credentials)/$name"
done

if [[ $ROOT == / && $RELOAD == 1 && -d /run/systemd/system ]]; then
  systemctl daemon-reload
  note "systemd reloaded"
fi

cat <<NEXT

Next (docs/operations.md, "Running under systemd"):
  1. the database: roles, database and migrations (consular-migrate --dsn ...);
  2. the certificates in $(dest /etc/consular/tls)/ and the secrets in
     $(dest /etc/consular/credentials)/ (database-password, field-keys, blind-index.key,
     <name>/tls.key, <name>/page-token.key, web/oidc-client-secret);
  3. the settings in $(dest /etc/consular)/<name>.toml;
  4. systemctl enable --now consular.target consular-cases.service consular-audit.service \\
       consular-contacts.service consular-stats.service consular-web.service
NEXT
