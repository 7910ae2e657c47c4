#!/usr/bin/env bash
# Sign-in through a real OpenID Connect provider (npm's oidc-provider, tests/oidc/provider.mjs)
# over HTTPS: consular-web as its client (authorization code with PKCE), consular-cases verifying
# the provider's access tokens through its JWKS, real PostgreSQL, and headless Chromium driven by
# web/tests/browser/oidc.mjs through the provider's login page. No development sign-in.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: tests/e2e/oidc_e2e.sh --cases BIN --web BIN --migrate BIN --ctl BIN --client DIR
                             --provider DIR --screenshots DIR [--work-dir DIR]
--client is the web client's folder (web/), built; --provider is tests/oidc, installed.
USAGE
}

CASES_BIN="" WEB_BIN="" MIGRATE_BIN="" CTL_BIN="" CLIENT_DIR="" PROVIDER_DIR="" SHOTS=""
WORK_PARENT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cases) CASES_BIN=$2; shift 2 ;;
    --web) WEB_BIN=$2; shift 2 ;;
    --migrate) MIGRATE_BIN=$2; shift 2 ;;
    --ctl) CTL_BIN=$2; shift 2 ;;
    --client) CLIENT_DIR=$2; shift 2 ;;
    --provider) PROVIDER_DIR=$2; shift 2 ;;
    --screenshots) SHOTS=$2; shift 2 ;;
    --work-dir) WORK_PARENT=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
for bin in "$CASES_BIN" "$WEB_BIN" "$MIGRATE_BIN" "$CTL_BIN"; do
  [[ -n $bin && -x $bin ]] || { usage >&2; exit 2; }
done
[[ -n $SHOTS && -f $CLIENT_DIR/dist/index.html && -d $CLIENT_DIR/node_modules/playwright-core \
   && -d $PROVIDER_DIR/node_modules/oidc-provider ]] || {
  echo "SETUP FAILED: the web client or the test provider is not built; run ops/build.sh" >&2
  exit 1
}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OPS=$(cd "$HERE/../../ops" && pwd)
KEEP=${CONSULAR_E2E_KEEP:-0}
# shellcheck source=tests/e2e/lib.sh
source "$HERE/lib.sh"

e2e_make_work_dir oidc
CASES_PID="" WEB_PID="" IDP_PID=""
CASES_LOG=$WORK/cases.log
WEB_LOG=$WORK/web.log
IDP_LOG=$WORK/provider.log
CASES_PORT=$(free_port)
WEB_PORT=$(free_port)
IDP_PORT=$(free_port)

# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local status=$?
  e2e_stop_pids "$CASES_PID" "$WEB_PID" "$IDP_PID"
  e2e_finish "$status" "$CASES_LOG" "$WEB_LOG" "$IDP_LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

e2e_setup_database
"$MIGRATE_BIN" --dsn "$OWNER_DSN" >"$WORK/migrate.log" 2>&1 || setup_fail "migrations"
e2e_seed_units "$OWNER_DSN"

ISSUER="https://localhost:$IDP_PORT"
echo "test-secret-$RANDOM$RANDOM" >"$WORK/client-secret"
OIDC_PORT=$IDP_PORT OIDC_CERT=$CERTS/server.pem OIDC_KEY=$CERTS/server.key \
  OIDC_CLIENT_ID=consular-web OIDC_CLIENT_SECRET="$(<"$WORK/client-secret")" \
  OIDC_REDIRECT_URI="https://localhost:$WEB_PORT/auth/callback" OIDC_ACCESS_TOKEN_TTL=6 \
  node "$PROVIDER_DIR/provider.mjs" >"$IDP_LOG" 2>&1 &
IDP_PID=$!
wait_listening oidc-provider "$IDP_PID" "$IDP_LOG"

# The case service accepts the provider's tokens (its JWKS) and the development keys.
start_server "$CASES_BIN" "$CASES_PORT" "$CASES_LOG" --token-jwks-url "$ISSUER/jwks" \
  --token-jwks-issuer "$ISSUER" --token-jwks-ca "$CERTS/ca.pem"
