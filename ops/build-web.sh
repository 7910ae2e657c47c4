#!/usr/bin/env bash
# Builds the web client (web/) into web/dist, which consular-web serves: `npm ci` from the
# committed lock file when node_modules does not match it, then `npm run build` (TypeScript from
# proto/ with protoc-gen-es, then Vite) when a source is newer than the last build. Needs Node 20+
# and npm (ops/install-deps.sh installs Debian's when none is present).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WEB=$ROOT/web

command -v npm >/dev/null || { echo "build-web.sh: npm not found; run ops/install-deps.sh" >&2; exit 1; }

# npm ci only when the lock file changed since the last install (it empties node_modules first).
lock_sum=$(sha256sum "$WEB/package-lock.json" | cut -d' ' -f1)
stamp=$WEB/node_modules/.installed-lock
if [[ ! -f $stamp || $(<"$stamp") != "$lock_sum" ]]; then
  echo "+ npm ci (web/)"
  (cd "$WEB" && npm ci --no-audit --no-fund)
  echo "$lock_sum" >"$stamp"
fi

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
