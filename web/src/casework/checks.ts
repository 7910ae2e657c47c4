// The checks a form makes before it sends, the same the services make (so that most mistakes
// are shown at once, on the field): lengths in characters, required values, dates.
import { compareDates, parseIsoDate } from "../dates";
import type { CalendarDate } from "../format";
import type { Problem } from "./problems";

/** The length of a text as the services count it: in code points. */
export function charCount(value: string): number {
  return [...value].length;
}

export function textProblem(value: string, maxChars: number, required = false): Problem | undefined {
  if (required && value.trim() === "") return { key: "problem.required" };
  if (charCount(value) > maxChars) return { key: "problem.tooLong", params: { max: maxChars } };
  return undefined;
}

export function requiredChoice(value: number | string): Problem | undefined {
  return value === 0 || value === "" ? { key: "problem.choose" } : undefined;
}

export interface DateRules {
  required?: boolean;
  /** Not after this day (today: "not in the future"). */
  notAfter?: CalendarDate;
  /** Not before this day, when it is set. */
  notBefore?: CalendarDate;
}

/** A date field's value ("YYYY-MM-DD" or "") against its rules. */
export function dateProblem(value: string, rules: DateRules = {}): Problem | undefined {
  if (value.trim() === "") return rules.required ? { key: "problem.required" } : undefined;
  const d = parseIsoDate(value);
  if (!d) return { key: "problem.invalidDate" };
  if (rules.notAfter && compareDates(d, rules.notAfter) > 0) return { key: "problem.future" };
  if (rules.notBefore && compareDates(d, rules.notBefore) < 0) return { key: "problem.beforeEarlierDate" };
  return undefined;
}
