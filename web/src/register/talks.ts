// The bilateral-talks register (BilateralService) as the forms see it: which changes a talk's
// status allows, the checks each form makes before it sends (the same the service makes), and the
// requests the forms send. Dates are "YYYY-MM-DD" as <input type="date"> gives them; "today" is
// the services' today (UTC).
import { create } from "@bufbuild/protobuf";
import {
  AddCommitmentRequestSchema,
  CancelTalkRequestSchema,
  CloseCommitmentRequestSchema,
  DossierFormat,
  ListCommitmentsRequestSchema,
  ListDecisionsRequestSchema,
  ListTalksRequestSchema,
  ListUnraisedCountriesRequestSchema,
  MarkTalkHeldRequestSchema,
  PlanTalkRequestSchema,
  PostponeTalkRequestSchema,
  RaiseDecision,
  RecordDecisionRequestSchema,
  RecordTalkRequestSchema,
  ReplanTalkRequestSchema,
  StoreBriefingRequestSchema,
  TalkLevel,
  TalkStatus,
  TalkTopic,
  type AddCommitmentRequest,
  type CancelTalkRequest,
  type CloseCommitmentRequest,
  type Figure,
  type ListCommitmentsRequest,
  type ListDecisionsRequest,
  type ListTalksRequest,
  type ListUnraisedCountriesRequest,
  type MarkTalkHeldRequest,
  type PlanTalkRequest,
  type PostponeTalkRequest,
  type RecordDecisionRequest,
  type RecordTalkRequest,
  type ReplanTalkRequest,
  type StoreBriefingRequest,
} from "../gen/consular/v1/statistics_pb";
import { isFocusCountry } from "../countries";
import { compareDates, noDate, parseIsoDate, utcDate } from "../dates";
import type { CalendarDate } from "../format";
import { dateProblem, requiredChoice, textProblem } from "../casework/checks";
import type { Problem } from "../casework/problems";

export const registerPageSize = 50;

// ---- Status changes -------------------------------------------------------------------------

export type TalkAction = "held" | "postpone" | "replan" | "cancel";

/**
 * The changes a talk's status allows (statistics.proto): PLANNED -> HELD | POSTPONED | CANCELLED;
 * POSTPONED -> PLANNED | HELD | CANCELLED; HELD and CANCELLED are final.
 */
export function talkActions(status: TalkStatus): TalkAction[] {
  switch (status) {
    case TalkStatus.PLANNED:
      return ["held", "postpone", "cancel"];
    case TalkStatus.POSTPONED:
      return ["held", "replan", "cancel"];
    default:
      return [];
  }
}

/** Commitments are made at a held talk only. */
export function mayAddCommitment(status: TalkStatus): boolean {
  return status === TalkStatus.HELD;
}

/** A briefing is stored for any talk but a cancelled one. */
export function mayStoreBriefing(status: TalkStatus): boolean {
  return status !== TalkStatus.CANCELLED && status !== TalkStatus.UNSPECIFIED;
}

export interface TransitionInput {
  /** held: the day it was held; postpone, replan: the new planned day; cancel: unused. */
  date: string;
  /** held: the outcome; the others: the reason. */
  text: string;
}

export type TransitionErrors = Partial<Record<"date" | "text", Problem>>;

/** A planned day: required, a date, today or later. */
function plannedDayProblem(value: string, today: CalendarDate): Problem | undefined {
  const p = dateProblem(value, { required: true });
  if (p) return p;
  return compareDates(parseIsoDate(value)!, today) < 0 ? { key: "problem.past" } : undefined;
}

export function validateTransition(action: TalkAction, input: TransitionInput, today: CalendarDate = utcDate()): TransitionErrors {
  const errors: TransitionErrors = {};
  const put = (f: keyof TransitionErrors, p: Problem | undefined) => {
    if (p) errors[f] = p;
  };
  switch (action) {
    case "held":
      put("date", dateProblem(input.date, { required: true, notAfter: today }));
      put("text", textProblem(input.text, 2000));
      break;
    case "postpone":
    case "replan":
      put("date", plannedDayProblem(input.date, today));
      put("text", textProblem(input.text, 2000));
      break;
    case "cancel":
      put("text", textProblem(input.text, 2000, true));
      break;
  }
  return errors;
}

