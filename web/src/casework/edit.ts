// Changing a case: the fields the case page lets one edit, what changed against the version read,
// the UpdateCase request (an update_mask of the changed fields only, and the version read), and
// what to show when someone else changed the case meanwhile (ABORTED): for each field the user
// changed, the value read, the user's and the current one, and the user's changes put again on
// the current version. The user's input lives in memory only.
import { create, type DescEnum } from "@bufbuild/protobuf";
import {
  AbandonmentDetailsSchema,
  CaseAccess,
  CaseSchema,
  DivorceRecognitionDetailsSchema,
  PermitKindSchema,
  SafetySchema,
  SubjectSchema,
  UpdateCaseRequestSchema,
  type AbandonmentDetails,
  type Case,
  type DivorceRecognitionDetails,
  type UpdateCaseRequest,
} from "../gen/consular/v1/cases_pb";
import {
  CaseType,
  DateSchema,
  NationalityStatusSchema,
  ReferralSourceSchema,
  RiskFlagSchema,
  SexSchema,
} from "../gen/consular/v1/common_pb";
import { isFocusCountry } from "../countries";
import { noDate, parseIsoDate } from "../dates";
import { isoDate, type CalendarDate } from "../format";
import type { MessageKey } from "../i18n/i18n";
import { dateProblem, requiredChoice, textProblem } from "./checks";
import type { Problem } from "./problems";

export type FieldValue = string | number | boolean | readonly number[];

export type FieldKind = "text" | "textarea" | "date" | "bool" | "enum" | "enumList" | "country";

export interface EditField {
  /** The update_mask path; also the field's name in drafts and conflicts. */
  path: string;
  /** The id of its control on the case page. */
  id: string;
  label: MessageKey;
  kind: FieldKind;
  group: "safety" | "case" | "subject" | "details";
  enumSchema?: DescEnum;
  maxChars?: number;
  required?: boolean;
  /** A date that may not lie ahead. */
  pastOnly?: boolean;
  /** Only for this case type. */
  type?: CaseType;
  /** Only for the handling unit (covert notes: a grantee may receive them withheld, empty). */
  handlingOnly?: boolean;
  read(c: Case): FieldValue;
  /** Puts the value on a case that is being built for the request. */
  write(c: Case, value: FieldValue): void;
}

const str = (v: FieldValue) => (typeof v === "string" ? v : "");
const num = (v: FieldValue) => (typeof v === "number" ? v : 0);
const bool = (v: FieldValue) => v === true;
const list = (v: FieldValue) => (Array.isArray(v) ? [...(v as readonly number[])] : []);
const dateOf = (v: FieldValue) => create(DateSchema, parseIsoDate(str(v)) ?? noDate);

function subject(c: Case) {
  if (!c.subject) c.subject = create(SubjectSchema);
  return c.subject;
}

function safety(c: Case) {
  if (!c.safety) c.safety = create(SafetySchema);
  return c.safety;
}

function abandonment(c: Case): AbandonmentDetails {
  if (c.details.case !== "abandonment") c.details = { case: "abandonment", value: create(AbandonmentDetailsSchema) };
  return c.details.value;
}

function divorce(c: Case): DivorceRecognitionDetails {
  if (c.details.case !== "divorceRecognition") {
    c.details = { case: "divorceRecognition", value: create(DivorceRecognitionDetailsSchema) };
  }
  return c.details.value;
}

const readAbandonment = (c: Case) => (c.details.case === "abandonment" ? c.details.value : undefined);
const readDivorce = (c: Case) => (c.details.case === "divorceRecognition" ? c.details.value : undefined);

