// "Emergency access" (#/emergency). For post managers and LKHA caseworkers: the emergency search
// by exact name and date of birth with a reason (EmergencySearch, flagged in the audit trail),
// and opening one of its cases read-only for a limited time (OpenEmergencyAccess). For them and
// for auditors: the emergency accesses to review (ListEmergencyAccess), each marked justified or
// not (ReviewEmergencyAccess) by an auditor or a post manager, never by the one who opened it.
// The name and date of birth stay in this screen's memory; the URL never holds them.
import { EmergencyReview, EmergencyReviewSchema, type EmergencyAccess, type EmergencySearchHit } from "../gen/consular/v1/cases_pb";
import { RoleSchema } from "../gen/consular/v1/common_pb";
import { withPurpose, type AccessPurpose } from "../api";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { isAbort } from "../errors";
import { formatTimestamp, isoTimestamp } from "../format";
import { t, tPlural } from "../i18n/i18n";
import { FormAction, UserAction, withRetry } from "../rpc";
import {
  buildOpenRequest,
  buildReviewRequest,
  buildSearchRequest,
  defaultMinutes,
  minutesChoices,
  openKey,
  reasonProblem,
  validateSearch,
  type SearchErrors,
  type SearchField,
  type SearchInput,
} from "../casework/emergency";
import { describeError, problemText, type Problem } from "../casework/problems";
import { mayListEmergencyAccess, mayOpenEmergencyAccess, mayReviewEmergencyAccess } from "../casework/roles";
import { dateField, errorSummary, selectField, textArea, textField } from "./form";
import { BaseView, type AppContext } from "./view";
import { loadFailure, moreButton } from "./lists";

export const emergencyPageSize = 50;

const searchFieldIds: Readonly<Record<SearchField, string>> = {
  fullName: "emergency-name",
  dateOfBirth: "emergency-dob",
  reason: "emergency-reason",
};

export class EmergencyView extends BaseView {
  private readonly mayOpen: boolean;
  private readonly mayList: boolean;
  private readonly mayReview: boolean;
  private readonly listPurpose: AccessPurpose;
  // The search
  private input: SearchInput = { fullName: "", dateOfBirth: "", reason: "" };
  private errors: SearchErrors = {};
  private searching = false;
  private searchFailure: unknown;
  private hits: EmergencySearchHit[] | undefined;
  // Opening one hit
  private opening: number | undefined;
  private openReason = "";
  private openMinutes: number = defaultMinutes;
  private openProblem: Problem | undefined;
  private openFailure: unknown;
  private openBusy = false;
  private readonly openAction = new FormAction<EmergencyAccess>();
  // The review list
  private unreviewedOnly = true;
  private grants: EmergencyAccess[] | undefined;
  private next = "";
  private listLoading = false;
  private listError: unknown;
  private readonly reviews = new Map<string, { review: EmergencyReview; action: UserAction<EmergencyAccess> }>();
  private rowMessages = new Map<string, string>();
  private reviewDone: string | undefined;

  constructor(
    private readonly ctx: AppContext,
    private readonly onOpened: (access: EmergencyAccess) => void,
  ) {
    super();
    const role = ctx.session.role;
    this.mayOpen = mayOpenEmergencyAccess(role);
    this.mayList = mayListEmergencyAccess(role);
    this.mayReview = mayReviewEmergencyAccess(role);
    this.listPurpose = role === "ROLE_AUDITOR" ? "audit" : "supervision";
    this.render();
    if (this.mayList) void this.loadGrants("");
  }

  title(): string {
    return t("emergency.title");
  }

  private async search(event: Event): Promise<void> {
    event.preventDefault();
    if (this.searching) return;
    this.searchFailure = undefined;
    this.errors = validateSearch(this.input);
    const first = (Object.keys(searchFieldIds) as SearchField[]).find((f) => this.errors[f]);
    if (first) {
      this.render();
      document.getElementById("emergency-search-errors")?.focus();
      return;
    }
    const request = buildSearchRequest(this.input);
    this.searching = true;
    this.hits = undefined;
    this.opening = undefined;
    this.render();
    try {
      // Not a change: nothing to keep a request id for; the search is recorded by the service.
      const response = await withRetry(
        () => this.ctx.clients.cases.emergencySearch(request, withPurpose("emergency", { signal: this.abort.signal })),
        { signal: this.abort.signal },
      );
      this.hits = response.hits;
      this.openReason = this.input.reason.trim();
      this.ctx.announce(tPlural("emergency.hits", this.hits.length));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.searchFailure = error;
      this.ctx.announce(describeError(error));
    } finally {
      this.searching = false;
    }
    this.render();
    document.getElementById(this.searchFailure !== undefined ? "emergency-search-failure" : "emergency-hits-heading")?.focus();
  }

