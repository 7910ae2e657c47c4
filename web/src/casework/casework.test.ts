// The casework screens' logic: the new-case wizard's checks and request, the edit's update mask
// and conflict view, the moves a case may make, the contact log's do-not-contact rule, and the
// services' messages read into problems.
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import {
  AbandonmentDetailsSchema,
  CaseAccess,
  CaseSchema,
  CreateCaseRequestSchema,
  PermitKind,
  PersonRole,
  PersonSchema,
  type Case,
} from "../gen/consular/v1/cases_pb";
import { CaseStatus, CaseType, NationalityStatus, Outcome, ReferralSource, RiskFlag, Sex } from "../gen/consular/v1/common_pb";
import {
  ContactChannel,
  ContactDirection,
  ContactOutcome,
  ContactSchema,
  PartnerSchema,
  VettingStatus,
} from "../gen/consular/v1/contacts_pb";
import { ContactPurpose } from "../gen/consular/v1/common_pb";
import { addDays, parseIsoDate, parseLocalDateTime } from "../dates";
import { setLanguage, t } from "../i18n/i18n";
import {
  buildLogContactRequest,
  cancelFollowUpRequest,
  completeFollowUpRequest,
  contactFieldOfPath,
  counterpartName,
  emptyContactInput,
  isBlockedPerson,
  logContactKey,
  personChoices,
  usablePartners,
  validateContact,
  type ContactInput,
} from "./contacts";
import {
  buildUpdateRequest,
  changedFieldLabel,
  changedFields,
  conflictRows,
  draftOf,
  editableFields,
  editPathOf,
  redoDraft,
  updateKey,
  validateEdit,
} from "./edit";
import { describeError, fieldProblemOf, preconditionText, serverProblem } from "./problems";
import {
  buildTransitionRequest,
  nextStatuses,
  outcomesFor,
  transitionOptions,
  validateTransition,
} from "./transitions";
import {
  buildCreateCaseRequest,
  emptyWizardInput,
  firstStepWithError,
  submissionKey,
  validateAll,
  validateStep,
  wizardFieldOfPath,
  type WizardInput,
} from "./wizard";

const today = { year: 2026, month: 3, day: 5 };

function filledWizard(over: Partial<WizardInput> = {}): WizardInput {
  return {
    ...emptyWizardInput(),
    type: CaseType.ABANDONMENT,
    country: "MA",
    referralSource: ReferralSource.FAMILY,
    fullName: "  Nadia El Amrani ",
    dateOfBirth: "1994-02-11",
    sex: Sex.FEMALE,
    nationalityStatus: NationalityStatus.DUAL,
    riskFlags: [RiskFlag.PASSPORT_WITHHELD, RiskFlag.FORCED_MARRIAGE, RiskFlag.PASSPORT_WITHHELD],
    leftNetherlandsOn: "2025-12-20",
    safeContactChannel: "Her sister's phone",
    safeContactTimes: "Weekdays 10-12",
    covertNotes: "Husband reads her messages",
    ...over,
  };
}