/** Every field the case page edits, in the order the form shows them. */
export const editFields: readonly EditField[] = [
  {
    path: "safety.safe_contact_channel", id: "edit-safe-channel", label: "safety.channel", kind: "text", group: "safety", maxChars: 500,
    read: (c) => c.safety?.safeContactChannel ?? "", write: (c, v) => void (safety(c).safeContactChannel = str(v).trim()),
  },
  {
    path: "safety.safe_contact_times", id: "edit-safe-times", label: "safety.times", kind: "text", group: "safety", maxChars: 500,
    read: (c) => c.safety?.safeContactTimes ?? "", write: (c, v) => void (safety(c).safeContactTimes = str(v).trim()),
  },
  {
    path: "safety.do_not_contact_family", id: "edit-no-family-contact", label: "safety.doNotContactFamily", kind: "bool", group: "safety",
    read: (c) => c.safety?.doNotContactFamily ?? false, write: (c, v) => void (safety(c).doNotContactFamily = bool(v)),
  },
  {
    path: "safety.covert_notes", id: "edit-covert-notes", label: "safety.covertNotes", kind: "textarea", group: "safety", maxChars: 4000, handlingOnly: true,
    read: (c) => c.safety?.covertNotes ?? "", write: (c, v) => void (safety(c).covertNotes = str(v)),
  },
  {
    path: "country", id: "edit-country", label: "case.country", kind: "country", group: "case", required: true,
    read: (c) => c.country, write: (c, v) => void (c.country = str(v)),
  },
  {
    path: "referral_source", id: "edit-referral", label: "case.referralSource", kind: "enum", group: "case", enumSchema: ReferralSourceSchema, required: true,
    read: (c) => c.referralSource, write: (c, v) => void (c.referralSource = num(v)),
  },
  {
    path: "risk_flags", id: "edit-risk-flags", label: "case.riskFlags", kind: "enumList", group: "case", enumSchema: RiskFlagSchema,
    read: (c) => [...c.riskFlags].sort((a, b) => a - b), write: (c, v) => void (c.riskFlags = list(v).sort((a, b) => a - b)),
  },
  {
    path: "subject.full_name", id: "edit-name", label: "subject.name", kind: "text", group: "subject", maxChars: 200, required: true,
    read: (c) => c.subject?.fullName ?? "", write: (c, v) => void (subject(c).fullName = str(v).trim()),
  },
  {
    path: "subject.date_of_birth", id: "edit-dob", label: "person.dateOfBirth", kind: "date", group: "subject", pastOnly: true,
    read: (c) => isoDate(c.subject?.dateOfBirth), write: (c, v) => void (subject(c).dateOfBirth = dateOf(v)),
  },
  {
    path: ["subject", "sex"].join("."), id: "edit-sex", label: "subject.sex", kind: "enum", group: "subject", enumSchema: SexSchema, required: true,
    read: (c) => c.subject?.sex ?? 0, write: (c, v) => void (subject(c).sex = num(v)),
  },
  {
    path: "subject.nationality_status", id: "edit-nationality", label: "subject.nationalityStatus", kind: "enum", group: "subject", enumSchema: NationalityStatusSchema, required: true,
    read: (c) => c.subject?.nationalityStatus ?? 0, write: (c, v) => void (subject(c).nationalityStatus = num(v)),
  },
  {
    path: "subject.has_minor_children", id: "edit-minor-children", label: "subject.hasMinorChildren", kind: "bool", group: "subject",
    read: (c) => c.subject?.hasMinorChildren ?? false, write: (c, v) => void (subject(c).hasMinorChildren = bool(v)),
  },
  {
    path: "abandonment.left_netherlands_on", id: "edit-left-nl", label: "abandonment.leftNetherlandsOn", kind: "date", group: "details", type: CaseType.ABANDONMENT, pastOnly: true,
    read: (c) => isoDate(readAbandonment(c)?.leftNetherlandsOn), write: (c, v) => void (abandonment(c).leftNetherlandsOn = dateOf(v)),
  },
  {
    path: "abandonment.returned_on", id: "edit-returned-on", label: "abandonment.returnedOn", kind: "date", group: "details", type: CaseType.ABANDONMENT, pastOnly: true,
    read: (c) => isoDate(readAbandonment(c)?.returnedOn), write: (c, v) => void (abandonment(c).returnedOn = dateOf(v)),
  },
  {
    path: "abandonment.residence_permit_kind", id: "edit-permit-kind", label: "abandonment.residencePermitKind", kind: "enum", group: "details", type: CaseType.ABANDONMENT, enumSchema: PermitKindSchema,
    read: (c) => readAbandonment(c)?.residencePermitKind ?? 0, write: (c, v) => void (abandonment(c).residencePermitKind = num(v)),
  },
  {
    path: "abandonment.residence_permit_expires_on", id: "edit-permit-expires", label: "abandonment.residencePermitExpiresOn", kind: "date", group: "details", type: CaseType.ABANDONMENT,
    read: (c) => isoDate(readAbandonment(c)?.residencePermitExpiresOn), write: (c, v) => void (abandonment(c).residencePermitExpiresOn = dateOf(v)),
  },
  {
    path: "divorce_recognition.dutch_divorce_on", id: "edit-dutch-divorce", label: "divorce.dutchDivorceOn", kind: "date", group: "details", type: CaseType.FOREIGN_DIVORCE_RECOGNITION, pastOnly: true,
    read: (c) => isoDate(readDivorce(c)?.dutchDivorceOn), write: (c, v) => void (divorce(c).dutchDivorceOn = dateOf(v)),
  },
  {
    path: "divorce_recognition.foreign_court", id: "edit-foreign-court", label: "divorce.foreignCourt", kind: "text", group: "details", type: CaseType.FOREIGN_DIVORCE_RECOGNITION, maxChars: 200,
    read: (c) => readDivorce(c)?.foreignCourt ?? "", write: (c, v) => void (divorce(c).foreignCourt = str(v).trim()),
  },
  {
    path: "divorce_recognition.foreign_case_number", id: "edit-foreign-case-number", label: "divorce.foreignCaseNumber", kind: "text", group: "details", type: CaseType.FOREIGN_DIVORCE_RECOGNITION, maxChars: 100,
    read: (c) => readDivorce(c)?.foreignCaseNumber ?? "", write: (c, v) => void (divorce(c).foreignCaseNumber = str(v).trim()),
  },
];

