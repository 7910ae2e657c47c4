// "Follow-ups due" (#/follow-ups): the open follow-ups of the unit's cases up to a day
// (ContactService.ListFollowUpsDue: overdue first), each completed (CompleteFollowUp) or
// cancelled (UpdateContact clearing follow_up_due) with the version read. A follow-up someone
// else changed meanwhile (ABORTED) is read again, not overwritten.
import { PartnerKindSchema, ContactPurposeSchema } from "../gen/consular/v1/common_pb";
import type { Contact, FollowUpDue } from "../gen/consular/v1/contacts_pb";
import { addDays, localDate } from "../dates";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { errorMessage, isAbort } from "../errors";
import { formatDate, isoDate } from "../format";
import { t, tPlural } from "../i18n/i18n";
import { UserAction, withRetry } from "../rpc";
import { cancelFollowUpRequest, completeFollowUpRequest, counterpartName } from "../casework/contacts";
import { describeError, isAborted } from "../casework/problems";
import { caseHref } from "./cases";
import { selectField } from "./form";
import { BaseView, type AppContext } from "./view";
import { loadFailure, moreButton } from "./lists";

export const followUpsPageSize = 100;

/** How far ahead the list looks: today (and everything overdue), a week, a month. */
export const followUpWindows = [0, 7, 30] as const;
export type FollowUpWindow = (typeof followUpWindows)[number];

type RowAction = "complete" | "cancel";

export class FollowUpsView extends BaseView {
  private window: FollowUpWindow = 7;
  private items: FollowUpDue[] | undefined;
  private next = "";
  private loading = false;
  private error: unknown;
  /** What the last completion or cancellation said. */
  private done: string | undefined;
  /** The row asking "cancel this follow-up?" */
  private confirming: string | undefined;
  /** What the last action on a row said (by contact id). */
  private rowMessages = new Map<string, { error: boolean; text: string }>();
  private readonly actions = new Map<string, { kind: RowAction; action: UserAction<Contact> }>();

  constructor(private readonly ctx: AppContext) {
    super();
    this.render();
    void this.load("");
  }

  title(): string {
    return t("followUps.title");
  }

  private async load(pageToken: string): Promise<void> {
    this.loading = true;
    this.error = undefined;
    this.render();
    try {
      const dueTo = addDays(localDate(), this.window);
      const response = await withRetry(
        () =>
          this.ctx.clients.contacts.listFollowUpsDue(
            { dueTo, pageSize: followUpsPageSize, pageToken },
            { signal: this.abort.signal },
          ),
        { signal: this.abort.signal },
      );
      this.items = pageToken ? [...(this.items ?? []), ...response.followUps] : response.followUps;
      this.next = response.nextPageToken;
      this.ctx.announce(tPlural("followUps.loaded", this.items.length));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.error = error;
      this.ctx.announce(errorMessage(error));
    } finally {
      this.loading = false;
    }
    this.render();
  }

  /** One action per row and kind: pressing again after a failure retries under the same id. */
  private actionFor(contact: Contact, kind: RowAction): UserAction<Contact> {
    const key = `${contact.id}|${contact.version}`;
    const known = this.actions.get(key);
    if (known && known.kind === kind) return known.action;
    const action = new UserAction<Contact>();
    this.actions.set(key, { kind, action });
    return action;
  }

  private async act(item: FollowUpDue, kind: RowAction): Promise<void> {
    const contact = item.contact;
    if (!contact) return;
    const action = this.actionFor(contact, kind);
    if (action.pending) return;
    this.confirming = undefined;
    this.rowMessages.delete(contact.id);
    const run = action.run(
      (requestId) =>
        kind === "complete"
          ? this.ctx.clients.contacts.completeFollowUp(completeFollowUpRequest(contact, requestId), { signal: this.abort.signal })
          : this.ctx.clients.contacts.updateContact(cancelFollowUpRequest(contact, requestId), { signal: this.abort.signal }),
      { signal: this.abort.signal },
    );
    this.render();
    try {
      await run;
      this.actions.delete(`${contact.id}|${contact.version}`);
      this.items = (this.items ?? []).filter((i) => i.contact?.id !== contact.id);
      const text = kind === "complete" ? t("followUps.completed", { reference: contact.caseReference }) : t("followUps.cancelled", { reference: contact.caseReference });
      this.ctx.announce(text);
      this.done = text;
      this.render();
      document.getElementById("followups-done")?.focus();
      return;
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      const text = isAborted(error) ? t("followUps.changedMeanwhile") : describeError(error);
      this.rowMessages.set(contact.id, { error: true, text });
      this.ctx.announce(text);
      if (isAborted(error)) {
        // Read the list again: the row comes back with its current version (or not at all).
        await this.load("");
        return;
      }
    }
    this.render();
  }

  private setWindow(value: string): void {
    const n = Number(value);
    if (!followUpWindows.includes(n as FollowUpWindow)) return;
    this.window = n as FollowUpWindow;
    this.done = undefined;
    void this.load("");
  }

