// The deadlines' order and urgency.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { DeadlineKind, DeadlineSchema } from "../gen/consular/v1/cases_pb";
import { sortDeadlines, urgency } from "./deadlines";

const d = (reference: string, day: number, daysLeft: number, warningWeeks = 0) =>
  create(DeadlineSchema, { reference, kind: DeadlineKind.FOLLOW_UP, dueOn: { year: 2026, month: 3, day }, daysLeft, passed: daysLeft < 0, warningWeeks });

describe("deadlines", () => {
  it("tells passed, warned and later apart", () => {
    expect(urgency(d("A", 1, -2))).toBe("passed");
    expect(urgency(d("A", 10, 5, 1))).toBe("warning");
    expect(urgency(d("A", 30, 25))).toBe("later");
  });

  it("puts passed ones first, then by day and reference", () => {
    const sorted = sortDeadlines([d("C", 20, 10, 4), d("B", 20, 10), d("A", 25, 15), d("Z", 3, -1), d("Y", 1, -3)]);
    expect(sorted.map((x) => x.reference)).toEqual(["Y", "Z", "B", "C", "A"]);
  });
});
