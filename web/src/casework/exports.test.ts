// Subject access and bulk exports: who may ask, answer and download (as ExportService rules
// them), the forms' checks, the words for where a request stands, the requests sent (the password
// never in an action's key) and the names of downloaded files.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { CaseStatus, CaseType } from "../gen/consular/v1/common_pb";
import { ExportDecision, ExportSchema, ExportState, SubjectAccessRequestSchema } from "../gen/consular/v1/exports_pb";
import { FormAction } from "../rpc";
import {
  buildExportAnswer,
  buildExportRequest,
  buildSubjectAccessAnswer,
  emptyExportAnswer,
  emptyExportRequest,
  exportAnswerKey,
  exportDownloadable,
  exportStateKey,
  looksLikePublicKey,
  safeFileName,
  subjectAccessFileName,
  subjectAccessStateKey,
  validateExportAnswer,
  validateExportRequest,
  validateSubjectAccess,
  validateSubjectAccessAnswer,
} from "./exports";
import { mayAnswerExportRequest, mayDownloadExport, mayObtainSubjectAccess, mayRequestSubjectAccess, usesExports } from "./roles";

const now = new Date("2026-06-10T12:00:00Z");
const later = timestampFromDate(new Date("2026-06-12T12:00:00Z"));
const earlier = timestampFromDate(new Date("2026-06-09T12:00:00Z"));
const key = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBF...\n-----END PGP PUBLIC KEY BLOCK-----\n";

describe("export roles", () => {
  it("serves officers, post managers and LKHA caseworkers only", () => {
    expect(["ROLE_CONSULAR_OFFICER", "ROLE_POST_MANAGER", "ROLE_LKHA_CASEWORKER"].every(usesExports)).toBe(true);
    expect(["ROLE_AUDITOR", "ROLE_ADMINISTRATOR", "ROLE_POLICY_STAFF"].some(usesExports)).toBe(false);
  });

  it("lets the handling unit's staff record a subject-access request, not a unit with a share", () => {
    expect(mayRequestSubjectAccess("ROLE_CONSULAR_OFFICER", true)).toBe(true);
    expect(mayRequestSubjectAccess("ROLE_POST_MANAGER", false)).toBe(false);
    expect(mayRequestSubjectAccess("ROLE_AUDITOR", true)).toBe(false);
  });

  it("lets a post manager of the unit answer, LKHA's another caseworker, never the requester", () => {
    expect(mayAnswerExportRequest("ROLE_POST_MANAGER", "RABAT", "dev-post-manager-rabat", "RABAT", "dev-officer-rabat")).toBe(true);
    expect(mayAnswerExportRequest("ROLE_POST_MANAGER", "RABAT", "pm", "RABAT", "pm")).toBe(false);
    expect(mayAnswerExportRequest("ROLE_POST_MANAGER", "TUNIS", "pm", "RABAT", "officer")).toBe(false);
    expect(mayAnswerExportRequest("ROLE_CONSULAR_OFFICER", "RABAT", "o2", "RABAT", "o1")).toBe(false);
    expect(mayAnswerExportRequest("ROLE_LKHA_CASEWORKER", "", "lkha-2", "LKHA", "lkha-1")).toBe(true);
    expect(mayAnswerExportRequest("ROLE_LKHA_CASEWORKER", "", "lkha-1", "LKHA", "lkha-1")).toBe(false);
    expect(mayAnswerExportRequest("ROLE_POST_MANAGER", "RABAT", "pm", "LKHA", "lkha-1")).toBe(false);
  });

  it("hands a subject-access export to the requester or the approver, a bulk export to the requester", () => {
    expect(mayObtainSubjectAccess("o", "o", "pm")).toBe(true);
    expect(mayObtainSubjectAccess("pm", "o", "pm")).toBe(true);
    expect(mayObtainSubjectAccess("o2", "o", "pm")).toBe(false);
    expect(mayObtainSubjectAccess("", "o", "")).toBe(false);
    expect(mayDownloadExport("o", "o")).toBe(true);
    expect(mayDownloadExport("pm", "o")).toBe(false);
  });
});

