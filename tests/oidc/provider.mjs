// A real OpenID Connect provider for the tests (npm's oidc-provider), standing in for the
// ministry's: HTTPS, discovery, the authorization code flow with PKCE required, its development
// login and consent pages, ES256-signed ID tokens and JWT access tokens for the audience
// "consular" carrying the user's "role" and "post".
//
// Users: the login name says who it is: "<role>[-<post>]", role one of officer, manager, lkha,
// policy, auditor, admin ("officer-rabat", "auditor"); any password. The login is the subject.
//
// The client may use refresh tokens (the gateway renews access tokens with them); every token
// grant is logged as "grant <grant_type>".
//
// Environment: OIDC_PORT, OIDC_CERT and OIDC_KEY (PEM, the TLS certificate for localhost),
// OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI; OIDC_ACCESS_TOKEN_TTL (seconds, default
// 3600). Prints "oidc-provider listening on <issuer>" when ready. SIGTERM stops it.
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import https from "node:https";
import Provider from "oidc-provider";

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`provider.mjs: ${name} is not set`);
    process.exit(2);
  }
  return value;
};
const port = Number(env("OIDC_PORT"));
const accessTokenTTL = Number(process.env.OIDC_ACCESS_TOKEN_TTL || 3600);
const issuer = `https://localhost:${port}`;
const roles = {
  officer: "CONSULAR_OFFICER",
  manager: "POST_MANAGER",
  lkha: "LKHA_CASEWORKER",
  policy: "POLICY_STAFF",
  auditor: "AUDITOR",
  admin: "ADMINISTRATOR",
};

// "officer-rabat" -> { role: "CONSULAR_OFFICER", post: "RABAT" }; null for anything else.
function claimsOf(login) {
  const match = /^([a-z]+)(?:-([a-z][a-z0-9-]{1,31}))?$/.exec(login);
  if (!match || !roles[match[1]]) return null;
  const claims = { role: roles[match[1]] };
  if (match[2]) claims.post = match[2].toUpperCase();
  return claims;
}

const signingKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({
  format: "jwk",
});
signingKey.kid = `test-${Date.now()}`;
signingKey.use = "sig";
signingKey.alg = "ES256";

const audience = "consular";
const resource = "https://consular.test/api";

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env("OIDC_CLIENT_ID"),
      client_secret: env("OIDC_CLIENT_SECRET"),
      redirect_uris: [env("OIDC_REDIRECT_URI")],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      id_token_signed_response_alg: "ES256",
    },
  ],
  jwks: { keys: [signingKey] },
  pkce: { methods: ["S256"], required: () => true },
  scopes: ["openid", "consular"],
  claims: { openid: ["sub"], consular: ["role", "post"] },
  // The role and post in the ID token itself, not only at the userinfo endpoint.
  conformIdTokenClaims: false,
  findAccount: async (_ctx, id) => {
    const claims = claimsOf(id);
    if (!claims) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
  features: {
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: "consular",
        audience,
        accessTokenTTL,
        accessTokenFormat: "jwt",
        jwt: { sign: { alg: "ES256" } },
      }),
    },
  },
  extraTokenClaims: async (_ctx, token) => {
    if (token.kind !== "AccessToken") return undefined;
    const claims = claimsOf(String(token.accountId));
    return claims ?? undefined;
  },
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
  ttl: { AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600 },
  cookies: { keys: ["consular-test-provider"] },
  loadExistingGrant: async (ctx) => {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    // Consent to the requested scope and resource at once: a test has nobody to click "allow".
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid consular");
    grant.addOIDCClaims(["role", "post"]);
    grant.addResourceScope(resource, "consular");
    await grant.save();
    return grant;
  },
});
provider.on("grant.success", (ctx) => console.log(`grant ${ctx.oidc.params.grant_type}`));
provider.on("grant.error", (ctx, error) => console.log(`grant ${ctx.oidc.params?.grant_type} refused: ${error.message}`));
const server = https.createServer(
  { cert: readFileSync(env("OIDC_CERT")), key: readFileSync(env("OIDC_KEY")) },
  provider.callback(),
);
server.listen(port, "127.0.0.1", () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