export type TransitionRequest =
  | { method: "markTalkHeld"; request: MarkTalkHeldRequest }
  | { method: "postponeTalk"; request: PostponeTalkRequest }
  | { method: "replanTalk"; request: ReplanTalkRequest }
  | { method: "cancelTalk"; request: CancelTalkRequest };

/** The request of a checked transition. */
export function buildTransitionRequest(action: TalkAction, talkId: string, input: TransitionInput, requestId: string): TransitionRequest {
  const date = parseIsoDate(input.date) ?? noDate;
  const text = input.text.trim();
  switch (action) {
    case "held":
      return { method: "markTalkHeld", request: create(MarkTalkHeldRequestSchema, { requestId, talkId, heldOn: date, outcome: text }) };
    case "postpone":
      return { method: "postponeTalk", request: create(PostponeTalkRequestSchema, { requestId, talkId, plannedOn: date, reason: text }) };
    case "replan":
      return { method: "replanTalk", request: create(ReplanTalkRequestSchema, { requestId, talkId, plannedOn: date, reason: text }) };
    case "cancel":
      return { method: "cancelTalk", request: create(CancelTalkRequestSchema, { requestId, talkId, reason: text }) };
  }
}

/** What identifies one transition as a user action (the same key keeps the same request_id). */
export function transitionKey(action: TalkAction, talkId: string, input: TransitionInput): string {
  return JSON.stringify([action, talkId, action === "cancel" ? "" : input.date, input.text.trim()]);
}

// ---- A new talk -----------------------------------------------------------------------------

/** "record": a talk already held (RecordTalk); "plan": a talk to be held (PlanTalk). */
export type TalkMode = "record" | "plan";

export interface TalkInput {
  country: string;
  level: TalkLevel;
  topics: TalkTopic[];
  summary: string;
  /** record: the day held; plan: the day planned. */
  date: string;
  /** record only */
  outcome: string;
  followUp: string;
  followUpDue: string;
  /** "" the calendar year of the talk's day, else a year such as "2025". */
  statisticsYear: string;
}

export type TalkField = keyof TalkInput;
export type TalkErrors = Partial<Record<TalkField, Problem>>;

export function emptyTalkInput(): TalkInput {
  return { country: "", level: TalkLevel.UNSPECIFIED, topics: [], summary: "", date: "", outcome: "", followUp: "", followUpDue: "", statisticsYear: "" };
}

function countryProblem(code: string): Problem | undefined {
  if (code === "") return { key: "problem.choose" };
  return isFocusCountry(code) ? undefined : { key: "problem.country" };
}

export function validateTalk(mode: TalkMode, input: TalkInput, today: CalendarDate = utcDate()): TalkErrors {
  const errors: TalkErrors = {};
  const put = (f: TalkField, p: Problem | undefined) => {
    if (p) errors[f] = p;
  };
  put("country", countryProblem(input.country));
  put("level", requiredChoice(input.level));
  if (input.topics.length === 0) put("topics", { key: "problem.choose" });
  put("summary", textProblem(input.summary, 4000, true));
  if (mode === "record") {
    put("date", dateProblem(input.date, { required: true, notAfter: today }));
    put("outcome", textProblem(input.outcome, 2000));
    put("followUp", textProblem(input.followUp, 2000));
    const held = parseIsoDate(input.date);
    put("followUpDue", dateProblem(input.followUpDue, { notBefore: held }));
  } else {
    put("date", plannedDayProblem(input.date, today));
  }
  if (input.statisticsYear.trim() !== "") {
    const y = Number(input.statisticsYear.trim());
    if (!/^\d{4}$/.test(input.statisticsYear.trim()) || y < 2000 || y > 2100) put("statisticsYear", { key: "problem.year" });
  }
  return errors;
}

