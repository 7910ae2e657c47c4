// Records management: which roles are offered holds, reviews and administration (as
// RecordsService rules them), the forms' checks, and what a destruction list's decisions mean.
import { create } from "@bufbuild/protobuf";
import { afterEach, describe, expect, it } from "vitest";
import { CaseType, Outcome } from "../gen/consular/v1/common_pb";
import {
  DestructionItemSchema,
  DestructionListSchema,
  DestructionListState,
  ReviewDecision,
  ReviewSlot,
} from "../gen/consular/v1/records_pb";
import {
  awaitsDecision,
  buildProposeRequest,
  buildReviewRequest,
  buildScheduleRequest,
  cutOffProblem,
  expectation,
  holdReasonProblem,
  processQuestion,
  processSummary,
  reviewCounts,
  reviewKey,
  reviewQuestion,
  validateReview,
  validateSchedule,
} from "./records";
import {
  mayAdministerDestruction,
  mayHoldCase,
  mayListDestructionLists,
  mayListLegalHolds,
  mayReviewItemOf,
  maySetRetentionSchedule,
  reviewSlotOf,
  unitOf,
} from "./roles";
import { setLanguage } from "../i18n/i18n";

const PM = "ROLE_POST_MANAGER";
const OFFICER = "ROLE_CONSULAR_OFFICER";
const LKHA = "ROLE_LKHA_CASEWORKER";
const AUDITOR = "ROLE_AUDITOR";
const ADMIN = "ROLE_ADMINISTRATOR";
const POLICY = "ROLE_POLICY_STAFF";

function item(ref: string, unit: string, handling?: ReviewDecision, auditor?: ReviewDecision) {
  const reviews = [];
  if (handling) reviews.push({ slot: ReviewSlot.HANDLING_UNIT, decision: handling, reason: "ok", reviewedBy: "pm" });
  if (auditor) reviews.push({ slot: ReviewSlot.AUDITOR, decision: auditor, reason: "ok", reviewedBy: "au" });
  return create(DestructionItemSchema, { caseId: `id-${ref}`, caseReference: ref, handlingUnit: unit, reviews });
}

describe("records roles", () => {
  it("lets administrators and LKHA hold any case, post managers only their post's", () => {
    expect(mayHoldCase(ADMIN, "", "RABAT")).toBe(true);
    expect(mayHoldCase(LKHA, "", "RABAT")).toBe(true);
    expect(mayHoldCase(PM, "RABAT", "RABAT")).toBe(true);
    expect(mayHoldCase(PM, "rabat", "RABAT")).toBe(true);
    expect(mayHoldCase(PM, "TUNIS", "RABAT")).toBe(false);
    expect(mayHoldCase(OFFICER, "RABAT", "RABAT")).toBe(false);
    expect(mayHoldCase(AUDITOR, "", "RABAT")).toBe(false);
    expect(mayHoldCase(POLICY, "", "RABAT")).toBe(false);
  });

  it("lists holds for those who place them and for auditors, never officers or policy staff", () => {
    expect([ADMIN, LKHA, PM, AUDITOR].every(mayListLegalHolds)).toBe(true);
    expect(mayListLegalHolds(OFFICER)).toBe(false);
    expect(mayListLegalHolds(POLICY)).toBe(false);
  });

  it("gives the handling-unit slot to post managers and LKHA caseworkers, the auditor slot to auditors", () => {
    expect(reviewSlotOf(PM)).toBe("handling-unit");
    expect(reviewSlotOf(LKHA)).toBe("handling-unit");
    expect(reviewSlotOf(AUDITOR)).toBe("auditor");
    expect(reviewSlotOf(ADMIN)).toBeUndefined();
    expect(reviewSlotOf(OFFICER)).toBeUndefined();
  });

  it("lets a unit's reviewer decide on its own unit's items only; an auditor on any", () => {
    expect(mayReviewItemOf(PM, "RABAT", "RABAT")).toBe(true);
    expect(mayReviewItemOf(PM, "RABAT", "LKHA")).toBe(false);
    expect(mayReviewItemOf(LKHA, "", "LKHA")).toBe(true);
    expect(mayReviewItemOf(LKHA, "", "RABAT")).toBe(false);
    expect(mayReviewItemOf(AUDITOR, "", "RABAT")).toBe(true);
    expect(mayReviewItemOf(ADMIN, "", "RABAT")).toBe(false);
    expect(unitOf(LKHA, "")).toBe("LKHA");
  });

  it("keeps proposing, processing and schedules to administrators; lists from officers and policy staff", () => {
    expect(mayAdministerDestruction(ADMIN)).toBe(true);
    expect([AUDITOR, PM, LKHA, OFFICER].some(mayAdministerDestruction)).toBe(false);
    expect(maySetRetentionSchedule(ADMIN)).toBe(true);
    expect(maySetRetentionSchedule(PM)).toBe(false);
    expect(mayListDestructionLists(OFFICER)).toBe(false);
    expect(mayListDestructionLists(POLICY)).toBe(false);
    expect(mayListDestructionLists(AUDITOR)).toBe(true);
  });
});

