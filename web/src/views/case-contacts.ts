// The contact log of a case on the case page: ContactService.ListContacts (newest first) and
// LogContact with a partner of the directory in the case's country (PartnerService.ListPartners),
// a person on the case, or someone else. A person marked do-not-contact is shown with a warning
// and cannot be chosen for an outgoing contact.
import type { Case } from "../gen/consular/v1/cases_pb";
import { PersonRoleSchema } from "../gen/consular/v1/cases_pb";
import { ContactPurposeSchema, PartnerKindSchema } from "../gen/consular/v1/common_pb";
import {
  ContactChannelSchema,
  ContactDirectionSchema,
  ContactOutcomeSchema,
  type Contact,
  type Partner,
} from "../gen/consular/v1/contacts_pb";
import { localDateTimeValue } from "../dates";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { isAbort } from "../errors";
import { formatDate, formatList, formatTimestamp, formatTimestampDate, isoDate, isoTimestamp, isSetDate } from "../format";
import { t, tPlural } from "../i18n/i18n";
import { FormAction, withRetry } from "../rpc";
import {
  buildLogContactRequest,
  contactFieldOfPath,
  counterpartName,
  emptyContactInput,
  logContactKey,
  personChoices,
  usablePartners,
  validateContact,
  type ContactErrors,
  type ContactField,
  type ContactInput,
  type CounterpartKind,
} from "../casework/contacts";
import { describeError, fieldProblemOf, problemText } from "../casework/problems";
import { mayEdit } from "./case-edit";
import { dateField, dateTimeField, enumChoices, errorSummary, radioGroup, selectField, textArea, textField, type Choice } from "./form";
import { Panel, type CaseHost } from "./panel";
import { loadFailure, moreButton } from "./lists";

export const contactsPageSize = 50;

const fieldIds: Readonly<Record<ContactField, string>> = {
  kind: "contact-kind",
  partnerId: "contact-partner",
  personId: "contact-person",
  adHocName: "contact-adhoc-name",
  adHocOrganisation: "contact-adhoc-organisation",
  adHocPhone: "contact-adhoc-phone",
  adHocEmail: "contact-adhoc-email",
  occurredAt: "contact-occurred",
  channel: "contact-channel",
  direction: "contact-direction",
  purpose: "contact-purpose",
  outcome: "contact-outcome",
  followUpDue: "contact-follow-up",
  note: "contact-note",
};

/** The follow-up of a contact in words: due, done, or none. */
export function followUpText(c: Contact): string {
  if (c.followUpDoneAt) return t("contacts.followUpDone", { date: formatTimestampDate(c.followUpDoneAt) });
  if (isSetDate(c.followUpDue)) return t("contacts.followUpDue", { date: formatDate(c.followUpDue) });
  return t("common.none");
}

export class ContactsPanel extends Panel {
  private contacts: Contact[] = [];
  private next = "";
  private formOpen = false;
  private input: ContactInput = emptyContactInput("");
  private errors: ContactErrors = {};
  private failure: unknown;
  private busy = false;
  private partners: Partner[] | undefined;
  private partnersFailed = false;
  private readonly submission = new FormAction<Contact>();

  constructor(host: CaseHost) {
    super(host, "contacts");
  }

  async load(pageToken = ""): Promise<void> {
    const c = this.host.current();
    const response = await this.loadWith((signal) =>
      this.host.ctx.clients.contacts.listContacts(
        { of: { case: "caseId", value: c.id || c.reference }, pageSize: contactsPageSize, pageToken },
        { signal },
      ),
    );
    if (!response) return;
    this.contacts = pageToken ? [...this.contacts, ...response.contacts] : response.contacts;
    this.next = response.nextPageToken;
    this.render();
  }

  private async loadPartners(c: Case): Promise<void> {
    this.partnersFailed = false;
    try {
      const response = await withRetry(
        () => this.host.ctx.clients.partners.listPartners({ country: c.country, pageSize: 500 }, { signal: this.host.signal }),
        { signal: this.host.signal },
      );
      this.partners = usablePartners(response.partners);
      if (this.partners.length === 0 && this.input.kind === "partner") this.input.kind = "adhoc";
    } catch (error) {
      if (isAbort(error) || this.host.ctx.handleCommonError(error)) return;
      this.partners = [];
      this.partnersFailed = true;
    }
    if (this.formOpen) this.render();
  }

