// "Records" (#/records): destruction lists and retention schedules (RecordsService).
// Destruction lists (administrators, auditors, post managers, LKHA caseworkers; a unit's reviewers
// see their unit's items): the lists, newest first (ListDestructionLists); one list's items
// (GetDestructionList) with each slot's decision, who gave it and why, and the result after
// processing. A reviewer approves or excludes the items waiting for their slot with one reason,
// after a confirmation (ReviewDestructionItems; a decision never changes). Administrators propose
// a list now (ProposeDestructionList) and process one (ProcessDestructionList) after a
// confirmation naming how many items will be anonymised and how many skipped.
// Retention schedules (every role): those in force, or every version; administrators set a new
// version (SetRetentionSchedule).
import type { DestructionItem, DestructionList, DestructionReview, RetentionSchedule } from "../gen/consular/v1/records_pb";
import {
  DestructionListState,
  DestructionListStateSchema,
  DestructionResult,
  DestructionResultSchema,
  ReviewDecision,
  ReviewDecisionSchema,
  ReviewSlot,
} from "../gen/consular/v1/records_pb";
import { CaseType, CaseTypeSchema, OutcomeSchema, RoleSchema } from "../gen/consular/v1/common_pb";
import { h, type Child } from "../dom";
import { utcDate } from "../dates";
import { enumLabel } from "../enums";
import { isAbort } from "../errors";
import { formatDate, formatTimestamp, isoDate, isoTimestamp, isSetDate } from "../format";
import { t, tPlural } from "../i18n/i18n";
import { FormAction, withRetry } from "../rpc";
import { describeError, fieldProblemOf, problemText, type Problem } from "../casework/problems";
import {
  awaitsDecision,
  buildProcessRequest,
  buildProposeRequest,
  buildReviewRequest,
  buildScheduleRequest,
  cutOffProblem,
  emptyScheduleInput,
  expectation,
  processQuestion,
  processSummary,
  reviewCounts,
  reviewQuestion,
  reviewIn,
  reviewKey,
  scheduleFieldOf,
  scheduleKey,
  slotNumber,
  validateReview,
  validateSchedule,
  type ReviewErrors,
  type ScheduleErrors,
  type ScheduleField,
  type ScheduleInput,
} from "../casework/records";
import { mayAdministerDestruction, mayListDestructionLists, mayReviewItemOf, maySetRetentionSchedule, reviewSlotOf } from "../casework/roles";
import { outcomesFor } from "../casework/transitions";
import { dateField, enumChoices, errorSummary, selectField, textArea, textField } from "./form";
import { caseHref } from "./cases";
import { BaseView, type AppContext } from "./view";
import { loadFailure } from "./lists";

const scheduleIds: Readonly<Record<ScheduleField, string>> = {
  type: "schedule-type",
  outcome: "schedule-outcome",
  years: "schedule-years",
  reason: "schedule-reason",
};

function time(ts: DestructionList["proposedAt"]): Child {
  return ts ? h("time", { datetime: isoTimestamp(ts) }, formatTimestamp(ts)) : t("common.none");
}

export class RecordsView extends BaseView {
  private readonly role: string;
  private readonly slot: ReviewSlot | undefined;
  // Destruction lists
  private lists: DestructionList[] | undefined;
  private listsLoading = false;
  private listsError: unknown;
  private shown: DestructionList | undefined;
  private shownLoading = false;
  private shownError: unknown;
  private choices = new Map<string, ReviewDecision>();
  private reviewReason = "";
  private reviewErrors: ReviewErrors = {};
  private reviewConfirming = false;
  private reviewBusy = false;
  private reviewFailure: unknown;
  private readonly reviewAction = new FormAction<DestructionList>();
  private cutOff = "";
  private cutOffError: Problem | undefined;
  private proposeBusy = false;
  private proposeFailure: unknown;
  private readonly proposeAction = new FormAction<DestructionList>();
  private processConfirming = false;
  private processBusy = false;
  private processFailure: unknown;
  private readonly processAction = new FormAction<DestructionList>();
  private listDone: string | undefined;
  // Schedules
  private schedules: RetentionSchedule[] | undefined;
  private history = false;
  private schedulesLoading = false;
  private schedulesError: unknown;
  private scheduleOpen = false;
  private scheduleInput: ScheduleInput = emptyScheduleInput();
  private scheduleErrors: ScheduleErrors = {};
  private scheduleFailure: unknown;
  private scheduleBusy = false;
  private readonly scheduleAction = new FormAction<RetentionSchedule>();
  private scheduleDone: string | undefined;

