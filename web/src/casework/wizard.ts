// Opening a case: what the wizard asks, step by step, its checks, and the CreateCase request it
// makes. The input stays in memory only (never in browser storage or the address).
import { create } from "@bufbuild/protobuf";
import {
  AbandonmentDetailsSchema,
  CreateCaseRequestSchema,
  DivorceRecognitionDetailsSchema,
  PermitKind,
  type CreateCaseRequest,
} from "../gen/consular/v1/cases_pb";
import { CaseType, NationalityStatus } from "../gen/consular/v1/common_pb";
import { isFocusCountry } from "../countries";
import { noDate, parseIsoDate } from "../dates";
import type { CalendarDate } from "../format";
import { dateProblem, requiredChoice, textProblem } from "./checks";
import type { Problem } from "./problems";

export interface WizardInput {
  type: CaseType;
  country: string;
  referralSource: number;
  fullName: string;
  dateOfBirth: string;
  sex: number;
  nationalityStatus: number;
  hasMinorChildren: boolean;
  riskFlags: number[];
  leftNetherlandsOn: string;
  residencePermitKind: number;
  dutchDivorceOn: string;
  foreignCourt: string;
  foreignCaseNumber: string;
  safeContactChannel: string;
  safeContactTimes: string;
  doNotContactFamily: boolean;
  covertNotes: string;
}

export type WizardField = keyof WizardInput;
export type WizardErrors = Partial<Record<WizardField, Problem>>;

export function emptyWizardInput(): WizardInput {
  return {
    type: CaseType.UNSPECIFIED,
    country: "",
    referralSource: 0,
    fullName: "",
    dateOfBirth: "",
    sex: 0,
    nationalityStatus: 0,
    hasMinorChildren: false,
    riskFlags: [],
    leftNetherlandsOn: "",
    residencePermitKind: PermitKind.UNSPECIFIED,
    dutchDivorceOn: "",
    foreignCourt: "",
    foreignCaseNumber: "",
    safeContactChannel: "",
    safeContactTimes: "",
    doNotContactFamily: false,
    covertNotes: "",
  };
}

/** The steps: 0 the case, 1 the person, 2 the facts of the case type and safety, 3 review. */
export const wizardSteps = ["case", "person", "facts", "review"] as const;
export type WizardStep = 0 | 1 | 2 | 3;
export const reviewStep: WizardStep = 3;

/** The step that asks for each field. */
export const fieldStep: Readonly<Record<WizardField, WizardStep>> = {
  type: 0,
  country: 0,
  referralSource: 0,
  fullName: 1,
  dateOfBirth: 1,
  sex: 1,
  nationalityStatus: 1,
  hasMinorChildren: 1,
  riskFlags: 2,
  leftNetherlandsOn: 2,
  residencePermitKind: 2,
  dutchDivorceOn: 2,
  foreignCourt: 2,
  foreignCaseNumber: 2,
  safeContactChannel: 2,
  safeContactTimes: 2,
  doNotContactFamily: 2,
  covertNotes: 2,
};

/** The element id of each field's control (the first control of a group). */
export const fieldIds: Readonly<Record<WizardField, string>> = {
  type: "new-type",
  country: "new-country",
  referralSource: "new-referral",
  fullName: "new-name",
  dateOfBirth: "new-dob",
  sex: "new-sex",
  nationalityStatus: "new-nationality",
  hasMinorChildren: "new-minor-children",
  riskFlags: "new-risk-flags",
  leftNetherlandsOn: "new-left-nl",
  residencePermitKind: "new-permit-kind",
  dutchDivorceOn: "new-dutch-divorce",
  foreignCourt: "new-foreign-court",
  foreignCaseNumber: "new-foreign-case-number",
  safeContactChannel: "new-safe-channel",
  safeContactTimes: "new-safe-times",
  doNotContactFamily: "new-no-family-contact",
  covertNotes: "new-covert-notes",
};

