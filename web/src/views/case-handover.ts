// Who works the case and where it goes, on the case page: a post manager (an LKHA caseworker for
// LKHA's cases) assigns the case to a staff member of the unit and proposes handing it over to
// another post (CaseService.AssignCase, ReferCase, both on the version read); an officer takes a
// case nobody works. The panel is there only for those roles; the service decides in the end.
import type { Case } from "../gen/consular/v1/cases_pb";
import { h, type Child } from "../dom";
import { isAbort } from "../errors";
import { t } from "../i18n/i18n";
import { FormAction } from "../rpc";
import { describeError, fieldProblemOf, isAborted, problemText, type Problem } from "../casework/problems";
import {
  assigneeProblem,
  buildAssignRequest,
  buildReferRequest,
  mayAssignOthers,
  mayRefer,
  mayTakeCase,
  normaliseUnit,
  validateRefer,
  type ReferErrors,
  type ReferInput,
} from "../casework/sharing";
import { errorSummary, textArea, textField } from "./form";
import { Panel, type CaseHost } from "./panel";

export class HandoverPanel extends Panel {
  private assignee = "";
  private assignProblem: Problem | undefined;
  private assignFailure: unknown;
  private assignBusy = false;
  private readonly assigning = new FormAction<Case>();
  private referOpen = false;
  private refer: ReferInput = { toPost: "", legalBasis: "" };
  private referErrors: ReferErrors = {};
  private referFailure: unknown;
  private referBusy = false;
  private readonly referring = new FormAction<Case>();
  private done: string | undefined;

  constructor(host: CaseHost) {
    super(host, "handover");
  }

  override render(): void {
    const c = this.host.current();
    const role = this.host.ctx.session.role;
    this.root.hidden = !(mayAssignOthers(c, role) || mayTakeCase(c, role) || mayRefer(c, role) || this.done);
    super.render();
  }

