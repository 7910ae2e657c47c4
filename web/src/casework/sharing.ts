// Sharing, referral and assignment of a case, and finding cases by name: who is offered which
// action (the services still decide), the checks a form makes before it sends, and the requests.
// A share gives LKHA or another post access (ShareCase, until revoked or until the end of a day);
// a referral proposes handing the case to a post (ReferCase); AssignCase gives the case to a staff
// member of the handling unit (or an officer takes an unassigned one).
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  AssignCaseRequestSchema,
  CaseAccess,
  ReferCaseRequestSchema,
  RevokeShareRequestSchema,
  SearchCasesRequestSchema,
  ShareAccess,
  ShareCaseRequestSchema,
  type AssignCaseRequest,
  type Case,
  type ReferCaseRequest,
  type RevokeShareRequest,
  type SearchCasesRequest,
  type ShareCaseRequest,
} from "../gen/consular/v1/cases_pb";
import { compareDates, parseIsoDate } from "../dates";
import type { CalendarDate } from "../format";
import { requiredChoice, textProblem } from "./checks";
import type { Problem } from "./problems";

/** "LKHA" or a post code as the register has them (capitals, digits and dashes), from any case. */
export function normaliseUnit(value: string): string {
  return value.trim().toUpperCase();
}

export function unitProblem(value: string, handlingUnit: string, postOnly = false): Problem | undefined {
  const unit = normaliseUnit(value);
  if (unit === "") return { key: "problem.required" };
  // Post codes as the sign-in screen takes them (isPostCode); LKHA matches too.
  if (!/^[A-Z][A-Z0-9-]{1,31}$/.test(unit)) return { key: "problem.unitCode" };
  if (unit === normaliseUnit(handlingUnit)) return { key: "problem.unitIsHandling" };
  if (postOnly && unit === "LKHA") return { key: "problem.referToPost" };
  return undefined;
}

function handles(c: Case): boolean {
  return c.callerAccess === CaseAccess.HANDLING;
}

/** The handling unit (any of its staff) shares a case and revokes its shares. */
export function mayShare(c: Case): boolean {
  return handles(c);
}

/** Post managers refer their post's cases, LKHA caseworkers LKHA's; not while a referral waits. */
export function mayRefer(c: Case, role: string): boolean {
  if (!handles(c) || c.pendingReferral) return false;
  return c.handlingPost === "LKHA" ? role === "ROLE_LKHA_CASEWORKER" : role === "ROLE_POST_MANAGER";
}

/** Post managers (and LKHA caseworkers for LKHA's cases) give a case to a staff member. */
export function mayAssignOthers(c: Case, role: string): boolean {
  if (!handles(c)) return false;
  return c.handlingPost === "LKHA" ? role === "ROLE_LKHA_CASEWORKER" : role === "ROLE_POST_MANAGER";
}

/** An officer of the handling post may take a case nobody is assigned to. */
export function mayTakeCase(c: Case, role: string): boolean {
  return handles(c) && role === "ROLE_CONSULAR_OFFICER" && c.assignedTo === "";
}

/** Officers, post managers and LKHA caseworkers look for possible duplicates. */
export function mayFindDuplicates(role: string): boolean {
  return role === "ROLE_CONSULAR_OFFICER" || role === "ROLE_POST_MANAGER" || role === "ROLE_LKHA_CASEWORKER";
}

export interface ShareInput {
  grantee: string;
  access: ShareAccess;
  legalBasis: string;
  /** "YYYY-MM-DD", or "" for until revoked. */
  until: string;
}

export type ShareErrors = Partial<Record<keyof ShareInput, Problem>>;

export function emptyShareInput(): ShareInput {
  return { grantee: "", access: ShareAccess.UNSPECIFIED, legalBasis: "", until: "" };
}

export function validateShare(c: Case, input: ShareInput, today: CalendarDate): ShareErrors {
  const errors: ShareErrors = {};
  const grantee = unitProblem(input.grantee, c.handlingPost);
  if (grantee) errors.grantee = grantee;
  const access = requiredChoice(input.access);
  if (access) errors.access = access;
  const basis = textProblem(input.legalBasis, 300, true);
  if (basis) errors.legalBasis = basis;
  if (input.until.trim() !== "") {
    const d = parseIsoDate(input.until);
    if (!d) errors.until = { key: "problem.invalidDate" };
    else if (compareDates(d, today) < 0) errors.until = { key: "problem.past" };
  }
  return errors;
}

/** The end of the chosen day in the user's time zone: the share lasts that whole day. */
export function endOfDay(d: CalendarDate): Date {
  return new Date(d.year, d.month - 1, d.day, 23, 59, 59);
}

export function buildShareRequest(c: Case, input: ShareInput, requestId: string): ShareCaseRequest {
  const until = input.until.trim() ? parseIsoDate(input.until) : undefined;
  return create(ShareCaseRequestSchema, {
    requestId,
    caseId: c.id || c.reference,
    grantee: normaliseUnit(input.grantee),
    access: input.access,
    legalBasis: input.legalBasis.trim(),
    expiresAt: until ? timestampFromDate(endOfDay(until)) : undefined,
  });
}

/** The same action while the same share is asked for (a changed input is a new request id). */
export function shareKey(c: Case, input: ShareInput): string {
  return JSON.stringify([c.id || c.reference, normaliseUnit(input.grantee), input.access, input.legalBasis.trim(), input.until.trim()]);
}

export function buildRevokeRequest(shareId: string, requestId: string): RevokeShareRequest {
  return create(RevokeShareRequestSchema, { requestId, shareId });
}

export interface ReferInput {
  toPost: string;
  legalBasis: string;
}

export type ReferErrors = Partial<Record<keyof ReferInput, Problem>>;

export function validateRefer(c: Case, input: ReferInput): ReferErrors {
  const errors: ReferErrors = {};
  const post = unitProblem(input.toPost, c.handlingPost, true);
  if (post) errors.toPost = post;
  const basis = textProblem(input.legalBasis, 300, true);
  if (basis) errors.legalBasis = basis;
  return errors;
}

export function buildReferRequest(c: Case, input: ReferInput, requestId: string): ReferCaseRequest {
  return create(ReferCaseRequestSchema, {
    requestId,
    caseId: c.id || c.reference,
    toPost: normaliseUnit(input.toPost),
    legalBasis: input.legalBasis.trim(),
    expectedVersion: c.version,
  });
}

/** A staff member as a token names them: 1..128 printable characters, no spaces around. */
export function assigneeProblem(value: string): Problem | undefined {
  const v = value.trim();
  if (v === "") return { key: "problem.required" };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(v)) return { key: "problem.controlCharacters" };
  return textProblem(v, 128);
}

/** The assignee as given; "" takes the case off whoever works it (a manager unassigns). */
export function buildAssignRequest(c: Case, assignee: string, requestId: string): AssignCaseRequest {
  return create(AssignCaseRequestSchema, { requestId, caseId: c.id || c.reference, assignee: assignee.trim(), expectedVersion: c.version });
}

export const searchPageSize = 25;

export function searchNameProblem(name: string): Problem | undefined {
  return textProblem(name, 200, true);
}

export function buildSearchRequest(name: string, pageToken = ""): SearchCasesRequest {
  return create(SearchCasesRequestSchema, { name: name.trim(), pageSize: searchPageSize, pageToken });
}
