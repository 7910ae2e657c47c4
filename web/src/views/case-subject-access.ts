// Subject access on the case page (GDPR art. 15; ExportService): the case's requests for the
// person's own data with where each stands (ListSubjectAccessRequests by case); an officer or post
// manager of the handling unit records one (RequestSubjectAccess: the export's language and a
// note naming her request); a post manager of the unit other than the requester approves it (with
// the days it may be obtained) or refuses it with a reason (AnswerSubjectAccess); the requester
// or the approver downloads the HTML and the JSON (GetSubjectAccessExport), each straight into
// the browser's downloads (a Blob; nothing is stored).
import { Code, ConnectError } from "@connectrpc/connect";
import { ExportDecision, type SubjectAccessRequest } from "../gen/consular/v1/exports_pb";
import { CaseAccess } from "../gen/consular/v1/cases_pb";
import { h, uniqueId, type Child } from "../dom";
import { isAbort } from "../errors";
import { formatTimestamp, isoTimestamp } from "../format";
import { t, tPlural } from "../i18n/i18n";
import { FormAction, withRetry } from "../rpc";
import {
  buildSubjectAccessAnswer,
  buildSubjectAccessRequest,
  defaultAvailableDays,
  subjectAccessAnswerKey,
  subjectAccessFileName,
  subjectAccessKey,
  subjectAccessStateKey,
  validateSubjectAccess,
  validateSubjectAccessAnswer,
  type AnswerErrors,
  type SubjectAccessAnswer,
  type SubjectAccessErrors,
  type SubjectAccessInput,
} from "../casework/exports";
import { ExportState } from "../gen/consular/v1/exports_pb";
import { describeError, fieldProblemOf, problemText } from "../casework/problems";
import { mayAnswerExportRequest, mayObtainSubjectAccess, mayRequestSubjectAccess, usesExports } from "../casework/roles";
import { errorSummary, radioGroup, textArea, textField } from "./form";
import { saveFile } from "./download";
import { Panel, type CaseHost } from "./panel";
import { loadFailure } from "./lists";

const requestIds: Record<keyof SubjectAccessInput, string> = { language: "sar-language", note: "sar-note" };
const answerIds: Record<keyof AnswerErrors, string> = { decision: "sar-decision", days: "sar-days", reason: "sar-reason" };

function emptyAnswer(): SubjectAccessAnswer {
  return { decision: ExportDecision.UNSPECIFIED, days: "", reason: "" };
}

export class SubjectAccessPanel extends Panel {
  private requests: SubjectAccessRequest[] = [];
  private formOpen = false;
  private input: SubjectAccessInput = { language: "", note: "" };
  private errors: SubjectAccessErrors = {};
  private failure: unknown;
  private busy = false;
  private readonly submission = new FormAction<SubjectAccessRequest>();
  /** The request being answered (its form is open). */
  private answering: string | undefined;
  private answer: SubjectAccessAnswer = emptyAnswer();
  private answerErrors: AnswerErrors = {};
  private answerFailure: unknown;
  private answerBusy = false;
  private readonly answerAction = new FormAction<SubjectAccessRequest>();
  private downloading: string | undefined;
  private downloadFailure: { id: string; error: unknown } | undefined;
  private done: string | undefined;
  private readonly captionId = uniqueId("sar-caption");

  constructor(host: CaseHost) {
    super(host, "subject-access");
    this.loading = false;
  }

  private get session() {
    return this.host.ctx.session;
  }

  /** Whether the panel is shown at all: the roles of ExportService. */
  get shown(): boolean {
    return usesExports(this.session.role);
  }

  async load(): Promise<void> {
    if (!this.shown) return;
    const c = this.host.current();
    const response = await this.loadWith((signal) =>
      this.host.ctx.clients.exports.listSubjectAccessRequests({ caseId: c.id || c.reference }, { signal }),
    );
    if (!response) return;
    this.requests = response.requests;
    this.render();
  }

  private mayRequest(): boolean {
    const c = this.host.current();
    return !c.anonymisedAt && mayRequestSubjectAccess(this.session.role, c.callerAccess === CaseAccess.HANDLING);
  }

  private open(): void {
    this.formOpen = true;
    this.done = undefined;
    this.render();
    this.focus(requestIds.language);
  }

  private close(): void {
    this.formOpen = false;
    this.input = { language: "", note: "" };
    this.errors = {};
    this.failure = undefined;
    this.submission.forget();
    this.render();
    this.focus("sar-start");
  }

