// The life of a case (cases.proto, docs/api.md):
//   INTAKE -> ACTIVE <-> ON_HOLD -> RESOLVED -> CLOSED, and CLOSED -> ACTIVE (reopened);
//   ACTIVE and ON_HOLD may both be resolved.
// Which moves a screen offers the caller, which outcomes fit the case type, and the checks of
// the TransitionCase request.
import { create } from "@bufbuild/protobuf";
import { CaseAccess, TransitionCaseRequestSchema, type Case, type TransitionCaseRequest } from "../gen/consular/v1/cases_pb";
import { CaseStatus, CaseType, Outcome } from "../gen/consular/v1/common_pb";
import { textProblem } from "./checks";
import type { Problem } from "./problems";

const moves: Readonly<Record<CaseStatus, readonly CaseStatus[]>> = {
  [CaseStatus.UNSPECIFIED]: [],
  [CaseStatus.INTAKE]: [CaseStatus.ACTIVE],
  [CaseStatus.ACTIVE]: [CaseStatus.ON_HOLD, CaseStatus.RESOLVED],
  [CaseStatus.ON_HOLD]: [CaseStatus.ACTIVE, CaseStatus.RESOLVED],
  [CaseStatus.RESOLVED]: [CaseStatus.CLOSED],
  [CaseStatus.CLOSED]: [CaseStatus.ACTIVE],
};

/** The statuses a case may move to from `from`, whoever asks. */
export function nextStatuses(from: CaseStatus): readonly CaseStatus[] {
  return moves[from] ?? [];
}

/** Closing and reopening: for a post manager of the handling post or an LKHA caseworker. */
export function needsManager(from: CaseStatus, to: CaseStatus): boolean {
  return to === CaseStatus.CLOSED || from === CaseStatus.CLOSED;
}

function mayChange(access: CaseAccess): boolean {
  return access === CaseAccess.HANDLING || access === CaseAccess.SHARED_READ_WRITE;
}

export interface TransitionOption {
  to: CaseStatus;
  /** The caller may make this move; otherwise it needs a manager of the handling post. */
  allowed: boolean;
}

/** The moves to offer on a case: none through read-only access; closing and reopening marked. */
export function transitionOptions(c: Case, role: string): TransitionOption[] {
  if (!mayChange(c.callerAccess)) return [];
  const manager =
    c.callerAccess === CaseAccess.HANDLING && (role === "ROLE_POST_MANAGER" || role === "ROLE_LKHA_CASEWORKER");
  return nextStatuses(c.status).map((to) => ({ to, allowed: !needsManager(c.status, to) || manager }));
}

const abandonmentOutcomes = [
  Outcome.RETURNED_TO_NL,
  Outcome.STAYED_BY_OWN_CHOICE,
  Outcome.RETURN_NOT_POSSIBLE,
  Outcome.CONTACT_LOST,
  Outcome.REFERRED_ELSEWHERE,
  Outcome.WITHDRAWN,
] as const;

const divorceOutcomes = [
  Outcome.RECOGNISED,
  Outcome.REFUSED,
  Outcome.ALTERNATIVE_SOLUTION,
  Outcome.PROCEEDINGS_ABANDONED,
  Outcome.WITHDRAWN,
] as const;

/** The outcomes a case of this type may be resolved with. */
export function outcomesFor(type: CaseType): readonly Outcome[] {
  if (type === CaseType.ABANDONMENT) return abandonmentOutcomes;
  if (type === CaseType.FOREIGN_DIVORCE_RECOGNITION) return divorceOutcomes;
  return [];
}

export interface TransitionInput {
  to: CaseStatus;
  reason: string;
  outcome: Outcome;
}

export type TransitionErrors = Partial<Record<"reason" | "outcome", Problem>>;

export function validateTransition(c: Case, input: TransitionInput): TransitionErrors {
  const errors: TransitionErrors = {};
  const reason = textProblem(input.reason, 2000, true);
  if (reason) errors.reason = reason;
  if (input.to === CaseStatus.RESOLVED) {
    if (input.outcome === Outcome.UNSPECIFIED) errors.outcome = { key: "problem.choose" };
    else if (!outcomesFor(c.type).includes(input.outcome)) errors.outcome = { key: "problem.outcomeForType" };
  }
  return errors;
}

export function buildTransitionRequest(c: Case, input: TransitionInput, requestId: string): TransitionCaseRequest {
  return create(TransitionCaseRequestSchema, {
    requestId,
    caseId: c.id || c.reference,
    targetStatus: input.to,
    reason: input.reason.trim(),
    outcome: input.to === CaseStatus.RESOLVED ? input.outcome : Outcome.UNSPECIFIED,
    expectedVersion: c.version,
  });
}

/** The request without its id, as text: the same text is the same submission. */
export function transitionKey(c: Case, input: TransitionInput): string {
  const r = buildTransitionRequest(c, input, "");
  return JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}