  private async open(event: Event, hit: EmergencySearchHit): Promise<void> {
    event.preventDefault();
    if (this.openBusy) return;
    this.openFailure = undefined;
    this.openProblem = reasonProblem(this.openReason);
    if (this.openProblem) {
      this.render();
      document.getElementById("emergency-open-reason")?.focus();
      return;
    }
    const reason = this.openReason;
    const minutes = this.openMinutes;
    const action = this.openAction.for(openKey(hit.reference, reason, minutes));
    this.openBusy = true;
    this.render();
    try {
      const access = await action.run(
        (requestId) =>
          this.ctx.clients.cases.openEmergencyAccess(buildOpenRequest(hit.reference, reason, minutes, requestId), withPurpose("emergency", { signal: this.abort.signal })),
        { signal: this.abort.signal },
      );
      this.openAction.forget();
      this.openBusy = false;
      this.ctx.announce(t("emergency.opened", { reference: access.caseReference || hit.reference }));
      this.onOpened(access);
      return;
    } catch (error) {
      this.openBusy = false;
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.openFailure = error;
      this.ctx.announce(describeError(error));
    }
    this.render();
    document.getElementById("emergency-open-failure")?.focus();
  }

  private async loadGrants(pageToken: string): Promise<void> {
    this.listLoading = true;
    this.listError = undefined;
    this.render();
    try {
      const response = await withRetry(
        () =>
          this.ctx.clients.cases.listEmergencyAccess(
            { unreviewedOnly: this.unreviewedOnly, pageSize: emergencyPageSize, pageToken },
            withPurpose(this.listPurpose, { signal: this.abort.signal }),
          ),
        { signal: this.abort.signal },
      );
      this.grants = pageToken ? [...(this.grants ?? []), ...response.grants] : response.grants;
      this.next = response.nextPageToken;
      this.ctx.announce(tPlural("emergency.grantsLoaded", this.grants.length));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.listError = error;
    } finally {
      this.listLoading = false;
    }
    this.render();
  }

  private mayReviewGrant(g: EmergencyAccess): boolean {
    return this.mayReview && g.review === EmergencyReview.UNSPECIFIED && g.actor !== this.ctx.session.subject;
  }

  private async review(g: EmergencyAccess, review: EmergencyReview): Promise<void> {
    let known = this.reviews.get(g.id);
    if (known?.action.pending) return;
    if (!known || known.review !== review) {
      known = { review, action: new UserAction<EmergencyAccess>() };
      this.reviews.set(g.id, known);
    }
    this.rowMessages.delete(g.id);
    const run = known.action.run(
      (requestId) =>
        this.ctx.clients.cases.reviewEmergencyAccess(buildReviewRequest(g.id, review, requestId), withPurpose(this.listPurpose, { signal: this.abort.signal })),
      { signal: this.abort.signal },
    );
    this.render();
    try {
      const updated = await run;
      this.reviews.delete(g.id);
      this.grants = (this.grants ?? []).map((x) => (x.id === g.id ? updated : x));
      this.reviewDone = t("emergency.reviewed", { reference: g.caseReference, review: enumLabel(EmergencyReviewSchema, review) });
      this.ctx.announce(this.reviewDone);
      this.render();
      document.getElementById("emergency-review-done")?.focus();
      return;
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      const text = describeError(error);
      this.rowMessages.set(g.id, text);
      this.ctx.announce(text);
    }
    this.render();
  }

  protected build(): Child[] {
    return [
      h("h1", { tabindex: -1 }, t("emergency.title")),
      this.mayOpen ? this.buildSearch() : null,
      this.mayOpen && this.hits !== undefined ? this.buildHits(this.hits) : null,
      this.mayList ? this.buildReviewList() : null,
    ];
  }

  private searchError(field: SearchField): string | undefined {
    const p = this.errors[field];
    return p ? problemText(p) : undefined;
  }

