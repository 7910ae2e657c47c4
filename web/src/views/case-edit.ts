// Changing a case's details on the case page: the safety information (with a reason, which the
// service requires), the case, the person and the facts of the case type. The form starts from
// the version read and sends only what changed (UpdateCase with an update_mask and that version).
// When someone else changed the case meanwhile (ABORTED), nothing is overwritten: the page reads
// the current case and shows, for each field the user changed, the value read, the user's and
// the current one side by side; the user puts the changes on the current version and saves
// again, or drops them. The input is kept in memory until it is saved or dropped.
import type { Case } from "../gen/consular/v1/cases_pb";
import { CaseAccess } from "../gen/consular/v1/cases_pb";
import { CaseStatus } from "../gen/consular/v1/common_pb";
import { countryOptions } from "../countries";
import { localDate, parseIsoDate } from "../dates";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { isAbort } from "../errors";
import { formatCountry, formatDate, formatList } from "../format";
import { t } from "../i18n/i18n";
import { FormAction } from "../rpc";
import {
  buildUpdateRequest,
  changedFields,
  conflictRows,
  draftOf,
  editableFields,
  editPathOf,
  fieldByPath,
  reasonId,
  redoDraft,
  touchesSafety,
  updateKey,
  validateEdit,
  type Draft,
  type EditErrors,
  type EditField,
  type FieldValue,
} from "../casework/edit";
import { describeError, fieldProblemOf, isAborted, problemText } from "../casework/problems";
import {
  checkboxField,
  checkboxGroup,
  dateField,
  enumChoices,
  errorSummary,
  selectField,
  textArea,
  textField,
} from "./form";
import { Panel, type CaseHost } from "./panel";

type Mode = "closed" | "editing" | "conflict";

/** A value of a field in words, for the conflict view. */
export function displayValue(field: EditField, value: FieldValue): string {
  const none = t("common.none");
  switch (field.kind) {
    case "bool":
      return value === true ? t("common.yes") : t("common.no");
    case "date": {
      const d = typeof value === "string" ? parseIsoDate(value) : undefined;
      return d ? formatDate(d) : none;
    }
    case "enum":
      return field.enumSchema ? enumLabel(field.enumSchema, Number(value)) : String(value);
    case "enumList": {
      const values = Array.isArray(value) ? (value as readonly number[]) : [];
      return values.length && field.enumSchema ? formatList(values.map((v) => enumLabel(field.enumSchema!, v))) : none;
    }
    case "country":
      return typeof value === "string" && value ? formatCountry(value) : none;
    default:
      return typeof value === "string" && value.trim() !== "" ? value : none;
  }
}

/** Whether the caller may change this case's details now. */
export function mayEdit(c: Case): boolean {
  const access = c.callerAccess === CaseAccess.HANDLING || c.callerAccess === CaseAccess.SHARED_READ_WRITE;
  return access && c.status !== CaseStatus.CLOSED;
}

const groups = ["safety", "case", "subject", "details"] as const;
const groupHeadings = {
  safety: "safety.heading",
  case: "case.overview",
  subject: "subject.heading",
  details: "edit.details",
} as const;

export class EditPanel extends Panel {
  private mode: Mode = "closed";
  private base: Case | undefined;
  private draft: Draft = {};
  private reason = "";
  private errors: EditErrors = {};
  private failure: unknown;
  private busy = false;
  private theirs: Case | undefined;
  private redone = false;
  private nothingChanged = false;
  private reloadFailed = false;
  private covertOpen = false;
  private readonly submission = new FormAction<Case>();

  constructor(host: CaseHost) {
    super(host, "edit");
  }

  private open(): void {
    this.base = this.host.current();
    this.draft = draftOf(this.base);
    this.reason = "";
    this.errors = {};
    this.failure = undefined;
    this.redone = false;
    this.nothingChanged = false;
    this.covertOpen = false;
    this.mode = "editing";
    this.render();
    this.focus("edit-heading");
  }

  private close(): void {
    this.mode = "closed";
    this.base = undefined;
    this.theirs = undefined;
    this.draft = {};
    this.reason = "";
    this.errors = {};
    this.failure = undefined;
    this.submission.forget();
    this.render();
    this.focus("edit-open");
  }

