#!/usr/bin/env bash
# Installs the Debian 12 packages needed to build, run and test the project. Quick when everything
# is installed already: nothing is downloaded then.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/install-deps.sh [--check]

Installs with apt-get what is missing of the project's Debian 12 packages (as root, or through sudo).
  --check   only list the missing packages; exit 1 if any
USAGE
}

check_only=0
case "${1:-}" in
  "") ;;
  --check) check_only=1 ;;
  -h|--help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git python3
  # clang: thread-safety analysis, AddressSanitizer/UBSan runtimes and libFuzzer
  # (libclang-rt-14-dev), llvm-symbolizer for sanitizer reports (llvm)
  clang libclang-rt-14-dev llvm
  # libraries
  openssl libssl-dev
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libpqxx-dev libabsl-dev libsodium-dev libcli11-dev libcpp-jwt-dev libunistring-dev nlohmann-json3-dev
  # the servers' JSON-line log, and their Prometheus metrics
  libspdlog-dev prometheus-cpp-dev
  # exports leave encrypted: an AES-256 ZIP (libzip) or OpenPGP (GPGME, with gnupg below)
  libzip-dev libgpgme-dev
  # the web gateway's HTTPS server
  libcpp-httplib-dev
  # readiness and shutdown told to systemd (sd_notify)
  libsystemd-dev
  # systemd-sysusers for ops/install.sh, systemd-analyze and the system's units for the test of
  # the units (a container need not run systemd for either)
  systemd
  # linear programs of disclosure control
  libglpk-dev
  # tests
  libgtest-dev libgmock-dev libbenchmark-dev
  # the end-to-end test of exports opens the password ZIP as a recipient would (7-Zip)
  p7zip-full
  # the country dossier is checked in a headless browser
  chromium
  # the database
  postgresql postgresql-contrib
  # its backups (ops/backup.sh, ops/restore-drill.sh) and the encrypted key-ring backups
  # (ops/keys-backup.sh)
  pgbackrest gnupg
  # the test that scrapes the servers' metrics and checks the rules of ops/prometheus
  prometheus
  # the three-node PostgreSQL cluster with automatic failover (ops/cluster.sh)
  patroni python3-etcd etcd-server etcd-client curl
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ $status == installed ]] || missing+=("$pkg")
done
# The web client is built with Node and npm: the ones present (Node 20 or newer) are used, else
# Debian's are installed.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages are installed"
  exit 0
fi

echo "install-deps: missing: ${missing[*]}"
(( check_only )) && exit 1

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    SUDO=(sudo)
  else
    echo "install-deps: run as root, or install sudo, to install: ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
apt_get() {
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Use-Pty=0 "$@"
}

# The package lists are refreshed only when something is to be installed.
apt_get update -qq
apt_get install "${missing[@]}"
echo "install-deps: done"