describe("subject access", () => {
  it("wants a language and a note of at most 500 characters", () => {
    expect(validateSubjectAccess({ language: "", note: "Letter of 3 March" }).language?.key).toBe("problem.choose");
    expect(validateSubjectAccess({ language: "nl", note: " " }).note?.key).toBe("problem.required");
    expect(validateSubjectAccess({ language: "en", note: "x".repeat(501) }).note?.key).toBe("problem.tooLong");
    expect(validateSubjectAccess({ language: "en", note: "Letter of 3 March" })).toEqual({});
  });

  it("approves with 1..30 days (empty is the service's 14) or refuses with a reason", () => {
    expect(validateSubjectAccessAnswer({ decision: ExportDecision.UNSPECIFIED, days: "", reason: "" }).decision?.key).toBe("problem.choose");
    expect(validateSubjectAccessAnswer({ decision: ExportDecision.APPROVE, days: "", reason: "" })).toEqual({});
    expect(validateSubjectAccessAnswer({ decision: ExportDecision.APPROVE, days: "31", reason: "" }).days?.key).toBe("problem.wholeNumber");
    expect(validateSubjectAccessAnswer({ decision: ExportDecision.REFUSE, days: "", reason: "" }).reason?.key).toBe("problem.required");
    const approve = buildSubjectAccessAnswer("id", { decision: ExportDecision.APPROVE, days: "", reason: "ignored" }, "r");
    expect([approve.availableDays, approve.reason]).toEqual([0, ""]);
    const refuse = buildSubjectAccessAnswer("id", { decision: ExportDecision.REFUSE, days: "9", reason: " Not her " }, "r");
    expect([refuse.availableDays, refuse.reason]).toEqual([0, "Not her"]);
  });

  it("says where a request stands; an approved one past its day is expired", () => {
    const r = (state: ExportState, availableUntil = later) => create(SubjectAccessRequestSchema, { state, availableUntil });
    expect(subjectAccessStateKey(r(ExportState.PENDING), now)).toBe("exportState.pending");
    expect(subjectAccessStateKey(r(ExportState.APPROVED), now)).toBe("exportState.approved");
    expect(subjectAccessStateKey(r(ExportState.APPROVED, earlier), now)).toBe("exportState.expired");
    expect(subjectAccessStateKey(r(ExportState.REFUSED), now)).toBe("exportState.refused");
  });

  it("names the downloads after the service's stem, without a path", () => {
    expect(subjectAccessFileName("subject-access-ABN-2026-00042", "html")).toBe("subject-access-ABN-2026-00042.html");
    expect(subjectAccessFileName("subject-access-ABN-2026-00042", "json")).toBe("subject-access-ABN-2026-00042.json");
    expect(subjectAccessFileName("../../etc/passwd", "html")).toBe("passwd.html");
    expect(subjectAccessFileName("", "json")).toBe("subject-access.json");
    expect(safeFileName("export ABN/é.zip", "export")).toBe("_.zip");
  });
});