describe("the forms' checks", () => {
  it("wants a hold's reason of 10..300 characters", () => {
    expect(holdReasonProblem("")?.key).toBe("problem.required");
    expect(holdReasonProblem("   short  ")?.key).toBe("problem.tooShort");
    expect(holdReasonProblem("Court case 12/2026")).toBeUndefined();
    expect(holdReasonProblem("x".repeat(301))?.key).toBe("problem.tooLong");
    expect(holdReasonProblem("é".repeat(300))).toBeUndefined();
  });

  it("checks a schedule: a type, an outcome of that type, 0..100 whole years, a reason", () => {
    const base = { type: CaseType.ABANDONMENT, outcome: Outcome.UNSPECIFIED, years: "0", reason: "Selection list 2026" };
    expect(validateSchedule(base)).toEqual({});
    expect(validateSchedule({ ...base, type: CaseType.UNSPECIFIED }).type?.key).toBe("problem.choose");
    expect(validateSchedule({ ...base, outcome: Outcome.RECOGNISED }).outcome?.key).toBe("problem.outcomeForType");
    expect(validateSchedule({ ...base, years: "101" }).years?.key).toBe("problem.wholeNumber");
    expect(validateSchedule({ ...base, years: "7.5" }).years?.key).toBe("problem.wholeNumber");
    expect(validateSchedule({ ...base, years: "" }).years?.key).toBe("problem.required");
    expect(validateSchedule({ ...base, reason: "too short" }).reason?.key).toBe("problem.tooShort");
    const r = buildScheduleRequest({ ...base, outcome: Outcome.RETURNED_TO_NL, years: " 7 " }, "rid");
    expect([r.requestId, r.caseType, r.outcome, r.retentionYears]).toEqual(["rid", CaseType.ABANDONMENT, Outcome.RETURNED_TO_NL, 7]);
  });

  it("refuses a cut-off in the future and sends none for today", () => {
    const today = { year: 2026, month: 6, day: 30 };
    expect(cutOffProblem("", today)).toBeUndefined();
    expect(cutOffProblem("2026-06-30", today)).toBeUndefined();
    expect(cutOffProblem("2026-07-01", today)?.key).toBe("problem.future");
    expect(cutOffProblem("2026-02-30", today)?.key).toBe("problem.invalidDate");
    expect(buildProposeRequest("", "r").cutOff).toBeUndefined();
    expect(buildProposeRequest("2026-05-01", "r").cutOff).toMatchObject({ year: 2026, month: 5, day: 1 });
  });

  it("wants at least one decision and a reason of 3..300 characters", () => {
    expect(validateReview(new Map(), "ok").items?.key).toBe("problem.chooseItems");
    expect(validateReview(new Map([["a", ReviewDecision.UNSPECIFIED]]), "checked").items?.key).toBe("problem.chooseItems");
    expect(validateReview(new Map([["a", ReviewDecision.APPROVE]]), "ok").reason?.key).toBe("problem.tooShort");
    expect(validateReview(new Map([["a", ReviewDecision.EXCLUDE]]), "Checked")).toEqual({});
  });

  it("sends only the decided items, each with the reason, and keys the action on them", () => {
    const choices = new Map([
      ["b", ReviewDecision.EXCLUDE],
      ["a", ReviewDecision.APPROVE],
      ["c", ReviewDecision.UNSPECIFIED],
    ]);
    const r = buildReviewRequest("VL-2026-1", choices, " Checked ", "rid");
    expect(r.list).toBe("VL-2026-1");
    expect(r.decisions.map((d) => [d.caseId, d.decision, d.reason])).toEqual([
      ["a", ReviewDecision.APPROVE, "Checked"],
      ["b", ReviewDecision.EXCLUDE, "Checked"],
    ]);
    expect(reviewCounts(choices)).toEqual({ approve: 1, exclude: 1 });
    // The same decisions in another order are the same action; another reason is a new one.
    const again = new Map([["a", ReviewDecision.APPROVE], ["b", ReviewDecision.EXCLUDE]]);
    expect(reviewKey("VL-2026-1", again, "Checked")).toBe(reviewKey("VL-2026-1", choices, " Checked "));
    expect(reviewKey("VL-2026-1", again, "Checked twice")).not.toBe(reviewKey("VL-2026-1", choices, "Checked"));
  });
});

