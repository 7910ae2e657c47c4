// Subject access and bulk exports without DOM: the checks of the forms as ExportService makes
// them, the requests, the words for where a request stands, and the names of downloaded files.
import { create } from "@bufbuild/protobuf";
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { CaseStatus, CaseType } from "../gen/consular/v1/common_pb";
import {
  AnswerExportRequestSchema,
  AnswerSubjectAccessRequestSchema,
  DownloadExportRequestSchema,
  ExportDecision,
  ExportState,
  RequestExportRequestSchema,
  RequestSubjectAccessRequestSchema,
  type AnswerExportRequest,
  type AnswerSubjectAccessRequest,
  type DownloadExportRequest,
  type Export,
  type RequestExportRequest,
  type RequestSubjectAccessRequest,
  type SubjectAccessRequest,
} from "../gen/consular/v1/exports_pb";
import { compareDates, parseIsoDate } from "../dates";
import type { MessageKey } from "../i18n/i18n";
import { charCount, dateProblem } from "./checks";
import type { Problem } from "./problems";
import { lengthProblem } from "./records";

export const maxNoteChars = 500;
export const maxRefusalChars = 300;
export const defaultAvailableDays = 14;
export const maxAvailableDays = 30;
export const minPasswordChars = 12;
export const maxPasswordChars = 200;
export const maxExpiryDays = 30;
export const maxDownloads = 10;

/** A whole number from..to as typed, else undefined. */
export function parseWhole(value: string, from: number, to: number): number | undefined {
  const s = value.trim();
  if (!/^\d{1,4}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= from && n <= to ? n : undefined;
}

function wholeProblem(value: string, from: number, to: number): Problem | undefined {
  if (value.trim() === "") return { key: "problem.required" };
  return parseWhole(value, from, to) === undefined ? { key: "problem.wholeNumber", params: { min: from, max: to } } : undefined;
}

// ---- Subject access --------------------------------------------------------------------------

export interface SubjectAccessInput {
  language: "nl" | "en" | "";
  note: string;
}

export type SubjectAccessErrors = Partial<Record<keyof SubjectAccessInput, Problem>>;

export function validateSubjectAccess(input: SubjectAccessInput): SubjectAccessErrors {
  const errors: SubjectAccessErrors = {};
  if (input.language !== "nl" && input.language !== "en") errors.language = { key: "problem.choose" };
  const note = lengthProblem(input.note, 1, maxNoteChars);
  if (note) errors.note = note;
  return errors;
}

export function buildSubjectAccessRequest(caseId: string, input: SubjectAccessInput, requestId: string): RequestSubjectAccessRequest {
  return create(RequestSubjectAccessRequestSchema, { requestId, caseId, language: input.language, note: input.note.trim() });
}

export function subjectAccessKey(caseId: string, input: SubjectAccessInput): string {
  return JSON.stringify([caseId, input.language, input.note.trim()]);
}

/** An answer to a request: approve (with the days it may be obtained, or for an export the
 * protection) or refuse with a reason. */
export interface SubjectAccessAnswer {
  decision: ExportDecision;
  /** APPROVE: 1..30 as typed; empty means 14. */
  days: string;
  /** REFUSE: 1..300 characters. */
  reason: string;
}

export type AnswerErrors = Partial<Record<"decision" | "days" | "reason", Problem>>;

export function validateSubjectAccessAnswer(a: SubjectAccessAnswer): AnswerErrors {
  const errors: AnswerErrors = {};
  if (a.decision === ExportDecision.UNSPECIFIED) errors.decision = { key: "problem.choose" };
  if (a.decision === ExportDecision.APPROVE && a.days.trim() !== "" && parseWhole(a.days, 1, maxAvailableDays) === undefined) {
    errors.days = { key: "problem.wholeNumber", params: { min: 1, max: maxAvailableDays } };
  }
  if (a.decision === ExportDecision.REFUSE) {
    const r = lengthProblem(a.reason, 1, maxRefusalChars);
    if (r) errors.reason = r;
  }
  return errors;
}

export function buildSubjectAccessAnswer(id: string, a: SubjectAccessAnswer, requestId: string): AnswerSubjectAccessRequest {
  const approve = a.decision === ExportDecision.APPROVE;
  return create(AnswerSubjectAccessRequestSchema, {
    requestId,
    subjectAccessId: id,
    decision: a.decision,
    reason: approve ? "" : a.reason.trim(),
    availableDays: approve ? (parseWhole(a.days, 1, maxAvailableDays) ?? 0) : 0,
  });
}

export function subjectAccessAnswerKey(id: string, a: SubjectAccessAnswer): string {
  const r = buildSubjectAccessAnswer(id, a, "");
  return JSON.stringify([id, r.decision, r.reason, r.availableDays]);
}

/** The file name of a subject-access export: the service's stem (made safe) and the format's extension. */
export function subjectAccessFileName(stem: string, format: "html" | "json"): string {
  const base = safeFileName(stem, "subject-access");
  return `${base}.${format}`;
}

/** A download name without a path or characters a file system refuses. */
export function safeFileName(name: string, fallback: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = base.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "");
  return clean || fallback;
}