describe("the new-case wizard", () => {
  it("asks for type, country and referral source first", () => {
    const errors = validateStep(emptyWizardInput(), 0, today);
    expect(Object.keys(errors).sort()).toEqual(["country", "referralSource", "type"]);
    expect(errors.type?.key).toBe("problem.choose");
    expect(validateStep(filledWizard({ country: "NL" }), 0, today).country?.key).toBe("problem.country");
    expect(validateStep(filledWizard({ country: "XX" }), 0, today).country?.key).toBe("problem.country");
    expect(validateStep(filledWizard(), 0, today)).toEqual({});
  });

  it("checks the person: a name of at most 200 characters, a birth date not ahead, sex and nationality", () => {
    expect(Object.keys(validateStep(emptyWizardInput(), 1, today)).sort()).toEqual(["fullName", "nationalityStatus", "sex"]);
    expect(validateStep(filledWizard({ fullName: "   " }), 1, today).fullName?.key).toBe("problem.required");
    expect(validateStep(filledWizard({ fullName: "é".repeat(200) }), 1, today).fullName).toBeUndefined();
    expect(validateStep(filledWizard({ fullName: "é".repeat(201) }), 1, today).fullName).toEqual({ key: "problem.tooLong", params: { max: 200 } });
    expect(validateStep(filledWizard({ dateOfBirth: "2026-03-06" }), 1, today).dateOfBirth?.key).toBe("problem.future");
    expect(validateStep(filledWizard({ dateOfBirth: "2026-02-30" }), 1, today).dateOfBirth?.key).toBe("problem.invalidDate");
    expect(validateStep(filledWizard({ dateOfBirth: "" }), 1, today)).toEqual({});
  });

  it("checks the facts of the case type and the safety information", () => {
    expect(validateStep(filledWizard({ leftNetherlandsOn: "1990-01-01" }), 2, today).leftNetherlandsOn?.key).toBe("problem.beforeEarlierDate");
    expect(validateStep(filledWizard({ leftNetherlandsOn: "2026-04-01" }), 2, today).leftNetherlandsOn?.key).toBe("problem.future");
    const divorce = filledWizard({ type: CaseType.FOREIGN_DIVORCE_RECOGNITION, foreignCaseNumber: "x".repeat(101), dutchDivorceOn: "2027-01-01" });
    expect(Object.keys(validateStep(divorce, 2, today)).sort()).toEqual(["dutchDivorceOn", "foreignCaseNumber"]);
    // The abandonment date is not checked on a divorce case.
    expect(validateStep(filledWizard({ type: CaseType.FOREIGN_DIVORCE_RECOGNITION, leftNetherlandsOn: "bad" }), 2, today)).toEqual({});
    expect(validateStep(filledWizard({ covertNotes: "x".repeat(4001) }), 2, today).covertNotes?.key).toBe("problem.tooLong");
  });

  it("sends the review back to the first step with a problem", () => {
    expect(firstStepWithError(validateAll(filledWizard(), today))).toBeUndefined();
    expect(firstStepWithError(validateAll(filledWizard({ sex: 0, covertNotes: "x".repeat(5000) }), today))).toBe(1);
    expect(firstStepWithError(validateAll(filledWizard({ country: "" , sex: 0 }), today))).toBe(0);
  });

  it("builds CreateCase with the abandonment details, trimmed names, unique sorted risk flags and the request id", () => {
    const r = buildCreateCaseRequest(filledWizard({ residencePermitKind: PermitKind.ASYLUM_FIXED_TERM }), "req-1");
    expect(r.requestId).toBe("req-1");
    const c = r.case!;
    expect(c.type).toBe(CaseType.ABANDONMENT);
    expect(c.country).toBe("MA");
    expect(c.subject?.fullName).toBe("Nadia El Amrani");
    expect(c.subject?.dateOfBirth).toMatchObject({ year: 1994, month: 2, day: 11 });
    expect(c.riskFlags).toEqual([RiskFlag.FORCED_MARRIAGE, RiskFlag.PASSPORT_WITHHELD]);
    expect(c.details.case).toBe("abandonment");
    if (c.details.case === "abandonment") {
      expect(c.details.value.leftNetherlandsOn).toMatchObject({ year: 2025, month: 12, day: 20 });
      // A permit kind only with a residence permit (the person is Dutch here).
      expect(c.details.value.residencePermitKind).toBe(PermitKind.UNSPECIFIED);
    }
    expect(c.safety).toMatchObject({ safeContactChannel: "Her sister's phone", covertNotes: "Husband reads her messages" });
    // It survives the wire.
    expect(fromBinary(CreateCaseRequestSchema, toBinary(CreateCaseRequestSchema, r)).case?.subject?.fullName).toBe("Nadia El Amrani");

    const permit = buildCreateCaseRequest(
      filledWizard({ nationalityStatus: NationalityStatus.RESIDENCE_PERMIT, residencePermitKind: PermitKind.ASYLUM_FIXED_TERM }),
      "req-2",
    );
    expect(permit.case?.details.case === "abandonment" && permit.case.details.value.residencePermitKind).toBe(PermitKind.ASYLUM_FIXED_TERM);
  });

  it("builds the divorce details for a divorce case, and no date for an empty one", () => {
    const r = buildCreateCaseRequest(
      filledWizard({ type: CaseType.FOREIGN_DIVORCE_RECOGNITION, dutchDivorceOn: "", foreignCourt: " Tribunal de Rabat ", foreignCaseNumber: "123/2025" }),
      "r",
    );
    expect(r.case?.details.case).toBe("divorceRecognition");
    if (r.case?.details.case === "divorceRecognition") {
      expect(r.case.details.value.foreignCourt).toBe("Tribunal de Rabat");
      expect(r.case.details.value.foreignCaseNumber).toBe("123/2025");
      expect(r.case.details.value.dutchDivorceOn).toMatchObject({ year: 0, month: 0, day: 0 });
    }
  });

  it("keeps one submission (and so one request id) while the input is the same", () => {
    expect(submissionKey(filledWizard())).toBe(submissionKey(filledWizard()));
    expect(submissionKey(filledWizard())).not.toBe(submissionKey(filledWizard({ safeContactTimes: "Evenings" })));
    // Input the type does not use changes nothing sent.
    expect(submissionKey(filledWizard())).toBe(submissionKey(filledWizard({ foreignCourt: "ignored" })));
  });

  it("puts the server's field paths on the wizard's fields", () => {
    expect(wizardFieldOfPath("case.subject.full_name")).toBe("fullName");
    expect(wizardFieldOfPath("case.risk_flags[1]")).toBe("riskFlags");
    expect(wizardFieldOfPath("case.abandonment.left_netherlands_on")).toBe("leftNetherlandsOn");
    expect(wizardFieldOfPath("case.subject")).toBe("fullName");
    expect(wizardFieldOfPath("request_id")).toBeUndefined();
  });
});

