#!/usr/bin/env bash
# Builds the web client (web/) into web/dist, which consular-web serves: `npm ci` from the
# committed lock file when node_modules does not match it, then `npm run build` (TypeScript from
# proto/ with protoc-gen-es, then Vite) when a source is newer than the last build. Also installs
# the tests' OpenID Connect provider (tests/oidc) the same way. Needs Node 20+ and npm
# (ops/install-deps.sh installs Debian's when none is present).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WEB=$ROOT/web

command -v npm >/dev/null || { echo "build-web.sh: npm not found; run ops/install-deps.sh" >&2; exit 1; }

# npm ci only when the lock file changed since the last install (it empties node_modules first).
npm_install() {  # DIR
  local lock_sum stamp=$1/node_modules/.installed-lock
  lock_sum=$(sha256sum "$1/package-lock.json" | cut -d' ' -f1)
  if [[ ! -f $stamp || $(<"$stamp") != "$lock_sum" ]]; then
    echo "+ npm ci (${1#"$ROOT"/})"
    (cd "$1" && npm ci --no-audit --no-fund)
    echo "$lock_sum" >"$stamp"
  fi
}
npm_install "$WEB"
npm_install "$ROOT/tests/oidc"

built=$WEB/dist/index.html
if [[ -f $built ]] && [[ -z $(find "$WEB/src" "$WEB/index.html" "$WEB/public" "$WEB/vite.config.ts" \
       "$WEB/package-lock.json" "$ROOT/proto/consular" -newer "$built" -not -path "$WEB/src/gen/*" \
       -print -quit) ]]; then
  echo "web client up to date (web/dist)"
  exit 0
fi
echo "+ npm run build (web/)"
(cd "$WEB" && npm run build --silent)
touch "$built"
