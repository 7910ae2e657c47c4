// The contact log of a case: with whom (a partner of the directory, a person on the case, or
// someone else), how and why, and a follow-up date. A person marked "do not contact" is never the
// counterpart of an outgoing contact (the service refuses it too). Follow-ups are completed with
// the version read, or cancelled by clearing their date.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Person } from "../gen/consular/v1/cases_pb";
import {
  AdHocContactSchema,
  CompleteFollowUpRequestSchema,
  ContactDirection,
  LogContactRequestSchema,
  UpdateContactRequestSchema,
  VettingStatus,
  type CompleteFollowUpRequest,
  type Contact,
  type LogContactRequest,
  type Partner,
  type UpdateContactRequest,
} from "../gen/consular/v1/contacts_pb";
import { noDate, parseIsoDate, parseLocalDateTime } from "../dates";
import { t } from "../i18n/i18n";
import { charCount, dateProblem, requiredChoice, textProblem } from "./checks";
import type { Problem } from "./problems";

export type CounterpartKind = "partner" | "person" | "adhoc";

export interface ContactInput {
  kind: CounterpartKind;
  partnerId: string;
  personId: string;
  adHocName: string;
  adHocOrganisation: string;
  adHocPhone: string;
  adHocEmail: string;
  /** <input type="datetime-local">, the browser's time zone. */
  occurredAt: string;
  channel: number;
  direction: number;
  purpose: number;
  outcome: number;
  /** "YYYY-MM-DD" or "". */
  followUpDue: string;
  note: string;
}

export type ContactField = keyof ContactInput;
export type ContactErrors = Partial<Record<ContactField, Problem>>;

export function emptyContactInput(occurredAt: string): ContactInput {
  return {
    kind: "partner",
    partnerId: "",
    personId: "",
    adHocName: "",
    adHocOrganisation: "",
    adHocPhone: "",
    adHocEmail: "",
    occurredAt,
    channel: 0,
    direction: 0,
    purpose: 0,
    outcome: 0,
    followUpDue: "",
    note: "",
  };
}

/** A person on the case may not be the counterpart of this contact. */
export function isBlockedPerson(person: Pick<Person, "doNotContact">, direction: number): boolean {
  return person.doNotContact && direction === ContactDirection.OUTGOING;
}

export interface PersonChoice {
  person: Person;
  /** Marked do-not-contact: shown with a warning. */
  warn: boolean;
  /** Cannot be chosen for this direction (outgoing). */
  blocked: boolean;
}

/** The persons of a case as choices for a contact in this direction. */
export function personChoices(persons: readonly Person[], direction: number): PersonChoice[] {
  return persons.map((person) => ({ person, warn: person.doNotContact, blocked: isBlockedPerson(person, direction) }));
}

/** Partners a new contact may name: active and not suspended. */
export function usablePartners(partners: readonly Partner[]): Partner[] {
  return partners.filter((p) => p.active && p.vettingStatus !== VettingStatus.SUSPENDED);
}

/** The checks of the log-contact form; `now` bounds the moment (not in the future). */
export function validateContact(input: ContactInput, persons: readonly Person[], now: Date): ContactErrors {
  const errors: ContactErrors = {};
  const put = (field: ContactField, p: Problem | undefined) => {
    if (p) errors[field] = p;
  };
  if (input.kind === "partner") {
    if (input.partnerId === "") put("partnerId", { key: "problem.choose" });
  } else if (input.kind === "person") {
    const person = persons.find((p) => p.id === input.personId);
    if (!person) put("personId", { key: "problem.choose" });
    else if (isBlockedPerson(person, input.direction)) put("personId", { key: "problem.doNotContact" });
  } else {
    put("adHocName", textProblem(input.adHocName, 200, true));
    put("adHocOrganisation", textProblem(input.adHocOrganisation, 200));
    put("adHocPhone", textProblem(input.adHocPhone, 100));
    put("adHocEmail", textProblem(input.adHocEmail, 200));
  }
  const at = parseLocalDateTime(input.occurredAt);
  if (input.occurredAt.trim() === "") put("occurredAt", { key: "problem.required" });
  else if (!at) put("occurredAt", { key: "problem.invalidDateTime" });
  else if (at.getTime() > now.getTime() + 5 * 60 * 1000) put("occurredAt", { key: "problem.future" });
  else if (at.getFullYear() < 2000) put("occurredAt", { key: "problem.invalidDateTime" });
  put("channel", requiredChoice(input.channel));
  put("direction", requiredChoice(input.direction));
  put("purpose", requiredChoice(input.purpose));
  put("outcome", requiredChoice(input.outcome));
  put("followUpDue", dateProblem(input.followUpDue));
  if (charCount(input.note) > 10000) put("note", { key: "problem.tooLong", params: { max: 10000 } });
  return errors;
}