  private buildSearch(): HTMLElement {
    const labels: Record<SearchField, string> = {
      fullName: t("emergency.name"),
      dateOfBirth: t("emergency.dateOfBirth"),
      reason: t("emergency.reason"),
    };
    const summary = (Object.keys(searchFieldIds) as SearchField[])
      .filter((f) => this.errors[f])
      .map((f) => ({ fieldId: searchFieldIds[f], label: labels[f], text: this.searchError(f)! }));
    return h(
      "section",
      { id: "emergency-search", class: "card", "aria-labelledby": "emergency-search-heading" },
      h("h2", { id: "emergency-search-heading" }, t("emergency.searchHeading")),
      h("p", { id: "emergency-warning", class: "message message-warning" }, t("emergency.warning")),
      errorSummary("emergency-search-errors", summary),
      h(
        "form",
        { id: "emergency-search-form", class: "form", novalidate: true, onsubmit: (e: Event) => void this.search(e) },
        textField({
          id: searchFieldIds.fullName,
          label: labels.fullName,
          hint: t("emergency.nameHint"),
          required: true,
          error: this.searchError("fullName"),
          value: this.input.fullName,
          onValue: (v) => {
            this.input.fullName = v;
          },
        }),
        dateField({
          id: searchFieldIds.dateOfBirth,
          label: labels.dateOfBirth,
          required: true,
          error: this.searchError("dateOfBirth"),
          value: this.input.dateOfBirth,
          onValue: (v) => {
            this.input.dateOfBirth = v;
          },
        }),
        textArea({
          id: searchFieldIds.reason,
          label: labels.reason,
          hint: t("emergency.reasonHint"),
          required: true,
          error: this.searchError("reason"),
          value: this.input.reason,
          rows: 3,
          onValue: (v) => {
            this.input.reason = v;
          },
        }),
        this.searchFailure !== undefined
          ? h("div", { id: "emergency-search-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.searchFailure)))
          : null,
        h(
          "button",
          { type: "submit", id: "emergency-search-submit", "aria-disabled": this.searching ? "true" : "false", "aria-describedby": "emergency-warning" },
          this.searching ? t("emergency.searching") : t("emergency.search"),
        ),
      ),
    );
  }

  private buildHits(hits: readonly EmergencySearchHit[]): HTMLElement {
    return h(
      "section",
      { id: "emergency-hits", class: "card", "aria-labelledby": "emergency-hits-heading" },
      h("h2", { id: "emergency-hits-heading", tabindex: -1 }, t("emergency.hitsHeading")),
      hits.length === 0
        ? h("p", { id: "emergency-hits-none" }, t("emergency.noHits"))
        : h(
            "ul",
            { class: "inbox-list" },
            hits.map((hit, i) =>
              h(
                "li",
                { id: `emergency-hit-${i}`, class: "inbox-item", "data-reference": hit.reference },
                h("p", null, t("emergency.hit", { reference: hit.reference, unit: hit.handlingUnit })),
                this.opening === i
                  ? this.buildOpenForm(hit)
                  : h(
                      "button",
                      {
                        type: "button",
                        id: `emergency-open-${i}`,
                        "aria-label": t("emergency.openLabel", { reference: hit.reference }),
                        onclick: () => {
                          this.opening = i;
                          this.openProblem = undefined;
                          this.openFailure = undefined;
                          this.render();
                          document.getElementById("emergency-open-reason")?.focus();
                        },
                      },
                      t("emergency.open"),
                    ),
              ),
            ),
          ),
    );
  }

  private buildOpenForm(hit: EmergencySearchHit): HTMLElement {
    return h(
      "form",
      { id: "emergency-open-form", class: "form", novalidate: true, onsubmit: (e: Event) => void this.open(e, hit) },
      textArea({
        id: "emergency-open-reason",
        label: t("emergency.openReason"),
        hint: t("emergency.reasonHint"),
        required: true,
        error: this.openProblem ? problemText(this.openProblem) : undefined,
        value: this.openReason,
        rows: 3,
        onValue: (v) => {
          this.openReason = v;
        },
      }),
      selectField({
        id: "emergency-open-minutes",
        label: t("emergency.minutes"),
        value: String(this.openMinutes),
        choices: minutesChoices.map((m) => ({ value: String(m), label: tPlural("emergency.minutesChoice", m) })),
        onValue: (v) => {
          this.openMinutes = Number(v);
        },
      }),
      this.openFailure !== undefined
        ? h("div", { id: "emergency-open-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.openFailure)))
        : null,
      h(
        "div",
        { class: "button-row" },
        h("button", { type: "submit", id: "emergency-open-submit", "aria-disabled": this.openBusy ? "true" : "false" }, t("emergency.openSubmit", { reference: hit.reference })),
        h(
          "button",
          {
            type: "button",
            id: "emergency-open-cancel",
            class: "secondary",
            onclick: () => {
              const i = this.opening;
              this.opening = undefined;
              this.render();
              document.getElementById(`emergency-open-${i}`)?.focus();
            },
          },
          t("emergency.openCancel"),
        ),
      ),
    );
  }

  private buildReviewList(): HTMLElement {
    const content: Child[] = [
      h("h2", { id: "emergency-review-heading" }, t("emergency.reviewHeading")),
      h("p", null, t("emergency.reviewIntro")),
      h(
        "div",
        { class: "form-field form-check" },
        h("input", {
          id: "emergency-unreviewed",
          type: "checkbox",
          checked: this.unreviewedOnly,
          onchange: (e: Event) => {
            this.unreviewedOnly = (e.target as HTMLInputElement).checked;
            this.reviewDone = undefined;
            void this.loadGrants("");
          },
        }),
        h("label", { for: "emergency-unreviewed" }, t("emergency.unreviewedOnly")),
      ),
      this.reviewDone ? h("p", { id: "emergency-review-done", class: "message", role: "status", tabindex: -1 }, this.reviewDone) : null,
    ];
    if (this.listError !== undefined) {
      content.push(
        loadFailure("emergency-retry", this.listError, () => void this.loadGrants("")),
      );
    }
    if (this.grants === undefined) {
      if (this.listLoading) content.push(h("p", { class: "loading" }, t("common.loading")));
    } else if (this.grants.length === 0) {
      content.push(h("p", { id: "emergency-none" }, t("emergency.noGrants")));
    } else {
      content.push(this.buildGrantsTable(this.grants));
    }
    if (this.next && !this.listLoading) {
      content.push(moreButton("emergency-more", t("emergency.loadMore"), () => void this.loadGrants(this.next)));
    }
    return h("section", { id: "emergency-review", class: "card", "aria-labelledby": "emergency-review-heading" }, ...content);
  }

  private buildGrantsTable(grants: readonly EmergencyAccess[]): HTMLElement {
    return h(
      "div",
      { class: "table-scroll", role: "region", "aria-labelledby": "emergency-caption", tabindex: 0 },
      h(
        "table",
        { id: "emergency-table", class: "data", "aria-busy": this.listLoading ? "true" : "false" },
        h("caption", { id: "emergency-caption" }, t("emergency.caption")),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, t("emergency.openedAt")),
            h("th", { scope: "col" }, t("case.reference")),
            h("th", { scope: "col" }, t("emergency.openedBy")),
            h("th", { scope: "col" }, t("emergency.reasonColumn")),
            h("th", { scope: "col" }, t("emergency.until")),
            h("th", { scope: "col" }, t("emergency.review")),
          ),
        ),
        h("tbody", null, grants.map((g) => this.buildGrantRow(g))),
      ),
    );
  }

  private buildGrantRow(g: EmergencyAccess): HTMLElement {
    const pending = this.reviews.get(g.id)?.action.pending ?? false;
    const message = this.rowMessages.get(g.id);
    const reviewCell: Child[] = [];
    if (g.review !== EmergencyReview.UNSPECIFIED) {
      reviewCell.push(t("emergency.reviewedBy", { review: enumLabel(EmergencyReviewSchema, g.review), by: g.reviewedBy }));
    } else if (this.mayReviewGrant(g)) {
      reviewCell.push(
        h(
          "div",
          { class: "button-row" },
          h(
            "button",
            {
              type: "button",
              id: `emergency-justified-${g.id}`,
              "aria-disabled": pending ? "true" : "false",
              "aria-label": t("emergency.justifiedLabel", { reference: g.caseReference, actor: g.actor }),
              onclick: () => void this.review(g, EmergencyReview.JUSTIFIED),
            },
            t("emergency.justified"),
          ),
          h(
            "button",
            {
              type: "button",
              id: `emergency-not-justified-${g.id}`,
              class: "secondary",
              "aria-disabled": pending ? "true" : "false",
              "aria-label": t("emergency.notJustifiedLabel", { reference: g.caseReference, actor: g.actor }),
              onclick: () => void this.review(g, EmergencyReview.NOT_JUSTIFIED),
            },
            t("emergency.notJustified"),
          ),
        ),
      );
    } else {
      reviewCell.push(t("emergency.notReviewed"));
    }
    if (message) reviewCell.push(h("p", { class: "field-error", role: "alert" }, message));
    return h(
      "tr",
      { id: `emergency-access-${g.id}`, "data-reference": g.caseReference },
      h("td", { class: "nowrap" }, g.openedAt ? h("time", { datetime: isoTimestamp(g.openedAt) }, formatTimestamp(g.openedAt)) : t("common.none")),
      h("th", { scope: "row", class: "nowrap" }, g.caseReference, h("span", { class: "muted block" }, t("emergency.handledBy", { unit: g.handlingPost }))),
      h("td", null, t("emergency.actor", { actor: g.actor, role: enumLabel(RoleSchema, g.actorRole), unit: g.actorUnit })),
      h("td", { class: "pre-wrap" }, g.reason),
      h(
        "td",
        { class: "nowrap" },
        g.expiresAt ? h("time", { datetime: isoTimestamp(g.expiresAt) }, formatTimestamp(g.expiresAt)) : t("common.none"),
        g.active ? h("span", { class: "deadline-near block" }, t("emergency.active")) : null,
      ),
      h("td", null, ...reviewCell),
    );
  }
}