  constructor(private readonly ctx: AppContext) {
    super();
    this.role = ctx.session.role;
    const slot = reviewSlotOf(this.role);
    this.slot = slot ? slotNumber(slot) : undefined;
    this.render();
    if (mayListDestructionLists(this.role)) void this.loadLists();
    void this.loadSchedules();
  }

  title(): string {
    return t("records.title");
  }

  // ---- Loading ----

  private async loadLists(): Promise<void> {
    this.listsLoading = true;
    this.listsError = undefined;
    this.render();
    try {
      const response = await withRetry(() => this.ctx.clients.records.listDestructionLists({}, { signal: this.abort.signal }), { signal: this.abort.signal });
      this.lists = response.lists;
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.listsError = error;
    } finally {
      this.listsLoading = false;
    }
    this.render();
  }

  private async showList(id: string, focus = true): Promise<void> {
    this.shownLoading = true;
    this.shownError = undefined;
    if (this.shown?.id !== id) {
      this.choices = new Map();
      this.reviewReason = "";
      this.reviewErrors = {};
      this.reviewConfirming = false;
      this.processConfirming = false;
      this.reviewFailure = undefined;
      this.processFailure = undefined;
    }
    this.render();
    try {
      this.shown = await withRetry(() => this.ctx.clients.records.getDestructionList({ list: id }, { signal: this.abort.signal }), { signal: this.abort.signal });
      this.ctx.announce(tPlural("destruction.itemsLoaded", this.shown.items.length, { number: this.shown.number }));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.shownError = error;
    } finally {
      this.shownLoading = false;
    }
    this.render();
    if (focus) document.getElementById("destruction-list-heading")?.focus();
  }

