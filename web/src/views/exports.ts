// "Exports" (#/exports; officers, post managers, LKHA caseworkers): exports of the unit's cases
// under two keys (ExportService). A request (RequestExport: a filter, the legal basis, the
// recipient and the purpose); the unit's exports with where each stands, its expiry and the
// downloads left (ListExports); a post manager of the unit (another LKHA caseworker for LKHA),
// never the requester, approves with either a password typed twice or the recipient's OpenPGP
// public key, the expiry and the downloads allowed, or refuses with a reason (AnswerExport; the
// password is cleared from the page once the call is answered); the requester downloads the
// encrypted file (DownloadExport: each download counts and has a request id of its own).
import { Code, ConnectError } from "@connectrpc/connect";
import type { Export } from "../gen/consular/v1/exports_pb";
import { ExportDecision, ExportProtection, ExportProtectionSchema, ExportState } from "../gen/consular/v1/exports_pb";
import { CaseStatusSchema, CaseTypeSchema } from "../gen/consular/v1/common_pb";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { isAbort } from "../errors";
import { formatCountry, formatDate, formatTimestamp, isoTimestamp, isSetDate } from "../format";
import { t, tPlural } from "../i18n/i18n";
import { FormAction, mutate, withRetry } from "../rpc";
import {
  buildDownloadRequest,
  buildExportAnswer,
  buildExportRequest,
  emptyExportAnswer,
  emptyExportRequest,
  exportAnswerFieldOf,
  exportAnswerKey,
  exportDownloadable,
  exportRequestFieldOf,
  exportRequestKey,
  exportStateKey,
  maxDownloads,
  maxExpiryDays,
  minPasswordChars,
  safeFileName,
  validateExportAnswer,
  validateExportRequest,
  type ExportAnswerErrors,
  type ExportAnswerField,
  type ExportAnswerInput,
  type ExportRequestErrors,
  type ExportRequestField,
  type ExportRequestInput,
} from "../casework/exports";
import { describeError, fieldProblemOf, problemText } from "../casework/problems";
import { mayAnswerExportRequest, mayDownloadExport, usesExports } from "../casework/roles";
import { dateField, enumChoices, errorSummary, radioGroup, selectField, textArea, textField, type FieldOptions } from "./form";
import { saveFile } from "./download";
import { BaseView, type AppContext } from "./view";
import { loadFailure } from "./lists";

const requestIds: Readonly<Record<ExportRequestField, string>> = {
  country: "export-country",
  type: "export-type",
  status: "export-status",
  openedFrom: "export-opened-from",
  openedTo: "export-opened-to",
  legalBasis: "export-legal-basis",
  recipient: "export-recipient",
  purpose: "export-purpose",
};

const answerIds: Readonly<Record<ExportAnswerField, string>> = {
  decision: "answer-decision",
  protection: "answer-protection",
  password: "answer-password",
  passwordAgain: "answer-password-again",
  publicKey: "answer-public-key",
  expiryDays: "answer-expiry-days",
  downloads: "answer-downloads",
  reason: "answer-reason",
};

/** A password field: never filled from memory, never suggested from earlier input. */
function passwordField(o: FieldOptions & { value: string; onValue: (v: string) => void }): HTMLElement {
  return h(
    "div",
    { class: `form-field${o.error ? " has-error" : ""}` },
    h("label", { for: o.id }, o.required ? t("form.requiredLabel", { label: o.label }) : o.label),
    o.hint ? h("p", { id: `${o.id}-hint`, class: "hint" }, o.hint) : null,
    o.error ? h("p", { id: `${o.id}-error`, class: "field-error" }, o.error) : null,
    h("input", {
      id: o.id,
      name: o.id,
      type: "password",
      value: o.value,
      autocomplete: "new-password",
      spellcheck: "false",
      "aria-required": o.required ? "true" : undefined,
      "aria-invalid": o.error ? "true" : undefined,
      "aria-describedby": [o.hint ? `${o.id}-hint` : "", o.error ? `${o.id}-error` : ""].filter(Boolean).join(" ") || undefined,
      oninput: (e: Event) => o.onValue((e.target as HTMLInputElement).value),
    }),
  );
}