  private async save(event: Event): Promise<void> {
    event.preventDefault();
    const base = this.base;
    if (!base || this.busy) return;
    this.failure = undefined;
    this.reloadFailed = false;
    this.nothingChanged = changedFields(base, this.draft).length === 0;
    this.errors = this.nothingChanged ? {} : validateEdit(base, this.draft, this.reason, localDate());
    if (this.nothingChanged || Object.keys(this.errors).length > 0) {
      this.render();
      this.focus(this.nothingChanged ? "edit-nothing" : "edit-errors");
      return;
    }
    const draft = { ...this.draft };
    const reason = this.reason;
    const action = this.submission.for(updateKey(base, draft, reason));
    this.busy = true;
    this.render();
    try {
      const updated = await action.run(
        (requestId) =>
          this.host.ctx.clients.cases.updateCase(buildUpdateRequest(base, draft, reason, requestId), { signal: this.host.signal }),
        { signal: this.host.signal },
      );
      this.busy = false;
      this.submission.forget();
      this.mode = "closed";
      this.base = undefined;
      this.draft = {};
      this.reason = "";
      this.host.ctx.announce(t("edit.saved"));
      this.host.changed(updated);
      this.host.refreshTimeline();
      this.focus("edit-open");
      return;
    } catch (error) {
      this.busy = false;
      if (isAbort(error) || this.host.ctx.handleCommonError(error)) return;
      if (isAborted(error)) {
        await this.showConflict();
        return;
      }
      const found = fieldProblemOf(error);
      const path = found ? editPathOf(found.path) : undefined;
      if (found && path && (path === "reason" || path in this.draft)) {
        this.errors = { [path]: found.problem };
        this.render();
        this.focus("edit-errors");
        return;
      }
      this.failure = error;
      this.host.ctx.announce(describeError(error));
    }
    this.render();
    this.focus("edit-failure");
  }

  /** ABORTED: read the current case and show the user's changes beside it. */
  private async showConflict(): Promise<void> {
    const current = await this.host.reload();
    if (!current) {
      // The input stays; saving again will meet the conflict again and read once more.
      this.reloadFailed = true;
      this.render();
      this.focus("edit-failure");
      return;
    }
    this.theirs = current;
    this.mode = "conflict";
    this.host.ctx.announce(t("conflict.heading"));
    this.render();
    this.focus("conflict-heading");
  }

  private redo(): void {
    if (!this.base || !this.theirs) return;
    this.draft = redoDraft(this.base, this.draft, this.theirs);
    this.base = this.theirs;
    this.theirs = undefined;
    this.errors = {};
    this.redone = true;
    this.mode = "editing";
    this.render();
    this.focus("edit-redo-notice");
  }

  protected build(): Child[] {
    const c = this.host.current();
    if (!mayEdit(c)) {
      return [
        this.heading(t("edit.heading")),
        h("p", null, c.status === CaseStatus.CLOSED ? t("edit.closed") : t("edit.readOnly")),
      ];
    }
    if (this.mode === "conflict") return this.buildConflict();
    if (this.mode === "editing") return this.buildForm();
    return [
      this.heading(t("edit.heading")),
      h("p", null, t("edit.intro")),
      h("button", { type: "button", id: "edit-open", onclick: () => this.open() }, t("edit.open")),
    ];
  }

  private fieldError(path: string): string | undefined {
    const p = this.errors[path];
    return p ? problemText(p) : undefined;
  }

  private buildControl(f: EditField): Child {
    const value = this.draft[f.path];
    const set = (v: FieldValue) => {
      this.draft[f.path] = v;
    };
    const common = { id: f.id, label: t(f.label), error: this.fieldError(f.path), required: f.required };
    switch (f.kind) {
      case "text":
        return textField({ ...common, value: String(value ?? ""), onValue: set });
      case "textarea":
        if (f.path === "safety.covert_notes") return this.buildCovert(f, common.error);
        return textArea({ ...common, value: String(value ?? ""), onValue: set });
      case "date":
        return dateField({ ...common, value: String(value ?? ""), onValue: set });
      case "bool":
        return checkboxField({ ...common, checked: value === true, onValue: set });
      case "enum":
        return selectField({
          ...common,
          value: value ? String(value) : "",
          placeholder: f.required ? undefined : t("common.none"),
          choices: enumChoices(f.enumSchema!),
          onValue: (v) => set(v === "" ? 0 : Number(v)),
        });
      case "enumList":
        return checkboxGroup({
          ...common,
          values: Array.isArray(value) ? (value as number[]) : [],
          choices: enumChoices(f.enumSchema!),
          onValue: set,
        });
      case "country":
        return selectField({
          ...common,
          value: String(value ?? ""),
          choices: countryOptions().map((o) => ({ value: o.code, label: o.name })),
          onValue: set,
        });
    }
  }

  /** Covert notes are put in the form only on request, as on the case page. */
  private buildCovert(f: EditField, error: string | undefined): Child {
    const toggle = h(
      "button",
      {
        type: "button",
        id: "edit-covert-toggle",
        class: "secondary",
        "aria-expanded": this.covertOpen ? "true" : "false",
        onclick: () => {
          this.covertOpen = !this.covertOpen;
          this.render();
          this.focus(this.covertOpen ? f.id : "edit-covert-toggle");
        },
      },
      this.covertOpen ? t("edit.hideCovert") : t("edit.showCovert"),
    );
    return h(
      "div",
      { class: "covert-edit" },
      toggle,
      this.covertOpen || error
        ? textArea({
            id: f.id,
            label: t(f.label),
            error,
            value: String(this.draft[f.path] ?? ""),
            rows: 5,
            onValue: (v) => {
              this.draft[f.path] = v;
            },
          })
        : null,
    );
  }