function talkMessage(mode: TalkMode, input: TalkInput) {
  const date = parseIsoDate(input.date) ?? noDate;
  const year = input.statisticsYear.trim();
  return {
    country: input.country,
    level: input.level,
    topics: [...new Set(input.topics)].sort((a, b) => a - b),
    summary: input.summary.trim(),
    ...(mode === "record"
      ? { heldOn: date, outcome: input.outcome.trim(), followUp: input.followUp.trim(), followUpDue: parseIsoDate(input.followUpDue) }
      : { plannedOn: date }),
    statisticsPeriod: year ? { kind: { case: "year" as const, value: Number(year) } } : undefined,
  };
}

export function buildRecordTalkRequest(input: TalkInput, requestId: string): RecordTalkRequest {
  return create(RecordTalkRequestSchema, { requestId, talk: talkMessage("record", input) });
}

export function buildPlanTalkRequest(input: TalkInput, requestId: string): PlanTalkRequest {
  return create(PlanTalkRequestSchema, { requestId, talk: talkMessage("plan", input) });
}

/** What identifies one new talk as a user action. */
export function talkKey(mode: TalkMode, input: TalkInput): string {
  const m = talkMessage(mode, input);
  return JSON.stringify([mode, m]);
}

/** The form's field for a path the service named ("talk.held_on"). */
export function talkFieldOfPath(path: string): TalkField | undefined {
  const p = path.replace(/^talk\./, "").replace(/\[\d+\]$/, "");
  const fields: Record<string, TalkField> = {
    country: "country",
    level: "level",
    topics: "topics",
    summary: "summary",
    held_on: "date",
    planned_on: "date",
    outcome: "outcome",
    follow_up: "followUp",
    follow_up_due: "followUpDue",
    statistics_period: "statisticsYear",
  };
  return fields[p] ?? (p.startsWith("statistics_period") ? "statisticsYear" : undefined);
}

export function buildListTalksRequest(country: string, pageToken: string): ListTalksRequest {
  return create(ListTalksRequestSchema, { country, pageSize: registerPageSize, pageToken });
}

// ---- Commitments ----------------------------------------------------------------------------

export interface CommitmentInput {
  text: string;
  owner: string;
  dueOn: string;
}

export type CommitmentErrors = Partial<Record<keyof CommitmentInput, Problem>>;

export function emptyCommitmentInput(): CommitmentInput {
  return { text: "", owner: "", dueOn: "" };
}

/** A commitment of a talk held on heldOn. */
export function validateCommitment(input: CommitmentInput, heldOn: CalendarDate | undefined): CommitmentErrors {
  const errors: CommitmentErrors = {};
  const put = (f: keyof CommitmentInput, p: Problem | undefined) => {
    if (p) errors[f] = p;
  };
  put("text", textProblem(input.text, 2000, true));
  put("owner", textProblem(input.owner, 200, true));
  put("dueOn", dateProblem(input.dueOn, { required: true, notBefore: heldOn }));
  return errors;
}

export function buildAddCommitmentRequest(talkId: string, input: CommitmentInput, requestId: string): AddCommitmentRequest {
  return create(AddCommitmentRequestSchema, {
    requestId,
    talkId,
    text: input.text.trim(),
    owner: input.owner.trim(),
    dueOn: parseIsoDate(input.dueOn) ?? noDate,
  });
}

export function closingNoteProblem(note: string): Problem | undefined {
  return textProblem(note, 2000, true);
}

export function buildCloseCommitmentRequest(commitmentId: string, note: string, requestId: string): CloseCommitmentRequest {
  return create(CloseCommitmentRequestSchema, { requestId, commitmentId, closingNote: note.trim() });
}

export function buildListCommitmentsRequest(country: string, openOnly: boolean, pageToken: string): ListCommitmentsRequest {
  return create(ListCommitmentsRequestSchema, { country, openOnly, pageSize: registerPageSize, pageToken });
}

// ---- Decisions ------------------------------------------------------------------------------

/** The topics a decision may be about. */
export const decisionTopics = [TalkTopic.ABANDONMENT, TalkTopic.DIVORCE_RECOGNITION] as const;