describe("bulk exports", () => {
  it("checks the request: an optional filter, a legal basis of 10..300, a recipient, a purpose", () => {
    const base = { ...emptyExportRequest(), legalBasis: "Court order 2026/113", recipient: "District court", purpose: "Proceedings" };
    expect(validateExportRequest(base)).toEqual({});
    expect(validateExportRequest({ ...base, country: "Morocco" }).country?.key).toBe("problem.country");
    expect(validateExportRequest({ ...base, legalBasis: "order" }).legalBasis?.key).toBe("problem.tooShort");
    expect(validateExportRequest({ ...base, recipient: "" }).recipient?.key).toBe("problem.required");
    expect(validateExportRequest({ ...base, openedFrom: "2026-05-01", openedTo: "2026-04-01" }).openedTo?.key).toBe("problem.beforeEarlierDate");
    const r = buildExportRequest({ ...base, country: "ma", type: CaseType.ABANDONMENT, status: CaseStatus.ACTIVE, openedFrom: "2026-01-01" }, "rid");
    expect(r.filter?.country).toBe("MA");
    expect(r.filter?.openedFrom).toMatchObject({ year: 2026, month: 1, day: 1 });
    expect(r.filter?.openedTo).toBeUndefined();
  });

  it("approves with either a password typed twice (12+) or a public key, an expiry and downloads", () => {
    const a = { ...emptyExportAnswer(), decision: ExportDecision.APPROVE };
    expect(validateExportAnswer(a).protection?.key).toBe("problem.choose");
    const pw = { ...a, protection: "password" as const, password: "correct horse battery", passwordAgain: "correct horse battery" };
    expect(validateExportAnswer(pw)).toEqual({});
    expect(validateExportAnswer({ ...pw, password: "short", passwordAgain: "short" }).password?.key).toBe("problem.tooShort");
    expect(validateExportAnswer({ ...pw, passwordAgain: "correct horse battery!" }).passwordAgain?.key).toBe("problem.passwordsDiffer");
    expect(validateExportAnswer({ ...pw, expiryDays: "31" }).expiryDays?.key).toBe("problem.wholeNumber");
    expect(validateExportAnswer({ ...pw, downloads: "0" }).downloads?.key).toBe("problem.wholeNumber");
    const pgp = { ...a, protection: "openpgp" as const, publicKey: key };
    expect(validateExportAnswer(pgp)).toEqual({});
    expect(validateExportAnswer({ ...pgp, publicKey: "ssh-rsa AAAA" }).publicKey?.key).toBe("problem.publicKey");
    expect(looksLikePublicKey("-----BEGIN PGP PRIVATE KEY BLOCK-----\nx\n-----END PGP PRIVATE KEY BLOCK-----")).toBe(false);
    const refuse = { ...emptyExportAnswer(), decision: ExportDecision.REFUSE };
    expect(validateExportAnswer(refuse).reason?.key).toBe("problem.required");
  });

  it("sends exactly one protection, and never keys an action on the password", () => {
    const pw = { ...emptyExportAnswer(), decision: ExportDecision.APPROVE, protection: "password" as const, password: "correct horse battery", passwordAgain: "correct horse battery", expiryDays: "7", downloads: "2" };
    const r = buildExportAnswer("e1", pw, "rid");
    expect(r.protection).toEqual({ case: "password", value: "correct horse battery" });
    expect([r.expiryDays, r.downloadsAllowed, r.reason]).toEqual([7, 2, ""]);
    const k = exportAnswerKey("e1", pw);
    expect(k).not.toContain("correct horse");
    // Typed again after a network failure: the same action, so the same request id.
    const form = new FormAction<unknown>();
    const first = form.for(k);
    expect(form.for(exportAnswerKey("e1", { ...pw, password: "", passwordAgain: "" }))).toBe(first);
    expect(form.for(exportAnswerKey("e1", { ...pw, downloads: "3" }))).not.toBe(first);
    const pgp = buildExportAnswer("e1", { ...pw, protection: "openpgp", publicKey: key }, "rid");
    expect(pgp.protection.case).toBe("openpgpPublicKey");
    const refused = buildExportAnswer("e1", { ...emptyExportAnswer(), decision: ExportDecision.REFUSE, reason: " No basis " }, "rid");
    expect([refused.protection.case, refused.reason, refused.expiryDays]).toEqual([undefined, "No basis", 0]);
  });

  it("says where an export stands and whether it can still be downloaded", () => {
    const e = (over: Partial<{ state: ExportState; downloadsLeft: number; fileDestroyed: boolean; expiresAt: typeof later }>) =>
      create(ExportSchema, { state: ExportState.APPROVED, downloadsLeft: 1, downloadsAllowed: 2, expiresAt: later, ...over });
    expect(exportStateKey(e({}), now)).toBe("exportState.approved");
    expect(exportDownloadable(e({}), now)).toBe(true);
    expect(exportStateKey(e({ downloadsLeft: 0 }), now)).toBe("exportState.usedUp");
    expect(exportDownloadable(e({ downloadsLeft: 0 }), now)).toBe(false);
    expect(exportStateKey(e({ expiresAt: earlier }), now)).toBe("exportState.expired");
    expect(exportDownloadable(e({ expiresAt: earlier }), now)).toBe(false);
    expect(exportDownloadable(e({ fileDestroyed: true }), now)).toBe(false);
    expect(exportStateKey(e({ state: ExportState.PENDING }), now)).toBe("exportState.pending");
    expect(exportDownloadable(e({ state: ExportState.PENDING }), now)).toBe(false);
    expect(exportStateKey(e({ state: ExportState.REFUSED }), now)).toBe("exportState.refused");
  });
});