/** A field path as the services name it: the names joined by dots. */
const serverPath = (...names: string[]) => names.join(".");

/** The server's path of each field (CreateCase's INVALID_ARGUMENT names them so). */
const fieldPaths: Readonly<Record<WizardField, string>> = {
  type: serverPath("case", "type"),
  country: serverPath("case", "country"),
  referralSource: serverPath("case", "referral_source"),
  fullName: serverPath("case", "subject", "full_name"),
  dateOfBirth: serverPath("case", "subject", "date_of_birth"),
  sex: serverPath("case", "subject", "sex"),
  nationalityStatus: serverPath("case", "subject", "nationality_status"),
  hasMinorChildren: serverPath("case", "subject", "has_minor_children"),
  riskFlags: serverPath("case", "risk_flags"),
  leftNetherlandsOn: serverPath("case", "abandonment", "left_netherlands_on"),
  residencePermitKind: serverPath("case", "abandonment", "residence_permit_kind"),
  dutchDivorceOn: serverPath("case", "divorce_recognition", "dutch_divorce_on"),
  foreignCourt: serverPath("case", "divorce_recognition", "foreign_court"),
  foreignCaseNumber: serverPath("case", "divorce_recognition", "foreign_case_number"),
  safeContactChannel: serverPath("case", "safety", "safe_contact_channel"),
  safeContactTimes: serverPath("case", "safety", "safe_contact_times"),
  doNotContactFamily: serverPath("case", "safety", "do_not_contact_family"),
  covertNotes: serverPath("case", "safety", "covert_notes"),
};

/** The wizard's field a server path names ("case.risk_flags[2]" is riskFlags), if any. */
export function wizardFieldOfPath(path: string): WizardField | undefined {
  const bare = path.replace(/\[\d+\]/g, "");
  for (const [field, p] of Object.entries(fieldPaths) as [WizardField, string][]) {
    if (bare === p) return field;
  }
  if (bare === serverPath("case", "subject")) return "fullName";
  return undefined;
}

/** Which fields belong to the case type chosen. */
export function fieldApplies(field: WizardField, type: CaseType): boolean {
  switch (field) {
    case "leftNetherlandsOn":
    case "residencePermitKind":
      return type === CaseType.ABANDONMENT;
    case "dutchDivorceOn":
    case "foreignCourt":
    case "foreignCaseNumber":
      return type === CaseType.FOREIGN_DIVORCE_RECOGNITION;
    default:
      return true;
  }
}

/** A residence permit's kind is asked only of a person with a permit and no Dutch nationality. */
export function asksPermitKind(input: WizardInput): boolean {
  return input.type === CaseType.ABANDONMENT && input.nationalityStatus === NationalityStatus.RESIDENCE_PERMIT;
}

function put(errors: WizardErrors, field: WizardField, problem: Problem | undefined): void {
  if (problem) errors[field] = problem;
}

/** The problems of one step's fields; empty when the step may be left forward. */
export function validateStep(input: WizardInput, step: WizardStep, today: CalendarDate): WizardErrors {
  const errors: WizardErrors = {};
  if (step === 0) {
    put(errors, "type", requiredChoice(input.type));
    if (input.country === "") put(errors, "country", { key: "problem.choose" });
    else if (!isFocusCountry(input.country)) put(errors, "country", { key: "problem.country" });
    put(errors, "referralSource", requiredChoice(input.referralSource));
  } else if (step === 1) {
    put(errors, "fullName", textProblem(input.fullName, 200, true));
    put(errors, "dateOfBirth", dateProblem(input.dateOfBirth, { notAfter: today }));
    put(errors, "sex", requiredChoice(input.sex));
    put(errors, "nationalityStatus", requiredChoice(input.nationalityStatus));
  } else if (step === 2) {
    const dob = parseIsoDate(input.dateOfBirth);
    if (input.type === CaseType.ABANDONMENT) {
      put(errors, "leftNetherlandsOn", dateProblem(input.leftNetherlandsOn, { notAfter: today, notBefore: dob }));
    } else if (input.type === CaseType.FOREIGN_DIVORCE_RECOGNITION) {
      put(errors, "dutchDivorceOn", dateProblem(input.dutchDivorceOn, { notAfter: today, notBefore: dob }));
      put(errors, "foreignCourt", textProblem(input.foreignCourt, 200));
      put(errors, "foreignCaseNumber", textProblem(input.foreignCaseNumber, 100));
    }
    put(errors, "safeContactChannel", textProblem(input.safeContactChannel, 500));
    put(errors, "safeContactTimes", textProblem(input.safeContactTimes, 500));
    put(errors, "covertNotes", textProblem(input.covertNotes, 4000));
  }
  return errors;
}

