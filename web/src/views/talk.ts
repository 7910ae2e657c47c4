// One talk (#/talks/<id>, the talk's UUID only): its details (GetTalk), its status history, the
// statistics frozen when it was held, the changes its status allows (mark held, postpone, replan,
// cancel; the service's refusal said in words), its commitments (AddCommitment for a held talk,
// CloseCommitment) and its briefing (talk-briefing.ts).
import { Code, ConnectError } from "@connectrpc/connect";
import {
  TalkLevelSchema,
  TalkStatus,
  TalkStatusSchema,
  TalkTopicSchema,
  type Commitment,
  type CountryStatistics,
  type Figure,
  type Period,
  type Talk,
} from "../gen/consular/v1/statistics_pb";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { errorMessage, isAbort } from "../errors";
import { formatCountry, formatDate, formatList, formatTimestamp, isoDate, isoTimestamp } from "../format";
import { formatNumber, t } from "../i18n/i18n";
import { FormAction, withRetry } from "../rpc";
import {
  buildAddCommitmentRequest,
  buildListCommitmentsRequest,
  buildTransitionRequest,
  emptyCommitmentInput,
  figureValue,
  mayAddCommitment,
  mayStoreBriefing,
  talkActions,
  transitionKey,
  validateCommitment,
  validateTransition,
  type CommitmentErrors,
  type CommitmentInput,
  type TalkAction,
  type TransitionErrors,
} from "../register/talks";
import { describeError, fieldProblemOf, problemText } from "../casework/problems";
import { CommitmentCloser } from "./commitment-list";
import { BriefingPanel } from "./talk-briefing";
import { dateField, errorSummary, textArea, textField } from "./form";
import { BaseView, type AppContext } from "./view";
import { loadFailure } from "./lists";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isTalkId(value: string): boolean {
  return uuid.test(value);
}

/** A figure: the number, or "x" marked as not published (never 0). */
export function figureCell(f: Figure | undefined): Child {
  const v = figureValue(f);
  if (v.suppressed) return h("abbr", { class: "suppressed", title: t("figures.suppressed"), "aria-label": t("figures.suppressed") }, t("figures.suppressedMark"));
  return formatNumber(v.value);
}

export function periodText(p: Period | undefined): string {
  const k = p?.kind;
  if (!k || k.case === undefined) return t("common.none");
  if (k.case === "year") return String(k.value);
  if (k.case === "quarter") return t("figures.quarter", { year: String(k.value.year), quarter: k.value.quarter });
  return t("figures.range", { from: formatDate(k.value.from), to: formatDate(k.value.to) });
}

const actionLabels: Record<TalkAction, "talk.markHeld" | "talk.postpone" | "talk.replan" | "talk.cancel"> = {
  held: "talk.markHeld",
  postpone: "talk.postpone",
  replan: "talk.replan",
  cancel: "talk.cancel",
};

export class TalkView extends BaseView {
  private talk: Talk | undefined;
  private loading = true;
  private error: unknown;
  // Status change
  private action: TalkAction | undefined;
  private date = "";
  private text = "";
  private errors: TransitionErrors = {};
  private failure: unknown;
  private busy = false;
  private done: string | undefined;
  private readonly changeAction = new FormAction<Talk>();
  // Commitments
  private commitments: Commitment[] | undefined;
  private commitmentsError: unknown;
  private readonly closer: CommitmentCloser;
  private adding = false;
  private commitment: CommitmentInput = emptyCommitmentInput();
  private commitmentErrors: CommitmentErrors = {};
  private commitmentFailure: unknown;
  private commitmentBusy = false;
  private readonly commitmentAction = new FormAction<Commitment>();
  private readonly briefing: BriefingPanel;

