// Records management without DOM: the checks of the forms as RecordsService makes them (a hold's
// reason 10..300 characters, a reviewer's 3..300, a schedule's years 0..100), the requests, and
// what a destruction list's items say: each slot's decision, and what processing would do.
import { create } from "@bufbuild/protobuf";
import { CaseType, Outcome } from "../gen/consular/v1/common_pb";
import {
  DestructionListState,
  DestructionResult,
  ReviewDecision,
  ReviewSlot,
  LiftLegalHoldRequestSchema,
  PlaceLegalHoldRequestSchema,
  ProcessDestructionListRequestSchema,
  ProposeDestructionListRequestSchema,
  ReviewDestructionItemsRequestSchema,
  SetRetentionScheduleRequestSchema,
  type DestructionItem,
  type DestructionList,
  type DestructionReview,
  type LiftLegalHoldRequest,
  type PlaceLegalHoldRequest,
  type ProcessDestructionListRequest,
  type ProposeDestructionListRequest,
  type ReviewDestructionItemsRequest,
  type SetRetentionScheduleRequest,
} from "../gen/consular/v1/records_pb";
import { compareDates, parseIsoDate } from "../dates";
import type { CalendarDate } from "../format";
import { t, tPlural } from "../i18n/i18n";
import { charCount, requiredChoice } from "./checks";
import type { Problem } from "./problems";
import type { ReviewSlotName } from "./roles";
import { outcomesFor } from "./transitions";

/** A hold's, a lift's and a schedule change's reason: 10..300 characters. */
export const minReasonChars = 10;
export const maxReasonChars = 300;
/** A reviewer's reason: 3..300 characters. */
export const minReviewReasonChars = 3;
export const maxRetentionYears = 100;

/** A required text of min..max characters (counted as the services count them, trimmed). */
export function lengthProblem(value: string, min: number, max: number): Problem | undefined {
  const text = value.trim();
  if (text === "") return { key: "problem.required" };
  if (charCount(text) < min) return { key: "problem.tooShort", params: { min } };
  if (charCount(text) > max) return { key: "problem.tooLong", params: { max } };
  return undefined;
}

export function holdReasonProblem(reason: string): Problem | undefined {
  return lengthProblem(reason, minReasonChars, maxReasonChars);
}

export function buildPlaceHoldRequest(caseId: string, reason: string, requestId: string): PlaceLegalHoldRequest {
  return create(PlaceLegalHoldRequestSchema, { requestId, caseId, reason: reason.trim() });
}

export function buildLiftHoldRequest(holdId: string, reason: string, requestId: string): LiftLegalHoldRequest {
  return create(LiftLegalHoldRequestSchema, { requestId, holdId, reason: reason.trim() });
}

// ---- Retention schedules ---------------------------------------------------------------------

export interface ScheduleInput {
  type: CaseType;
  /** UNSPECIFIED: the type's default. */
  outcome: Outcome;
  /** As typed. */
  years: string;
  reason: string;
}

export type ScheduleField = keyof ScheduleInput;
export type ScheduleErrors = Partial<Record<ScheduleField, Problem>>;

export function emptyScheduleInput(): ScheduleInput {
  return { type: CaseType.UNSPECIFIED, outcome: Outcome.UNSPECIFIED, years: "", reason: "" };
}

