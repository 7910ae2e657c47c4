// The records side of a case on the case page: the archive action date a closed case got, whether
// it is on legal hold, and its holds (RecordsService.ListLegalHolds by case, lifted ones too) for
// the roles that list them. Post managers of the handling post, LKHA caseworkers and
// administrators place a hold (PlaceLegalHold) and lift one (LiftLegalHold), each with a reason of
// 10..300 characters naming the legal ground. An anonymised case can no longer be held.
import type { LegalHold } from "../gen/consular/v1/records_pb";
import { RoleSchema } from "../gen/consular/v1/common_pb";
import { CaseStatus } from "../gen/consular/v1/common_pb";
import { h, uniqueId, type Child } from "../dom";
import { enumLabel } from "../enums";
import { isAbort } from "../errors";
import { formatDate, formatTimestamp, isoDate, isoTimestamp, isSetDate } from "../format";
import { t, tPlural } from "../i18n/i18n";
import { FormAction } from "../rpc";
import { describeError, fieldProblemOf, problemText, type Problem } from "../casework/problems";
import { buildLiftHoldRequest, buildPlaceHoldRequest, holdReasonProblem } from "../casework/records";
import { mayHoldCase, mayListLegalHolds } from "../casework/roles";
import { textArea } from "./form";
import { Panel, type CaseHost } from "./panel";
import { loadFailure } from "./lists";

export class RecordsPanel extends Panel {
  private holds: LegalHold[] = [];
  private placing = false;
  private placeReason = "";
  private placeProblem: Problem | undefined;
  private placeFailure: unknown;
  private placeBusy = false;
  private readonly placeAction = new FormAction<LegalHold>();
  /** The hold being lifted (its form is open). */
  private lifting: string | undefined;
  private liftReason = "";
  private liftProblem: Problem | undefined;
  private liftFailure: unknown;
  private liftBusy = false;
  private readonly liftAction = new FormAction<LegalHold>();
  private done: string | undefined;
  private readonly captionId = uniqueId("holds-caption");

  constructor(host: CaseHost) {
    super(host, "records");
    this.loading = false;
  }

  private get role(): string {
    return this.host.ctx.session.role;
  }

  private mayHold(): boolean {
    const c = this.host.current();
    return !c.anonymisedAt && mayHoldCase(this.role, this.host.ctx.session.unit, c.handlingPost);
  }

  async load(): Promise<void> {
    if (!mayListLegalHolds(this.role)) {
      this.loading = false;
      this.render();
      return;
    }
    const c = this.host.current();
    const response = await this.loadWith((signal) =>
      this.host.ctx.clients.records.listLegalHolds({ caseId: c.id || c.reference, includeLifted: true }, { signal }),
    );
    if (!response) return;
    this.holds = response.holds;
    this.render();
  }

  private openPlace(): void {
    this.placing = true;
    this.done = undefined;
    this.render();
    this.focus("hold-reason");
  }

  private closePlace(): void {
    this.placing = false;
    this.placeReason = "";
    this.placeProblem = undefined;
    this.placeFailure = undefined;
    this.placeAction.forget();
    this.render();
    this.focus("hold-start");
  }