  constructor(
    private readonly ctx: AppContext,
    private readonly id: string,
    given?: Talk,
  ) {
    super();
    this.closer = new CommitmentCloser(ctx, this.abort.signal, () => this.render(), (c) => {
      this.commitments = this.commitments?.map((x) => (x.id === c.id ? c : x));
    });
    this.briefing = new BriefingPanel(ctx, id, this.abort.signal, () => this.render());
    this.talk = given;
    this.render();
    void this.load();
  }

  title(): string {
    return this.talk ? t("talk.titleOf", { country: formatCountry(this.talk.country) }) : t("talk.title");
  }

  private async load(): Promise<void> {
    this.loading = true;
    this.error = undefined;
    this.render();
    try {
      this.talk = await withRetry(() => this.ctx.clients.bilateral.getTalk({ id: this.id }, { signal: this.abort.signal }), { signal: this.abort.signal });
      this.ctx.announce(t("talk.loaded", { country: formatCountry(this.talk.country) }));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.error = error;
    } finally {
      this.loading = false;
    }
    this.render();
    if (this.talk) {
      void this.loadCommitments();
      if (mayStoreBriefing(this.talk.status)) void this.briefing.load();
    }
  }

  private async loadCommitments(): Promise<void> {
    const talk = this.talk;
    if (!talk || talk.status !== TalkStatus.HELD) return;
    this.commitmentsError = undefined;
    try {
      // The follow-up list of the talk's country, every page, the talk's own commitments kept.
      const found: Commitment[] = [];
      let token = "";
      for (let page = 0; page < 20; page++) {
        const request = buildListCommitmentsRequest(talk.country, false, token);
        const response = await withRetry(() => this.ctx.clients.bilateral.listCommitments(request, { signal: this.abort.signal }), { signal: this.abort.signal });
        found.push(...response.commitments.filter((c) => c.talkId === talk.id));
        token = response.nextPageToken;
        if (!token) break;
      }
      this.commitments = found;
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.commitmentsError = error;
    }
    this.render();
  }

  private choose(action: TalkAction): void {
    this.action = action;
    this.date = "";
    this.text = "";
    this.errors = {};
    this.failure = undefined;
    this.done = undefined;
    this.render();
    document.getElementById("talk-change-heading")?.focus();
  }

  private async change(event: Event): Promise<void> {
    event.preventDefault();
    const talk = this.talk;
    const action = this.action;
    if (!talk || !action || this.busy) return;
    this.failure = undefined;
    this.errors = validateTransition(action, { date: this.date, text: this.text });
    if (this.errors.date || this.errors.text) {
      this.render();
      document.getElementById(this.errors.date ? "talk-change-date" : "talk-change-text")?.focus();
      return;
    }
    const input = { date: this.date, text: this.text };
    const user = this.changeAction.for(transitionKey(action, talk.id, input));
    this.busy = true;
    this.render();
    try {
      const updated = await user.run((requestId) => {
        const r = buildTransitionRequest(action, talk.id, input, requestId);
        const options = { signal: this.abort.signal };
        switch (r.method) {
          case "markTalkHeld":
            return this.ctx.clients.bilateral.markTalkHeld(r.request, options);
          case "postponeTalk":
            return this.ctx.clients.bilateral.postponeTalk(r.request, options);
          case "replanTalk":
            return this.ctx.clients.bilateral.replanTalk(r.request, options);
          case "cancelTalk":
            return this.ctx.clients.bilateral.cancelTalk(r.request, options);
        }
      }, { signal: this.abort.signal });
      this.changeAction.forget();
      this.busy = false;
      this.action = undefined;
      this.done = t("talk.changed", { status: enumLabel(TalkStatusSchema, updated.status) });
      this.ctx.announce(this.done);
      // GetTalk has the full history (and the frozen statistics of a talk now held).
      await this.load();
      document.getElementById("talk-change-done")?.focus();
      return;
    } catch (error) {
      this.busy = false;
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      if (found && /(held_on|planned_on)$/.test(found.path)) this.errors = { date: found.problem };
      else if (found && /(reason|outcome)$/.test(found.path)) this.errors = { text: found.problem };
      else this.failure = error;
      this.ctx.announce(describeError(error));
      if (error instanceof ConnectError && error.code === Code.FailedPrecondition) {
        // The talk changed meanwhile (another page, another person): show it as it is now, with
        // the changes its status allows now; the refusal stays shown.
        await this.load();
        if (this.talk && !talkActions(this.talk.status).includes(action)) this.action = undefined;
      }
    }
    this.render();
    document.getElementById(this.failure !== undefined ? "talk-change-failure" : this.errors.date ? "talk-change-date" : "talk-change-text")?.focus();
  }