function storedCase(over: MessageInitShape<typeof CaseSchema> = {}): Case {
  return create(CaseSchema, {
    id: "0b8f5a52-4f7e-4e53-9d1c-2f7a3c1d9e10",
    reference: "ABN-2026-00042",
    type: CaseType.ABANDONMENT,
    status: CaseStatus.ACTIVE,
    country: "MA",
    referralSource: ReferralSource.FAMILY,
    subject: { fullName: "Nadia El Amrani", sex: Sex.FEMALE, nationalityStatus: NationalityStatus.DUAL, dateOfBirth: { year: 1994, month: 2, day: 11 } },
    riskFlags: [RiskFlag.PASSPORT_WITHHELD],
    details: { case: "abandonment", value: create(AbandonmentDetailsSchema, { leftNetherlandsOn: { year: 2025, month: 12, day: 20 } }) },
    safety: { safeContactChannel: "Sister's phone", safeContactTimes: "Mornings", covertNotes: "Husband reads messages" },
    version: 7n,
    callerAccess: CaseAccess.HANDLING,
    ...over,
  } as MessageInitShape<typeof CaseSchema>);
}

describe("editing a case", () => {
  it("offers the fields of the case type, and covert notes to the handling unit only", () => {
    const paths = editableFields(storedCase()).map((f) => f.path);
    expect(paths).toContain("abandonment.returned_on");
    expect(paths).not.toContain("divorce_recognition.foreign_court");
    expect(paths).toContain("safety.covert_notes");
    const shared = editableFields(storedCase({ callerAccess: CaseAccess.SHARED_READ_WRITE })).map((f) => f.path);
    expect(shared).not.toContain("safety.covert_notes");
    const divorce = editableFields(storedCase({ type: CaseType.FOREIGN_DIVORCE_RECOGNITION, details: { case: undefined } })).map((f) => f.path);
    expect(divorce).toContain("divorce_recognition.foreign_court");
    expect(divorce).not.toContain("abandonment.left_netherlands_on");
  });

  it("sends only the changed fields, on the version read", () => {
    const base = storedCase();
    const draft = draftOf(base);
    expect(changedFields(base, draft)).toEqual([]);
    draft["safety.safe_contact_times"] = "Evenings only";
    draft["risk_flags"] = [RiskFlag.FORCED_MARRIAGE, RiskFlag.PASSPORT_WITHHELD];
    draft["abandonment.returned_on"] = "2026-03-01";
    draft["subject.full_name"] = "Nadia El Amrani "; // only a trailing space: unchanged
    const r = buildUpdateRequest(base, draft, "She asked for evenings", "req");
    expect(r.updateMask?.paths).toEqual(["safety.safe_contact_times", "risk_flags", "abandonment.returned_on"]);
    expect(r.expectedVersion).toBe(7n);
    expect(r.reason).toBe("She asked for evenings");
    expect(r.case?.id).toBe(base.id);
    expect(r.case?.safety?.safeContactTimes).toBe("Evenings only");
    expect(r.case?.riskFlags).toEqual([RiskFlag.FORCED_MARRIAGE, RiskFlag.PASSPORT_WITHHELD]);
    expect(r.case?.details.case === "abandonment" && r.case.details.value.returnedOn).toMatchObject({ year: 2026, month: 3, day: 1 });
  });

  it("clears a date the user emptied", () => {
    const base = storedCase();
    const draft = { ...draftOf(base), "abandonment.left_netherlands_on": "" };
    const r = buildUpdateRequest(base, draft, "", "req");
    expect(r.updateMask?.paths).toEqual(["abandonment.left_netherlands_on"]);
    expect(r.case?.details.case === "abandonment" && r.case.details.value.leftNetherlandsOn).toMatchObject({ year: 0, month: 0, day: 0 });
  });

  it("needs a reason when safety information changes, not otherwise", () => {
    const base = storedCase();
    const safety = { ...draftOf(base), "safety.safe_contact_channel": "New number" };
    expect(validateEdit(base, safety, " ", today)["reason"]?.key).toBe("problem.reasonForSafety");
    expect(validateEdit(base, safety, "Her old phone was taken", today)).toEqual({});
    const other = { ...draftOf(base), "subject.has_minor_children": true };
    expect(validateEdit(base, other, "", today)).toEqual({});
  });

  it("checks the changed fields like the server", () => {
    const base = storedCase();
    const draft = { ...draftOf(base), "subject.full_name": "", "abandonment.returned_on": "2025-01-01", country: "NL" };
    const errors = validateEdit(base, draft, "", today);
    expect(errors["subject.full_name"]?.key).toBe("problem.required");
    expect(errors["country"]?.key).toBe("problem.country");
    // Before the date of birth? No: 2025 is after 1994. Before leaving is the server's to say.
    expect(errors["abandonment.returned_on"]).toBeUndefined();
    expect(validateEdit(base, { ...draftOf(base), "abandonment.returned_on": "2026-03-06" }, "", today)["abandonment.returned_on"]?.key).toBe("problem.future");
  });

  it("keeps the request id while the same change is saved again, and makes a new one for another change", () => {
    const base = storedCase();
    const a = { ...draftOf(base), "safety.safe_contact_times": "Evenings" };
    expect(updateKey(base, a, "why")).toBe(updateKey(base, { ...a }, "why"));
    expect(updateKey(base, a, "why")).not.toBe(updateKey(base, a, "why not"));
    // The same change on a newer version is a new request.
    expect(updateKey(base, a, "why")).not.toBe(updateKey(storedCase({ version: 8n }), a, "why"));
  });

  it("shows, for each field the user changed, the value read, the user's and the current one", () => {
    const base = storedCase();
    const mine = { ...draftOf(base), "safety.safe_contact_times": "Evenings only", "subject.has_minor_children": true };
    // Meanwhile someone else changed the safe times too, and the channel (which the user left).
    const current = storedCase({
      version: 8n,
      safety: { safeContactChannel: "Shelter's landline", safeContactTimes: "Never on Fridays", covertNotes: "Husband reads messages" },
    });
    const rows = conflictRows(base, mine, current);
    expect(rows.map((r) => r.field.path)).toEqual(["safety.safe_contact_times", "subject.has_minor_children"]);
    expect(rows[0]).toMatchObject({ read: "Mornings", mine: "Evenings only", theirs: "Never on Fridays", theirsChanged: true, agree: false });
    expect(rows[1]).toMatchObject({ read: false, mine: true, theirs: false, theirsChanged: false, agree: false });
  });

  it("redoes the user's changes on the current version without undoing the other change", () => {
    const base = storedCase();
    const mine = { ...draftOf(base), "safety.safe_contact_times": "Evenings only" };
    const current = storedCase({
      version: 8n,
      safety: { safeContactChannel: "Shelter's landline", safeContactTimes: "Never on Fridays", covertNotes: "Husband reads messages" },
    });
    const redo = redoDraft(base, mine, current);
    expect(redo["safety.safe_contact_times"]).toBe("Evenings only");
    expect(redo["safety.safe_contact_channel"]).toBe("Shelter's landline");
    const r = buildUpdateRequest(current, redo, "why", "req-2");
    expect(r.expectedVersion).toBe(8n);
    expect(r.updateMask?.paths).toEqual(["safety.safe_contact_times"]);
  });

  it("puts the server's field paths on the form's fields", () => {
    expect(editPathOf("case.safety.safe_contact_times")).toBe("safety.safe_contact_times");
    expect(editPathOf("reason")).toBe("reason");
    expect(editPathOf("case.persons[0].full_name")).toBeUndefined();
  });

  it("names the history's changed fields by their labels, in the user's language", () => {
    setLanguage("nl");
    expect(t(changedFieldLabel("safety.safe_contact_times")!)).toBe("Veilige contacttijden");
    setLanguage("en");
    expect(t(changedFieldLabel("case.safety.safe_contact_times")!)).not.toBe("Veilige contacttijden");
    expect(changedFieldLabel("persons[0].full_name")).toBeUndefined();
    setLanguage("nl");
  });
});