  protected build(): Child[] {
    return [
      h("h1", { tabindex: -1 }, t("followUps.title")),
      h("p", { class: "lead" }, t("followUps.intro")),
      h(
        "div",
        { class: "form filters" },
        selectField({
          id: "followups-window",
          label: t("followUps.window"),
          value: String(this.window),
          choices: [
            { value: "0", label: t("followUps.windowToday") },
            { value: "7", label: t("followUps.windowWeek") },
            { value: "30", label: t("followUps.windowMonth") },
          ],
          onValue: (v) => this.setWindow(v),
        }),
      ),
      this.done ? h("p", { id: "followups-done", class: "message", role: "status", tabindex: -1 }, this.done) : null,
      this.error !== undefined
        ? loadFailure("followups-retry", this.error, () => void this.load(""))
        : null,
      this.buildTable(),
      this.next && !this.loading
        ? moreButton("followups-more", t("followUps.loadMore"), () => void this.load(this.next))
        : null,
    ];
  }

  private buildTable(): Child {
    if (this.items === undefined) return this.loading ? h("p", { class: "loading" }, t("common.loading")) : null;
    if (this.items.length === 0) return h("p", { id: "followups-empty" }, t("followUps.none"));
    return h(
      "div",
      { class: "table-scroll", role: "region", "aria-labelledby": "followups-caption", tabindex: 0 },
      h(
        "table",
        { id: "followups-table", class: "data", "aria-busy": this.loading ? "true" : "false" },
        h("caption", { id: "followups-caption" }, t("followUps.caption")),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, t("followUps.due")),
            h("th", { scope: "col" }, t("case.reference")),
            h("th", { scope: "col" }, t("contacts.with")),
            h("th", { scope: "col" }, t("contacts.purpose")),
            h("th", { scope: "col" }, t("followUps.loggedBy")),
            h("th", { scope: "col" }, t("followUps.actions")),
          ),
        ),
        h("tbody", null, this.items.map((i) => this.buildRow(i))),
      ),
    );
  }

  private buildRow(item: FollowUpDue): Child {
    const c = item.contact;
    if (!c) return null;
    const pending = [...this.actions.entries()].some(([key, a]) => key.startsWith(`${c.id}|`) && a.action.pending);
    const message = this.rowMessages.get(c.id);
    const due = formatDate(c.followUpDue);
    return h(
      "tr",
      { id: `followup-${c.id}`, "data-contact-id": c.id, "data-reference": c.caseReference },
      h(
        "td",
        { class: "nowrap" },
        h("time", { datetime: isoDate(c.followUpDue), class: item.overdue ? "deadline-passed" : undefined }, due),
        item.overdue ? h("span", { class: "muted block" }, tPlural("followUps.overdue", item.daysOverdue)) : null,
      ),
      h("th", { scope: "row", class: "nowrap" }, h("a", { href: caseHref(c.caseReference) }, c.caseReference)),
      h("td", null, counterpartName(c) || t("contacts.personOnCase"), " ", h("span", { class: "muted" }, t("contacts.kind", { kind: enumLabel(PartnerKindSchema, c.partnerKind) }))),
      h("td", null, enumLabel(ContactPurposeSchema, c.purpose)),
      h("td", null, c.loggedBy),
      h(
        "td",
        null,
        this.confirming === c.id
          ? h(
              "div",
              { class: "button-row", role: "group", "aria-label": t("followUps.confirmCancelLabel", { reference: c.caseReference, date: due }) },
              h("span", { id: `followup-confirm-text-${c.id}` }, t("followUps.confirmCancel")),
              h(
                "button",
                { type: "button", id: `followup-cancel-confirm-${c.id}`, class: "secondary", "aria-describedby": `followup-confirm-text-${c.id}`, onclick: () => void this.act(item, "cancel") },
                t("followUps.confirmCancelYes"),
              ),
              h(
                "button",
                {
                  type: "button",
                  id: `followup-cancel-keep-${c.id}`,
                  class: "secondary",
                  onclick: () => {
                    this.confirming = undefined;
                    this.render();
                    document.getElementById(`followup-cancel-${c.id}`)?.focus();
                  },
                },
                t("followUps.confirmCancelNo"),
              ),
            )
          : h(
              "div",
              { class: "button-row" },
              h(
                "button",
                {
                  type: "button",
                  id: `followup-complete-${c.id}`,
                  "aria-disabled": pending ? "true" : "false",
                  "aria-label": t("followUps.completeLabel", { reference: c.caseReference, date: due }),
                  onclick: () => void this.act(item, "complete"),
                },
                t("followUps.complete"),
              ),
              h(
                "button",
                {
                  type: "button",
                  id: `followup-cancel-${c.id}`,
                  class: "secondary",
                  "aria-disabled": pending ? "true" : "false",
                  "aria-label": t("followUps.cancelLabel", { reference: c.caseReference, date: due }),
                  onclick: () => {
                    if (pending) return;
                    this.confirming = c.id;
                    this.render();
                    document.getElementById(`followup-cancel-confirm-${c.id}`)?.focus();
                  },
                },
                t("followUps.cancel"),
              ),
            ),
        message ? h("p", { class: message.error ? "field-error" : "hint", role: "alert" }, message.text) : null,
      ),
    );
  }
}
