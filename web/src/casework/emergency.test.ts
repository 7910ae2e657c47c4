// Emergency access: the search's checks and request, opening and reviewing, and the countdown.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { EmergencyAccessSchema, EmergencyReview } from "../gen/consular/v1/cases_pb";
import {
  buildOpenRequest,
  buildReviewRequest,
  buildSearchRequest,
  formatCountdown,
  msUntil,
  openKey,
  ownActiveAccess,
  reasonProblem,
  validateSearch,
} from "./emergency";

const today = { year: 2026, month: 12, day: 7 };

describe("emergency search", () => {
  it("needs a name, a past date of birth and a reason of 10 to 2000 characters", () => {
    expect(validateSearch({ fullName: " ", dateOfBirth: "", reason: "" }, today)).toEqual({
      fullName: { key: "problem.required" },
      dateOfBirth: { key: "problem.required" },
      reason: { key: "problem.required" },
    });
    expect(validateSearch({ fullName: "A B", dateOfBirth: "2027-01-01", reason: "too short" }, today)).toEqual({
      dateOfBirth: { key: "problem.future" },
      reason: { key: "problem.tooShort", params: { min: 10 } },
    });
    expect(validateSearch({ fullName: "A B", dateOfBirth: "1990-02-30", reason: "x".repeat(2001) }, today)).toEqual({
      dateOfBirth: { key: "problem.invalidDate" },
      reason: { key: "problem.tooLong", params: { max: 2000 } },
    });
    expect(validateSearch({ fullName: "Fatima El Amrani", dateOfBirth: "1990-02-03", reason: "She called the post in danger" }, today)).toEqual({});
    expect(reasonProblem("  123456789  ")?.key).toBe("problem.tooShort");
    expect(reasonProblem("1234567890")).toBeUndefined();
  });

  it("sends the name, the date of birth and the reason trimmed", () => {
    const r = buildSearchRequest({ fullName: " Fatima El Amrani ", dateOfBirth: "1990-02-03", reason: " she called in danger " });
    expect(r.fullName).toBe("Fatima El Amrani");
    expect(r.dateOfBirth).toMatchObject({ year: 1990, month: 2, day: 3 });
    expect(r.reason).toBe("she called in danger");
  });
});

describe("emergency access", () => {
  it("opens by reference with the reason, the minutes and the request id", () => {
    expect(buildOpenRequest("ABN-2026-00001", " why it is needed ", 30, "id-1")).toMatchObject({
      requestId: "id-1",
      caseId: "ABN-2026-00001",
      reason: "why it is needed",
      minutes: 30,
    });
    expect(openKey("A", "reason ", 60)).toBe(openKey("A", "reason", 60));
    expect(openKey("A", "reason", 60)).not.toBe(openKey("A", "reason", 30));
  });

  it("reviews with the access's id", () => {
    expect(buildReviewRequest("g1", EmergencyReview.NOT_JUSTIFIED, "id-2")).toMatchObject({
      requestId: "id-2",
      emergencyAccessId: "g1",
      review: EmergencyReview.NOT_JUSTIFIED,
    });
  });

  it("finds the caller's own access to the case that ends last", () => {
    const now = new Date("2026-12-07T12:00:00Z");
    const at = (iso: string) => timestampFromDate(new Date(iso));
    const g = (id: string, actor: string, reference: string, end: string) =>
      create(EmergencyAccessSchema, { id, actor, caseId: `id-${reference}`, caseReference: reference, expiresAt: at(end) });
    const grants = [
      g("ended", "me", "A", "2026-12-07T11:59:00Z"),
      g("other", "someone", "A", "2026-12-07T14:00:00Z"),
      g("short", "me", "A", "2026-12-07T12:30:00Z"),
      g("long", "me", "A", "2026-12-07T13:00:00Z"),
      g("elsewhere", "me", "B", "2026-12-07T15:00:00Z"),
    ];
    expect(ownActiveAccess(grants, "id-A", "A", "me", now)?.id).toBe("long");
    expect(ownActiveAccess(grants, "", "A", "me", now)?.id).toBe("long");
    expect(ownActiveAccess(grants, "id-C", "C", "me", now)).toBeUndefined();
    expect(msUntil(at("2026-12-07T12:01:30Z"), now)).toBe(90000);
    expect(msUntil(at("2026-12-07T11:00:00Z"), now)).toBe(0);
  });

  it("counts down in minutes and seconds, and hours from an hour", () => {
    expect(formatCountdown(0)).toBe("0:00");
    expect(formatCountdown(-5000)).toBe("0:00");
    expect(formatCountdown(1)).toBe("0:01");
    expect(formatCountdown(59_000)).toBe("0:59");
    expect(formatCountdown(245_000)).toBe("4:05");
    expect(formatCountdown(59 * 60_000 + 59_500)).toBe("1:00:00");
    expect(formatCountdown(3_600_000 + 4 * 60_000 + 5_000)).toBe("1:04:05");
    expect(formatCountdown(8 * 3_600_000)).toBe("8:00:00");
  });
});