describe("moving a case", () => {
  it("follows the lifecycle", () => {
    expect(nextStatuses(CaseStatus.INTAKE)).toEqual([CaseStatus.ACTIVE]);
    expect(nextStatuses(CaseStatus.ACTIVE)).toEqual([CaseStatus.ON_HOLD, CaseStatus.RESOLVED]);
    expect(nextStatuses(CaseStatus.ON_HOLD)).toEqual([CaseStatus.ACTIVE, CaseStatus.RESOLVED]);
    expect(nextStatuses(CaseStatus.RESOLVED)).toEqual([CaseStatus.CLOSED]);
    expect(nextStatuses(CaseStatus.CLOSED)).toEqual([CaseStatus.ACTIVE]);
  });

  it("lets only a manager of the handling unit close or reopen, and nobody move a case shared read-only", () => {
    const resolved = storedCase({ status: CaseStatus.RESOLVED });
    expect(transitionOptions(resolved, "ROLE_CONSULAR_OFFICER")).toEqual([{ to: CaseStatus.CLOSED, allowed: false }]);
    expect(transitionOptions(resolved, "ROLE_POST_MANAGER")).toEqual([{ to: CaseStatus.CLOSED, allowed: true }]);
    const sharedResolved = storedCase({ status: CaseStatus.RESOLVED, callerAccess: CaseAccess.SHARED_READ_WRITE });
    expect(transitionOptions(sharedResolved, "ROLE_POST_MANAGER")).toEqual([{ to: CaseStatus.CLOSED, allowed: false }]);
    expect(transitionOptions(storedCase({ callerAccess: CaseAccess.SHARED_READ }), "ROLE_POST_MANAGER")).toEqual([]);
    expect(transitionOptions(storedCase({ callerAccess: CaseAccess.EMERGENCY }), "ROLE_POST_MANAGER")).toEqual([]);
    expect(transitionOptions(storedCase({ status: CaseStatus.INTAKE }), "ROLE_CONSULAR_OFFICER")).toEqual([{ to: CaseStatus.ACTIVE, allowed: true }]);
  });

  it("offers the outcomes of the case type", () => {
    expect(outcomesFor(CaseType.ABANDONMENT)).toContain(Outcome.RETURNED_TO_NL);
    expect(outcomesFor(CaseType.ABANDONMENT)).not.toContain(Outcome.RECOGNISED);
    expect(outcomesFor(CaseType.FOREIGN_DIVORCE_RECOGNITION)).toContain(Outcome.RECOGNISED);
    expect(outcomesFor(CaseType.FOREIGN_DIVORCE_RECOGNITION)).toContain(Outcome.WITHDRAWN);
  });

  it("needs a reason, and an outcome of the type when resolving", () => {
    const c = storedCase();
    expect(validateTransition(c, { to: CaseStatus.ON_HOLD, reason: " ", outcome: 0 }).reason?.key).toBe("problem.required");
    expect(validateTransition(c, { to: CaseStatus.RESOLVED, reason: "done", outcome: 0 }).outcome?.key).toBe("problem.choose");
    expect(validateTransition(c, { to: CaseStatus.RESOLVED, reason: "done", outcome: Outcome.RECOGNISED }).outcome?.key).toBe("problem.outcomeForType");
    expect(validateTransition(c, { to: CaseStatus.RESOLVED, reason: "done", outcome: Outcome.STAYED_BY_OWN_CHOICE })).toEqual({});
  });

  it("sends the outcome only when resolving, with the version read", () => {
    const c = storedCase();
    const hold = buildTransitionRequest(c, { to: CaseStatus.ON_HOLD, reason: " waiting ", outcome: Outcome.CONTACT_LOST }, "r");
    expect(hold).toMatchObject({ caseId: c.id, targetStatus: CaseStatus.ON_HOLD, reason: "waiting", outcome: Outcome.UNSPECIFIED, expectedVersion: 7n });
    const resolve = buildTransitionRequest(c, { to: CaseStatus.RESOLVED, reason: "home", outcome: Outcome.RETURNED_TO_NL }, "r");
    expect(resolve.outcome).toBe(Outcome.RETURNED_TO_NL);
  });
});

