// The case's status on the case page: a button for each move the lifecycle allows the caller
// from here, then the reason (and, to resolve, the outcome of the case type), sent with
// CaseService.TransitionCase on the version read. The service's refusals (a return date missing
// for RETURNED_TO_NL, open follow-ups before closing, ...) are shown in an alert, in words.
import type { Case } from "../gen/consular/v1/cases_pb";
import { CaseStatus, CaseStatusSchema, Outcome, OutcomeSchema } from "../gen/consular/v1/common_pb";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { isAbort } from "../errors";
import { t } from "../i18n/i18n";
import { FormAction } from "../rpc";
import { describeError, fieldProblemOf, isAborted, problemText, type Problem } from "../casework/problems";
import {
  buildTransitionRequest,
  outcomesFor,
  transitionKey,
  transitionOptions,
  validateTransition,
  type TransitionErrors,
} from "../casework/transitions";
import { enumChoices, errorSummary, selectField, textArea } from "./form";
import { Panel, type CaseHost } from "./panel";

/** The element id of the button that starts a move to `to`: "transition-to-RESOLVED". */
export function transitionButtonId(to: CaseStatus): string {
  return `transition-to-${CaseStatus[to]}`;
}

export class StatusPanel extends Panel {
  private target: CaseStatus | undefined;
  private reason = "";
  private outcome: Outcome = Outcome.UNSPECIFIED;
  private errors: TransitionErrors = {};
  private failure: unknown;
  private changedMeanwhile = false;
  private busy = false;
  private readonly submission = new FormAction<Case>();

  constructor(host: CaseHost) {
    super(host, "status");
  }

  private choose(to: CaseStatus): void {
    if (this.target !== to) {
      this.outcome = Outcome.UNSPECIFIED;
      this.errors = {};
    }
    this.target = to;
    this.failure = undefined;
    this.changedMeanwhile = false;
    this.render();
    this.focus("transition-reason");
  }

  private cancel(): void {
    const was = this.target;
    this.target = undefined;
    this.reason = "";
    this.outcome = Outcome.UNSPECIFIED;
    this.errors = {};
    this.failure = undefined;
    this.changedMeanwhile = false;
    this.submission.forget();
    this.render();
    if (was !== undefined) this.focus(transitionButtonId(was));
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    const to = this.target;
    if (to === undefined || this.busy) return;
    const c = this.host.current();
    const input = { to, reason: this.reason, outcome: this.outcome };
    this.failure = undefined;
    this.changedMeanwhile = false;
    this.errors = validateTransition(c, input);
    if (Object.keys(this.errors).length > 0) {
      this.render();
      this.focus("transition-errors");
      return;
    }
    const action = this.submission.for(transitionKey(c, input));
    this.busy = true;
    this.render();
    try {
      const moved = await action.run(
        (requestId) =>
          this.host.ctx.clients.cases.transitionCase(buildTransitionRequest(c, input, requestId), { signal: this.host.signal }),
        { signal: this.host.signal },
      );
      this.busy = false;
      this.submission.forget();
      this.target = undefined;
      this.reason = "";
      this.outcome = Outcome.UNSPECIFIED;
      this.host.ctx.announce(t("status.moved", { status: enumLabel(CaseStatusSchema, moved.status) }));
      this.host.changed(moved);
      this.host.refreshTimeline();
      this.focus("status-heading");
      return;
    } catch (error) {
      this.busy = false;
      if (isAbort(error) || this.host.ctx.handleCommonError(error)) return;
      if (isAborted(error)) {
        // The case changed meanwhile: show its current status; the reason stays for another try.
        const current = await this.host.reload();
        this.changedMeanwhile = true;
        if (current && !transitionOptions(current, this.host.ctx.session.role).some((o) => o.to === to && o.allowed)) {
          this.target = undefined;
        }
      } else {
        const found = fieldProblemOf(error);
        if (found && (found.path === "reason" || found.path === "outcome")) {
          this.errors = { [found.path]: found.problem };
          this.render();
          this.focus("transition-errors");
          return;
        }
        this.failure = error;
      }
      this.host.ctx.announce(this.changedMeanwhile ? t("status.changedMeanwhile") : describeError(error));
    }
    this.render();
    this.focus("transition-error");
  }

