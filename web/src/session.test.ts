import { describe, expect, it } from "vitest";
import { AuthError, devSignIn, fetchSession, parseSession, roleHasUnit, signOut } from "./session";

const sessionJson = {
  subject: "dev-officer-rabat",
  role: "ROLE_CONSULAR_OFFICER",
  unit: "RABAT",
  csrf: "tok",
  idleExpiresAt: "2026-03-05T10:30:00Z",
  absoluteExpiresAt: "2026-03-05T18:00:00Z",
  devSignIn: true,
  oidc: false,
};
// The session as the client keeps it: the gateway's "oidc" read as "provider".
const { oidc, ...sessionFields } = sessionJson;
const session = { ...sessionFields, provider: oidc };

function fakeFetch(status: number, body?: unknown) {
  const calls: { url: string; init: RequestInit }[] = [];
  const f: typeof fetch = async (input, init = {}) => {
    calls.push({ url: String(input), init });
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
    });
  };
  return { f, calls };
}

describe("session", () => {
  it("reads a signed-in session", async () => {
    const { f, calls } = fakeFetch(200, sessionJson);
    await expect(fetchSession(f)).resolves.toEqual({ signedIn: true, session });
    expect(calls[0]!.url).toBe("/auth/session");
    expect(calls[0]!.init.method).toBe("GET");
    expect(calls[0]!.init.credentials).toBe("same-origin");
  });

  it("reads a 401 as signed out, with or without development sign-in", async () => {
    await expect(fetchSession(fakeFetch(401, { devSignIn: true }).f)).resolves.toEqual({ signedIn: false, devSignIn: true, provider: false });
    await expect(fetchSession(fakeFetch(401, { devSignIn: false }).f)).resolves.toEqual({ signedIn: false, devSignIn: false, provider: false });
    await expect(fetchSession(fakeFetch(401, { devSignIn: false, oidc: true }).f)).resolves.toEqual({ signedIn: false, devSignIn: false, provider: true });
    await expect(fetchSession(fakeFetch(401).f)).resolves.toEqual({ signedIn: false, devSignIn: false, provider: false });
  });

  it("fails on other statuses and on a session without CSRF token", async () => {
    await expect(fetchSession(fakeFetch(500).f)).rejects.toBeInstanceOf(AuthError);
    expect(() => parseSession({ ...sessionJson, csrf: "" })).toThrow(AuthError);
    expect(() => parseSession("nope")).toThrow(AuthError);
  });

  it("signs in for development with the role, and the unit only for post roles", async () => {
    const officer = fakeFetch(200, sessionJson);
    await expect(devSignIn("ROLE_POST_MANAGER", "RABAT", officer.f)).resolves.toEqual(session);
    expect(officer.calls[0]!.url).toBe("/auth/dev-sign-in");
    expect(officer.calls[0]!.init.method).toBe("POST");
    expect(new Headers(officer.calls[0]!.init.headers).get("content-type")).toBe("application/json");
    expect(JSON.parse(String(officer.calls[0]!.init.body))).toEqual({ role: "ROLE_POST_MANAGER", unit: "RABAT" });

    const auditor = fakeFetch(200, { ...sessionJson, role: "ROLE_AUDITOR", unit: "" });
    await devSignIn("ROLE_AUDITOR", "RABAT", auditor.f);
    expect(JSON.parse(String(auditor.calls[0]!.init.body))).toEqual({ role: "ROLE_AUDITOR", unit: "" });
  });

  it("reports a gateway without development sign-in as AuthError 404", async () => {
    await expect(devSignIn("ROLE_AUDITOR", "", fakeFetch(404).f)).rejects.toMatchObject({ status: 404 });
  });

  it("signs out with the CSRF token", async () => {
    const { f, calls } = fakeFetch(204);
    await signOut("tok", f);
    expect(calls[0]!.url).toBe("/auth/sign-out");
    expect(calls[0]!.init.method).toBe("POST");
    expect(new Headers(calls[0]!.init.headers).get("x-csrf-token")).toBe("tok");
    await expect(signOut("tok", fakeFetch(401).f)).resolves.toBeUndefined();
    await expect(signOut("tok", fakeFetch(403).f)).rejects.toMatchObject({ status: 403 });
  });

  it("knows which roles belong to a post", () => {
    expect(roleHasUnit("ROLE_CONSULAR_OFFICER")).toBe(true);
    expect(roleHasUnit("ROLE_POST_MANAGER")).toBe(true);
    for (const r of ["ROLE_LKHA_CASEWORKER", "ROLE_AUDITOR", "ROLE_POLICY_STAFF", "ROLE_ADMINISTRATOR"]) {
      expect(roleHasUnit(r)).toBe(false);
    }
  });
});
