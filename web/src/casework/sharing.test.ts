// Sharing, referral, assignment and finding by name: which roles are offered which action, the
// checks before sending, and the requests sent (with the request id and the version read).
import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { CaseAccess, CaseSchema, ReferralSchema, ShareAccess } from "../gen/consular/v1/cases_pb";
import {
  assigneeProblem,
  buildAssignRequest,
  buildReferRequest,
  buildRevokeRequest,
  buildSearchRequest,
  buildShareRequest,
  emptyShareInput,
  mayAssignOthers,
  mayFindDuplicates,
  mayRefer,
  mayShare,
  mayTakeCase,
  searchNameProblem,
  shareKey,
  validateRefer,
  validateShare,
} from "./sharing";

const today = { year: 2026, month: 12, day: 7 };
const rabat = create(CaseSchema, { id: "c1", reference: "ABN-2026-00001", handlingPost: "RABAT", callerAccess: CaseAccess.HANDLING, version: 7n });
const lkha = create(CaseSchema, { id: "c2", reference: "ABN-2026-00002", handlingPost: "LKHA", callerAccess: CaseAccess.HANDLING, version: 3n });
const sharedRead = create(CaseSchema, { ...rabat, callerAccess: CaseAccess.SHARED_READ });
const sharedWrite = create(CaseSchema, { ...rabat, callerAccess: CaseAccess.SHARED_READ_WRITE });

describe("who is offered what", () => {
  it("offers sharing to the handling unit only, whatever the role", () => {
    expect(mayShare(rabat)).toBe(true);
    expect(mayShare(sharedWrite)).toBe(false);
    expect(mayShare(sharedRead)).toBe(false);
    expect(mayShare(create(CaseSchema, { ...rabat, callerAccess: CaseAccess.EMERGENCY }))).toBe(false);
  });

  it("offers the handover to post managers for a post's case, LKHA caseworkers for LKHA's", () => {
    expect(mayRefer(rabat, "ROLE_POST_MANAGER")).toBe(true);
    expect(mayRefer(rabat, "ROLE_CONSULAR_OFFICER")).toBe(false);
    expect(mayRefer(rabat, "ROLE_LKHA_CASEWORKER")).toBe(false);
    expect(mayRefer(lkha, "ROLE_LKHA_CASEWORKER")).toBe(true);
    expect(mayRefer(lkha, "ROLE_POST_MANAGER")).toBe(false);
    expect(mayRefer(sharedWrite, "ROLE_POST_MANAGER")).toBe(false);
  });

  it("offers no second handover while one waits for an answer", () => {
    const waiting = create(CaseSchema, { ...rabat, pendingReferral: create(ReferralSchema, { toUnit: "TUNIS" }) });
    expect(mayRefer(waiting, "ROLE_POST_MANAGER")).toBe(false);
  });

  it("lets managers assign to anyone and officers take only a case nobody works", () => {
    expect(mayAssignOthers(rabat, "ROLE_POST_MANAGER")).toBe(true);
    expect(mayAssignOthers(rabat, "ROLE_CONSULAR_OFFICER")).toBe(false);
    expect(mayAssignOthers(lkha, "ROLE_LKHA_CASEWORKER")).toBe(true);
    expect(mayTakeCase(rabat, "ROLE_CONSULAR_OFFICER")).toBe(true);
    expect(mayTakeCase(create(CaseSchema, { ...rabat, assignedTo: "someone" }), "ROLE_CONSULAR_OFFICER")).toBe(false);
    expect(mayTakeCase(rabat, "ROLE_POST_MANAGER")).toBe(false);
    expect(mayTakeCase(sharedWrite, "ROLE_CONSULAR_OFFICER")).toBe(false);
  });

  it("looks for duplicates for the roles that work cases", () => {
    expect(["ROLE_CONSULAR_OFFICER", "ROLE_POST_MANAGER", "ROLE_LKHA_CASEWORKER"].every(mayFindDuplicates)).toBe(true);
    expect(["ROLE_POLICY_STAFF", "ROLE_AUDITOR", "ROLE_ADMINISTRATOR"].some(mayFindDuplicates)).toBe(false);
  });
});