/** The form's field a LogContact INVALID_ARGUMENT names ("contact.ad_hoc.name"), if any. */
export function contactFieldOfPath(path: string): ContactField | undefined {
  const fields: Record<string, ContactField> = {
    "contact.partner_id": "partnerId",
    "contact.ad_hoc.person_id": "personId",
    "contact.ad_hoc.name": "adHocName",
    "contact.ad_hoc.organisation": "adHocOrganisation",
    "contact.ad_hoc.phone": "adHocPhone",
    "contact.ad_hoc.email": "adHocEmail",
    "contact.occurred_at": "occurredAt",
    "contact.channel": "channel",
    "contact.direction": "direction",
    "contact.purpose": "purpose",
    "contact.outcome": "outcome",
    "contact.follow_up_due": "followUpDue",
    "contact.note": "note",
  };
  return fields[path];
}

export function buildLogContactRequest(caseId: string, input: ContactInput, requestId: string): LogContactRequest {
  const at = parseLocalDateTime(input.occurredAt) ?? new Date(0);
  let counterpart: Contact["counterpart"];
  if (input.kind === "partner") {
    counterpart = { case: "partnerId", value: input.partnerId };
  } else if (input.kind === "person") {
    // The person's name stays with the case; the contact names the person by id.
    counterpart = { case: "adHoc", value: create(AdHocContactSchema, { personId: input.personId }) };
  } else {
    counterpart = {
      case: "adHoc",
      value: create(AdHocContactSchema, {
        name: input.adHocName.trim(),
        organisation: input.adHocOrganisation.trim(),
        phone: input.adHocPhone.trim(),
        email: input.adHocEmail.trim(),
      }),
    };
  }
  return create(LogContactRequestSchema, {
    requestId,
    contact: {
      caseId,
      counterpart,
      occurredAt: timestampFromDate(at),
      channel: input.channel,
      direction: input.direction,
      purpose: input.purpose,
      outcome: input.outcome,
      followUpDue: parseIsoDate(input.followUpDue) ?? noDate,
      note: input.note,
    },
  });
}

/** The request without its id, as text: the same text is the same submission. */
export function logContactKey(caseId: string, input: ContactInput): string {
  const r = buildLogContactRequest(caseId, input, "");
  return JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/** Marks a contact's follow-up done, on the version read. */
export function completeFollowUpRequest(contact: Contact, requestId: string): CompleteFollowUpRequest {
  return create(CompleteFollowUpRequestSchema, { requestId, contactId: contact.id, expectedVersion: contact.version });
}

/** Cancels a contact's follow-up: follow_up_due cleared (named in the mask, left unset). */
export function cancelFollowUpRequest(contact: Contact, requestId: string): UpdateContactRequest {
  return create(UpdateContactRequestSchema, {
    requestId,
    contact: { id: contact.id },
    updateMask: { paths: ["follow_up_due"] },
    expectedVersion: contact.version,
  });
}

/** Whom a contact was with, as far as the list can say: the partner, the person, the name given. */
export function counterpartName(contact: Contact, persons: readonly Person[] = []): string {
  if (contact.counterpart.case === "partnerId") return contact.partnerName;
  if (contact.counterpart.case === "adHoc") {
    const a = contact.counterpart.value;
    if (a.personId) {
      const person = persons.find((p) => p.id === a.personId);
      if (person) return person.fullName;
    }
    return a.organisation && a.name
      ? t("contacts.nameWithOrganisation", { name: a.name, organisation: a.organisation })
      : a.name || a.organisation;
  }
  return "";
}