/** Whole years 0..100 as typed ("7"), else undefined. */
export function parseYears(value: string): number | undefined {
  const s = value.trim();
  if (!/^\d{1,3}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= maxRetentionYears ? n : undefined;
}

export function validateSchedule(input: ScheduleInput): ScheduleErrors {
  const errors: ScheduleErrors = {};
  const type = requiredChoice(input.type);
  if (type) errors.type = type;
  else if (input.outcome !== Outcome.UNSPECIFIED && !outcomesFor(input.type).includes(input.outcome)) {
    errors.outcome = { key: "problem.outcomeForType" };
  }
  if (input.years.trim() === "") errors.years = { key: "problem.required" };
  else if (parseYears(input.years) === undefined) errors.years = { key: "problem.wholeNumber", params: { min: 0, max: maxRetentionYears } };
  const reason = lengthProblem(input.reason, minReasonChars, maxReasonChars);
  if (reason) errors.reason = reason;
  return errors;
}

export function buildScheduleRequest(input: ScheduleInput, requestId: string): SetRetentionScheduleRequest {
  return create(SetRetentionScheduleRequestSchema, {
    requestId,
    caseType: input.type,
    outcome: input.outcome,
    retentionYears: parseYears(input.years) ?? -1,
    reason: input.reason.trim(),
  });
}

export function scheduleKey(input: ScheduleInput): string {
  return JSON.stringify([input.type, input.outcome, input.years.trim(), input.reason.trim()]);
}

/** The field of the schedule form a service path names. */
export function scheduleFieldOf(path: string): ScheduleField | undefined {
  const fields: Record<string, ScheduleField> = { case_type: "type", outcome: "outcome", retention_years: "years", reason: "reason" };
  return fields[path];
}

// ---- Destruction lists -----------------------------------------------------------------------

export function slotNumber(slot: ReviewSlotName): ReviewSlot {
  return slot === "auditor" ? ReviewSlot.AUDITOR : ReviewSlot.HANDLING_UNIT;
}

/** The decision given in a slot, if any. */
export function reviewIn(item: DestructionItem, slot: ReviewSlot): DestructionReview | undefined {
  return item.reviews.find((r) => r.slot === slot && r.decision !== ReviewDecision.UNSPECIFIED);
}

/** Whether an item still waits for a decision in the slot (on an open list). */
export function awaitsDecision(list: DestructionList, item: DestructionItem, slot: ReviewSlot): boolean {
  return list.state === DestructionListState.OPEN && reviewIn(item, slot) === undefined;
}

export type Expectation = "anonymise" | "excluded" | "waiting";

/**
 * What processing would do with an item as its decisions stand: an exclusion in either slot
 * always wins; approved in both slots it is anonymised (unless the case was reopened or put on
 * hold since, which only the service knows); anything less is skipped as not approved.
 */
export function expectation(item: DestructionItem): Expectation {
  const unit = reviewIn(item, ReviewSlot.HANDLING_UNIT)?.decision;
  const auditor = reviewIn(item, ReviewSlot.AUDITOR)?.decision;
  if (unit === ReviewDecision.EXCLUDE || auditor === ReviewDecision.EXCLUDE) return "excluded";
  if (unit === ReviewDecision.APPROVE && auditor === ReviewDecision.APPROVE) return "anonymise";
  return "waiting";
}

/** How many items processing would anonymise, and how many it would skip. */
export function processSummary(list: DestructionList): { anonymise: number; skip: number } {
  const anonymise = list.items.filter((i) => expectation(i) === "anonymise").length;
  return { anonymise, skip: list.items.length - anonymise };
}

/**
 * The question before processing list `number`: how many cases will be anonymised and how many
 * skipped, each counted in its own plural form ("1 zaak wordt geanonimiseerd, 1 wordt
 * overgeslagen").
 */
export function processQuestion(number: string, summary: { anonymise: number; skip: number }): string {
  return t("destruction.processQuestion", {
    number,
    anonymise: tPlural("destruction.willAnonymise", summary.anonymise),
    skip: tPlural("destruction.willSkip", summary.skip),
  });
}

/** The question before recording a reviewer's decisions on list `number`. */
export function reviewQuestion(number: string, counts: { approve: number; exclude: number }): string {
  return t("destruction.reviewQuestion", { number, approve: tPlural("destruction.reviewApprove", counts.approve), excluded: counts.exclude });
}

/** What processing did with the items: the count of each result. */
export function resultCounts(list: DestructionList): Map<DestructionResult, number> {
  const counts = new Map<DestructionResult, number>();
  for (const i of list.items) {
    if (i.result === DestructionResult.UNSPECIFIED) continue;
    counts.set(i.result, (counts.get(i.result) ?? 0) + 1);
  }
  return counts;
}

/** A reviewer's choices for the items of one list: the case id and the decision, or none. */
export type ReviewChoices = ReadonlyMap<string, ReviewDecision>;

export interface ReviewErrors {
  items?: Problem;
  reason?: Problem;
}

export function validateReview(choices: ReviewChoices, reason: string): ReviewErrors {
  const errors: ReviewErrors = {};
  const chosen = [...choices.values()].filter((d) => d !== ReviewDecision.UNSPECIFIED);
  if (chosen.length === 0) errors.items = { key: "problem.chooseItems" };
  else if (chosen.length > 500) errors.items = { key: "problem.tooManyItems", params: { max: 500 } };
  const r = lengthProblem(reason, minReviewReasonChars, maxReasonChars);
  if (r) errors.reason = r;
  return errors;
}

/** How many approvals and exclusions the choices hold. */
export function reviewCounts(choices: ReviewChoices): { approve: number; exclude: number } {
  let approve = 0;
  let exclude = 0;
  for (const d of choices.values()) {
    if (d === ReviewDecision.APPROVE) approve += 1;
    else if (d === ReviewDecision.EXCLUDE) exclude += 1;
  }
  return { approve, exclude };
}

export function buildReviewRequest(list: string, choices: ReviewChoices, reason: string, requestId: string): ReviewDestructionItemsRequest {
  const decisions = [...choices.entries()]
    .filter(([, d]) => d !== ReviewDecision.UNSPECIFIED)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([caseId, decision]) => ({ caseId, decision, reason: reason.trim() }));
  return create(ReviewDestructionItemsRequestSchema, { requestId, list, decisions });
}

/** The same review (the same list, decisions and reason) is the same action. */
export function reviewKey(list: string, choices: ReviewChoices, reason: string): string {
  return JSON.stringify(buildReviewRequest(list, choices, reason, "").decisions.map((d) => [d.caseId, d.decision, d.reason]).concat([[list]]));
}

/** A cut-off for a proposal: empty (today) or a day not after today. */
export function cutOffProblem(value: string, today: CalendarDate): Problem | undefined {
  if (value.trim() === "") return undefined;
  const d = parseIsoDate(value);
  if (!d) return { key: "problem.invalidDate" };
  if (compareDates(d, today) > 0) return { key: "problem.future" };
  return undefined;
}

export function buildProposeRequest(cutOff: string, requestId: string): ProposeDestructionListRequest {
  const d = cutOff.trim() ? parseIsoDate(cutOff) : undefined;
  return create(ProposeDestructionListRequestSchema, { requestId, cutOff: d });
}

export function buildProcessRequest(list: string, requestId: string): ProcessDestructionListRequest {
  return create(ProcessDestructionListRequestSchema, { requestId, list });
}