  private async assign(event: Event | undefined, to: string): Promise<void> {
    event?.preventDefault();
    if (this.assignBusy) return;
    const c = this.host.current();
    this.assignFailure = undefined;
    this.done = undefined;
    this.assignProblem = assigneeProblem(to);
    if (this.assignProblem) {
      this.render();
      this.focus("assign-to");
      return;
    }
    const action = this.assigning.for(JSON.stringify([c.id, String(c.version), to.trim()]));
    this.assignBusy = true;
    this.render();
    try {
      const changed = await action.run(
        (requestId) => this.host.ctx.clients.cases.assignCase(buildAssignRequest(c, to, requestId), { signal: this.host.signal }),
        { signal: this.host.signal },
      );
      this.assigning.forget();
      this.assignBusy = false;
      this.assignee = "";
      this.done = t("handover.assigned", { assignee: changed.assignedTo });
      this.host.ctx.announce(this.done);
      this.host.changed(changed);
      this.host.refreshTimeline();
      this.focus("handover-done");
      return;
    } catch (error) {
      this.assignBusy = false;
      if (isAbort(error) || this.host.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      if (found?.path === "assignee") this.assignProblem = found.problem;
      else this.assignFailure = error;
      this.host.ctx.announce(describeError(error));
      if (isAborted(error)) await this.host.reload();
    }
    this.render();
    this.focus(this.assignProblem ? "assign-to" : "assign-failure");
  }

  private openRefer(): void {
    this.referOpen = true;
    this.done = undefined;
    this.render();
    this.focus("refer-to");
  }

  private closeRefer(): void {
    this.referOpen = false;
    this.refer = { toPost: "", legalBasis: "" };
    this.referErrors = {};
    this.referFailure = undefined;
    this.referring.forget();
    this.render();
    this.focus("refer-start");
  }

  private async sendRefer(event: Event): Promise<void> {
    event.preventDefault();
    if (this.referBusy) return;
    const c = this.host.current();
    const input = { ...this.refer };
    this.referFailure = undefined;
    this.referErrors = validateRefer(c, input);
    if (Object.keys(this.referErrors).length > 0) {
      this.render();
      this.focus("refer-errors");
      return;
    }
    const action = this.referring.for(JSON.stringify([c.id, String(c.version), normaliseUnit(input.toPost), input.legalBasis.trim()]));
    this.referBusy = true;
    this.render();
    try {
      const changed = await action.run(
        (requestId) => this.host.ctx.clients.cases.referCase(buildReferRequest(c, input, requestId), { signal: this.host.signal }),
        { signal: this.host.signal },
      );
      this.referring.forget();
      this.referBusy = false;
      this.referOpen = false;
      this.refer = { toPost: "", legalBasis: "" };
      this.done = t("handover.referred", { unit: changed.pendingReferral?.toUnit ?? normaliseUnit(input.toPost) });
      this.host.ctx.announce(this.done);
      this.host.changed(changed);
      this.host.refreshTimeline();
      this.focus("handover-done");
      return;
    } catch (error) {
      this.referBusy = false;
      if (isAbort(error) || this.host.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      if (found?.path === "to_post") this.referErrors = { toPost: found.problem };
      else if (found?.path === "legal_basis") this.referErrors = { legalBasis: found.problem };
      else this.referFailure = error;
      this.host.ctx.announce(describeError(error));
      if (isAborted(error)) await this.host.reload();
    }
    this.render();
    this.focus(this.referFailure !== undefined ? "refer-failure" : "refer-errors");
  }

  protected build(): Child[] {
    const c = this.host.current();
    const role = this.host.ctx.session.role;
    const content: Child[] = [this.heading(t("handover.heading"))];
    if (this.done) content.push(h("p", { id: "handover-done", class: "message", role: "status", tabindex: -1 }, this.done));
    if (mayAssignOthers(c, role)) content.push(this.buildAssign(c));
    else if (mayTakeCase(c, role)) content.push(this.buildTake());
    if (mayRefer(c, role)) content.push(this.buildRefer());
    return content;
  }

  private failureBox(id: string, error: unknown): Child {
    if (error === undefined) return null;
    return h(
      "div",
      { id, class: "message message-error", role: "alert", tabindex: -1 },
      h("p", null, isAborted(error) ? t("handover.changedMeanwhile") : describeError(error)),
    );
  }

  private buildAssign(c: Case): HTMLElement {
    return h(
      "form",
      { id: "assign-form", class: "form", novalidate: true, onsubmit: (e: Event) => void this.assign(e, this.assignee) },
      h("h3", null, t("handover.assignHeading")),
      h("p", null, c.assignedTo ? t("handover.assignedNow", { assignee: c.assignedTo }) : t("handover.nobody")),
      textField({
        id: "assign-to",
        label: t("handover.assignee"),
        hint: t("handover.assigneeHint"),
        required: true,
        error: this.assignProblem ? problemText(this.assignProblem) : undefined,
        value: this.assignee,
        onValue: (v) => {
          this.assignee = v;
        },
      }),
      this.failureBox("assign-failure", this.assignFailure),
      h("button", { type: "submit", id: "assign-submit", "aria-disabled": this.assignBusy ? "true" : "false" }, t("handover.assign")),
    );
  }

  private buildTake(): HTMLElement {
    return h(
      "div",
      { id: "assign-take" },
      h("h3", null, t("handover.assignHeading")),
      h("p", null, t("handover.nobody")),
      this.failureBox("assign-failure", this.assignFailure),
      h(
        "button",
        {
          type: "button",
          id: "assign-me",
          "aria-disabled": this.assignBusy ? "true" : "false",
          onclick: () => void this.assign(undefined, this.host.ctx.session.subject),
        },
        t("handover.takeIt"),
      ),
    );
  }

  private buildRefer(): HTMLElement {
    if (!this.referOpen) {
      return h(
        "div",
        null,
        h("h3", null, t("handover.referHeading")),
        h("p", null, t("handover.referIntro")),
        h("button", { type: "button", id: "refer-start", class: "secondary", onclick: () => this.openRefer() }, t("handover.referStart")),
      );
    }
    const labels = { toPost: t("handover.toPost"), legalBasis: t("handover.legalBasis") };
    const ids = { toPost: "refer-to", legalBasis: "refer-legal-basis" };
    const error = (f: keyof ReferInput) => (this.referErrors[f] ? problemText(this.referErrors[f]!) : undefined);
    const summary = (["toPost", "legalBasis"] as const)
      .filter((f) => this.referErrors[f])
      .map((f) => ({ fieldId: ids[f], label: labels[f], text: error(f)! }));
    return h(
      "div",
      null,
      h("h3", null, t("handover.referHeading")),
      errorSummary("refer-errors", summary),
      h(
        "form",
        { id: "refer-form", class: "form", novalidate: true, onsubmit: (e: Event) => void this.sendRefer(e) },
        textField({
          id: ids.toPost,
          label: labels.toPost,
          hint: t("handover.toPostHint"),
          required: true,
          error: error("toPost"),
          value: this.refer.toPost,
          onValue: (v) => {
            this.refer.toPost = v;
          },
        }),
        textArea({
          id: ids.legalBasis,
          label: labels.legalBasis,
          hint: t("handover.legalBasisHint"),
          required: true,
          error: error("legalBasis"),
          value: this.refer.legalBasis,
          rows: 2,
          onValue: (v) => {
            this.refer.legalBasis = v;
          },
        }),
        this.failureBox("refer-failure", this.referFailure),
        h(
          "div",
          { class: "button-row" },
          h("button", { type: "submit", id: "refer-submit", "aria-disabled": this.referBusy ? "true" : "false" }, t("handover.referSubmit")),
          h("button", { type: "button", id: "refer-cancel", class: "secondary", onclick: () => this.closeRefer() }, t("handover.referCancel")),
        ),
      ),
    );
  }
}