export class ExportsView extends BaseView {
  private exports: Export[] | undefined;
  private loading = false;
  private loadError: unknown;
  // The request
  private formOpen = false;
  private input: ExportRequestInput = emptyExportRequest();
  private errors: ExportRequestErrors = {};
  private failure: unknown;
  private busy = false;
  private readonly submission = new FormAction<Export>();
  // An answer
  private answering: string | undefined;
  private answer: ExportAnswerInput = emptyExportAnswer();
  private answerErrors: ExportAnswerErrors = {};
  private answerFailure: unknown;
  private answerBusy = false;
  private readonly answerAction = new FormAction<Export>();
  // A download
  private downloading: string | undefined;
  private downloadFailure: { id: string; error: unknown } | undefined;
  private done: string | undefined;

  constructor(private readonly ctx: AppContext) {
    super();
    this.render();
    if (usesExports(ctx.session.role)) void this.load();
  }

  title(): string {
    return t("exports.title");
  }

  private async load(): Promise<void> {
    this.loading = true;
    this.loadError = undefined;
    this.render();
    try {
      const response = await withRetry(() => this.ctx.clients.exports.listExports({}, { signal: this.abort.signal }), { signal: this.abort.signal });
      this.exports = response.exports;
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.loadError = error;
    } finally {
      this.loading = false;
    }
    this.render();
  }