export interface DecisionInput {
  country: string;
  topic: TalkTopic;
  decision: RaiseDecision;
  level: TalkLevel;
  reasons: string;
  decidedOn: string;
}

export type DecisionField = keyof DecisionInput;
export type DecisionErrors = Partial<Record<DecisionField, Problem>>;

export function emptyDecisionInput(): DecisionInput {
  return { country: "", topic: TalkTopic.UNSPECIFIED, decision: RaiseDecision.UNSPECIFIED, level: TalkLevel.UNSPECIFIED, reasons: "", decidedOn: "" };
}

export function validateDecision(input: DecisionInput, today: CalendarDate = utcDate()): DecisionErrors {
  const errors: DecisionErrors = {};
  const put = (f: DecisionField, p: Problem | undefined) => {
    if (p) errors[f] = p;
  };
  put("country", countryProblem(input.country));
  put("topic", (decisionTopics as readonly TalkTopic[]).includes(input.topic) ? undefined : { key: "problem.choose" });
  put("decision", requiredChoice(input.decision));
  put("level", requiredChoice(input.level));
  put("reasons", textProblem(input.reasons, 4000, true));
  put("decidedOn", dateProblem(input.decidedOn, { required: true, notAfter: today }));
  return errors;
}

export function buildRecordDecisionRequest(input: DecisionInput, requestId: string): RecordDecisionRequest {
  return create(RecordDecisionRequestSchema, {
    requestId,
    decision: {
      country: input.country,
      topic: input.topic,
      decision: input.decision,
      level: input.level,
      reasons: input.reasons.trim(),
      decidedOn: parseIsoDate(input.decidedOn) ?? noDate,
    },
  });
}

export function decisionKey(input: DecisionInput): string {
  return JSON.stringify({ ...input, reasons: input.reasons.trim() });
}

/** The form's field for a path the service named ("decision.decided_on"). */
export function decisionFieldOfPath(path: string): DecisionField | undefined {
  const p = path.replace(/^decision\./, "");
  const fields: Record<string, DecisionField> = {
    country: "country",
    topic: "topic",
    decision: "decision",
    level: "level",
    reasons: "reasons",
    decided_on: "decidedOn",
  };
  return fields[p];
}

export function buildListDecisionsRequest(country: string, pageToken: string): ListDecisionsRequest {
  return create(ListDecisionsRequestSchema, { country, pageSize: registerPageSize, pageToken });
}

/** The years the unraised list may look back (ListUnraisedCountries: 1..25). */
export const unraisedYearChoices = [1, 2, 3, 5, 10, 25] as const;

export function buildListUnraisedRequest(years: number, roundToBase5: boolean): ListUnraisedCountriesRequest {
  return create(ListUnraisedCountriesRequestSchema, { years, roundToBase5 });
}

// ---- Briefings ------------------------------------------------------------------------------

export const briefingFormats = [DossierFormat.HTML, DossierFormat.CSV, DossierFormat.JSON] as const;

export function buildStoreBriefingRequest(talkId: string, language: "nl" | "en", format: DossierFormat, requestId: string): StoreBriefingRequest {
  return create(StoreBriefingRequestSchema, { requestId, talkId, language, format });
}

/** A download name without a path or characters a file system refuses. */
export function safeFilename(name: string, fallback = "briefing"): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = base.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "");
  return clean || fallback;
}

// ---- Figures --------------------------------------------------------------------------------

/** A published figure, or "suppressed" (never shown as a number, never as 0). */
export function figureValue(f: Figure | undefined): { suppressed: true } | { suppressed: false; value: number } {
  if (!f || f.suppressed) return { suppressed: true };
  return { suppressed: false, value: Number(f.value) };
}

/** The newest planned or held day of a talk, for lists. */
export function talkDay(talk: { status: TalkStatus; heldOn?: CalendarDate; plannedOn?: CalendarDate }): CalendarDate | undefined {
  return talk.status === TalkStatus.HELD ? talk.heldOn : talk.plannedOn;
}