  private async request(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const c = this.host.current();
    const caseId = c.id || c.reference;
    const input = { ...this.input };
    this.failure = undefined;
    this.errors = validateSubjectAccess(input);
    if (Object.keys(this.errors).length > 0) {
      this.render();
      this.focus("sar-errors");
      return;
    }
    const action = this.submission.for(subjectAccessKey(caseId, input));
    this.busy = true;
    this.render();
    try {
      await action.run(
        (requestId) => this.host.ctx.clients.exports.requestSubjectAccess(buildSubjectAccessRequest(caseId, input, requestId), { signal: this.host.signal }),
        { signal: this.host.signal },
      );
      this.submission.forget();
      this.busy = false;
      this.formOpen = false;
      this.input = { language: "", note: "" };
      this.done = t("sar.requested", { reference: c.reference });
      this.host.ctx.announce(this.done);
      await this.load();
      this.focus("sar-done");
      return;
    } catch (error) {
      this.busy = false;
      if (isAbort(error) || this.host.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      const field = found && (found.path === "language" || found.path === "note") ? found.path : undefined;
      if (found && field) this.errors = { [field]: found.problem };
      else this.failure = error;
      this.host.ctx.announce(found && field ? problemText(found.problem) : describeError(error));
    }
    this.render();
    this.focus(this.failure !== undefined ? "sar-failure" : "sar-errors");
  }

  private openAnswer(id: string): void {
    this.answering = id;
    this.answer = emptyAnswer();
    this.answerErrors = {};
    this.answerFailure = undefined;
    this.answerAction.forget();
    this.done = undefined;
    this.render();
    this.focus(answerIds.decision);
  }

  private closeAnswer(): void {
    const id = this.answering;
    this.answering = undefined;
    this.answerAction.forget();
    this.render();
    if (id) this.focus(`sar-answer-${id}`);
  }

  private async sendAnswer(event: Event, r: SubjectAccessRequest): Promise<void> {
    event.preventDefault();
    if (this.answerBusy) return;
    const answer = { ...this.answer };
    this.answerFailure = undefined;
    this.answerErrors = validateSubjectAccessAnswer(answer);
    if (Object.keys(this.answerErrors).length > 0) {
      this.render();
      this.focus("sar-answer-errors");
      return;
    }
    const action = this.answerAction.for(subjectAccessAnswerKey(r.id, answer));
    this.answerBusy = true;
    this.render();
    try {
      const answered = await action.run(
        (requestId) => this.host.ctx.clients.exports.answerSubjectAccess(buildSubjectAccessAnswer(r.id, answer, requestId), { signal: this.host.signal }),
        { signal: this.host.signal },
      );
      this.answerAction.forget();
      this.answerBusy = false;
      this.answering = undefined;
      this.done = answered.state === ExportState.APPROVED ? t("sar.approved") : t("sar.refused");
      this.host.ctx.announce(this.done);
      await this.load();
      this.focus("sar-done");
      return;
    } catch (error) {
      this.answerBusy = false;
      if (isAbort(error) || this.host.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      const fields: Record<string, keyof AnswerErrors> = { decision: "decision", reason: "reason", available_days: "days" };
      const field = found ? fields[found.path] : undefined;
      if (found && field) this.answerErrors = { [field]: found.problem };
      else this.answerFailure = error;
      this.host.ctx.announce(found && field ? problemText(found.problem) : describeError(error));
    }
    this.render();
    this.focus(this.answerFailure !== undefined ? "sar-answer-failure" : "sar-answer-errors");
  }

  /** Obtains the export (the service makes it from the case as it stands now) and saves one file. */
  private async download(r: SubjectAccessRequest, format: "html" | "json"): Promise<void> {
    if (this.downloading) return;
    this.downloading = `${r.id}-${format}`;
    this.downloadFailure = undefined;
    this.done = undefined;
    this.render();
    try {
      const files = await withRetry(
        () => this.host.ctx.clients.exports.getSubjectAccessExport({ subjectAccessId: r.id }, { signal: this.host.signal }),
        { signal: this.host.signal },
      );
      const name = subjectAccessFileName(files.fileStem, format);
      if (format === "html") saveFile(files.html, "text/html;charset=utf-8", name);
      else saveFile(files.json, "application/json;charset=utf-8", name);
      this.done = t("sar.downloaded", { file: name });
      this.host.ctx.announce(this.done);
    } catch (error) {
      if (isAbort(error) || this.host.ctx.handleCommonError(error)) return;
      this.downloadFailure = { id: r.id, error };
      this.host.ctx.announce(describeError(error));
    } finally {
      this.downloading = undefined;
    }
    this.render();
    this.focus(this.downloadFailure ? `sar-download-failure` : `sar-download-${format}-${r.id}`);
  }

  protected build(): Child[] {
    if (!this.shown) return [];
    const content: Child[] = [this.heading(t("sar.heading")), h("p", { class: "hint" }, t("sar.intro"))];
    if (this.done) content.push(h("p", { id: "sar-done", class: "message", role: "status", tabindex: -1 }, this.done));
    if (this.loading) content.push(h("p", { class: "loading" }, t("common.loading")));
    else if (this.loadError !== undefined) content.push(loadFailure("sar-retry", this.loadError, () => void this.load()));
    else if (this.requests.length === 0) content.push(h("p", { id: "sar-none" }, t("sar.none")));
    else content.push(this.buildTable());
    if (this.mayRequest()) {
      content.push(this.formOpen ? this.buildForm() : h("button", { type: "button", id: "sar-start", onclick: () => this.open() }, t("sar.start")));
    }
    return content;
  }

  private buildTable(): HTMLElement {
    const time = (ts: SubjectAccessRequest["requestedAt"]) => (ts ? h("time", { datetime: isoTimestamp(ts) }, formatTimestamp(ts)) : t("common.none"));
    const now = new Date();
    return h(
      "div",
      { class: "table-scroll", role: "region", "aria-labelledby": this.captionId, tabindex: 0 },
      h(
        "table",
        { id: "sar-table", class: "data" },
        h("caption", { id: this.captionId }, tPlural("sar.caption", this.requests.length)),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, t("sar.requestedAt")),
            h("th", { scope: "col" }, t("sar.language")),
            h("th", { scope: "col" }, t("sar.note")),
            h("th", { scope: "col" }, t("sar.state")),
            h("th", { scope: "col" }, t("sar.actions")),
          ),
        ),
        h(
          "tbody",
          null,
          this.requests.map((r) => {
            const state = subjectAccessStateKey(r, now);
            return h(
              "tr",
              { id: `sar-${r.id}`, "data-state": state },
              h("td", null, time(r.requestedAt), h("span", { class: "block muted" }, t("sar.by", { by: r.requestedBy }))),
              h("td", null, r.language === "en" ? t("sar.languageEn") : t("sar.languageNl")),
              h("td", { class: "pre-wrap" }, r.note),
              h(
                "td",
                null,
                h("strong", null, t(state)),
                r.answeredBy ? h("span", { class: "block" }, t("sar.answeredBy", { by: r.answeredBy }), " ", time(r.answeredAt)) : null,
                r.refusalReason ? h("span", { class: "block pre-wrap" }, t("sar.refusalReason", { reason: r.refusalReason })) : null,
                r.availableUntil && r.state === ExportState.APPROVED
                  ? h("span", { class: "block" }, t("sar.availableUntil"), " ", time(r.availableUntil))
                  : null,
              ),
              h("td", null, this.buildActions(r, state)),
            );
          }),
        ),
      ),
    );
  }

  private buildActions(r: SubjectAccessRequest, state: string): Child[] {
    const s = this.session;
    const out: Child[] = [];
    if (r.state === ExportState.PENDING && mayAnswerExportRequest(s.role, s.unit, s.subject, r.unit, r.requestedBy)) {
      out.push(
        this.answering === r.id
          ? this.buildAnswerForm(r)
          : h("button", { type: "button", id: `sar-answer-${r.id}`, onclick: () => this.openAnswer(r.id) }, t("sar.answer")),
      );
    } else if (r.state === ExportState.PENDING && r.requestedBy === s.subject) {
      out.push(h("p", { class: "muted" }, t("sar.waitsForOther")));
    }
    if (state === "exportState.approved" && mayObtainSubjectAccess(s.subject, r.requestedBy, r.answeredBy)) {
      const busy = this.downloading !== undefined;
      out.push(
        h(
          "div",
          { class: "button-row" },
          h(
            "button",
            { type: "button", id: `sar-download-html-${r.id}`, class: "secondary", "aria-disabled": busy ? "true" : "false", onclick: () => void this.download(r, "html") },
            t("sar.downloadHtml"),
          ),
          h(
            "button",
            { type: "button", id: `sar-download-json-${r.id}`, class: "secondary", "aria-disabled": busy ? "true" : "false", onclick: () => void this.download(r, "json") },
            t("sar.downloadJson"),
          ),
        ),
        h("p", { class: "hint" }, t("sar.safeChannel")),
      );
    }
    if (this.downloadFailure?.id === r.id) {
      out.push(h("div", { id: "sar-download-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.downloadFailure.error))));
    }
    return out;
  }

  private buildAnswerForm(r: SubjectAccessRequest): HTMLElement {
    const labels: Record<keyof AnswerErrors, string> = { decision: t("sar.decision"), days: t("sar.days"), reason: t("sar.reason") };
    const error = (f: keyof AnswerErrors) => (this.answerErrors[f] ? problemText(this.answerErrors[f]!) : undefined);
    const summary = (Object.keys(answerIds) as (keyof AnswerErrors)[])
      .filter((f) => this.answerErrors[f])
      .map((f) => ({ fieldId: answerIds[f], label: labels[f], text: error(f)! }));
    const approve = this.answer.decision === ExportDecision.APPROVE;
    const refuse = this.answer.decision === ExportDecision.REFUSE;
    return h(
      "div",
      null,
      errorSummary("sar-answer-errors", summary),
      h(
        "form",
        { id: "sar-answer-form", class: "form", novalidate: true, onsubmit: (e: Event) => void this.sendAnswer(e, r) },
        radioGroup({
          id: answerIds.decision,
          name: "sar-decision",
          label: labels.decision,
          required: true,
          error: error("decision"),
          value: this.answer.decision ? String(this.answer.decision) : "",
          choices: [
            { value: String(ExportDecision.APPROVE), label: t("sar.approve") },
            { value: String(ExportDecision.REFUSE), label: t("sar.refuse") },
          ],
          onValue: (v) => {
            this.answer.decision = Number(v) as ExportDecision;
            this.render();
            this.focus(Number(v) === ExportDecision.APPROVE ? answerIds.decision : `${answerIds.decision}-${v}`);
          },
        }),
        approve
          ? textField({
              id: answerIds.days,
              label: labels.days,
              hint: t("sar.daysHint", { days: defaultAvailableDays }),
              error: error("days"),
              value: this.answer.days,
              onValue: (v) => {
                this.answer.days = v;
              },
            })
          : null,
        refuse
          ? textArea({
              id: answerIds.reason,
              label: labels.reason,
              hint: t("sar.reasonHint"),
              required: true,
              rows: 2,
              error: error("reason"),
              value: this.answer.reason,
              onValue: (v) => {
                this.answer.reason = v;
              },
            })
          : null,
        this.answerFailure !== undefined
          ? h("div", { id: "sar-answer-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.answerFailure)))
          : null,
        h(
          "div",
          { class: "button-row" },
          h("button", { type: "submit", id: "sar-answer-submit", "aria-disabled": this.answerBusy ? "true" : "false" }, t("sar.answerSubmit")),
          h("button", { type: "button", id: "sar-answer-cancel", class: "secondary", onclick: () => this.closeAnswer() }, t("common.cancel")),
        ),
      ),
    );
  }

  private buildForm(): HTMLElement {
    const labels: Record<keyof SubjectAccessInput, string> = { language: t("sar.language"), note: t("sar.note") };
    const error = (f: keyof SubjectAccessInput) => (this.errors[f] ? problemText(this.errors[f]!) : undefined);
    const summary = (Object.keys(requestIds) as (keyof SubjectAccessInput)[])
      .filter((f) => this.errors[f])
      .map((f) => ({ fieldId: requestIds[f], label: labels[f], text: error(f)! }));
    return h(
      "div",
      null,
      h("h3", null, t("sar.formHeading")),
      errorSummary("sar-errors", summary),
      h(
        "form",
        { id: "sar-form", class: "form", novalidate: true, onsubmit: (e: Event) => void this.request(e) },
        radioGroup({
          id: requestIds.language,
          name: "sar-language",
          label: labels.language,
          required: true,
          error: error("language"),
          value: this.input.language,
          choices: [
            { value: "nl", label: t("sar.languageNl") },
            { value: "en", label: t("sar.languageEn") },
          ],
          onValue: (v) => {
            this.input.language = v === "en" ? "en" : "nl";
          },
        }),
        textArea({
          id: requestIds.note,
          label: labels.note,
          hint: t("sar.noteHint"),
          required: true,
          rows: 2,
          error: error("note"),
          value: this.input.note,
          onValue: (v) => {
            this.input.note = v;
          },
        }),
        this.failure !== undefined
          ? h("div", { id: "sar-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, failureText(this.failure)))
          : null,
        h(
          "div",
          { class: "button-row" },
          h("button", { type: "submit", id: "sar-submit", "aria-disabled": this.busy ? "true" : "false" }, t("sar.submit")),
          h("button", { type: "button", id: "sar-cancel", class: "secondary", onclick: () => this.close() }, t("common.cancel")),
        ),
      ),
    );
  }
}

/** A refusal of the request in words: another unit's case is said as such. */
function failureText(error: unknown): string {
  const e = ConnectError.from(error);
  if (e.code === Code.PermissionDenied && /answers a request for the person's data/.test(e.rawMessage)) return t("sar.notHandling");
  return describeError(error);
}
