#!/usr/bin/env bash
# The web client's page weight and its speed on an emulated slow 3G line (web/tests/browser/
# weight.mjs), against the local stack started with the development sign-in
# (ops/stack.sh up --dev-sign-in). Opens one case of RABAT to measure with. BENCHMARKS.md records
# the figures.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-5}
ENV_FILE=${CONSULAR_STACK_DIR:-$ROOT/.stack}/env

[[ -f $ENV_FILE ]] || { echo "bench-web.sh: start the stack first: ops/stack.sh up --dev-sign-in" >&2; exit 1; }
# shellcheck source=/dev/null
source "$ENV_FILE"
if ! curl -s --cacert "$CONSULAR_CA_CERT" "$CONSULAR_WEB_URL/auth/session" | grep -q '"devSignIn":true'; then
  echo "bench-web.sh: the gateway at $CONSULAR_WEB_URL has no development sign-in; restart the stack with ops/stack.sh up --dev-sign-in" >&2
  exit 1
fi

NAME="Weight Benchmark"
TOKEN=$(consularctl dev token --role officer --post RABAT)
REF=$(consularctl --token "$TOKEN" --json case create --type abandonment --country MA \
  --name "$NAME" --sex female --nationality dual --referral family |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["reference"])')

echo "gzip -9 of the files of the first load (web/dist):"
total=0
for f in "$ROOT"/web/dist/index.html "$ROOT"/web/dist/assets/*.js "$ROOT"/web/dist/assets/*.css "$ROOT"/web/dist/favicon.svg; do
  size=$(gzip -9 -c "$f" | wc -c)
  total=$((total + size))
  printf '  %-40s %8d bytes raw %8d gzip\n' "${f#"$ROOT"/web/dist/}" "$(wc -c <"$f")" "$size"
done
echo "  total gzip -9: $total bytes"

WEB_URL=$CONSULAR_WEB_URL CASE_REF=$REF CASE_NAME=$NAME RUNS=$RUNS \
  node "$ROOT/web/tests/browser/weight.mjs"