  private async loadSchedules(): Promise<void> {
    this.schedulesLoading = true;
    this.schedulesError = undefined;
    this.render();
    try {
      const response = await withRetry(
        () => this.ctx.clients.records.listRetentionSchedules({ includeHistory: this.history }, { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.schedules = response.schedules;
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.schedulesError = error;
    } finally {
      this.schedulesLoading = false;
    }
    this.render();
  }

  // ---- Reviewing ----

  private askReview(): void {
    this.reviewFailure = undefined;
    this.reviewErrors = validateReview(this.choices, this.reviewReason);
    if (Object.keys(this.reviewErrors).length > 0) {
      this.render();
      document.getElementById("review-errors")?.focus();
      return;
    }
    this.reviewConfirming = true;
    this.render();
    document.getElementById("review-confirm")?.focus();
  }

  private async review(list: DestructionList): Promise<void> {
    if (this.reviewBusy) return;
    const choices = new Map(this.choices);
    const reason = this.reviewReason;
    const action = this.reviewAction.for(reviewKey(list.id, choices, reason));
    this.reviewBusy = true;
    this.reviewFailure = undefined;
    this.render();
    try {
      const updated = await action.run(
        (requestId) => this.ctx.clients.records.reviewDestructionItems(buildReviewRequest(list.id, choices, reason, requestId), { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.reviewAction.forget();
      this.reviewBusy = false;
      this.reviewConfirming = false;
      this.choices = new Map();
      this.reviewReason = "";
      const counts = reviewCounts(choices);
      this.shown = updated;
      this.listDone = t("destruction.reviewed", { approved: counts.approve, excluded: counts.exclude, number: updated.number });
      this.ctx.announce(this.listDone);
      this.render();
      document.getElementById("destruction-done")?.focus();
      return;
    } catch (error) {
      this.reviewBusy = false;
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      if (found && found.path === "decisions[0].reason") this.reviewErrors = { reason: found.problem };
      this.reviewFailure = error;
      this.ctx.announce(describeError(error));
    }
    this.render();
    document.getElementById("review-failure")?.focus();
  }

  // ---- Administering ----

  private async propose(event: Event): Promise<void> {
    event.preventDefault();
    if (this.proposeBusy) return;
    this.proposeFailure = undefined;
    this.cutOffError = cutOffProblem(this.cutOff, utcDate());
    if (this.cutOffError) {
      this.render();
      document.getElementById("propose-cut-off")?.focus();
      return;
    }
    const cutOff = this.cutOff;
    const action = this.proposeAction.for(cutOff.trim());
    this.proposeBusy = true;
    this.render();
    try {
      const list = await action.run(
        (requestId) => this.ctx.clients.records.proposeDestructionList(buildProposeRequest(cutOff, requestId), { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.proposeAction.forget();
      this.proposeBusy = false;
      this.cutOff = "";
      this.listDone = tPlural("destruction.proposed", list.itemCount, { number: list.number });
      this.ctx.announce(this.listDone);
      await this.loadLists();
      await this.showList(list.id, false);
      document.getElementById("destruction-done")?.focus();
      return;
    } catch (error) {
      this.proposeBusy = false;
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      if (found && found.path === "cut_off") this.cutOffError = found.problem;
      else this.proposeFailure = error;
      this.ctx.announce(found ? problemText(found.problem) : describeError(error));
    }
    this.render();
    document.getElementById(this.proposeFailure !== undefined ? "propose-failure" : "propose-cut-off")?.focus();
  }

  private async process(list: DestructionList): Promise<void> {
    if (this.processBusy) return;
    const action = this.processAction.for(list.id);
    this.processBusy = true;
    this.processFailure = undefined;
    this.render();
    try {
      const processed = await action.run(
        (requestId) => this.ctx.clients.records.processDestructionList(buildProcessRequest(list.id, requestId), { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.processAction.forget();
      this.processBusy = false;
      this.processConfirming = false;
      this.shown = processed;
      const anonymised = processed.items.filter((i) => i.result === DestructionResult.ANONYMISED).length;
      this.listDone = t("destruction.processed", { number: processed.number, anonymised, skipped: processed.items.length - anonymised });
      this.ctx.announce(this.listDone);
      await this.loadLists();
      document.getElementById("destruction-done")?.focus();
      return;
    } catch (error) {
      this.processBusy = false;
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.processFailure = error;
      this.ctx.announce(describeError(error));
    }
    this.render();
    document.getElementById("process-failure")?.focus();
  }

  // ---- Schedules ----

  private async setSchedule(event: Event): Promise<void> {
    event.preventDefault();
    if (this.scheduleBusy) return;
    const input = { ...this.scheduleInput };
    this.scheduleFailure = undefined;
    this.scheduleErrors = validateSchedule(input);
    if (Object.keys(this.scheduleErrors).length > 0) {
      this.render();
      document.getElementById("schedule-errors")?.focus();
      return;
    }
    const action = this.scheduleAction.for(scheduleKey(input));
    this.scheduleBusy = true;
    this.render();
    try {
      const s = await action.run(
        (requestId) => this.ctx.clients.records.setRetentionSchedule(buildScheduleRequest(input, requestId), { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.scheduleAction.forget();
      this.scheduleBusy = false;
      this.scheduleOpen = false;
      this.scheduleInput = emptyScheduleInput();
      this.scheduleDone = t("schedules.set", {
        type: enumLabel(CaseTypeSchema, s.caseType),
        outcome: enumLabel(OutcomeSchema, s.outcome, t("schedules.typeDefault")),
        years: s.retentionYears,
        version: s.version,
      });
      this.ctx.announce(this.scheduleDone);
      await this.loadSchedules();
      document.getElementById("schedules-done")?.focus();
      return;
    } catch (error) {
      this.scheduleBusy = false;
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      const field = found ? scheduleFieldOf(found.path) : undefined;
      if (found && field) this.scheduleErrors = { [field]: found.problem };
      else this.scheduleFailure = error;
      this.ctx.announce(found && field ? problemText(found.problem) : describeError(error));
    }
    this.render();
    document.getElementById(this.scheduleFailure !== undefined ? "schedule-failure" : "schedule-errors")?.focus();
  }

  // ---- Rendering ----

  protected build(): Child[] {
    return [
      h("h1", { tabindex: -1 }, t("records.title")),
      mayListDestructionLists(this.role) ? this.buildLists() : null,
      mayListDestructionLists(this.role) && (this.shown || this.shownLoading || this.shownError !== undefined) ? this.buildShown() : null,
      this.buildSchedules(),
    ];
  }

  private buildLists(): HTMLElement {
    const content: Child[] = [
      h("h2", { id: "destruction-heading" }, t("destruction.heading")),
      h("p", null, t("destruction.intro")),
      h("p", { id: "destruction-rule", class: "message message-warning" }, t("destruction.exclusionWins")),
    ];
    if (mayAdministerDestruction(this.role)) content.push(this.buildPropose());
    if (this.listsError !== undefined) content.push(loadFailure("destruction-retry", this.listsError, () => void this.loadLists()));
    else if (this.lists === undefined) content.push(h("p", { class: "loading" }, t("common.loading")));
    else if (this.lists.length === 0) content.push(h("p", { id: "destruction-none" }, t("destruction.none")));
    else {
      content.push(
        h(
          "div",
          { class: "table-scroll", role: "region", "aria-labelledby": "destruction-caption", tabindex: 0 },
          h(
            "table",
            { id: "destruction-lists", class: "data", "aria-busy": this.listsLoading ? "true" : "false" },
            h("caption", { id: "destruction-caption" }, t("destruction.caption")),
            h(
              "thead",
              null,
              h(
                "tr",
                null,
                h("th", { scope: "col" }, t("destruction.number")),
                h("th", { scope: "col" }, t("destruction.cutOff")),
                h("th", { scope: "col" }, t("destruction.proposed")),
                h("th", { scope: "col" }, t("destruction.state")),
                h("th", { scope: "col" }, t("destruction.items")),
              ),
            ),
            h(
              "tbody",
              null,
              this.lists.map((l) =>
                h(
                  "tr",
                  { id: `destruction-list-${l.number}`, "data-state": String(l.state) },
                  h(
                    "th",
                    { scope: "row" },
                    h(
                      "button",
                      { type: "button", class: "link-button", id: `destruction-show-${l.number}`, "aria-label": t("destruction.showLabel", { number: l.number }), onclick: () => void this.showList(l.id) },
                      l.number,
                    ),
                  ),
                  h("td", null, isSetDate(l.cutOff) ? h("time", { datetime: isoDate(l.cutOff) }, formatDate(l.cutOff)) : t("common.none")),
                  h("td", null, time(l.proposedAt), h("span", { class: "block muted" }, l.proposedBy)),
                  h(
                    "td",
                    null,
                    enumLabel(DestructionListStateSchema, l.state),
                    l.processedAt ? h("span", { class: "block muted" }, t("destruction.processedBy", { by: l.processedBy }), " ", time(l.processedAt)) : null,
                  ),
                  h("td", { class: "number" }, String(l.itemCount)),
                ),
              ),
            ),
          ),
        ),
      );
    }
    return h("section", { id: "destruction", class: "card", "aria-labelledby": "destruction-heading" }, ...content);
  }

  private buildPropose(): HTMLElement {
    return h(
      "form",
      { id: "propose-form", class: "form", novalidate: true, onsubmit: (e: Event) => void this.propose(e) },
      h("h3", null, t("destruction.proposeHeading")),
      dateField({
        id: "propose-cut-off",
        label: t("destruction.cutOff"),
        hint: t("destruction.cutOffHint"),
        error: this.cutOffError ? problemText(this.cutOffError) : undefined,
        value: this.cutOff,
        onValue: (v) => {
          this.cutOff = v;
        },
      }),
      this.proposeFailure !== undefined
        ? h("div", { id: "propose-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.proposeFailure)))
        : null,
      h("button", { type: "submit", id: "propose-submit", "aria-disabled": this.proposeBusy ? "true" : "false" }, t("destruction.propose")),
    );
  }

  private buildShown(): HTMLElement {
    const l = this.shown;
    const content: Child[] = [];
    if (this.listDone) content.push(h("p", { id: "destruction-done", class: "message", role: "status", tabindex: -1 }, this.listDone));
    if (this.shownError !== undefined) {
      content.unshift(h("h2", { id: "destruction-list-heading", tabindex: -1 }, t("destruction.listHeadingUnknown")));
      content.push(loadFailure("destruction-list-retry", this.shownError, () => this.shown && void this.showList(this.shown.id)));
      return h("section", { id: "destruction-list", class: "card", "aria-labelledby": "destruction-list-heading" }, ...content);
    }
    if (!l) {
      return h(
        "section",
        { id: "destruction-list", class: "card", "aria-labelledby": "destruction-list-heading" },
        h("h2", { id: "destruction-list-heading", tabindex: -1 }, t("destruction.listHeadingUnknown")),
        h("p", { class: "loading" }, t("common.loading")),
      );
    }
    content.unshift(h("h2", { id: "destruction-list-heading", tabindex: -1 }, t("destruction.listHeading", { number: l.number })));
    content.push(
      h(
        "p",
        null,
        t("destruction.listSummary", {
          state: enumLabel(DestructionListStateSchema, l.state),
          cutOff: formatDate(l.cutOff),
          by: l.proposedBy,
        }),
      ),
    );
    if (l.items.length === 0) content.push(h("p", { id: "destruction-items-none" }, t("destruction.noItems")));
    else content.push(this.buildItems(l));
    const reviewable = this.reviewableItems(l);
    if (reviewable.length > 0) content.push(this.buildReviewForm(l, reviewable));
    if (mayAdministerDestruction(this.role) && l.state === DestructionListState.OPEN) content.push(this.buildProcess(l));
    if (l.state === DestructionListState.PROCESSED) content.push(this.buildResults(l));
    return h("section", { id: "destruction-list", class: "card", "aria-labelledby": "destruction-list-heading", "aria-busy": this.shownLoading ? "true" : "false" }, ...content);
  }

  private reviewableItems(l: DestructionList): DestructionItem[] {
    const slot = this.slot;
    if (slot === undefined) return [];
    return l.items.filter((i) => awaitsDecision(l, i, slot) && mayReviewItemOf(this.role, this.ctx.session.unit, i.handlingUnit));
  }

  private buildDecision(r: DestructionReview | undefined): Child {
    if (!r) return h("span", { class: "muted" }, t("destruction.noDecision"));
    return [
      h("strong", null, enumLabel(ReviewDecisionSchema, r.decision)),
      h("span", { class: "block" }, t("destruction.decidedBy", { by: r.reviewedBy, role: enumLabel(RoleSchema, r.reviewerRole) }), " ", time(r.reviewedAt)),
      h("span", { class: "block pre-wrap" }, r.reason),
    ];
  }

  private buildItems(l: DestructionList): HTMLElement {
    const processed = l.state === DestructionListState.PROCESSED;
    return h(
      "div",
      { class: "table-scroll", role: "region", "aria-labelledby": "destruction-items-caption", tabindex: 0 },
      h(
        "table",
        { id: "destruction-items", class: "data" },
        h("caption", { id: "destruction-items-caption" }, tPlural("destruction.itemsCaption", l.items.length, { number: l.number })),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, t("case.reference")),
            h("th", { scope: "col" }, t("case.type")),
            h("th", { scope: "col" }, t("case.outcome")),
            h("th", { scope: "col" }, t("case.handlingUnit")),
            h("th", { scope: "col" }, t("destruction.closed")),
            h("th", { scope: "col" }, t("records.archiveDate")),
            h("th", { scope: "col" }, t("destruction.decisionUnit")),
            h("th", { scope: "col" }, t("destruction.decisionAuditor")),
            h("th", { scope: "col" }, processed ? t("destruction.result") : t("destruction.expected")),
          ),
        ),
        h(
          "tbody",
          null,
          l.items.map((i) =>
            h(
              "tr",
              { id: `destruction-item-${i.caseReference}`, "data-reference": i.caseReference },
              h("th", { scope: "row" }, h("a", { href: caseHref(i.caseReference) }, i.caseReference)),
              h("td", null, enumLabel(CaseTypeSchema, i.caseType)),
              h("td", null, enumLabel(OutcomeSchema, i.outcome)),
              h("td", null, i.handlingUnit),
              h("td", { class: "nowrap" }, time(i.closedAt)),
              h("td", { class: "nowrap" }, isSetDate(i.archiveActionDate) ? h("time", { datetime: isoDate(i.archiveActionDate) }, formatDate(i.archiveActionDate)) : t("common.none")),
              h("td", null, this.buildDecision(reviewIn(i, ReviewSlot.HANDLING_UNIT))),
              h("td", null, this.buildDecision(reviewIn(i, ReviewSlot.AUDITOR))),
              h(
                "td",
                { "data-result": processed ? String(i.result) : expectation(i) },
                processed
                  ? enumLabel(DestructionResultSchema, i.result)
                  : expectation(i) === "anonymise"
                    ? t("destruction.expectAnonymise")
                    : expectation(i) === "excluded"
                      ? t("destruction.expectExcluded")
                      : t("destruction.expectWaiting"),
              ),
            ),
          ),
        ),
      ),
    );
  }

  private buildReviewForm(l: DestructionList, items: readonly DestructionItem[]): HTMLElement {
    const counts = reviewCounts(this.choices);
    const summary = [
      this.reviewErrors.items ? { fieldId: `review-item-${items[0]!.caseReference}`, label: t("destruction.reviewItems"), text: problemText(this.reviewErrors.items) } : null,
      this.reviewErrors.reason ? { fieldId: "review-reason", label: t("destruction.reviewReason"), text: problemText(this.reviewErrors.reason) } : null,
    ].filter((x): x is { fieldId: string; label: string; text: string } => x !== null);
    const slotText = this.slot === ReviewSlot.AUDITOR ? t("destruction.slotAuditor") : t("destruction.slotUnit");
    return h(
      "div",
      { id: "review" },
      h("h3", { id: "review-heading" }, t("destruction.reviewHeading", { slot: slotText })),
      h("p", null, t("destruction.reviewIntro")),
      errorSummary("review-errors", summary),
      h(
        "form",
        { id: "review-form", class: "form", novalidate: true, onsubmit: (e: Event) => { e.preventDefault(); this.askReview(); } },
        h(
          "fieldset",
          { class: `form-group${this.reviewErrors.items ? " has-error" : ""}`, "aria-describedby": this.reviewErrors.items ? "review-items-error" : undefined },
          h("legend", null, t("destruction.reviewItems")),
          this.reviewErrors.items ? h("p", { id: "review-items-error", class: "field-error" }, problemText(this.reviewErrors.items)) : null,
          items.map((i) =>
            selectField({
              id: `review-item-${i.caseReference}`,
              label: t("destruction.decisionFor", { reference: i.caseReference }),
              value: String(this.choices.get(i.caseId) ?? ReviewDecision.UNSPECIFIED),
              choices: [
                { value: String(ReviewDecision.UNSPECIFIED), label: t("destruction.decideLater") },
                { value: String(ReviewDecision.APPROVE), label: t("destruction.approve") },
                { value: String(ReviewDecision.EXCLUDE), label: t("destruction.exclude") },
              ],
              onValue: (v) => {
                this.choices.set(i.caseId, Number(v) as ReviewDecision);
                this.reviewConfirming = false;
              },
            }),
          ),
        ),
        textArea({
          id: "review-reason",
          label: t("destruction.reviewReason"),
          hint: t("destruction.reviewReasonHint"),
          required: true,
          rows: 2,
          error: this.reviewErrors.reason ? problemText(this.reviewErrors.reason) : undefined,
          value: this.reviewReason,
          onValue: (v) => {
            this.reviewReason = v;
            this.reviewConfirming = false;
          },
        }),
        this.reviewConfirming
          ? h(
              "div",
              { class: "confirm", role: "group", "aria-labelledby": "review-question" },
              h("p", { id: "review-question" }, reviewQuestion(l.number, counts)),
              h(
                "div",
                { class: "button-row" },
                h("button", { type: "button", id: "review-confirm", "aria-disabled": this.reviewBusy ? "true" : "false", onclick: () => void this.review(l) }, t("destruction.reviewConfirm")),
                h(
                  "button",
                  {
                    type: "button",
                    id: "review-cancel",
                    class: "secondary",
                    onclick: () => {
                      this.reviewConfirming = false;
                      this.render();
                      document.getElementById("review-submit")?.focus();
                    },
                  },
                  t("common.cancel"),
                ),
              ),
            )
          : h("button", { type: "submit", id: "review-submit" }, t("destruction.reviewSubmit")),
        this.reviewFailure !== undefined
          ? h("div", { id: "review-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.reviewFailure)))
          : null,
      ),
    );
  }

  private buildProcess(l: DestructionList): HTMLElement {
    return h(
      "div",
      { id: "process" },
      h("h3", null, t("destruction.processHeading")),
      this.processConfirming
        ? h(
            "div",
            { class: "confirm", role: "group", "aria-labelledby": "process-question" },
            h("p", { id: "process-question" }, processQuestion(l.number, processSummary(l))),
            h(
              "div",
              { class: "button-row" },
              h("button", { type: "button", id: "process-confirm", "aria-disabled": this.processBusy ? "true" : "false", onclick: () => void this.process(l) }, t("destruction.processConfirm", { number: l.number })),
              h(
                "button",
                {
                  type: "button",
                  id: "process-cancel",
                  class: "secondary",
                  onclick: () => {
                    this.processConfirming = false;
                    this.render();
                    document.getElementById("process-start")?.focus();
                  },
                },
                t("common.cancel"),
              ),
            ),
          )
        : h(
            "button",
            {
              type: "button",
              id: "process-start",
              onclick: () => {
                this.processConfirming = true;
                this.processFailure = undefined;
                this.render();
                document.getElementById("process-confirm")?.focus();
              },
            },
            t("destruction.process", { number: l.number }),
          ),
      this.processFailure !== undefined
        ? h("div", { id: "process-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.processFailure)))
        : null,
    );
  }

  private buildResults(l: DestructionList): HTMLElement {
    const anonymised = l.items.filter((i) => i.result === DestructionResult.ANONYMISED).length;
    return h(
      "p",
      { id: "destruction-results" },
      t("destruction.results", { anonymised, skipped: l.items.length - anonymised, by: l.processedBy, at: formatTimestamp(l.processedAt) }),
    );
  }

  private buildSchedules(): HTMLElement {
    const content: Child[] = [
      h("h2", { id: "schedules-heading" }, t("schedules.heading")),
      h("p", null, t("schedules.intro")),
      h(
        "div",
        { class: "form-field form-check" },
        h("input", {
          id: "schedules-history",
          type: "checkbox",
          checked: this.history,
          onchange: (e: Event) => {
            this.history = (e.target as HTMLInputElement).checked;
            void this.loadSchedules();
          },
        }),
        h("label", { for: "schedules-history" }, t("schedules.history")),
      ),
    ];
    if (this.scheduleDone) content.push(h("p", { id: "schedules-done", class: "message", role: "status", tabindex: -1 }, this.scheduleDone));
    if (this.schedulesError !== undefined) content.push(loadFailure("schedules-retry", this.schedulesError, () => void this.loadSchedules()));
    else if (this.schedules === undefined) content.push(h("p", { class: "loading" }, t("common.loading")));
    else if (this.schedules.length === 0) content.push(h("p", { id: "schedules-none" }, t("schedules.none")));
    else {
      content.push(
        h(
          "div",
          { class: "table-scroll", role: "region", "aria-labelledby": "schedules-caption", tabindex: 0 },
          h(
            "table",
            { id: "schedules-table", class: "data", "aria-busy": this.schedulesLoading ? "true" : "false" },
            h("caption", { id: "schedules-caption" }, this.history ? t("schedules.captionHistory") : t("schedules.caption")),
            h(
              "thead",
              null,
              h(
                "tr",
                null,
                h("th", { scope: "col" }, t("case.type")),
                h("th", { scope: "col" }, t("case.outcome")),
                h("th", { scope: "col" }, t("schedules.years")),
                h("th", { scope: "col" }, t("schedules.version")),
                h("th", { scope: "col" }, t("schedules.changed")),
                h("th", { scope: "col" }, t("schedules.reason")),
              ),
            ),
            h(
              "tbody",
              null,
              this.schedules.map((s) =>
                h(
                  "tr",
                  { "data-type": String(s.caseType), "data-outcome": String(s.outcome), "data-version": String(s.version) },
                  h("th", { scope: "row" }, enumLabel(CaseTypeSchema, s.caseType)),
                  h("td", null, enumLabel(OutcomeSchema, s.outcome, t("schedules.typeDefault"))),
                  h("td", { class: "number" }, tPlural("schedules.yearsValue", s.retentionYears)),
                  h("td", { class: "number" }, String(s.version)),
                  h("td", null, time(s.changedAt), h("span", { class: "block muted" }, s.changedBy)),
                  h("td", { class: "pre-wrap" }, s.reason),
                ),
              ),
            ),
          ),
        ),
      );
    }
    if (maySetRetentionSchedule(this.role)) {
      content.push(
        this.scheduleOpen
          ? this.buildScheduleForm()
          : h(
              "button",
              {
                type: "button",
                id: "schedule-start",
                onclick: () => {
                  this.scheduleOpen = true;
                  this.scheduleDone = undefined;
                  this.render();
                  document.getElementById(scheduleIds.type)?.focus();
                },
              },
              t("schedules.start"),
            ),
      );
    }
    return h("section", { id: "schedules", class: "card", "aria-labelledby": "schedules-heading" }, ...content);
  }

  private buildScheduleForm(): HTMLElement {
    const labels: Record<ScheduleField, string> = {
      type: t("case.type"),
      outcome: t("case.outcome"),
      years: t("schedules.years"),
      reason: t("schedules.reason"),
    };
    const error = (f: ScheduleField) => (this.scheduleErrors[f] ? problemText(this.scheduleErrors[f]!) : undefined);
    const summary = (Object.keys(scheduleIds) as ScheduleField[])
      .filter((f) => this.scheduleErrors[f])
      .map((f) => ({ fieldId: scheduleIds[f], label: labels[f], text: error(f)! }));
    const outcomes = this.scheduleInput.type === CaseType.UNSPECIFIED ? [] : outcomesFor(this.scheduleInput.type);
    return h(
      "div",
      null,
      h("h3", null, t("schedules.formHeading")),
      h("p", { class: "hint" }, t("schedules.appliesLater")),
      errorSummary("schedule-errors", summary),
      h(
        "form",
        { id: "schedule-form", class: "form", novalidate: true, onsubmit: (e: Event) => void this.setSchedule(e) },
        selectField({
          id: scheduleIds.type,
          label: labels.type,
          required: true,
          error: error("type"),
          value: this.scheduleInput.type ? String(this.scheduleInput.type) : "",
          placeholder: t("schedules.chooseType"),
          choices: enumChoices(CaseTypeSchema),
          onValue: (v) => {
            this.scheduleInput.type = Number(v) as CaseType;
            this.scheduleInput.outcome = 0;
            this.render();
          },
        }),
        selectField({
          id: scheduleIds.outcome,
          label: labels.outcome,
          error: error("outcome"),
          value: String(this.scheduleInput.outcome),
          choices: [{ value: "0", label: t("schedules.typeDefault") }, ...enumChoices(OutcomeSchema, outcomes)],
          onValue: (v) => {
            this.scheduleInput.outcome = Number(v);
          },
        }),
        textField({
          id: scheduleIds.years,
          label: labels.years,
          hint: t("schedules.yearsHint"),
          required: true,
          error: error("years"),
          value: this.scheduleInput.years,
          onValue: (v) => {
            this.scheduleInput.years = v;
          },
        }),
        textArea({
          id: scheduleIds.reason,
          label: labels.reason,
          hint: t("schedules.reasonHint"),
          required: true,
          rows: 2,
          error: error("reason"),
          value: this.scheduleInput.reason,
          onValue: (v) => {
            this.scheduleInput.reason = v;
          },
        }),
        this.scheduleFailure !== undefined
          ? h("div", { id: "schedule-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.scheduleFailure)))
          : null,
        h(
          "div",
          { class: "button-row" },
          h("button", { type: "submit", id: "schedule-submit", "aria-disabled": this.scheduleBusy ? "true" : "false" }, t("schedules.submit")),
          h(
            "button",
            {
              type: "button",
              id: "schedule-cancel",
              class: "secondary",
              onclick: () => {
                this.scheduleOpen = false;
                this.scheduleInput = emptyScheduleInput();
                this.scheduleErrors = {};
                this.scheduleAction.forget();
                this.render();
                document.getElementById("schedule-start")?.focus();
              },
            },
            t("common.cancel"),
          ),
        ),
      ),
    );
  }
}
