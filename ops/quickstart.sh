#!/usr/bin/env bash
# From a fresh Debian 12 checkout to a running local stack and a first case, in one command.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/quickstart.sh

Installs the Debian packages (needs root or sudo), builds the project, starts the local stack
(ops/stack.sh up) and shows consularctl at work: an officer of post RABAT opens an abandonment case
in Morocco and lists the cases there. Stop the stack afterwards with: ops/stack.sh down
USAGE
}

case "${1:-}" in
  "") ;;
  -h|--help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

step() { printf '\n==> %s\n' "$*"; }

# Prints a command the way one would type it, then runs it.
show_and_run() {
  local out="" arg
  for arg in "$@"; do
    if [[ $arg =~ ^[A-Za-z0-9_./:=,@+-]+$ ]]; then out+=" $arg"; else out+=" \"$arg\""; fi
  done
  printf '$%s\n' "$out"
  "$@"
}

step "Installing Debian packages"
ops/install-deps.sh

step "Building"
ops/build.sh

step "Starting the local stack"
ops/stack.sh up --dev-sign-in

step "Demo"
# shellcheck source=/dev/null
source .stack/env
echo '$ source .stack/env'
# shellcheck disable=SC2016  # printed, not expanded
echo '$ export CONSULAR_TOKEN=$(consularctl dev token --role officer --post RABAT)'
CONSULAR_TOKEN=$(consularctl dev token --role officer --post RABAT)
export CONSULAR_TOKEN

show_and_run consularctl case create --type abandonment --country MA --name "Amina Example" \
  --sex female --nationality dual --referral family --flag passport-withheld
show_and_run consularctl case list --country MA

cat <<DONE

The web gateway answers on https://localhost:8443 (development sign-in; docs/web.md).
The stack keeps running. To use it from your shell:
  source .stack/env
  export CONSULAR_TOKEN=\$(consularctl dev token --role officer --post RABAT)
  consularctl --help

Stop it with: ops/stack.sh down
DONE