  private buildForm(): Child[] {
    const base = this.base ?? this.host.current();
    const fields = editableFields(base);
    const summaryItems = Object.entries(this.errors).map(([path, p]) => {
      const field = fieldByPath(path);
      return {
        fieldId: path === "reason" ? reasonId : (field?.id ?? reasonId),
        label: path === "reason" ? t("edit.reason") : field ? t(field.label) : path,
        text: problemText(p),
      };
    });
    const safetyChanged = touchesSafety(changedFields(base, this.draft));
    return [
      this.heading(t("edit.heading")),
      this.redone
        ? h("div", { id: "edit-redo-notice", class: "message", role: "status", tabindex: -1 }, h("p", null, t("conflict.redone", { version: String(base.version) })))
        : null,
      h(
        "form",
        { id: "edit-form", class: "form form-wide", novalidate: true, onsubmit: (e: Event) => void this.save(e) },
        h("p", { class: "hint" }, t("edit.version", { version: String(base.version) })),
        errorSummary("edit-errors", summaryItems),
        this.nothingChanged ? h("p", { id: "edit-nothing", class: "message", role: "status", tabindex: -1 }, t("edit.nothingChanged")) : null,
        groups.map((g) => {
          const inGroup = fields.filter((f) => f.group === g);
          if (inGroup.length === 0) return null;
          return h("fieldset", { class: "form-section" }, h("legend", null, t(groupHeadings[g])), inGroup.map((f) => this.buildControl(f)));
        }),
        textArea({
          id: reasonId,
          label: t("edit.reason"),
          hint: safetyChanged ? t("edit.reasonRequired") : t("edit.reasonHint"),
          error: this.fieldError("reason"),
          value: this.reason,
          rows: 3,
          onValue: (v) => {
            this.reason = v;
          },
        }),
        this.reloadFailed
          ? h("div", { id: "edit-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, t("conflict.reloadFailed")))
          : this.failure !== undefined
          ? h(
              "div",
              { id: "edit-failure", class: "message message-error", role: "alert", tabindex: -1 },
              h("p", null, describeError(this.failure)),
              h("p", null, t("edit.inputKept")),
            )
          : null,
        h(
          "div",
          { class: "form-actions" },
          h("button", { type: "submit", id: "edit-save", "aria-disabled": this.busy ? "true" : "false" }, this.busy ? t("edit.saving") : t("edit.save")),
          h("button", { type: "button", id: "edit-cancel", class: "secondary", disabled: this.busy, onclick: () => this.close() }, t("edit.cancel")),
        ),
      ),
    ];
  }

  private buildConflict(): Child[] {
    const base = this.base!;
    const theirs = this.theirs!;
    const rows = conflictRows(base, this.draft, theirs);
    return [
      this.heading(t("edit.heading")),
      h(
        "div",
        { id: "edit-conflict", class: "conflict" },
        h("h3", { id: "conflict-heading", tabindex: -1 }, t("conflict.heading")),
        h("p", null, t("conflict.intro", { read: String(base.version), current: String(theirs.version) })),
        h(
          "div",
          { class: "table-scroll", role: "region", "aria-labelledby": "conflict-caption", tabindex: 0 },
          h(
            "table",
            { id: "conflict-table", class: "data conflict-table" },
            h("caption", { id: "conflict-caption" }, t("conflict.caption")),
            h(
              "thead",
              null,
              h(
                "tr",
                null,
                h("th", { scope: "col" }, t("conflict.field")),
                h("th", { scope: "col" }, t("conflict.read")),
                h("th", { scope: "col" }, t("conflict.mine")),
                h("th", { scope: "col" }, t("conflict.theirs")),
              ),
            ),
            h(
              "tbody",
              null,
              rows.map((r) =>
                h(
                  "tr",
                  { "data-field": r.field.path, class: r.theirsChanged && !r.agree ? "conflict-both" : undefined },
                  h("th", { scope: "row" }, t(r.field.label)),
                  h("td", { class: "pre-wrap" }, displayValue(r.field, r.read)),
                  h("td", { class: "pre-wrap conflict-mine" }, displayValue(r.field, r.mine)),
                  h(
                    "td",
                    { class: "pre-wrap" },
                    displayValue(r.field, r.theirs),
                    r.theirsChanged ? h("span", { class: "conflict-note" }, t(r.agree ? "conflict.sameAsYours" : "conflict.changedByOther")) : null,
                  ),
                ),
              ),
            ),
          ),
        ),
        this.reason.trim() ? h("p", null, t("conflict.yourReason", { reason: this.reason.trim() })) : null,
        h(
          "div",
          { class: "form-actions" },
          h("button", { type: "button", id: "conflict-redo", onclick: () => this.redo() }, t("conflict.redo")),
          h("button", { type: "button", id: "conflict-discard", class: "secondary", onclick: () => this.close() }, t("conflict.discard")),
        ),
      ),
    ];
  }
}
