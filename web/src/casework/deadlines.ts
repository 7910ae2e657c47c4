// The unit's deadlines (CaseService.ListDeadlines): most urgent first, and how urgent each is.
import type { Deadline } from "../gen/consular/v1/cases_pb";

/** How far ahead the list looks, in days (the service's default is 56: eight weeks). */
export const deadlineWindows = [14, 56, 182] as const;
export const defaultDeadlineWindow = 56;

export type Urgency = "passed" | "warning" | "later";

/** Passed; within its warning (weeks before the day); or not yet near. */
export function urgency(d: Pick<Deadline, "passed" | "warningWeeks" | "daysLeft">): Urgency {
  if (d.passed || d.daysLeft < 0) return "passed";
  if (d.warningWeeks > 0) return "warning";
  return "later";
}

function dayNumber(d: Deadline): number {
  const due = d.dueOn;
  return due ? due.year * 10000 + due.month * 100 + due.day : Number.MAX_SAFE_INTEGER;
}

/**
 * Most urgent first: passed ones, then by day, then by reference, as the service sends them;
 * sorted here as well so that the order holds whatever the page adds.
 */
export function sortDeadlines(deadlines: readonly Deadline[]): Deadline[] {
  return [...deadlines].sort((a, b) => {
    const pa = urgency(a) === "passed" ? 0 : 1;
    const pb = urgency(b) === "passed" ? 0 : 1;
    if (pa !== pb) return pa - pb;
    const da = dayNumber(a) - dayNumber(b);
    if (da !== 0) return da;
    return a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0;
  });
}