  private async request(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const input = { ...this.input };
    this.failure = undefined;
    this.errors = validateExportRequest(input);
    if (Object.keys(this.errors).length > 0) {
      this.render();
      document.getElementById("export-errors")?.focus();
      return;
    }
    const action = this.submission.for(exportRequestKey(input));
    this.busy = true;
    this.render();
    try {
      await action.run(
        (requestId) => this.ctx.clients.exports.requestExport(buildExportRequest(input, requestId), { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.submission.forget();
      this.busy = false;
      this.formOpen = false;
      this.input = emptyExportRequest();
      this.done = t("exports.requested");
      this.ctx.announce(this.done);
      await this.load();
      document.getElementById("exports-done")?.focus();
      return;
    } catch (error) {
      this.busy = false;
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      const field = found ? exportRequestFieldOf(found.path) : undefined;
      if (found && field) this.errors = { [field]: found.problem };
      else this.failure = error;
      this.ctx.announce(found && field ? problemText(found.problem) : describeError(error));
    }
    this.render();
    document.getElementById(this.failure !== undefined ? "export-failure" : "export-errors")?.focus();
  }

  private openAnswer(id: string): void {
    this.answering = id;
    this.answer = emptyExportAnswer();
    this.answerErrors = {};
    this.answerFailure = undefined;
    this.answerAction.forget();
    this.done = undefined;
    this.render();
    document.getElementById(answerIds.decision)?.focus();
  }

  private closeAnswer(): void {
    const id = this.answering;
    this.answering = undefined;
    this.answer = emptyExportAnswer();
    this.answerAction.forget();
    this.render();
    if (id) document.getElementById(`export-answer-${id}`)?.focus();
  }

  /** Drops the password from the page: the form's state and its fields. */
  private clearPassword(): void {
    this.answer.password = "";
    this.answer.passwordAgain = "";
  }

  private async sendAnswer(event: Event, e: Export): Promise<void> {
    event.preventDefault();
    if (this.answerBusy) return;
    this.answerFailure = undefined;
    this.answerErrors = validateExportAnswer(this.answer);
    if (Object.keys(this.answerErrors).length > 0) {
      if (this.answerErrors.password || this.answerErrors.passwordAgain) this.clearPassword();
      this.render();
      document.getElementById("answer-errors")?.focus();
      return;
    }
    const request = buildExportAnswer(e.id, this.answer, "");
    const action = this.answerAction.for(exportAnswerKey(e.id, this.answer));
    // The password lives on in the request only while it is being sent.
    this.clearPassword();
    this.answerBusy = true;
    this.render();
    try {
      const answered = await action.run(
        (requestId) => this.ctx.clients.exports.answerExport({ ...request, requestId }, { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.answerAction.forget();
      this.answerBusy = false;
      this.answering = undefined;
      this.answer = emptyExportAnswer();
      this.done =
        answered.state === ExportState.APPROVED
          ? tPlural("exports.approved", answered.caseCount, { protection: enumLabel(ExportProtectionSchema, answered.protection) })
          : t("exports.refused");
      this.ctx.announce(this.done);
      await this.load();
      document.getElementById("exports-done")?.focus();
      return;
    } catch (error) {
      this.answerBusy = false;
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      const field = found ? exportAnswerFieldOf(found.path) : undefined;
      if (found && field) this.answerErrors = { [field]: found.problem };
      else this.answerFailure = error;
      this.ctx.announce(found && field ? problemText(found.problem) : describeError(error));
    } finally {
      request.protection = { case: undefined };
    }
    this.render();
    document.getElementById(this.answerFailure !== undefined ? "answer-failure" : "answer-errors")?.focus();
  }

  /** One download: a new request id, counted by the service whether or not the answer arrives. */
  private async download(e: Export): Promise<void> {
    if (this.downloading) return;
    this.downloading = e.id;
    this.downloadFailure = undefined;
    this.done = undefined;
    this.render();
    try {
      const file = await mutate(
        (requestId) => this.ctx.clients.exports.downloadExport(buildDownloadRequest(e.id, requestId), { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      const name = safeFileName(file.fileName, "export");
      saveFile(file.content as Uint8Array<ArrayBuffer>, file.mediaType, name);
      this.done = tPlural("exports.downloaded", file.export?.downloadsLeft ?? 0, { file: name });
      this.ctx.announce(this.done);
      if (file.export) this.exports = (this.exports ?? []).map((x) => (x.id === e.id ? file.export! : x));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.downloadFailure = { id: e.id, error };
      this.ctx.announce(downloadFailureText(error));
    } finally {
      this.downloading = undefined;
    }
    this.render();
    document.getElementById(this.downloadFailure ? "export-download-failure" : "exports-done")?.focus();
  }

  protected build(): Child[] {
    if (!usesExports(this.ctx.session.role)) {
      return [h("h1", { tabindex: -1 }, t("exports.title")), h("p", { class: "message message-error", role: "alert" }, t("error.permissionDenied"))];
    }
    return [
      h("h1", { tabindex: -1 }, t("exports.title")),
      h("p", null, t("exports.intro")),
      this.done ? h("p", { id: "exports-done", class: "message", role: "status", tabindex: -1 }, this.done) : null,
      this.buildList(),
      this.buildRequest(),
    ];
  }

  private buildList(): HTMLElement {
    const content: Child[] = [h("h2", { id: "exports-list-heading" }, t("exports.listHeading"))];
    if (this.loadError !== undefined) content.push(loadFailure("exports-retry", this.loadError, () => void this.load()));
    else if (this.exports === undefined) content.push(h("p", { class: "loading" }, t("common.loading")));
    else if (this.exports.length === 0) content.push(h("p", { id: "exports-none" }, t("exports.none")));
    else content.push(h("ul", { id: "exports-list", class: "inbox-list" }, this.exports.map((e) => this.buildExport(e))));
    return h("section", { id: "exports", class: "card", "aria-labelledby": "exports-list-heading", "aria-busy": this.loading ? "true" : "false" }, ...content);
  }

  private filterText(e: Export): string {
    const f = e.filter;
    const parts: string[] = [];
    if (f?.country) parts.push(formatCountry(f.country));
    if (f?.type) parts.push(enumLabel(CaseTypeSchema, f.type));
    if (f?.status) parts.push(enumLabel(CaseStatusSchema, f.status));
    if (isSetDate(f?.openedFrom)) parts.push(t("exports.openedFromValue", { date: formatDate(f!.openedFrom) }));
    if (isSetDate(f?.openedTo)) parts.push(t("exports.openedToValue", { date: formatDate(f!.openedTo) }));
    return parts.length ? parts.join(" · ") : t("exports.allCases");
  }

  private buildExport(e: Export): HTMLElement {
    const s = this.ctx.session;
    const now = new Date();
    const state = exportStateKey(e, now);
    const time = (ts: Export["requestedAt"]) => (ts ? h("time", { datetime: isoTimestamp(ts) }, formatTimestamp(ts)) : t("common.none"));
    const row = (label: string, value: Child) => h("div", { class: "field" }, h("dt", null, label), h("dd", null, value));
    const actions: Child[] = [];
    if (e.state === ExportState.PENDING && mayAnswerExportRequest(s.role, s.unit, s.subject, e.unit, e.requestedBy)) {
      actions.push(
        this.answering === e.id
          ? this.buildAnswerForm(e)
          : h("button", { type: "button", id: `export-answer-${e.id}`, onclick: () => this.openAnswer(e.id) }, t("exports.answer")),
      );
    } else if (e.state === ExportState.PENDING && e.requestedBy === s.subject) {
      actions.push(h("p", { class: "muted" }, t("exports.waitsForOther")));
    }
    if (exportDownloadable(e, now) && mayDownloadExport(s.subject, e.requestedBy)) {
      actions.push(
        h("p", { id: `export-download-note-${e.id}`, class: "message message-warning" }, tPlural("exports.downloadCounts", e.downloadsLeft)),
        h(
          "button",
          {
            type: "button",
            id: `export-download-${e.id}`,
            "aria-describedby": `export-download-note-${e.id}`,
            "aria-disabled": this.downloading ? "true" : "false",
            onclick: () => void this.download(e),
          },
          t("exports.download"),
        ),
      );
    }
    if (this.downloadFailure?.id === e.id) {
      actions.push(h("div", { id: "export-download-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, downloadFailureText(this.downloadFailure.error))));
    }
    return h(
      "li",
      { id: `export-${e.id}`, class: "inbox-item", "data-state": state, "aria-labelledby": `export-${e.id}-heading` },
      h("h3", { id: `export-${e.id}-heading` }, t("exports.itemHeading", { recipient: e.recipient, state: t(state) })),
      h(
        "dl",
        { class: "fields" },
        row(t("exports.requestedBy"), [t("exports.byAt", { by: e.requestedBy }), " ", time(e.requestedAt)]),
        row(t("exports.filter"), this.filterText(e)),
        row(t("exports.legalBasis"), h("span", { class: "pre-wrap" }, e.legalBasis)),
        row(t("exports.purpose"), h("span", { class: "pre-wrap" }, e.purpose)),
        e.answeredBy ? row(t("exports.answeredBy"), [t("exports.byAt", { by: e.answeredBy }), " ", time(e.answeredAt)]) : null,
        e.refusalReason ? row(t("exports.refusalReason"), h("span", { class: "pre-wrap" }, e.refusalReason)) : null,
        e.protection ? row(t("exports.protection"), enumLabel(ExportProtectionSchema, e.protection)) : null,
        e.recipientKeyFingerprint ? row(t("exports.fingerprint"), h("code", null, e.recipientKeyFingerprint)) : null,
        e.expiresAt ? row(t("exports.expires"), time(e.expiresAt)) : null,
        e.downloadsAllowed ? row(t("exports.downloadsLeft"), t("exports.downloadsLeftValue", { left: e.downloadsLeft, allowed: e.downloadsAllowed })) : null,
        e.answeredBy && e.state !== ExportState.REFUSED ? row(t("exports.caseCount"), String(e.caseCount)) : null,
        e.fileSha256 ? row(t("exports.digest"), h("code", { class: "break" }, e.fileSha256)) : null,
      ),
      ...actions,
    );
  }

  private buildAnswerForm(e: Export): HTMLElement {
    const a = this.answer;
    const labels: Record<ExportAnswerField, string> = {
      decision: t("exports.decision"),
      protection: t("exports.protection"),
      password: t("exports.password"),
      passwordAgain: t("exports.passwordAgain"),
      publicKey: t("exports.publicKey"),
      expiryDays: t("exports.expiryDays"),
      downloads: t("exports.downloadsAllowed"),
      reason: t("exports.refusalReason"),
    };
    const error = (f: ExportAnswerField) => (this.answerErrors[f] ? problemText(this.answerErrors[f]!) : undefined);
    const summary = (Object.keys(answerIds) as ExportAnswerField[])
      .filter((f) => this.answerErrors[f])
      .map((f) => ({ fieldId: answerIds[f], label: labels[f], text: error(f)! }));
    const approve = a.decision === ExportDecision.APPROVE;
    const refuse = a.decision === ExportDecision.REFUSE;
    return h(
      "div",
      null,
      errorSummary("answer-errors", summary),
      h(
        "form",
        { id: "answer-form", class: "form", novalidate: true, autocomplete: "off", onsubmit: (ev: Event) => void this.sendAnswer(ev, e) },
        radioGroup({
          id: answerIds.decision,
          name: "answer-decision",
          label: labels.decision,
          required: true,
          error: error("decision"),
          value: a.decision ? String(a.decision) : "",
          choices: [
            { value: String(ExportDecision.APPROVE), label: t("exports.approve") },
            { value: String(ExportDecision.REFUSE), label: t("exports.refuse") },
          ],
          onValue: (v) => {
            a.decision = Number(v) as ExportDecision;
            this.render();
            document.getElementById(Number(v) === ExportDecision.APPROVE ? answerIds.decision : `${answerIds.decision}-${v}`)?.focus();
          },
        }),
        approve
          ? [
              radioGroup({
                id: answerIds.protection,
                name: "answer-protection",
                label: labels.protection,
                hint: t("exports.protectionHint"),
                required: true,
                error: error("protection"),
                value: a.protection,
                choices: [
                  { value: "password", label: enumLabel(ExportProtectionSchema, ExportProtection.PASSWORD) },
                  { value: "openpgp", label: enumLabel(ExportProtectionSchema, ExportProtection.OPENPGP) },
                ],
                onValue: (v) => {
                  a.protection = v === "openpgp" ? "openpgp" : "password";
                  if (a.protection === "openpgp") this.clearPassword();
                  this.render();
                  document.getElementById(v === "password" ? answerIds.protection : `${answerIds.protection}-${v}`)?.focus();
                },
              }),
              a.protection === "password"
                ? [
                    passwordField({
                      id: answerIds.password,
                      label: labels.password,
                      hint: t("exports.passwordHint", { min: minPasswordChars }),
                      required: true,
                      error: error("password"),
                      value: a.password,
                      onValue: (v) => {
                        a.password = v;
                      },
                    }),
                    passwordField({
                      id: answerIds.passwordAgain,
                      label: labels.passwordAgain,
                      required: true,
                      error: error("passwordAgain"),
                      value: a.passwordAgain,
                      onValue: (v) => {
                        a.passwordAgain = v;
                      },
                    }),
                  ]
                : null,
              a.protection === "openpgp"
                ? [
                    textArea({
                      id: answerIds.publicKey,
                      label: labels.publicKey,
                      hint: t("exports.publicKeyHint"),
                      required: true,
                      rows: 6,
                      error: error("publicKey"),
                      value: a.publicKey,
                      onValue: (v) => {
                        a.publicKey = v;
                      },
                    }),
                    h(
                      "div",
                      { class: "form-field" },
                      h("label", { for: "answer-public-key-file" }, t("exports.publicKeyFile")),
                      h("input", {
                        id: "answer-public-key-file",
                        type: "file",
                        accept: ".asc,.txt,.pub,.gpg,text/plain,application/pgp-keys",
                        onchange: (ev: Event) => void this.readKeyFile(ev),
                      }),
                    ),
                  ]
                : null,
              textField({
                id: answerIds.expiryDays,
                label: labels.expiryDays,
                hint: t("exports.expiryDaysHint", { max: maxExpiryDays }),
                required: true,
                error: error("expiryDays"),
                value: a.expiryDays,
                onValue: (v) => {
                  a.expiryDays = v;
                },
              }),
              textField({
                id: answerIds.downloads,
                label: labels.downloads,
                hint: t("exports.downloadsHint", { max: maxDownloads }),
                required: true,
                error: error("downloads"),
                value: a.downloads,
                onValue: (v) => {
                  a.downloads = v;
                },
              }),
            ]
          : null,
        refuse
          ? textArea({
              id: answerIds.reason,
              label: labels.reason,
              hint: t("exports.refusalHint"),
              required: true,
              rows: 2,
              error: error("reason"),
              value: a.reason,
              onValue: (v) => {
                a.reason = v;
              },
            })
          : null,
        this.answerFailure !== undefined
          ? h(
              "div",
              { id: "answer-failure", class: "message message-error", role: "alert", tabindex: -1 },
              h("p", null, describeError(this.answerFailure)),
              a.protection === "password" && approve ? h("p", null, t("exports.passwordAgainAfterFailure")) : null,
            )
          : null,
        h(
          "div",
          { class: "button-row" },
          h("button", { type: "submit", id: "answer-submit", "aria-disabled": this.answerBusy ? "true" : "false" }, t("exports.answerSubmit")),
          h("button", { type: "button", id: "answer-cancel", class: "secondary", onclick: () => this.closeAnswer() }, t("common.cancel")),
        ),
      ),
    );
  }

  private async readKeyFile(ev: Event): Promise<void> {
    const file = (ev.target as HTMLInputElement).files?.[0];
    if (!file) return;
    // A public key is small; anything large is not one.
    if (file.size > 256 * 1024) {
      this.answerErrors = { publicKey: { key: "problem.publicKey" } };
    } else {
      this.answer.publicKey = await file.text();
      this.answerErrors = {};
      this.ctx.announce(t("exports.publicKeyRead", { file: file.name }));
    }
    this.render();
    document.getElementById(answerIds.publicKey)?.focus();
  }

  private buildRequest(): HTMLElement {
    const content: Child[] = [h("h2", { id: "export-request-heading" }, t("exports.requestHeading"))];
    if (!this.formOpen) {
      content.push(
        h(
          "button",
          {
            type: "button",
            id: "export-start",
            onclick: () => {
              this.formOpen = true;
              this.done = undefined;
              this.render();
              document.getElementById(requestIds.country)?.focus();
            },
          },
          t("exports.start"),
        ),
      );
      return h("section", { id: "export-request", class: "card", "aria-labelledby": "export-request-heading" }, ...content);
    }
    const labels: Record<ExportRequestField, string> = {
      country: t("exports.country"),
      type: t("case.type"),
      status: t("case.status"),
      openedFrom: t("exports.openedFrom"),
      openedTo: t("exports.openedTo"),
      legalBasis: t("exports.legalBasis"),
      recipient: t("exports.recipient"),
      purpose: t("exports.purpose"),
    };
    const error = (f: ExportRequestField) => (this.errors[f] ? problemText(this.errors[f]!) : undefined);
    const summary = (Object.keys(requestIds) as ExportRequestField[])
      .filter((f) => this.errors[f])
      .map((f) => ({ fieldId: requestIds[f], label: labels[f], text: error(f)! }));
    const text = (f: ExportRequestField, hint?: string, required = false) =>
      textField({
        id: requestIds[f],
        label: labels[f],
        hint,
        required,
        error: error(f),
        value: this.input[f] as string,
        onValue: (v) => {
          (this.input[f] as string) = v;
        },
      });
    content.push(
      h("p", { class: "hint" }, t("exports.requestIntro")),
      errorSummary("export-errors", summary),
      h(
        "form",
        { id: "export-form", class: "form", novalidate: true, onsubmit: (e: Event) => void this.request(e) },
        h(
          "fieldset",
          { class: "form-group" },
          h("legend", null, t("exports.filterLegend")),
          text("country", t("exports.countryHint")),
          selectField({
            id: requestIds.type,
            label: labels.type,
            error: error("type"),
            value: String(this.input.type),
            choices: [{ value: "0", label: t("exports.any") }, ...enumChoices(CaseTypeSchema)],
            onValue: (v) => {
              this.input.type = Number(v);
            },
          }),
          selectField({
            id: requestIds.status,
            label: labels.status,
            error: error("status"),
            value: String(this.input.status),
            choices: [{ value: "0", label: t("exports.any") }, ...enumChoices(CaseStatusSchema)],
            onValue: (v) => {
              this.input.status = Number(v);
            },
          }),
          dateField({ id: requestIds.openedFrom, label: labels.openedFrom, error: error("openedFrom"), value: this.input.openedFrom, onValue: (v) => { this.input.openedFrom = v; } }),
          dateField({ id: requestIds.openedTo, label: labels.openedTo, error: error("openedTo"), value: this.input.openedTo, onValue: (v) => { this.input.openedTo = v; } }),
        ),
        textArea({
          id: requestIds.legalBasis,
          label: labels.legalBasis,
          hint: t("exports.legalBasisHint"),
          required: true,
          rows: 2,
          error: error("legalBasis"),
          value: this.input.legalBasis,
          onValue: (v) => {
            this.input.legalBasis = v;
          },
        }),
        text("recipient", t("exports.recipientHint"), true),
        textArea({
          id: requestIds.purpose,
          label: labels.purpose,
          required: true,
          rows: 2,
          error: error("purpose"),
          value: this.input.purpose,
          onValue: (v) => {
            this.input.purpose = v;
          },
        }),
        this.failure !== undefined
          ? h("div", { id: "export-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.failure)))
          : null,
        h(
          "div",
          { class: "button-row" },
          h("button", { type: "submit", id: "export-submit", "aria-disabled": this.busy ? "true" : "false" }, t("exports.submit")),
          h(
            "button",
            {
              type: "button",
              id: "export-cancel",
              class: "secondary",
              onclick: () => {
                this.formOpen = false;
                this.input = emptyExportRequest();
                this.errors = {};
                this.failure = undefined;
                this.submission.forget();
                this.render();
                document.getElementById("export-start")?.focus();
              },
            },
            t("common.cancel"),
          ),
        ),
      ),
    );
    return h("section", { id: "export-request", class: "card", "aria-labelledby": "export-request-heading" }, ...content);
  }
}

/** A refused download in words: a download whose answer was lost still counted. */
function downloadFailureText(error: unknown): string {
  const e = ConnectError.from(error);
  if (e.code === Code.AlreadyExists) return t("exports.downloadRepeated");
  return describeError(error);
}