describe("the contact log", () => {
  const husband = create(PersonSchema, { id: "7c9e6679-7425-40de-944b-e07fc1f90ae7", role: PersonRole.PERPETRATOR, fullName: "Karim", doNotContact: true });
  const sister = create(PersonSchema, { id: "16fd2706-8baf-433b-82eb-8c7fada847da", role: PersonRole.TRUSTED_CONTACT, fullName: "Samira" });
  const now = new Date(2026, 2, 5, 14, 0);

  function filledContact(over: Partial<ContactInput> = {}): ContactInput {
    return {
      ...emptyContactInput("2026-03-05T13:30"),
      kind: "person",
      personId: sister.id,
      channel: ContactChannel.PHONE,
      direction: ContactDirection.OUTGOING,
      purpose: ContactPurpose.SHELTER,
      outcome: ContactOutcome.HELP_AGREED,
      followUpDue: "2026-03-12",
      ...over,
    };
  }

  it("never lets a do-not-contact person be chosen for an outgoing contact", () => {
    expect(isBlockedPerson(husband, ContactDirection.OUTGOING)).toBe(true);
    expect(isBlockedPerson(husband, ContactDirection.INCOMING)).toBe(false);
    expect(isBlockedPerson(sister, ContactDirection.OUTGOING)).toBe(false);
    const choices = personChoices([husband, sister], ContactDirection.OUTGOING);
    expect(choices.map((c) => [c.person.fullName, c.warn, c.blocked])).toEqual([
      ["Karim", true, true],
      ["Samira", false, false],
    ]);
    // Incoming: he may be the one who called; still with the warning.
    expect(personChoices([husband], ContactDirection.INCOMING)[0]).toMatchObject({ warn: true, blocked: false });
    expect(validateContact(filledContact({ personId: husband.id }), [husband, sister], now).personId?.key).toBe("problem.doNotContact");
    expect(validateContact(filledContact({ personId: husband.id, direction: ContactDirection.INCOMING }), [husband, sister], now)).toEqual({});
  });

  it("checks the form", () => {
    expect(validateContact(filledContact(), [husband, sister], now)).toEqual({});
    const empty = validateContact(emptyContactInput(""), [], now);
    expect(Object.keys(empty).sort()).toEqual(["channel", "direction", "occurredAt", "outcome", "partnerId", "purpose"]);
    expect(validateContact(filledContact({ kind: "adhoc" }), [], now).adHocName?.key).toBe("problem.required");
    expect(validateContact(filledContact({ occurredAt: "2026-03-05T15:00" }), [sister], now).occurredAt?.key).toBe("problem.future");
    expect(validateContact(filledContact({ occurredAt: "2026-03-05T14:04" }), [sister], now)).toEqual({}); // the server allows 5 minutes
    expect(validateContact(filledContact({ followUpDue: "2026-13-01" }), [sister], now).followUpDue?.key).toBe("problem.invalidDate");
    expect(contactFieldOfPath("contact.ad_hoc.name")).toBe("adHocName");
  });

  it("logs a contact with a person by id only, at the moment given, with the follow-up date", () => {
    const r = buildLogContactRequest("ABN-2026-00042", filledContact(), "req");
    const c = r.contact!;
    expect(r.requestId).toBe("req");
    expect(c.caseId).toBe("ABN-2026-00042");
    expect(c.counterpart).toMatchObject({ case: "adHoc", value: { personId: sister.id, name: "" } });
    expect(timestampDate(c.occurredAt!).getTime()).toBe(parseLocalDateTime("2026-03-05T13:30")!.getTime());
    expect(c.followUpDue).toMatchObject({ year: 2026, month: 3, day: 12 });
    const partner = buildLogContactRequest("ABN-2026-00042", filledContact({ kind: "partner", partnerId: "p-1", followUpDue: "" }), "req");
    expect(partner.contact?.counterpart).toEqual({ case: "partnerId", value: "p-1" });
    expect(partner.contact?.followUpDue).toMatchObject({ year: 0, month: 0, day: 0 });
    expect(logContactKey("X", filledContact())).toBe(logContactKey("X", filledContact()));
    expect(logContactKey("X", filledContact())).not.toBe(logContactKey("X", filledContact({ note: "more" })));
  });

  it("offers active partners that are not suspended", () => {
    const partners = [
      create(PartnerSchema, { id: "a", name: "Vetted", active: true, vettingStatus: VettingStatus.VETTED }),
      create(PartnerSchema, { id: "b", name: "Suspended", active: true, vettingStatus: VettingStatus.SUSPENDED }),
      create(PartnerSchema, { id: "c", name: "Gone", active: false, vettingStatus: VettingStatus.VETTED }),
      create(PartnerSchema, { id: "d", name: "New", active: true, vettingStatus: VettingStatus.UNVETTED }),
    ];
    expect(usablePartners(partners).map((p) => p.id)).toEqual(["a", "d"]);
  });

  it("completes a follow-up on the version read, and cancels one by clearing its date", () => {
    const contact = create(ContactSchema, { id: "c-1", version: 3n, followUpDue: { year: 2026, month: 3, day: 1 } });
    expect(completeFollowUpRequest(contact, "r")).toMatchObject({ requestId: "r", contactId: "c-1", expectedVersion: 3n });
    const cancel = cancelFollowUpRequest(contact, "r2");
    expect(cancel.updateMask?.paths).toEqual(["follow_up_due"]);
    expect(cancel.contact?.id).toBe("c-1");
    expect(cancel.contact?.followUpDue).toBeUndefined();
    expect(cancel.expectedVersion).toBe(3n);
  });

  it("names the counterpart", () => {
    setLanguage("nl");
    expect(counterpartName(create(ContactSchema, { counterpart: { case: "partnerId", value: "p" }, partnerName: "Avocats Rabat" }))).toBe("Avocats Rabat");
    expect(counterpartName(create(ContactSchema, { counterpart: { case: "adHoc", value: { personId: sister.id } } }), [sister])).toBe("Samira");
    expect(counterpartName(create(ContactSchema, { counterpart: { case: "adHoc", value: { name: "Fatima", organisation: "Shelter" } } }))).toBe("Fatima (Shelter)");
  });
});

