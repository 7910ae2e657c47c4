// The audit trail's filters and the chain verification in words.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { VerifyChainResponseSchema } from "../gen/consular/v1/audit_pb";
import { setLanguage, t } from "../i18n/i18n";
import { auditFilterProblems, auditPageSize, buildAuditRequest, purposeText, verifySummary } from "./audit";
import { mayAudit } from "./roles";

describe("audit trail", () => {
  it("filters by case reference and actor, trimmed, page by page", () => {
    expect(buildAuditRequest({ caseRef: " ABN-2026-00001 ", actor: " officer-1 " }, "p2")).toMatchObject({
      caseId: "ABN-2026-00001",
      actor: "officer-1",
      pageSize: auditPageSize,
      pageToken: "p2",
    });
    expect(auditFilterProblems({ caseRef: "", actor: "" })).toEqual({});
    expect(auditFilterProblems({ caseRef: "ABN 2026", actor: "" }).caseRef?.key).toBe("problem.caseReference");
    expect(auditFilterProblems({ caseRef: "", actor: "x".repeat(129) }).actor?.key).toBe("problem.tooLong");
  });

  it("says whether the chain is intact, and where it broke", () => {
    setLanguage("en");
    const ok = verifySummary(create(VerifyChainResponseSchema, { ok: true, eventsChecked: 120n, watermark: 120n, pending: 3n }));
    expect(ok.ok).toBe(true);
    expect(t(ok.key, ok.params)).toBe("The chain is intact: 120 events checked up to position 120; 3 are still waiting to be chained.");
    const broken = verifySummary(create(VerifyChainResponseSchema, { ok: false, firstBrokenSeq: 42n, firstBrokenEventId: 57n, reason: "hash mismatch" }));
    expect(broken.ok).toBe(false);
    expect(t(broken.key, broken.params)).toBe("The chain is broken at position 42 (event 57): hash mismatch");
    setLanguage("nl");
  });

  it("is offered to auditors only", () => {
    expect(mayAudit("ROLE_AUDITOR")).toBe(true);
    expect(mayAudit("ROLE_POST_MANAGER")).toBe(false);
  });
});

describe("the purpose of a call in words", () => {
  it("puts each known part in the user's language and keeps an unknown one as recorded", () => {
    setLanguage("nl");
    expect(purposeText("casework; code word revealed")).toEqual(["zaakbehandeling", "codewoord getoond"]);
    expect(purposeText("emergency access")).toEqual(["noodtoegang"]);
    expect(purposeText("something new")).toEqual(["something new"]);
    expect(purposeText("")).toEqual([]);
    setLanguage("en");
    expect(purposeText("supervision")).toEqual(["supervision"]);
    setLanguage("nl");
  });
});
