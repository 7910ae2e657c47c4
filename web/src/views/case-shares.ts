// The shares of a case on the case page: CaseService.ListShares (the live ones), a form to share
// the case with LKHA or another post (ShareCase: access, legal basis, an optional last day) and
// revoking a share after a confirmation (RevokeShare). Only the handling unit is offered the form
// and the revoking; a grantee sees its own share.
import { Code, ConnectError } from "@connectrpc/connect";
import type { CaseShare } from "../gen/consular/v1/cases_pb";
import { AnswerSchema, ShareAccess, ShareAccessSchema } from "../gen/consular/v1/cases_pb";
import { h, uniqueId, type Child } from "../dom";
import { utcDate } from "../dates";
import { enumLabel } from "../enums";
import { isAbort } from "../errors";
import { formatTimestamp, isoTimestamp } from "../format";
import { t, tPlural } from "../i18n/i18n";
import { FormAction } from "../rpc";
import { describeError, fieldProblemOf, problemText } from "../casework/problems";
import {
  buildRevokeRequest,
  buildShareRequest,
  emptyShareInput,
  mayShare,
  shareKey,
  validateShare,
  type ShareErrors,
  type ShareInput,
} from "../casework/sharing";
import { dateField, enumChoices, errorSummary, radioGroup, textArea, textField } from "./form";
import { Panel, type CaseHost } from "./panel";
import { loadFailure } from "./lists";

const fieldIds: Record<keyof ShareInput, string> = {
  grantee: "share-grantee",
  access: "share-access",
  legalBasis: "share-legal-basis",
  until: "share-until",
};

/** The form's field for a path the service named. */
function shareFieldOf(path: string): keyof ShareInput | undefined {
  const fields: Record<string, keyof ShareInput> = { grantee: "grantee", access: "access", legal_basis: "legalBasis", expires_at: "until" };
  return fields[path];
}

/** A refusal of ShareCase in words: a live share already there is said as such. */
function shareFailureText(error: unknown): string {
  const e = ConnectError.from(error);
  if (e.code === Code.AlreadyExists) return t("shares.alreadyShared");
  return describeError(error);
}

export class SharesPanel extends Panel {
  private shares: CaseShare[] = [];
  private formOpen = false;
  private input: ShareInput = emptyShareInput();
  private errors: ShareErrors = {};
  private failure: unknown;
  private busy = false;
  private readonly submission = new FormAction<CaseShare>();
  /** The share whose revoking waits for a confirmation. */
  private confirming: string | undefined;
  private revokeFailure: { id: string; error: unknown } | undefined;
  private revokeBusy = false;
  private readonly revoking = new FormAction<CaseShare>();
  private done: string | undefined;
  private readonly captionId = uniqueId("shares-caption");

  constructor(host: CaseHost) {
    super(host, "shares");
  }

  async load(): Promise<void> {
    const c = this.host.current();
    const response = await this.loadWith((signal) =>
      this.host.ctx.clients.cases.listShares({ caseId: c.id || c.reference }, { signal }),
    );
    if (!response) return;
    this.shares = response.shares;
    this.render();
  }

  private open(): void {
    this.formOpen = true;
    this.done = undefined;
    this.render();
    this.focus(fieldIds.grantee);
  }

  private close(): void {
    this.formOpen = false;
    this.input = emptyShareInput();
    this.errors = {};
    this.failure = undefined;
    this.submission.forget();
    this.render();
    this.focus("share-start");
  }