  private async place(event: Event): Promise<void> {
    event.preventDefault();
    if (this.placeBusy) return;
    this.placeFailure = undefined;
    this.placeProblem = holdReasonProblem(this.placeReason);
    if (this.placeProblem) {
      this.render();
      this.focus("hold-reason");
      return;
    }
    const c = this.host.current();
    const caseId = c.id || c.reference;
    const reason = this.placeReason;
    const action = this.placeAction.for(JSON.stringify([caseId, reason.trim()]));
    this.placeBusy = true;
    this.render();
    try {
      await action.run(
        (requestId) => this.host.ctx.clients.records.placeLegalHold(buildPlaceHoldRequest(caseId, reason, requestId), { signal: this.host.signal }),
        { signal: this.host.signal },
      );
      this.placeAction.forget();
      this.placeBusy = false;
      this.placing = false;
      this.placeReason = "";
      this.done = t("holds.placed", { reference: c.reference });
      this.host.ctx.announce(this.done);
      await this.afterChange();
      return;
    } catch (error) {
      this.placeBusy = false;
      if (isAbort(error) || this.host.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      if (found && found.path === "reason") this.placeProblem = found.problem;
      else this.placeFailure = error;
      this.host.ctx.announce(found && found.path === "reason" ? problemText(found.problem) : describeError(error));
    }
    this.render();
    this.focus(this.placeFailure !== undefined ? "hold-failure" : "hold-reason");
  }

  private openLift(id: string): void {
    this.lifting = id;
    this.liftReason = "";
    this.liftProblem = undefined;
    this.liftFailure = undefined;
    this.done = undefined;
    this.render();
    this.focus("hold-lift-reason");
  }

  private closeLift(): void {
    const id = this.lifting;
    this.lifting = undefined;
    this.liftAction.forget();
    this.render();
    if (id) this.focus(`hold-lift-${id}`);
  }

  private async lift(event: Event, hold: LegalHold): Promise<void> {
    event.preventDefault();
    if (this.liftBusy) return;
    this.liftFailure = undefined;
    this.liftProblem = holdReasonProblem(this.liftReason);
    if (this.liftProblem) {
      this.render();
      this.focus("hold-lift-reason");
      return;
    }
    const reason = this.liftReason;
    const action = this.liftAction.for(JSON.stringify([hold.id, reason.trim()]));
    this.liftBusy = true;
    this.render();
    try {
      await action.run(
        (requestId) => this.host.ctx.clients.records.liftLegalHold(buildLiftHoldRequest(hold.id, reason, requestId), { signal: this.host.signal }),
        { signal: this.host.signal },
      );
      this.liftAction.forget();
      this.liftBusy = false;
      this.lifting = undefined;
      this.done = t("holds.lifted", { reference: hold.caseReference });
      this.host.ctx.announce(this.done);
      await this.afterChange();
      return;
    } catch (error) {
      this.liftBusy = false;
      if (isAbort(error) || this.host.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      if (found && found.path === "reason") this.liftProblem = found.problem;
      else this.liftFailure = error;
      this.host.ctx.announce(found && found.path === "reason" ? problemText(found.problem) : describeError(error));
    }
    this.render();
    this.focus(this.liftFailure !== undefined ? "hold-lift-failure" : "hold-lift-reason");
  }

  /** A hold placed or lifted: the case (its "on legal hold") and the holds read again. */
  private async afterChange(): Promise<void> {
    await this.host.reload();
    await this.load();
    this.focus("records-done");
  }

  protected build(): Child[] {
    const c = this.host.current();
    const content: Child[] = [this.heading(t("records.caseHeading"))];
    if (this.done) content.push(h("p", { id: "records-done", class: "message", role: "status", tabindex: -1 }, this.done));
    const archive = isSetDate(c.archiveActionDate)
      ? h("time", { datetime: isoDate(c.archiveActionDate) }, formatDate(c.archiveActionDate))
      : c.status === CaseStatus.CLOSED
        ? t("common.none")
        : t("records.archiveWhenClosed");
    content.push(
      h(
        "dl",
        { class: "fields" },
        h("div", { class: "field" }, h("dt", null, t("records.archiveDate")), h("dd", { id: "records-archive-date" }, archive)),
        h(
          "div",
          { class: "field" },
          h("dt", null, t("records.onHold")),
          h("dd", { id: "records-on-hold", "data-held": c.onLegalHold ? "true" : "false" }, c.onLegalHold ? t("records.heldYes") : t("records.heldNo")),
        ),
      ),
      h("p", { class: "hint" }, t("records.archiveHint")),
    );
    if (mayListLegalHolds(this.role)) {
      if (this.loading) content.push(h("p", { class: "loading" }, t("common.loading")));
      else if (this.loadError !== undefined) content.push(loadFailure("holds-retry", this.loadError, () => void this.load()));
      else if (this.holds.length === 0) content.push(h("p", { id: "holds-none" }, t("holds.none")));
      else content.push(this.buildTable());
    }
    if (this.mayHold()) {
      content.push(this.placing ? this.buildPlaceForm() : h("button", { type: "button", id: "hold-start", onclick: () => this.openPlace() }, t("holds.start")));
    }
    return content;
  }

  private buildTable(): HTMLElement {
    const time = (ts: LegalHold["placedAt"]) => (ts ? h("time", { datetime: isoTimestamp(ts) }, formatTimestamp(ts)) : t("common.none"));
    const mayHold = this.mayHold();
    return h(
      "div",
      { class: "table-scroll", role: "region", "aria-labelledby": this.captionId, tabindex: 0 },
      h(
        "table",
        { id: "holds-table", class: "data" },
        h("caption", { id: this.captionId }, tPlural("holds.caption", this.holds.length)),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, t("holds.placedAt")),
            h("th", { scope: "col" }, t("holds.placedBy")),
            h("th", { scope: "col" }, t("holds.reason")),
            h("th", { scope: "col" }, t("holds.state")),
            mayHold ? h("th", { scope: "col" }, t("holds.actions")) : null,
          ),
        ),
        h(
          "tbody",
          null,
          this.holds.map((hold) =>
            h(
              "tr",
              { id: `hold-${hold.id}`, "data-active": hold.active ? "true" : "false" },
              h("td", { class: "nowrap" }, time(hold.placedAt)),
              h(
                "td",
                null,
                hold.placedByUnit
                  ? t("holds.byWithUnit", { by: hold.placedBy, role: enumLabel(RoleSchema, hold.placedByRole), unit: hold.placedByUnit })
                  : t("holds.by", { by: hold.placedBy, role: enumLabel(RoleSchema, hold.placedByRole) }),
              ),
              h("td", { class: "pre-wrap" }, hold.reason),
              h(
                "td",
                null,
                hold.active
                  ? h("strong", null, t("holds.active"))
                  : [t("holds.liftedBy", { by: hold.liftedBy }), " ", time(hold.liftedAt), h("span", { class: "block pre-wrap" }, hold.liftReason)],
              ),
              mayHold ? h("td", null, hold.active ? this.buildLift(hold) : null) : null,
            ),
          ),
        ),
      ),
    );
  }

  private buildLift(hold: LegalHold): Child {
    if (this.lifting !== hold.id) {
      return h(
        "button",
        { type: "button", id: `hold-lift-${hold.id}`, class: "secondary", onclick: () => this.openLift(hold.id) },
        t("holds.lift"),
      );
    }
    return h(
      "form",
      { id: "hold-lift-form", class: "form", novalidate: true, onsubmit: (e: Event) => void this.lift(e, hold) },
      textArea({
        id: "hold-lift-reason",
        label: t("holds.liftReason"),
        hint: t("holds.reasonHint"),
        required: true,
        rows: 2,
        error: this.liftProblem ? problemText(this.liftProblem) : undefined,
        value: this.liftReason,
        onValue: (v) => {
          this.liftReason = v;
        },
      }),
      this.liftFailure !== undefined
        ? h("div", { id: "hold-lift-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.liftFailure)))
        : null,
      h(
        "div",
        { class: "button-row" },
        h("button", { type: "submit", id: "hold-lift-confirm", "aria-disabled": this.liftBusy ? "true" : "false" }, t("holds.liftConfirm")),
        h("button", { type: "button", id: "hold-lift-cancel", class: "secondary", onclick: () => this.closeLift() }, t("common.cancel")),
      ),
    );
  }

  private buildPlaceForm(): HTMLElement {
    const c = this.host.current();
    return h(
      "form",
      { id: "hold-form", class: "form", novalidate: true, onsubmit: (e: Event) => void this.place(e) },
      h("h3", null, t("holds.formHeading", { reference: c.reference })),
      textArea({
        id: "hold-reason",
        label: t("holds.reason"),
        hint: t("holds.reasonHint"),
        required: true,
        rows: 2,
        error: this.placeProblem ? problemText(this.placeProblem) : undefined,
        value: this.placeReason,
        onValue: (v) => {
          this.placeReason = v;
        },
      }),
      this.placeFailure !== undefined
        ? h("div", { id: "hold-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.placeFailure)))
        : null,
      h(
        "div",
        { class: "button-row" },
        h("button", { type: "submit", id: "hold-submit", "aria-disabled": this.placeBusy ? "true" : "false" }, t("holds.submit")),
        h("button", { type: "button", id: "hold-cancel", class: "secondary", onclick: () => this.closePlace() }, t("common.cancel")),
      ),
    );
  }
}