describe("what a destruction list's decisions mean", () => {
  it("lets an exclusion in either slot win over any approval", () => {
    expect(expectation(item("A", "RABAT", ReviewDecision.APPROVE, ReviewDecision.EXCLUDE))).toBe("excluded");
    expect(expectation(item("A", "RABAT", ReviewDecision.EXCLUDE, ReviewDecision.APPROVE))).toBe("excluded");
    expect(expectation(item("A", "RABAT", ReviewDecision.EXCLUDE))).toBe("excluded");
  });

  it("anonymises only what both slots approved", () => {
    expect(expectation(item("A", "RABAT", ReviewDecision.APPROVE, ReviewDecision.APPROVE))).toBe("anonymise");
    expect(expectation(item("A", "RABAT", ReviewDecision.APPROVE))).toBe("waiting");
    expect(expectation(item("A", "RABAT", undefined, ReviewDecision.APPROVE))).toBe("waiting");
    expect(expectation(item("A", "RABAT"))).toBe("waiting");
  });

  it("counts what processing would anonymise and skip", () => {
    const list = create(DestructionListSchema, {
      state: DestructionListState.OPEN,
      items: [
        item("A", "RABAT", ReviewDecision.APPROVE, ReviewDecision.APPROVE),
        item("B", "RABAT", ReviewDecision.APPROVE, ReviewDecision.EXCLUDE),
        item("C", "LKHA", ReviewDecision.APPROVE, ReviewDecision.APPROVE),
        item("D", "LKHA"),
      ],
    });
    expect(processSummary(list)).toEqual({ anonymise: 2, skip: 2 });
  });

  describe("the confirmations count each number in its own plural form", () => {
    afterEach(() => setLanguage("nl"));

    it("before processing", () => {
      setLanguage("nl");
      expect(processQuestion("VL-2026-1", { anonymise: 1, skip: 1 })).toBe(
        "Lijst VL-2026-1 verwerken: 1 zaak wordt geanonimiseerd (tenzij intussen heropend of onder bewaarplicht), " +
          "1 wordt overgeslagen. Anonimiseren kan niet ongedaan worden gemaakt.",
      );
      expect(processQuestion("VL-2026-1", { anonymise: 2, skip: 0 })).toContain("2 zaken worden geanonimiseerd (");
      expect(processQuestion("VL-2026-1", { anonymise: 2, skip: 0 })).toContain(", 0 worden overgeslagen.");
      setLanguage("en");
      expect(processQuestion("VL-2026-1", { anonymise: 1, skip: 3 })).toBe(
        "Process list VL-2026-1: 1 case will be anonymised (unless reopened or put on hold meanwhile), 3 will be skipped. " +
          "Anonymisation cannot be undone.",
      );
      expect(processQuestion("VL-2026-1", { anonymise: 0, skip: 1 })).toContain(": 0 cases will be anonymised (");
    });

    it("before recording a review", () => {
      setLanguage("nl");
      expect(reviewQuestion("VL-2026-1", { approve: 1, exclude: 1 })).toBe(
        "U keurt 1 zaak goed en sluit er 1 uit op lijst VL-2026-1. Deze beslissingen kunnen daarna niet meer worden gewijzigd.",
      );
      expect(reviewQuestion("VL-2026-1", { approve: 2, exclude: 0 })).toMatch(/^U keurt 2 zaken goed en sluit er 0 uit /);
      setLanguage("en");
      expect(reviewQuestion("VL-2026-1", { approve: 1, exclude: 2 })).toMatch(/^You approve 1 case and exclude 2 on list VL-2026-1\. /);
      expect(reviewQuestion("VL-2026-1", { approve: 0, exclude: 1 })).toMatch(/^You approve 0 cases and exclude 1 /);
    });
  });

  it("asks a slot for a decision only where it has none, on an open list", () => {
    const a = item("A", "RABAT", ReviewDecision.APPROVE);
    const open = create(DestructionListSchema, { state: DestructionListState.OPEN, items: [a] });
    expect(awaitsDecision(open, a, ReviewSlot.HANDLING_UNIT)).toBe(false);
    expect(awaitsDecision(open, a, ReviewSlot.AUDITOR)).toBe(true);
    const processed = create(DestructionListSchema, { state: DestructionListState.PROCESSED, items: [a] });
    expect(awaitsDecision(processed, a, ReviewSlot.AUDITOR)).toBe(false);
  });
});
