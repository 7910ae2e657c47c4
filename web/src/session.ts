// The gateway's session endpoints. The session cookie is HttpOnly and the bearer token stays in
// the gateway; the browser only learns who is signed in and the CSRF token to send with every POST.

export const roles = [
  "ROLE_CONSULAR_OFFICER",
  "ROLE_POST_MANAGER",
  "ROLE_LKHA_CASEWORKER",
  "ROLE_POLICY_STAFF",
  "ROLE_AUDITOR",
  "ROLE_ADMINISTRATOR",
] as const;
export type RoleName = (typeof roles)[number];

/** Roles that belong to a post; the others sign in without a unit. */
export function roleHasUnit(role: string): boolean {
  return role === "ROLE_CONSULAR_OFFICER" || role === "ROLE_POST_MANAGER";
}

export interface Session {
  subject: string;
  role: string;
  unit: string;
  csrf: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
  devSignIn: boolean;
  /** The gateway signs in through the identity provider ("oidc"). */
  provider: boolean;
}

export type SessionState =
  | { signedIn: true; session: Session }
  | { signedIn: false; devSignIn: boolean; provider: boolean };

/** The gateway answered an auth call with an unexpected status. */
export class AuthError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "AuthError";
  }
}

export const csrfHeader = "X-CSRF-Token";

type Fetch = typeof fetch;
const defaultFetch: Fetch = (input, init) => globalThis.fetch(input, init);

function str(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  return typeof v === "string" ? v : "";
}

/** The session from the gateway's JSON; throws when it names no subject or CSRF token. */
export function parseSession(json: unknown): Session {
  if (typeof json !== "object" || json === null) throw new AuthError(200, "session is not an object");
  const o = json as Record<string, unknown>;
  const session: Session = {
    subject: str(o, "subject"),
    role: str(o, "role"),
    unit: str(o, "unit"),
    csrf: str(o, "csrf"),
    idleExpiresAt: str(o, "idleExpiresAt"),
    absoluteExpiresAt: str(o, "absoluteExpiresAt"),
    devSignIn: o["devSignIn"] === true,
    provider: o["oidc"] === true,
  };
  if (!session.subject || !session.csrf) throw new AuthError(200, "session without subject or csrf");
  return session;
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/** GET /auth/session: who is signed in, or whether development sign-in is offered. */
export async function fetchSession(fetchImpl: Fetch = defaultFetch): Promise<SessionState> {
  const response = await fetchImpl("/auth/session", {
    method: "GET",
    credentials: "same-origin",
    cache: "no-store",
    headers: { Accept: "application/json" },
  });
  if (response.status === 401) {
    const body = await readJson(response);
    const o = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
    // "oidc": the gateway signs in through the identity provider (GET /auth/login).
    return { signedIn: false, devSignIn: o["devSignIn"] === true, provider: o["oidc"] === true };
  }
  if (!response.ok) throw new AuthError(response.status, `GET /auth/session: HTTP ${response.status}`);
  return { signedIn: true, session: parseSession(await readJson(response)) };
}

/**
 * POST /auth/dev-sign-in. There is no session yet, so no CSRF token to send; the request is
 * same-origin JSON. An AuthError with status 404 means the gateway offers no development sign-in.
 */
export async function devSignIn(role: RoleName, unit: string, fetchImpl: Fetch = defaultFetch): Promise<Session> {
  const response = await fetchImpl("/auth/dev-sign-in", {
    method: "POST",
    credentials: "same-origin",
    cache: "no-store",
    headers: { Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify({ role, unit: roleHasUnit(role) ? unit : "" }),
  });
  if (!response.ok) throw new AuthError(response.status, `POST /auth/dev-sign-in: HTTP ${response.status}`);
  return parseSession(await readJson(response));
}

/** POST /auth/sign-out with the session's CSRF token. A session already gone counts as signed out. */
export async function signOut(csrf: string, fetchImpl: Fetch = defaultFetch): Promise<void> {
  const response = await fetchImpl("/auth/sign-out", {
    method: "POST",
    credentials: "same-origin",
    cache: "no-store",
    headers: { [csrfHeader]: csrf },
  });
  if (response.status === 204 || response.status === 200 || response.status === 401) return;
  throw new AuthError(response.status, `POST /auth/sign-out: HTTP ${response.status}`);
}
