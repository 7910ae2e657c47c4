// Emergency ("break-glass") access: the search by exact name and date of birth
// (CaseService.EmergencySearch), opening a case read-only for a limited time
// (OpenEmergencyAccess), the countdown to its end, and the review (ReviewEmergencyAccess).
import { create } from "@bufbuild/protobuf";
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import {
  EmergencySearchRequestSchema,
  OpenEmergencyAccessRequestSchema,
  ReviewEmergencyAccessRequestSchema,
  type EmergencyAccess,
  type EmergencyReview,
  type EmergencySearchRequest,
  type OpenEmergencyAccessRequest,
  type ReviewEmergencyAccessRequest,
} from "../gen/consular/v1/cases_pb";
import { localDate, parseIsoDate } from "../dates";
import { charCount, dateProblem, textProblem } from "./checks";
import type { Problem } from "./problems";

export const minReasonChars = 10;
export const maxReasonChars = 2000;
export const maxNameChars = 200;
/** How long the access lasts: the service's default is 60 minutes, at most 480. */
export const minutesChoices = [15, 30, 60, 120, 240, 480] as const;
export const defaultMinutes = 60;

/** A reason for an emergency search or access: required, 10..2000 characters. */
export function reasonProblem(reason: string): Problem | undefined {
  const problem = textProblem(reason, maxReasonChars, true);
  if (problem) return problem;
  if (charCount(reason.trim()) < minReasonChars) return { key: "problem.tooShort", params: { min: minReasonChars } };
  return undefined;
}

export interface SearchInput {
  fullName: string;
  dateOfBirth: string; // YYYY-MM-DD
  reason: string;
}

export type SearchField = keyof SearchInput;
export type SearchErrors = Partial<Record<SearchField, Problem>>;

export function validateSearch(input: SearchInput, today = localDate()): SearchErrors {
  const errors: SearchErrors = {};
  const name = textProblem(input.fullName, maxNameChars, true);
  if (name) errors.fullName = name;
  const dob = dateProblem(input.dateOfBirth, { required: true, notAfter: today });
  if (dob) errors.dateOfBirth = dob;
  const reason = reasonProblem(input.reason);
  if (reason) errors.reason = reason;
  return errors;
}

export function buildSearchRequest(input: SearchInput): EmergencySearchRequest {
  return create(EmergencySearchRequestSchema, {
    fullName: input.fullName.trim(),
    dateOfBirth: parseIsoDate(input.dateOfBirth.trim()),
    reason: input.reason.trim(),
  });
}

export function buildOpenRequest(reference: string, reason: string, minutes: number, requestId: string): OpenEmergencyAccessRequest {
  return create(OpenEmergencyAccessRequestSchema, { requestId, caseId: reference, reason: reason.trim(), minutes });
}

/** The same opening is the same action (one request_id); another reason or length a new one. */
export function openKey(reference: string, reason: string, minutes: number): string {
  return JSON.stringify([reference, reason.trim(), minutes]);
}

export function buildReviewRequest(id: string, review: EmergencyReview, requestId: string): ReviewEmergencyAccessRequest {
  return create(ReviewEmergencyAccessRequestSchema, { requestId, emergencyAccessId: id, review });
}

/** The caller's own access to a case that has not ended yet, the one ending last. */
export function ownActiveAccess(grants: readonly EmergencyAccess[], caseId: string, reference: string, subject: string, now: Date): EmergencyAccess | undefined {
  let best: EmergencyAccess | undefined;
  for (const g of grants) {
    if (g.actor !== subject || !g.expiresAt) continue;
    if (g.caseId !== caseId && g.caseReference !== reference) continue;
    if (timestampDate(g.expiresAt).getTime() <= now.getTime()) continue;
    if (!best || timestampDate(g.expiresAt) > timestampDate(best.expiresAt!)) best = g;
  }
  return best;
}

/** Milliseconds until a moment; 0 once it has passed. */
export function msUntil(end: Timestamp, now: Date): number {
  return Math.max(0, timestampDate(end).getTime() - now.getTime());
}

/** Time left as a clock: "4:05" under an hour, "1:04:05" from an hour; whole seconds, rounded up. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const ss = String(seconds).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${ss}` : `${minutes}:${ss}`;
}