// ---- Where a request stands ------------------------------------------------------------------

function passed(ts: Timestamp | undefined, now: Date): boolean {
  return ts !== undefined && timestampDate(ts).getTime() <= now.getTime();
}

/** The words for where a subject-access request stands (an approved one past its day is expired). */
export function subjectAccessStateKey(r: SubjectAccessRequest, now: Date): MessageKey {
  switch (r.state) {
    case ExportState.PENDING:
      return "exportState.pending";
    case ExportState.APPROVED:
      return passed(r.availableUntil, now) ? "exportState.expired" : "exportState.approved";
    case ExportState.REFUSED:
      return "exportState.refused";
    case ExportState.EXPIRED:
      return "exportState.expired";
    default:
      return "exportState.unknown";
  }
}

/** Whether the requester may still download a bulk export: approved, not expired, downloads left, file held. */
export function exportDownloadable(e: Export, now: Date): boolean {
  return e.state === ExportState.APPROVED && !e.fileDestroyed && e.downloadsLeft > 0 && !passed(e.expiresAt, now);
}

/** The words for where a bulk export stands. */
export function exportStateKey(e: Export, now: Date): MessageKey {
  switch (e.state) {
    case ExportState.PENDING:
      return "exportState.pending";
    case ExportState.REFUSED:
      return "exportState.refused";
    case ExportState.APPROVED:
      if (passed(e.expiresAt, now)) return "exportState.expired";
      if (e.fileDestroyed || e.downloadsLeft <= 0) return "exportState.usedUp";
      return "exportState.approved";
    case ExportState.EXPIRED:
      return e.downloadsLeft <= 0 && !passed(e.expiresAt, now) ? "exportState.usedUp" : "exportState.expired";
    default:
      return "exportState.unknown";
  }
}

// ---- Bulk export: the request ----------------------------------------------------------------

export interface ExportRequestInput {
  country: string;
  type: CaseType;
  status: CaseStatus;
  openedFrom: string;
  openedTo: string;
  legalBasis: string;
  recipient: string;
  purpose: string;
}

export type ExportRequestField = keyof ExportRequestInput;
export type ExportRequestErrors = Partial<Record<ExportRequestField, Problem>>;

export function emptyExportRequest(): ExportRequestInput {
  return { country: "", type: CaseType.UNSPECIFIED, status: CaseStatus.UNSPECIFIED, openedFrom: "", openedTo: "", legalBasis: "", recipient: "", purpose: "" };
}

export function validateExportRequest(input: ExportRequestInput): ExportRequestErrors {
  const errors: ExportRequestErrors = {};
  const country = input.country.trim().toUpperCase();
  if (country !== "" && !/^[A-Z]{2}$/.test(country)) errors.country = { key: "problem.country" };
  const from = dateProblem(input.openedFrom);
  if (from) errors.openedFrom = from;
  const to = dateProblem(input.openedTo);
  if (to) errors.openedTo = to;
  const f = parseIsoDate(input.openedFrom);
  const t = parseIsoDate(input.openedTo);
  if (!from && !to && f && t && compareDates(t, f) < 0) errors.openedTo = { key: "problem.beforeEarlierDate" };
  const basis = lengthProblem(input.legalBasis, 10, 300);
  if (basis) errors.legalBasis = basis;
  const recipient = lengthProblem(input.recipient, 1, 200);
  if (recipient) errors.recipient = recipient;
  const purpose = lengthProblem(input.purpose, 1, 300);
  if (purpose) errors.purpose = purpose;
  return errors;
}

export function buildExportRequest(input: ExportRequestInput, requestId: string): RequestExportRequest {
  return create(RequestExportRequestSchema, {
    requestId,
    filter: {
      country: input.country.trim().toUpperCase(),
      type: input.type,
      status: input.status,
      openedFrom: parseIsoDate(input.openedFrom),
      openedTo: parseIsoDate(input.openedTo),
    },
    legalBasis: input.legalBasis.trim(),
    recipient: input.recipient.trim(),
    purpose: input.purpose.trim(),
  });
}

export function exportRequestKey(input: ExportRequestInput): string {
  const r = buildExportRequest(input, "");
  return JSON.stringify([input.country.trim().toUpperCase(), input.type, input.status, input.openedFrom, input.openedTo, r.legalBasis, r.recipient, r.purpose]);
}

/** The field of the request form a service path names. */
export function exportRequestFieldOf(path: string): ExportRequestField | undefined {
  const fields: Record<string, ExportRequestField> = {
    "filter.country": "country",
    "filter.type": "type",
    "filter.status": "status",
    "filter.opened_from": "openedFrom",
    "filter.opened_to": "openedTo",
    legal_basis: "legalBasis",
    recipient: "recipient",
    purpose: "purpose",
  };
  return fields[path];
}