/** Every step's problems, for the review: the first step with one is where to go back to. */
export function validateAll(input: WizardInput, today: CalendarDate): WizardErrors {
  return { ...validateStep(input, 0, today), ...validateStep(input, 1, today), ...validateStep(input, 2, today) };
}

export function firstStepWithError(errors: WizardErrors): WizardStep | undefined {
  const steps = (Object.keys(errors) as WizardField[]).map((f) => fieldStep[f]);
  return steps.length ? (Math.min(...steps) as WizardStep) : undefined;
}

function dateOrUnset(value: string): CalendarDate {
  return parseIsoDate(value) ?? noDate;
}

/** The case to create, without a request id: what decides whether a submission is the same. */
function caseOf(input: WizardInput) {
  const risk = [...new Set(input.riskFlags)].sort((a, b) => a - b);
  let details:
    | { case: "abandonment"; value: ReturnType<typeof create<typeof AbandonmentDetailsSchema>> }
    | { case: "divorceRecognition"; value: ReturnType<typeof create<typeof DivorceRecognitionDetailsSchema>> }
    | { case: undefined; value?: undefined } = { case: undefined };
  if (input.type === CaseType.ABANDONMENT) {
    details = {
      case: "abandonment",
      value: create(AbandonmentDetailsSchema, {
        leftNetherlandsOn: dateOrUnset(input.leftNetherlandsOn),
        residencePermitKind: asksPermitKind(input) ? input.residencePermitKind : PermitKind.UNSPECIFIED,
      }),
    };
  } else if (input.type === CaseType.FOREIGN_DIVORCE_RECOGNITION) {
    details = {
      case: "divorceRecognition",
      value: create(DivorceRecognitionDetailsSchema, {
        dutchDivorceOn: dateOrUnset(input.dutchDivorceOn),
        foreignCourt: input.foreignCourt.trim(),
        foreignCaseNumber: input.foreignCaseNumber.trim(),
      }),
    };
  }
  return {
    type: input.type,
    country: input.country,
    referralSource: input.referralSource,
    subject: {
      fullName: input.fullName.trim(),
      dateOfBirth: dateOrUnset(input.dateOfBirth),
      sex: input.sex,
      nationalityStatus: input.nationalityStatus,
      hasMinorChildren: input.hasMinorChildren,
    },
    riskFlags: risk,
    details,
    safety: {
      safeContactChannel: input.safeContactChannel.trim(),
      safeContactTimes: input.safeContactTimes.trim(),
      doNotContactFamily: input.doNotContactFamily,
      covertNotes: input.covertNotes,
    },
  };
}

/** CreateCase for the input, with the submission's request id. */
export function buildCreateCaseRequest(input: WizardInput, requestId: string): CreateCaseRequest {
  return create(CreateCaseRequestSchema, { requestId, case: caseOf(input) });
}

/**
 * What the request sends, as text: the same key means the same submission (its request id is
 * reused on retry); another key is a changed input and so a new submission.
 */
export function submissionKey(input: WizardInput): string {
  const request = buildCreateCaseRequest(input, "");
  return JSON.stringify(request, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}