  private async share(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const c = this.host.current();
    const input = { ...this.input };
    this.failure = undefined;
    this.errors = validateShare(c, input, utcDate());
    if (Object.keys(this.errors).length > 0) {
      this.render();
      this.focus("share-errors");
      return;
    }
    const action = this.submission.for(shareKey(c, input));
    this.busy = true;
    this.render();
    try {
      const share = await action.run(
        (requestId) => this.host.ctx.clients.cases.shareCase(buildShareRequest(c, input, requestId), { signal: this.host.signal }),
        { signal: this.host.signal },
      );
      this.submission.forget();
      this.busy = false;
      this.formOpen = false;
      this.input = emptyShareInput();
      this.done = t("shares.shared", { unit: share.grantee, access: enumLabel(ShareAccessSchema, share.access) });
      this.host.ctx.announce(this.done);
      this.host.refreshTimeline();
      await this.load();
      this.focus("shares-done");
      return;
    } catch (error) {
      this.busy = false;
      if (isAbort(error) || this.host.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      const field = found ? shareFieldOf(found.path) : undefined;
      if (found && field) this.errors = { [field]: found.problem };
      else this.failure = error;
      this.host.ctx.announce(found && field ? problemText(found.problem) : shareFailureText(error));
    }
    this.render();
    this.focus(this.failure !== undefined ? "share-failure" : "share-errors");
  }

  private askRevoke(id: string): void {
    this.confirming = id;
    this.revokeFailure = undefined;
    this.done = undefined;
    this.render();
    this.focus("share-revoke-confirm");
  }

  private cancelRevoke(id: string): void {
    this.confirming = undefined;
    this.revokeFailure = undefined;
    this.render();
    this.focus(`share-revoke-${id}`);
  }

  private async revoke(share: CaseShare): Promise<void> {
    if (this.revokeBusy) return;
    const action = this.revoking.for(share.id);
    this.revokeBusy = true;
    this.revokeFailure = undefined;
    this.render();
    try {
      await action.run(
        (requestId) => this.host.ctx.clients.cases.revokeShare(buildRevokeRequest(share.id, requestId), { signal: this.host.signal }),
        { signal: this.host.signal },
      );
      this.revoking.forget();
      this.revokeBusy = false;
      this.confirming = undefined;
      this.done = t("shares.revoked", { unit: share.grantee });
      this.host.ctx.announce(this.done);
      this.host.refreshTimeline();
      await this.load();
      this.focus("shares-done");
      return;
    } catch (error) {
      this.revokeBusy = false;
      if (isAbort(error) || this.host.ctx.handleCommonError(error)) return;
      this.revokeFailure = { id: share.id, error };
      this.host.ctx.announce(describeError(error));
    }
    this.render();
    this.focus("share-revoke-failure");
  }

  protected build(): Child[] {
    const c = this.host.current();
    const handling = mayShare(c);
    const content: Child[] = [this.heading(t("shares.heading"))];
    if (this.done) content.push(h("p", { id: "shares-done", class: "message", role: "status", tabindex: -1 }, this.done));
    if (this.loading) content.push(h("p", { class: "loading" }, t("common.loading")));
    else if (this.loadError !== undefined) {
      content.push(
        loadFailure("shares-retry", this.loadError, () => void this.load()),
      );
    } else if (this.shares.length === 0) {
      content.push(h("p", { id: "shares-none" }, t("shares.none")));
    } else {
      content.push(this.buildTable(handling));
    }
    if (handling) content.push(this.formOpen ? this.buildForm() : h("button", { type: "button", id: "share-start", onclick: () => this.open() }, t("shares.start")));
    return content;
  }

  private buildTable(handling: boolean): HTMLElement {
    return h(
      "div",
      { class: "table-scroll", role: "region", "aria-labelledby": this.captionId, tabindex: 0 },
      h(
        "table",
        { id: "shares-table", class: "data" },
        h("caption", { id: this.captionId }, tPlural("shares.caption", this.shares.length)),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, t("shares.grantee")),
            h("th", { scope: "col" }, t("shares.access")),
            h("th", { scope: "col" }, t("shares.legalBasis")),
            h("th", { scope: "col" }, t("shares.granted")),
            h("th", { scope: "col" }, t("shares.until")),
            h("th", { scope: "col" }, t("shares.answer")),
            handling ? h("th", { scope: "col" }, t("shares.actions")) : null,
          ),
        ),
        h("tbody", null, this.shares.map((s) => this.buildRow(s, handling))),
      ),
    );
  }

  private buildRow(s: CaseShare, handling: boolean): HTMLElement {
    const time = (ts: CaseShare["grantedAt"]) => (ts ? h("time", { datetime: isoTimestamp(ts) }, formatTimestamp(ts)) : t("common.none"));
    return h(
      "tr",
      { id: `share-${s.id}`, "data-grantee": s.grantee },
      h("th", { scope: "row" }, s.grantee),
      h("td", null, enumLabel(ShareAccessSchema, s.access)),
      h("td", { class: "pre-wrap" }, s.legalBasis),
      h("td", null, time(s.grantedAt), " ", t("shares.grantedBy", { by: s.grantedBy })),
      h("td", null, s.expiresAt ? time(s.expiresAt) : t("shares.untilRevoked")),
      h("td", null, s.answer ? enumLabel(AnswerSchema, s.answer) : t("shares.notAnswered")),
      handling ? h("td", null, s.active ? this.buildRevoke(s) : null) : null,
    );
  }

  private buildRevoke(s: CaseShare): Child {
    if (this.confirming !== s.id) {
      return h(
        "button",
        { type: "button", id: `share-revoke-${s.id}`, class: "secondary", "aria-label": t("shares.revokeLabel", { unit: s.grantee }), onclick: () => this.askRevoke(s.id) },
        t("shares.revoke"),
      );
    }
    const failure = this.revokeFailure?.id === s.id ? this.revokeFailure.error : undefined;
    return h(
      "div",
      { class: "confirm", role: "group", "aria-labelledby": "share-revoke-question" },
      h("p", { id: "share-revoke-question" }, t("shares.revokeQuestion", { unit: s.grantee })),
      failure !== undefined
        ? h("div", { id: "share-revoke-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(failure)))
        : null,
      h(
        "div",
        { class: "button-row" },
        h(
          "button",
          { type: "button", id: "share-revoke-confirm", "aria-disabled": this.revokeBusy ? "true" : "false", onclick: () => void this.revoke(s) },
          t("shares.revokeConfirm", { unit: s.grantee }),
        ),
        h("button", { type: "button", id: "share-revoke-cancel", class: "secondary", onclick: () => this.cancelRevoke(s.id) }, t("shares.revokeCancel")),
      ),
    );
  }

  private buildForm(): HTMLElement {
    const labels: Record<keyof ShareInput, string> = {
      grantee: t("shares.grantee"),
      access: t("shares.access"),
      legalBasis: t("shares.legalBasis"),
      until: t("shares.untilLabel"),
    };
    const error = (f: keyof ShareInput) => (this.errors[f] ? problemText(this.errors[f]!) : undefined);
    const summary = (Object.keys(fieldIds) as (keyof ShareInput)[])
      .filter((f) => this.errors[f])
      .map((f) => ({ fieldId: fieldIds[f], label: labels[f], text: error(f)! }));
    return h(
      "div",
      null,
      h("h3", null, t("shares.formHeading")),
      errorSummary("share-errors", summary),
      h(
        "form",
        { id: "share-form", class: "form", novalidate: true, onsubmit: (e: Event) => void this.share(e) },
        textField({
          id: fieldIds.grantee,
          label: labels.grantee,
          hint: t("shares.granteeHint"),
          required: true,
          error: error("grantee"),
          value: this.input.grantee,
          onValue: (v) => {
            this.input.grantee = v;
          },
        }),
        radioGroup({
          id: fieldIds.access,
          name: "share-access",
          label: labels.access,
          required: true,
          error: error("access"),
          value: this.input.access ? String(this.input.access) : "",
          choices: enumChoices(ShareAccessSchema, [ShareAccess.READ, ShareAccess.READ_WRITE]),
          onValue: (v) => {
            this.input.access = Number(v) as ShareAccess;
          },
        }),
        textArea({
          id: fieldIds.legalBasis,
          label: labels.legalBasis,
          hint: t("shares.legalBasisHint"),
          required: true,
          error: error("legalBasis"),
          value: this.input.legalBasis,
          rows: 2,
          onValue: (v) => {
            this.input.legalBasis = v;
          },
        }),
        dateField({
          id: fieldIds.until,
          label: labels.until,
          hint: t("shares.untilHint"),
          error: error("until"),
          value: this.input.until,
          onValue: (v) => {
            this.input.until = v;
          },
        }),
        this.failure !== undefined
          ? h("div", { id: "share-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, shareFailureText(this.failure)))
          : null,
        h(
          "div",
          { class: "button-row" },
          h("button", { type: "submit", id: "share-submit", "aria-disabled": this.busy ? "true" : "false" }, this.busy ? t("shares.sharing") : t("shares.submit")),
          h("button", { type: "button", id: "share-cancel", class: "secondary", onclick: () => this.close() }, t("shares.cancel")),
        ),
      ),
    );
  }
}