describe("sharing", () => {
  const good = { grantee: " lkha ", access: ShareAccess.READ, legalBasis: " Art. 5 consular assistance ", until: "" };

  it("names every missing field", () => {
    expect(validateShare(rabat, emptyShareInput(), today)).toEqual({
      grantee: { key: "problem.required" },
      access: { key: "problem.choose" },
      legalBasis: { key: "problem.required" },
    });
    expect(validateShare(rabat, good, today)).toEqual({});
  });

  it("refuses the handling unit itself, a malformed code, a long basis and a past day", () => {
    const errors = validateShare(rabat, { ...good, grantee: "rabat", legalBasis: "x".repeat(301), until: "2026-12-06" }, today);
    expect(errors.grantee).toEqual({ key: "problem.unitIsHandling" });
    expect(errors.legalBasis).toEqual({ key: "problem.tooLong", params: { max: 300 } });
    expect(errors.until).toEqual({ key: "problem.past" });
    expect(validateShare(rabat, { ...good, grantee: "TU NIS" }, today).grantee).toEqual({ key: "problem.unitCode" });
    expect(validateShare(rabat, { ...good, grantee: "T" }, today).grantee).toEqual({ key: "problem.unitCode" });
    expect(validateShare(rabat, { ...good, grantee: "new-delhi" }, today)).toEqual({});
    expect(validateShare(rabat, { ...good, until: "2026-12-07" }, today)).toEqual({});
  });

  it("sends the unit in capitals, the basis trimmed, and no end without a day", () => {
    const r = buildShareRequest(rabat, good, "id-1");
    expect(r).toMatchObject({ requestId: "id-1", caseId: "c1", grantee: "LKHA", access: ShareAccess.READ, legalBasis: "Art. 5 consular assistance" });
    expect(r.expiresAt).toBeUndefined();
  });

  it("ends a share with a last day at the end of that day", () => {
    const r = buildShareRequest(rabat, { ...good, access: ShareAccess.READ_WRITE, until: "2027-01-31" }, "id-2");
    const end = timestampDate(r.expiresAt!);
    expect([end.getFullYear(), end.getMonth() + 1, end.getDate(), end.getHours(), end.getMinutes()]).toEqual([2027, 1, 31, 23, 59]);
  });

  it("keeps the request id while the same share is asked for", () => {
    expect(shareKey(rabat, good)).toBe(shareKey(rabat, { ...good, grantee: "LKHA", legalBasis: "Art. 5 consular assistance" }));
    expect(shareKey(rabat, good)).not.toBe(shareKey(rabat, { ...good, access: ShareAccess.READ_WRITE }));
  });

  it("revokes by the share's id", () => {
    expect(buildRevokeRequest("s1", "id-3")).toMatchObject({ requestId: "id-3", shareId: "s1" });
  });
});

describe("handover and assignment", () => {
  it("refers to a post, never to LKHA or the handling post, with the version read", () => {
    expect(validateRefer(rabat, { toPost: "", legalBasis: "" })).toEqual({ toPost: { key: "problem.required" }, legalBasis: { key: "problem.required" } });
    expect(validateRefer(rabat, { toPost: "lkha", legalBasis: "b" }).toPost).toEqual({ key: "problem.referToPost" });
    expect(validateRefer(rabat, { toPost: "RABAT", legalBasis: "b" }).toPost).toEqual({ key: "problem.unitIsHandling" });
    expect(buildReferRequest(rabat, { toPost: " tunis", legalBasis: " basis " }, "id-4")).toMatchObject({
      requestId: "id-4",
      caseId: "c1",
      toPost: "TUNIS",
      legalBasis: "basis",
      expectedVersion: 7n,
    });
  });

  it("assigns a named staff member on the version read", () => {
    expect(assigneeProblem("  ")).toEqual({ key: "problem.required" });
    expect(assigneeProblem("a\u0007b")).toEqual({ key: "problem.controlCharacters" });
    expect(assigneeProblem("x".repeat(129))).toEqual({ key: "problem.tooLong", params: { max: 128 } });
    expect(buildAssignRequest(lkha, " dev-lkha ", "id-5")).toMatchObject({ requestId: "id-5", caseId: "c2", assignee: "dev-lkha", expectedVersion: 3n });
  });
});

describe("finding by name", () => {
  it("needs a name of at most 200 characters and sends it trimmed", () => {
    expect(searchNameProblem(" ")).toEqual({ key: "problem.required" });
    expect(searchNameProblem("x".repeat(201))).toEqual({ key: "problem.tooLong", params: { max: 200 } });
    expect(buildSearchRequest("  José  María ")).toMatchObject({ name: "José  María", pageToken: "" });
    expect(buildSearchRequest("a", "t2").pageToken).toBe("t2");
  });
});