  protected build(): Child[] {
    const c = this.host.current();
    const options = transitionOptions(c, this.host.ctx.session.role);
    const allowed = options.filter((o) => o.allowed);
    const managerOnly = options.filter((o) => !o.allowed);
    const content: Child[] = [
      this.heading(t("status.heading")),
      h(
        "p",
        { id: "status-current", "data-status": CaseStatus[c.status] },
        c.outcome
          ? t("status.currentWithOutcome", { status: enumLabel(CaseStatusSchema, c.status), outcome: enumLabel(OutcomeSchema, c.outcome) })
          : t("status.current", { status: enumLabel(CaseStatusSchema, c.status) }),
      ),
    ];
    if (this.changedMeanwhile || this.failure !== undefined) {
      content.push(
        h(
          "div",
          { id: "transition-error", class: "message message-error", role: "alert", tabindex: -1 },
          h("p", null, this.changedMeanwhile ? t("status.changedMeanwhile") : describeError(this.failure)),
        ),
      );
    }
    if (options.length === 0) {
      content.push(h("p", null, t("status.noMoves")));
      return content;
    }
    if (allowed.length > 0) {
      content.push(
        h(
          "div",
          { class: "button-row", role: "group", "aria-label": t("status.movesLabel") },
          allowed.map((o) =>
            h(
              "button",
              {
                type: "button",
                id: transitionButtonId(o.to),
                class: this.target === o.to ? undefined : "secondary",
                "aria-pressed": this.target === o.to ? "true" : "false",
                disabled: this.busy,
                onclick: () => this.choose(o.to),
              },
              t("status.moveTo", { status: enumLabel(CaseStatusSchema, o.to) }),
            ),
          ),
        ),
      );
    }
    if (managerOnly.length > 0) {
      content.push(h("p", { class: "hint" }, c.status === CaseStatus.CLOSED ? t("status.reopenManagerOnly") : t("status.closeManagerOnly")));
    }
    if (this.target !== undefined) content.push(this.buildForm(c, this.target));
    return content;
  }

  private buildForm(c: Case, to: CaseStatus): HTMLElement {
    const err = (p: Problem | undefined) => (p ? problemText(p) : undefined);
    const summary = errorSummary(
      "transition-errors",
      [
        this.errors.outcome ? { fieldId: "transition-outcome", label: t("case.outcome"), text: problemText(this.errors.outcome) } : null,
        this.errors.reason ? { fieldId: "transition-reason", label: t("status.reason"), text: problemText(this.errors.reason) } : null,
      ].filter((x): x is { fieldId: string; label: string; text: string } => x !== null),
    );
    return h(
      "form",
      { id: "transition-form", class: "form", novalidate: true, onsubmit: (e: Event) => void this.submit(e) },
      h("h3", null, t("status.formHeading", { status: enumLabel(CaseStatusSchema, to) })),
      summary,
      to === CaseStatus.RESOLVED
        ? selectField({
            id: "transition-outcome",
            label: t("case.outcome"),
            required: true,
            hint: t("status.outcomeHint"),
            error: err(this.errors.outcome),
            value: this.outcome ? String(this.outcome) : "",
            placeholder: t("form.choose"),
            choices: enumChoices(OutcomeSchema, outcomesFor(c.type)),
            onValue: (v) => {
              this.outcome = (v === "" ? 0 : Number(v)) as Outcome;
            },
          })
        : null,
      textArea({
        id: "transition-reason",
        label: t("status.reason"),
        required: true,
        error: err(this.errors.reason),
        value: this.reason,
        rows: 3,
        onValue: (v) => {
          this.reason = v;
        },
      }),
      h(
        "div",
        { class: "form-actions" },
        h(
          "button",
          { type: "submit", id: "transition-submit", "aria-disabled": this.busy ? "true" : "false" },
          this.busy ? t("status.moving") : t("status.confirm", { status: enumLabel(CaseStatusSchema, to) }),
        ),
        h("button", { type: "button", id: "transition-cancel", class: "secondary", disabled: this.busy, onclick: () => this.cancel() }, t("edit.cancel")),
      ),
    );
  }
}