describe("the services' messages", () => {
  it("reads INVALID_ARGUMENT field: problem", () => {
    setLanguage("nl");
    const e = new ConnectError("case.subject.full_name: longer than 200 characters", Code.InvalidArgument);
    expect(fieldProblemOf(e)).toEqual({ path: "case.subject.full_name", problem: { key: "problem.tooLong", params: { max: 200 } } });
    expect(fieldProblemOf(new ConnectError("case.risk_flags[1]: listed twice", Code.InvalidArgument))?.path).toBe("case.risk_flags[1]");
    expect(fieldProblemOf(new ConnectError("case.country: required", Code.FailedPrecondition))).toBeUndefined();
    expect(serverProblem("1990-01-01 is in the future").key).toBe("problem.future");
    expect(serverProblem("required to change safety.safe_contact_times: the safety information is never changed without saying why").key).toBe("problem.reasonForSafety");
    expect(serverProblem("something new")).toEqual({ key: "problem.server", params: { problem: "something new" } });
  });

  it("says the lifecycle's refusals in the user's language", () => {
    setLanguage("en");
    expect(preconditionText("case ABN-2026-00001: the outcome RETURNED_TO_NL needs the actual date of return; record abandonment.returned_on first")).toBe(
      t("precondition.needsReturnDate"),
    );
    expect(preconditionText("case ABN-2026-00001 has 2 open follow-up(s), of contact(s) a, b: complete them")).toContain("2 open follow-ups");
    expect(preconditionText("case ABN-2026-00001 has 1 open follow-up(s), of contact(s) a: complete it")).toContain("1 open follow-up.");
    expect(preconditionText("a rule we did not know")).toBe("This is not possible now: a rule we did not know");
    expect(describeError(new ConnectError("case X is at version 8, not 7; read it again and retry", Code.Aborted))).toBe(t("error.changedMeanwhile"));
    setLanguage("nl");
  });
});

describe("dates", () => {
  it("parses form dates and adds days across months", () => {
    expect(parseIsoDate("2024-02-29")).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseIsoDate("2025-02-29")).toBeUndefined();
    expect(parseIsoDate("1899-12-31")).toBeUndefined();
    expect(addDays({ year: 2026, month: 1, day: 30 }, 7)).toEqual({ year: 2026, month: 2, day: 6 });
    expect(parseLocalDateTime("2026-03-05T25:00")).toBeUndefined();
  });
});