  private open(): void {
    const c = this.host.current();
    this.input = emptyContactInput(localDateTimeValue(new Date()));
    if (this.partners !== undefined && this.partners.length === 0) this.input.kind = "adhoc";
    this.errors = {};
    this.failure = undefined;
    this.formOpen = true;
    if (this.partners === undefined || this.partnersFailed) void this.loadPartners(c);
    this.render();
    this.focus("contact-form-heading");
  }

  private close(): void {
    this.formOpen = false;
    this.errors = {};
    this.failure = undefined;
    this.submission.forget();
    this.render();
    this.focus("contact-new");
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const c = this.host.current();
    this.failure = undefined;
    this.errors = validateContact(this.input, c.persons, new Date());
    if (Object.keys(this.errors).length > 0) {
      this.render();
      this.focus("contact-errors");
      return;
    }
    const input = { ...this.input };
    const caseId = c.id || c.reference;
    const action = this.submission.for(logContactKey(caseId, input));
    this.busy = true;
    this.render();
    try {
      await action.run(
        (requestId) => this.host.ctx.clients.contacts.logContact(buildLogContactRequest(caseId, input, requestId), { signal: this.host.signal }),
        { signal: this.host.signal },
      );
      this.busy = false;
      this.submission.forget();
      this.formOpen = false;
      this.host.ctx.announce(t("contacts.logged"));
      this.host.refreshTimeline();
      await this.load();
      this.focus("contact-new");
      return;
    } catch (error) {
      this.busy = false;
      if (isAbort(error) || this.host.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      const field = found ? contactFieldOfPath(found.path) : undefined;
      if (found && field) {
        this.errors = { [field]: found.problem };
        this.render();
        this.focus("contact-errors");
        return;
      }
      this.failure = error;
      this.host.ctx.announce(describeError(error));
    }
    this.render();
    this.focus("contact-failure");
  }

  protected build(): Child[] {
    const c = this.host.current();
    const content: Child[] = [this.heading(t("contacts.heading")), this.buildList(c)];
    if (!mayEdit(c)) return content;
    if (this.formOpen) content.push(this.buildForm(c));
    else content.push(h("button", { type: "button", id: "contact-new", onclick: () => this.open() }, t("contacts.new")));
    return content;
  }

  private buildList(c: Case): Child {
    const parts: Child[] = [];
    if (this.contacts.length > 0) {
      parts.push(
        h(
          "div",
          { class: "table-scroll", role: "region", "aria-labelledby": "contacts-caption", tabindex: 0 },
          h(
            "table",
            { id: "contacts-table", class: "data" },
            h("caption", { id: "contacts-caption", class: "visually-hidden" }, t("contacts.caption")),
            h(
              "thead",
              null,
              h(
                "tr",
                null,
                h("th", { scope: "col" }, t("contacts.when")),
                h("th", { scope: "col" }, t("contacts.with")),
                h("th", { scope: "col" }, t("contacts.channel")),
                h("th", { scope: "col" }, t("contacts.direction")),
                h("th", { scope: "col" }, t("contacts.purpose")),
                h("th", { scope: "col" }, t("contacts.outcome")),
                h("th", { scope: "col" }, t("contacts.followUp")),
                h("th", { scope: "col" }, t("contacts.note")),
              ),
            ),
            h(
              "tbody",
              null,
              this.contacts.map((k) =>
                h(
                  "tr",
                  { id: `contact-row-${k.id}`, "data-contact-id": k.id },
                  h("td", { class: "nowrap" }, k.occurredAt ? h("time", { datetime: isoTimestamp(k.occurredAt) }, formatTimestamp(k.occurredAt)) : t("common.none")),
                  h("th", { scope: "row" }, counterpartName(k, c.persons) || t("common.none"), " ", h("span", { class: "muted" }, t("contacts.kind", { kind: enumLabel(PartnerKindSchema, k.partnerKind) }))),
                  h("td", null, enumLabel(ContactChannelSchema, k.channel)),
                  h("td", null, enumLabel(ContactDirectionSchema, k.direction)),
                  h("td", null, enumLabel(ContactPurposeSchema, k.purpose)),
                  h("td", null, enumLabel(ContactOutcomeSchema, k.outcome)),
                  h("td", { class: "nowrap" }, isSetDate(k.followUpDue) && !k.followUpDoneAt ? h("time", { datetime: isoDate(k.followUpDue) }, followUpText(k)) : followUpText(k)),
                  h("td", { class: "pre-wrap" }, k.note || t("common.none")),
                ),
              ),
            ),
          ),
        ),
      );
    } else if (!this.loading && this.loadError === undefined) {
      parts.push(h("p", null, t("contacts.none")));
    }
    if (this.loading) parts.push(h("p", { class: "loading" }, t("common.loading")));
    if (this.loadError !== undefined) {
      parts.push(
        loadFailure("contacts-retry", this.loadError, () => void this.load(this.contacts.length ? this.next : "")),
      );
    } else if (this.next && !this.loading) {
      parts.push(moreButton("contacts-more", t("contacts.loadMore"), () => void this.load(this.next)));
    }
    return parts;
  }

  private set<K extends ContactField>(field: K, value: ContactInput[K], rerender = false): void {
    this.input[field] = value;
    if (rerender) this.render();
  }

  private buildForm(c: Case): HTMLElement {
    const i = this.input;
    const err = (f: ContactField) => (this.errors[f] ? problemText(this.errors[f]!) : undefined);
    const summary = errorSummary(
      "contact-errors",
      (Object.keys(this.errors) as ContactField[]).map((f) => ({ fieldId: fieldIds[f], label: t(fieldLabels[f]), text: err(f) ?? "" })),
    );
    const choices = personChoices(c.persons, i.direction);
    const warned = choices.filter((p) => p.warn);
    const kinds: Choice[] = [
      { value: "partner", label: t("contacts.kindPartner") },
      { value: "person", label: t("contacts.kindPerson"), disabled: c.persons.length === 0 },
      { value: "adhoc", label: t("contacts.kindAdHoc") },
    ];
    const counterpart: Child[] = [];
    if (i.kind === "partner") {
      const partners = this.partners;
      counterpart.push(
        selectField({
          id: fieldIds.partnerId,
          label: t("contacts.partner"),
          required: true,
          hint:
            partners === undefined
              ? t("common.loading")
              : this.partnersFailed
                ? t("contacts.partnersFailed")
                : partners.length === 0
                  ? t("contacts.noPartners", { country: c.country })
                  : t("contacts.partnerHint"),
          error: err("partnerId"),
          value: i.partnerId,
          placeholder: t("form.choose"),
          choices: (partners ?? []).map((p) => ({
            value: p.id,
            label: t("contacts.partnerChoice", { name: p.name, city: p.city, kind: enumLabel(PartnerKindSchema, p.kind) }),
          })),
          onValue: (v) => this.set("partnerId", v),
        }),
      );
    } else if (i.kind === "person") {
      counterpart.push(
        selectField({
          id: fieldIds.personId,
          label: t("contacts.person"),
          required: true,
          hint: t("contacts.personHint"),
          warning: warned.length
            ? tPlural("contacts.doNotContactWarning", warned.length, { names: formatList(warned.map((p) => p.person.fullName)) })
            : undefined,
          error: err("personId"),
          value: i.personId,
          placeholder: t("form.choose"),
          choices: choices.map((p) => ({
            value: p.person.id,
            label: p.warn
              ? t("contacts.personDoNotContact", { name: p.person.fullName, role: enumLabel(PersonRoleSchema, p.person.role) })
              : t("contacts.personChoice", { name: p.person.fullName, role: enumLabel(PersonRoleSchema, p.person.role) }),
            disabled: p.blocked,
          })),
          onValue: (v) => this.set("personId", v, true),
        }),
      );
    } else {
      counterpart.push(
        textField({ id: fieldIds.adHocName, label: t("contacts.adHocName"), required: true, error: err("adHocName"), value: i.adHocName, onValue: (v) => this.set("adHocName", v) }),
        textField({ id: fieldIds.adHocOrganisation, label: t("contacts.adHocOrganisation"), hint: t("form.optional"), error: err("adHocOrganisation"), value: i.adHocOrganisation, onValue: (v) => this.set("adHocOrganisation", v) }),
        textField({ id: fieldIds.adHocPhone, label: t("contacts.adHocPhone"), hint: t("form.optional"), error: err("adHocPhone"), value: i.adHocPhone, onValue: (v) => this.set("adHocPhone", v) }),
        textField({ id: fieldIds.adHocEmail, label: t("contacts.adHocEmail"), hint: t("form.optional"), error: err("adHocEmail"), value: i.adHocEmail, onValue: (v) => this.set("adHocEmail", v) }),
      );
    }
    const enumValue = (n: number) => (n ? String(n) : "");
    return h(
      "form",
      { id: "contact-form", class: "form form-wide", novalidate: true, onsubmit: (e: Event) => void this.submit(e) },
      h("h3", { id: "contact-form-heading", tabindex: -1 }, t("contacts.formHeading")),
      summary,
      selectField({
        id: fieldIds.direction,
        label: t("contacts.direction"),
        required: true,
        error: err("direction"),
        value: enumValue(i.direction),
        placeholder: t("form.choose"),
        choices: enumChoices(ContactDirectionSchema),
        onValue: (v) => this.set("direction", Number(v), true),
      }),
      radioGroup({
        id: fieldIds.kind,
        name: "contact-kind",
        label: t("contacts.with"),
        required: true,
        value: i.kind,
        choices: kinds,
        onValue: (v) => this.set("kind", v as CounterpartKind, true),
      }),
      ...counterpart,
      dateTimeField({
        id: fieldIds.occurredAt,
        label: t("contacts.when"),
        required: true,
        error: err("occurredAt"),
        value: i.occurredAt,
        max: localDateTimeValue(new Date()),
        onValue: (v) => this.set("occurredAt", v),
      }),
      selectField({ id: fieldIds.channel, label: t("contacts.channel"), required: true, error: err("channel"), value: enumValue(i.channel), placeholder: t("form.choose"), choices: enumChoices(ContactChannelSchema), onValue: (v) => this.set("channel", Number(v)) }),
      selectField({ id: fieldIds.purpose, label: t("contacts.purpose"), required: true, error: err("purpose"), value: enumValue(i.purpose), placeholder: t("form.choose"), choices: enumChoices(ContactPurposeSchema), onValue: (v) => this.set("purpose", Number(v)) }),
      selectField({ id: fieldIds.outcome, label: t("contacts.outcome"), required: true, error: err("outcome"), value: enumValue(i.outcome), placeholder: t("form.choose"), choices: enumChoices(ContactOutcomeSchema), onValue: (v) => this.set("outcome", Number(v)) }),
      dateField({ id: fieldIds.followUpDue, label: t("contacts.followUpDate"), hint: t("contacts.followUpHint"), error: err("followUpDue"), value: i.followUpDue, onValue: (v) => this.set("followUpDue", v) }),
      textArea({ id: fieldIds.note, label: t("contacts.note"), hint: t("form.optional"), error: err("note"), value: i.note, rows: 3, onValue: (v) => this.set("note", v) }),
      this.failure !== undefined
        ? h("div", { id: "contact-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.failure)), h("p", null, t("edit.inputKept")))
        : null,
      h(
        "div",
        { class: "form-actions" },
        h("button", { type: "submit", id: "contact-submit", "aria-disabled": this.busy ? "true" : "false" }, this.busy ? t("contacts.logging") : t("contacts.log")),
        h("button", { type: "button", id: "contact-cancel", class: "secondary", disabled: this.busy, onclick: () => this.close() }, t("edit.cancel")),
      ),
    );
  }
}

const fieldLabels = {
  kind: "contacts.with",
  partnerId: "contacts.partner",
  personId: "contacts.person",
  adHocName: "contacts.adHocName",
  adHocOrganisation: "contacts.adHocOrganisation",
  adHocPhone: "contacts.adHocPhone",
  adHocEmail: "contacts.adHocEmail",
  occurredAt: "contacts.when",
  channel: "contacts.channel",
  direction: "contacts.direction",
  purpose: "contacts.purpose",
  outcome: "contacts.outcome",
  followUpDue: "contacts.followUpDate",
  note: "contacts.note",
} as const satisfies Record<ContactField, string>;