  private async addCommitment(event: Event): Promise<void> {
    event.preventDefault();
    const talk = this.talk;
    if (!talk || this.commitmentBusy) return;
    this.commitmentFailure = undefined;
    this.commitmentErrors = validateCommitment(this.commitment, talk.heldOn);
    if (Object.keys(this.commitmentErrors).length > 0) {
      this.render();
      document.getElementById("commitment-errors")?.focus();
      return;
    }
    const input = { ...this.commitment };
    const user = this.commitmentAction.for(JSON.stringify([talk.id, input.text.trim(), input.owner.trim(), input.dueOn]));
    this.commitmentBusy = true;
    this.render();
    try {
      const added = await user.run(
        (requestId) => this.ctx.clients.bilateral.addCommitment(buildAddCommitmentRequest(talk.id, input, requestId), { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.commitmentAction.forget();
      this.commitmentBusy = false;
      this.adding = false;
      this.commitment = emptyCommitmentInput();
      this.commitments = [...(this.commitments ?? []), added];
      this.ctx.announce(t("talk.commitmentAdded"));
      this.render();
      document.getElementById("talk-commitments-heading")?.focus();
      return;
    } catch (error) {
      this.commitmentBusy = false;
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      const field = found ? ({ text: "text", owner: "owner", due_on: "dueOn" } as const)[found.path as "text" | "owner" | "due_on"] : undefined;
      if (found && field) this.commitmentErrors = { [field]: found.problem };
      else this.commitmentFailure = error;
      this.ctx.announce(describeError(error));
    }
    this.render();
    document.getElementById(this.commitmentFailure !== undefined ? "commitment-failure" : "commitment-errors")?.focus();
  }

  protected build(): Child[] {
    const talk = this.talk;
    const out: Child[] = [
      h("p", null, h("a", { href: "#/talks", id: "talk-back" }, t("talk.back"))),
      h("h1", { tabindex: -1 }, talk ? t("talk.titleOf", { country: formatCountry(talk.country) }) : t("talk.title")),
    ];
    if (this.loading && !talk) out.push(h("p", { class: "loading" }, t("common.loading")));
    if (this.error !== undefined)
      out.push(
        loadFailure("talk-retry", this.error, () => void this.load()),
      );
    if (!talk) return out;
    if (this.done) out.push(h("p", { id: "talk-change-done", class: "message", role: "status", tabindex: -1 }, this.done));
    // A refused change whose form is gone (the talk's status no longer offers it) is said here.
    if (this.failure !== undefined && !(this.action && talkActions(talk.status).includes(this.action)))
      out.push(h("div", { id: "talk-change-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.failure))));
    out.push(this.buildDetails(talk), this.buildHistory(talk));
    if (talk.status === TalkStatus.HELD) out.push(this.buildStatistics(talk.statistics, talk.statisticsPeriod));
    if (talkActions(talk.status).length > 0) out.push(this.buildChange(talk));
    if (talk.status === TalkStatus.HELD) out.push(this.buildCommitments(talk));
    if (mayStoreBriefing(talk.status)) out.push(this.briefing.build());
    return out;
  }

  private buildDetails(talk: Talk): HTMLElement {
    const row = (label: string, value: Child) => h("div", { class: "field" }, h("dt", null, label), h("dd", null, value));
    const day = (d: Talk["heldOn"]) => h("time", { datetime: isoDate(d) }, formatDate(d));
    return h(
      "section",
      { id: "talk-details", class: "card", "aria-labelledby": "talk-details-heading" },
      h("h2", { id: "talk-details-heading" }, t("talk.details")),
      h(
        "dl",
        { class: "fields" },
        row(t("talks.status"), h("span", { id: "talk-status", "data-status": String(talk.status) }, enumLabel(TalkStatusSchema, talk.status))),
        talk.status === TalkStatus.HELD ? row(t("talks.heldOn"), day(talk.heldOn)) : null,
        talk.status === TalkStatus.PLANNED || talk.status === TalkStatus.POSTPONED ? row(t("talks.plannedOn"), day(talk.plannedOn)) : null,
        row(t("talks.level"), enumLabel(TalkLevelSchema, talk.level)),
        row(t("talks.topics"), talk.topics.length ? formatList(talk.topics.map((x) => enumLabel(TalkTopicSchema, x))) : t("common.none")),
        row(t("talks.summary"), h("span", { class: "pre-wrap" }, talk.summary)),
        talk.outcome ? row(t("talks.outcome"), h("span", { class: "pre-wrap" }, talk.outcome)) : null,
        talk.followUp ? row(t("talks.followUp"), h("span", { class: "pre-wrap" }, talk.followUp)) : null,
        talk.followUpDue ? row(t("talks.followUpDue"), day(talk.followUpDue)) : null,
        row(t("talks.statisticsYear"), periodText(talk.statisticsPeriod)),
        row(t("talk.recordedBy"), t("talk.byAt", { by: talk.recordedBy, at: formatTimestamp(talk.recordedAt) })),
      ),
    );
  }

  private buildHistory(talk: Talk): HTMLElement {
    return h(
      "section",
      { id: "talk-history", class: "card", "aria-labelledby": "talk-history-caption" },
      h(
        "div",
        { class: "table-scroll", role: "region", "aria-labelledby": "talk-history-caption", tabindex: 0 },
        h(
          "table",
          { id: "talk-history-table", class: "data" },
          h("caption", { id: "talk-history-caption" }, t("talk.history")),
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              h("th", { scope: "col" }, t("talk.changedAt")),
              h("th", { scope: "col" }, t("talk.changedBy")),
              h("th", { scope: "col" }, t("talk.from")),
              h("th", { scope: "col" }, t("talk.to")),
              h("th", { scope: "col" }, t("talk.onDate")),
              h("th", { scope: "col" }, t("talk.reasonOrOutcome")),
            ),
          ),
          h(
            "tbody",
            null,
            talk.changes.map((c, i) =>
              h(
                "tr",
                { id: `talk-change-${i}` },
                h("th", { scope: "row" }, h("time", { datetime: isoTimestamp(c.changedAt) }, formatTimestamp(c.changedAt))),
                h("td", null, c.changedBy),
                h("td", null, c.fromStatus ? enumLabel(TalkStatusSchema, c.fromStatus) : t("talk.entry")),
                h("td", null, enumLabel(TalkStatusSchema, c.toStatus)),
                h("td", null, c.onDate && c.onDate.year ? h("time", { datetime: isoDate(c.onDate) }, formatDate(c.onDate)) : t("common.none")),
                h("td", { class: "pre-wrap" }, c.reason || c.outcome || t("common.none")),
              ),
            ),
          ),
        ),
      ),
    );
  }

  private buildStatistics(s: CountryStatistics | undefined, period: Period | undefined): HTMLElement {
    const content: Child[] = [h("h2", { id: "talk-statistics-heading" }, t("talk.statistics"))];
    if (!s || s.release === 0) {
      content.push(h("p", { id: "talk-statistics-none" }, t("talk.noStatistics")));
    } else {
      const row = (label: string, f: Figure | undefined, id: string) => h("tr", { id }, h("th", { scope: "row" }, label), h("td", { class: "number" }, figureCell(f)));
      content.push(
        h(
          "p",
          { id: "talk-statistics-source" },
          t("talk.statisticsSource", {
            period: periodText(s.period ?? period),
            release: s.release,
            asOf: formatTimestamp(s.asOf),
            threshold: s.threshold,
          }),
        ),
        h(
          "table",
          { id: "talk-statistics-table", class: "data compact" },
          h("caption", { id: "talk-statistics-caption" }, t("talk.statisticsCaption", { country: formatCountry(s.country) })),
          h("thead", null, h("tr", null, h("th", { scope: "col" }, t("figures.measure")), h("th", { scope: "col", class: "number" }, t("figures.value")))),
          h(
            "tbody",
            null,
            row(t("figures.casesOpened"), s.casesOpened, "talk-stat-opened"),
            row(t("figures.casesResolved"), s.casesResolved, "talk-stat-resolved"),
            s.period?.kind.case === "year" ? row(t("figures.casesUnresolved"), s.casesUnresolved, "talk-stat-unresolved") : null,
            row(t("figures.contacts"), s.contacts, "talk-stat-contacts"),
            row(t("figures.medianDays"), s.medianDaysToResolution, "talk-stat-median"),
          ),
        ),
        h("p", { class: "hint" }, s.roundedToBase5 ? t("figures.noteRounded", { threshold: s.threshold }) : t("figures.note", { threshold: s.threshold })),
      );
    }
    return h("section", { id: "talk-statistics", class: "card", "aria-labelledby": "talk-statistics-heading" }, ...content);
  }

  private buildChange(talk: Talk): HTMLElement {
    const content: Child[] = [
      h("h2", { id: "talk-actions-heading" }, t("talk.actions")),
      h(
        "div",
        { class: "button-row" },
        talkActions(talk.status).map((a) =>
          h("button", { type: "button", id: `talk-action-${a}`, class: a === "cancel" ? "secondary" : undefined, "aria-pressed": this.action === a ? "true" : "false", onclick: () => this.choose(a) }, t(actionLabels[a])),
        ),
      ),
    ];
    const action = this.action;
    if (action && talkActions(talk.status).includes(action)) {
      const dateLabel = action === "held" ? t("talks.heldOn") : t("talk.newPlannedOn");
      const textLabel = action === "held" ? t("talks.outcome") : t("talk.reason");
      const summary = [
        this.errors.date ? { fieldId: "talk-change-date", label: dateLabel, text: problemText(this.errors.date) } : null,
        this.errors.text ? { fieldId: "talk-change-text", label: textLabel, text: problemText(this.errors.text) } : null,
      ].filter((x): x is { fieldId: string; label: string; text: string } => x !== null);
      content.push(
        h(
          "form",
          { id: "talk-change-form", class: "form", novalidate: true, "aria-labelledby": "talk-change-heading", onsubmit: (e: Event) => void this.change(e) },
          h("h3", { id: "talk-change-heading", tabindex: -1 }, t(actionLabels[action])),
          errorSummary("talk-change-errors", summary),
          action !== "cancel"
            ? dateField({
                id: "talk-change-date",
                label: dateLabel,
                hint: action === "held" ? t("talks.heldOnHint") : t("talks.plannedOnHint"),
                required: true,
                error: this.errors.date ? problemText(this.errors.date) : undefined,
                value: this.date,
                onValue: (v) => {
                  this.date = v;
                },
              })
            : null,
          textArea({
            id: "talk-change-text",
            label: textLabel,
            required: action === "cancel",
            error: this.errors.text ? problemText(this.errors.text) : undefined,
            value: this.text,
            rows: 3,
            onValue: (v) => {
              this.text = v;
            },
          }),
          this.failure !== undefined
            ? h("div", { id: "talk-change-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.failure)))
            : null,
          h(
            "div",
            { class: "button-row" },
            h("button", { type: "submit", id: "talk-change-submit", "aria-disabled": this.busy ? "true" : "false" }, t(actionLabels[action])),
            h(
              "button",
              {
                type: "button",
                id: "talk-change-close",
                class: "secondary",
                onclick: () => {
                  this.action = undefined;
                  this.render();
                  document.getElementById(`talk-action-${action}`)?.focus();
                },
              },
              t("talk.closeForm"),
            ),
          ),
        ),
      );
    }
    return h("section", { id: "talk-actions", class: "card", "aria-labelledby": "talk-actions-heading" }, ...content);
  }

  private buildCommitments(talk: Talk): HTMLElement {
    const content: Child[] = [h("h2", { id: "talk-commitments-heading", tabindex: -1 }, t("talk.commitments"))];
    if (this.commitmentsError !== undefined) content.push(h("div", { class: "message message-error", role: "alert" }, h("p", null, errorMessage(this.commitmentsError))));
    if (this.commitments === undefined) content.push(h("p", { class: "loading" }, t("common.loading")));
    else content.push(...this.closer.table("talk-commitments-table", t("talk.commitmentsCaption"), this.commitments, false));
    if (mayAddCommitment(talk.status)) {
      if (!this.adding) {
        content.push(
          h(
            "button",
            {
              type: "button",
              id: "commitment-add-start",
              onclick: () => {
                this.adding = true;
                this.render();
                document.getElementById("commitment-text")?.focus();
              },
            },
            t("talk.addCommitment"),
          ),
        );
      } else {
        const err = (f: keyof CommitmentInput) => (this.commitmentErrors[f] ? problemText(this.commitmentErrors[f]) : undefined);
        const labels = { text: t("commitments.text"), owner: t("commitments.owner"), dueOn: t("commitments.dueOn") };
        const ids = { text: "commitment-text", owner: "commitment-owner", dueOn: "commitment-due" };
        content.push(
          errorSummary(
            "commitment-errors",
            (["text", "owner", "dueOn"] as const).filter((f) => this.commitmentErrors[f]).map((f) => ({ fieldId: ids[f], label: labels[f], text: err(f)! })),
          ),
          h(
            "form",
            { id: "commitment-form", class: "form", novalidate: true, "aria-label": t("talk.addCommitment"), onsubmit: (e: Event) => void this.addCommitment(e) },
            textArea({ id: ids.text, label: labels.text, required: true, error: err("text"), value: this.commitment.text, rows: 3, onValue: (v) => (this.commitment.text = v) }),
            textField({ id: ids.owner, label: labels.owner, hint: t("commitments.ownerHint"), required: true, error: err("owner"), value: this.commitment.owner, onValue: (v) => (this.commitment.owner = v) }),
            dateField({ id: ids.dueOn, label: labels.dueOn, hint: t("commitments.dueOnHint"), required: true, error: err("dueOn"), value: this.commitment.dueOn, onValue: (v) => (this.commitment.dueOn = v) }),
            this.commitmentFailure !== undefined
              ? h("div", { id: "commitment-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.commitmentFailure)))
              : null,
            h(
              "div",
              { class: "button-row" },
              h("button", { type: "submit", id: "commitment-submit", "aria-disabled": this.commitmentBusy ? "true" : "false" }, t("talk.addCommitmentSubmit")),
              h(
                "button",
                {
                  type: "button",
                  id: "commitment-add-cancel",
                  class: "secondary",
                  onclick: () => {
                    this.adding = false;
                    this.commitmentErrors = {};
                    this.render();
                    document.getElementById("commitment-add-start")?.focus();
                  },
                },
                t("talk.closeForm"),
              ),
            ),
          ),
        );
      }
    }
    return h("section", { id: "talk-commitments", class: "card", "aria-labelledby": "talk-commitments-heading" }, ...content);
  }
}