// ---- Bulk export: the answer -----------------------------------------------------------------

export type Protection = "password" | "openpgp" | "";

export interface ExportAnswerInput {
  decision: ExportDecision;
  protection: Protection;
  /** Held only until the call is sent; cleared after it, whatever its outcome. */
  password: string;
  passwordAgain: string;
  publicKey: string;
  expiryDays: string;
  downloads: string;
  reason: string;
}

export type ExportAnswerField = keyof ExportAnswerInput;
export type ExportAnswerErrors = Partial<Record<ExportAnswerField, Problem>>;

export function emptyExportAnswer(): ExportAnswerInput {
  return { decision: ExportDecision.UNSPECIFIED, protection: "", password: "", passwordAgain: "", publicKey: "", expiryDays: "7", downloads: "1", reason: "" };
}

/** An ASCII-armored OpenPGP public key block, as a recipient sends it. */
export function looksLikePublicKey(text: string): boolean {
  const s = text.trim();
  return /^-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]+-----END PGP PUBLIC KEY BLOCK-----$/.test(s);
}

export function validateExportAnswer(a: ExportAnswerInput): ExportAnswerErrors {
  const errors: ExportAnswerErrors = {};
  if (a.decision === ExportDecision.UNSPECIFIED) {
    errors.decision = { key: "problem.choose" };
    return errors;
  }
  if (a.decision === ExportDecision.REFUSE) {
    const r = lengthProblem(a.reason, 1, maxRefusalChars);
    if (r) errors.reason = r;
    return errors;
  }
  if (a.protection === "") errors.protection = { key: "problem.choose" };
  if (a.protection === "password") {
    // The password as typed: spaces count, nothing is trimmed.
    const n = charCount(a.password);
    if (n === 0) errors.password = { key: "problem.required" };
    else if (n < minPasswordChars) errors.password = { key: "problem.tooShort", params: { min: minPasswordChars } };
    else if (n > maxPasswordChars) errors.password = { key: "problem.tooLong", params: { max: maxPasswordChars } };
    if (!errors.password && a.passwordAgain !== a.password) errors.passwordAgain = { key: "problem.passwordsDiffer" };
  }
  if (a.protection === "openpgp") {
    if (a.publicKey.trim() === "") errors.publicKey = { key: "problem.required" };
    else if (!looksLikePublicKey(a.publicKey)) errors.publicKey = { key: "problem.publicKey" };
  }
  const days = wholeProblem(a.expiryDays, 1, maxExpiryDays);
  if (days) errors.expiryDays = days;
  const downloads = wholeProblem(a.downloads, 1, maxDownloads);
  if (downloads) errors.downloads = downloads;
  return errors;
}

export function buildExportAnswer(id: string, a: ExportAnswerInput, requestId: string): AnswerExportRequest {
  if (a.decision === ExportDecision.REFUSE) {
    return create(AnswerExportRequestSchema, { requestId, exportId: id, decision: a.decision, reason: a.reason.trim() });
  }
  return create(AnswerExportRequestSchema, {
    requestId,
    exportId: id,
    decision: a.decision,
    protection:
      a.protection === "password"
        ? { case: "password", value: a.password }
        : { case: "openpgpPublicKey", value: a.publicKey.trim() },
    expiryDays: parseWhole(a.expiryDays, 1, maxExpiryDays) ?? 0,
    downloadsAllowed: parseWhole(a.downloads, 1, maxDownloads) ?? 0,
  });
}

/**
 * The answer as an action, without the password: the service compares a retried request without
 * its secrets, so a retry after a network failure (the password typed again) keeps its request
 * id, and the password is never kept in the key.
 */
export function exportAnswerKey(id: string, a: ExportAnswerInput): string {
  const approve = a.decision === ExportDecision.APPROVE;
  return JSON.stringify([
    id,
    a.decision,
    approve ? a.protection : "",
    approve && a.protection === "openpgp" ? a.publicKey.trim() : "",
    approve ? a.expiryDays.trim() : "",
    approve ? a.downloads.trim() : "",
    approve ? "" : a.reason.trim(),
  ]);
}

/** The field of the answer form a service path names. */
export function exportAnswerFieldOf(path: string): ExportAnswerField | undefined {
  const fields: Record<string, ExportAnswerField> = {
    decision: "decision",
    reason: "reason",
    password: "password",
    openpgp_public_key: "publicKey",
    protection: "protection",
    expiry_days: "expiryDays",
    downloads_allowed: "downloads",
  };
  return fields[path];
}

export function buildDownloadRequest(exportId: string, requestId: string): DownloadExportRequest {
  return create(DownloadExportRequestSchema, { requestId, exportId });
}