export const reasonId = "edit-reason";

/** The fields of this case the caller may edit here. */
export function editableFields(c: Case): EditField[] {
  return editFields.filter(
    (f) => (f.type === undefined || f.type === c.type) && (!f.handlingOnly || c.callerAccess === CaseAccess.HANDLING),
  );
}

export function fieldByPath(path: string): EditField | undefined {
  return editFields.find((f) => f.path === path);
}

/** The values of a form, by path. */
export type Draft = Record<string, FieldValue>;

export function draftOf(c: Case): Draft {
  const draft: Draft = {};
  for (const f of editableFields(c)) draft[f.path] = f.read(c);
  return draft;
}

/** Whether two values of a field are the same (texts compared as they would be sent). */
export function sameValue(field: EditField, a: FieldValue, b: FieldValue): boolean {
  if (field.kind === "enumList") {
    const x = [...list(a)].sort((p, q) => p - q);
    const y = [...list(b)].sort((p, q) => p - q);
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  if (field.kind === "text") return str(a).trim() === str(b).trim();
  return a === b;
}

/** The fields whose value in the draft is not the one read, in the form's order. */
export function changedFields(base: Case, draft: Draft): EditField[] {
  return editableFields(base).filter((f) => f.path in draft && !sameValue(f, f.read(base), draft[f.path]!));
}

export function touchesSafety(fields: readonly EditField[]): boolean {
  return fields.some((f) => f.group === "safety");
}

export type EditErrors = Record<string, Problem>;

/** The problems of the changed fields, and of the reason (required when safety changes). */
export function validateEdit(base: Case, draft: Draft, reason: string, today: CalendarDate): EditErrors {
  const errors: EditErrors = {};
  const changed = changedFields(base, draft);
  const dobPath = "subject.date_of_birth";
  const dob = parseIsoDate(dobPath in draft ? str(draft[dobPath]!) : isoDate(base.subject?.dateOfBirth));
  for (const f of changed) {
    const v = draft[f.path]!;
    let p: Problem | undefined;
    switch (f.kind) {
      case "text":
      case "textarea":
        p = textProblem(str(v), f.maxChars ?? 10000, f.required);
        break;
      case "date":
        p = dateProblem(str(v), {
          notAfter: f.pastOnly ? today : undefined,
          notBefore: f.path !== dobPath && f.pastOnly ? dob : undefined,
        });
        break;
      case "enum":
        p = f.required ? requiredChoice(num(v)) : undefined;
        break;
      case "country":
        p = str(v) === "" ? { key: "problem.choose" } : isFocusCountry(str(v)) ? undefined : { key: "problem.country" };
        break;
      default:
        break;
    }
    if (p) errors[f.path] = p;
  }
  if (reason.trim() === "" && touchesSafety(changed)) errors["reason"] = { key: "problem.reasonForSafety" };
  const r = textProblem(reason, 2000);
  if (r) errors["reason"] = r;
  return errors;
}

/** UpdateCase for the changed fields only, on the version read. */
export function buildUpdateRequest(base: Case, draft: Draft, reason: string, requestId: string): UpdateCaseRequest {
  const changed = changedFields(base, draft);
  const c = create(CaseSchema, { id: base.id || base.reference });
  for (const f of changed) f.write(c, draft[f.path]!);
  return create(UpdateCaseRequestSchema, {
    requestId,
    case: c,
    updateMask: { paths: changed.map((f) => f.path) },
    expectedVersion: base.version,
    reason: reason.trim(),
  });
}

/** The request without its id, as text: the same text is the same submission. */
export function updateKey(base: Case, draft: Draft, reason: string): string {
  const r = buildUpdateRequest(base, draft, reason, "");
  return JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/** One field the user changed, as it stood when read, as the user has it, and as it is now. */
export interface ConflictRow {
  field: EditField;
  read: FieldValue;
  mine: FieldValue;
  theirs: FieldValue;
  /** Someone else changed this very field meanwhile. */
  theirsChanged: boolean;
  /** The user's value and the current one are the same (nothing to decide). */
  agree: boolean;
}

/** For each field the user changed: the version read, the user's value and the current value. */
export function conflictRows(base: Case, draft: Draft, current: Case): ConflictRow[] {
  return changedFields(base, draft).map((field) => {
    const read = field.read(base);
    const mine = draft[field.path]!;
    const theirs = field.read(current);
    return {
      field,
      read,
      mine,
      theirs,
      theirsChanged: !sameValue(field, read, theirs),
      agree: sameValue(field, mine, theirs),
    };
  });
}

/**
 * The user's changes put on the current version: the current values, with the user's value for
 * each field the user changed. Saving it is a new request on the current version; nothing of
 * the other change is overwritten unless the user changed the same field.
 */
export function redoDraft(base: Case, draft: Draft, current: Case): Draft {
  const next = draftOf(current);
  for (const f of changedFields(base, draft)) {
    if (f.path in next) next[f.path] = draft[f.path]!;
  }
  return next;
}

/** The label (a message key) of a field the history names as changed; undefined when the form
 * does not know it (the history then shows the service's path). */
export function changedFieldLabel(serverPath: string): MessageKey | undefined {
  return fieldByPath(serverPath.replace(/\[\d+\]/g, "").replace(/^case\./, ""))?.label;
}

/** The edited field (or "reason") an UpdateCase INVALID_ARGUMENT names, if it is on the form. */
export function editPathOf(serverPath: string): string | undefined {
  const bare = serverPath.replace(/\[\d+\]/g, "").replace(/^case\./, "");
  if (bare === "reason") return "reason";
  return fieldByPath(bare)?.path;
}