CASES_PID=$STARTED_PID
wait_listening consular-cases "$CASES_PID" "$CASES_LOG"
"$WEB_BIN" --listen "127.0.0.1:$WEB_PORT" --tls-cert "$CERTS/server.pem" \
  --tls-key "$CERTS/server.key" --ca-cert "$CERTS/ca.pem" --cases-addr "localhost:$CASES_PORT" \
  --static-dir "$CLIENT_DIR/dist" --oidc-issuer "$ISSUER" --oidc-client-id consular-web \
  --oidc-client-secret-file "$WORK/client-secret" \
  --oidc-redirect-uri "https://localhost:$WEB_PORT/auth/callback" \
  --oidc-ca-cert "$CERTS/ca.pem" >"$WEB_LOG" 2>&1 &
WEB_PID=$!
wait_listening consular-web "$WEB_PID" "$WEB_LOG"

CTL_ADDRS=(--addr "localhost:$CASES_PORT")
ctl "$(mint officer RABAT)" case create --type abandonment --country MA --name "Salma Providertest" \
  --sex female --nationality dual --referral family --json
REF=$(json_field reference)
[[ -n $REF ]] || setup_fail "case create: $ERR"

if curl -s --cacert "$CERTS/ca.pem" -H 'Content-Type: application/json' \
     -d '{"role":"ROLE_ADMINISTRATOR"}' -o /dev/null -w '%{http_code}' \
     "https://localhost:$WEB_PORT/auth/dev-sign-in" | grep -qx 404; then
  pass "without --dev-sign-in-key there is no development sign-in (404)"
else
  fail "without --dev-sign-in-key there is no development sign-in (404)" ""
fi

LOCATION=$(curl -s --cacert "$CERTS/ca.pem" -o /dev/null -w '%{redirect_url}' \
  "https://localhost:$WEB_PORT/auth/login")
if [[ $LOCATION == "$ISSUER/auth?"* && $LOCATION == *"code_challenge_method=S256"* \
      && $LOCATION == *"&state="* && $LOCATION == *"&nonce="* \
      && $LOCATION == *"client_id=consular-web"* ]]; then
  pass "/auth/login sends the browser to the provider with PKCE (S256), state and nonce"
else
  fail "/auth/login sends the browser to the provider with PKCE (S256), state and nonce" "$LOCATION"
fi
curl -s --cacert "$CERTS/ca.pem" -D "$WORK/callback.headers" -o /dev/null \
  "https://localhost:$WEB_PORT/auth/callback?state=forged&code=forged"
if grep -qi '^location: /#/?signin=failed' "$WORK/callback.headers" \
    && ! grep -qi '^set-cookie' "$WORK/callback.headers"; then
  pass "a callback with a state the gateway did not issue opens no session"
else
  fail "a callback with a state the gateway did not issue opens no session" \
    "$(cat "$WORK/callback.headers")"
fi

WALK_STATUS=0
WEB_URL="https://localhost:$WEB_PORT" LOGIN=officer-rabat EXPECT_ROLE=ROLE_CONSULAR_OFFICER \
  EXPECT_UNIT=RABAT CASE_REF=$REF SCREENSHOTS=$SHOTS TOKEN_TTL_SECONDS=6 \
  node "$CLIENT_DIR/tests/browser/oidc.mjs" || WALK_STATUS=$?
if [[ $WALK_STATUS -eq 0 ]]; then
  pass "the browser signs in through the provider and works with its token"
else
  fail "the browser signs in through the provider and works with its token" "exit $WALK_STATUS"
fi

# Access tokens live 6 s here; the walk works on past that, so the gateway renewed its token.
if grep -q '^grant refresh_token$' "$IDP_LOG" && ! grep -q 'refused' "$IDP_LOG"; then
  pass "the gateway renews the session's access token with the provider's refresh token"
else
  fail "the gateway renews the session's access token with the provider's refresh token" \
    "$(tail -n 20 "$IDP_LOG")"
fi

AUDITED=$(psql "$OWNER_DSN" -X -qtA -c "SELECT count(*) FROM audit.events WHERE
  actor = 'officer-rabat' AND actor_post = 'RABAT' AND action = 'CaseService.ListCases'")
if [[ $AUDITED -ge 1 ]]; then
  pass "the audit trail names the provider's user as the actor"
else
  fail "the audit trail names the provider's user as the actor" "$AUDITED"
fi

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
