// Changing and deactivating a partner, under its details on the partners screen (administrators
// and post managers; the service checks the post's accreditation). UpdatePartner sends only the
// fields changed, on the version read: when someone changed the partner meanwhile (ABORTED) the
// details show the partner as it is now, the input stays, and nothing is sent again until the
// user saves again; then only the fields this user changed are sent, on the new version, so the
// other change stands unless this user changed the same field. DeactivatePartner asks for a reason and a confirmation.
import { SpecialismSchema, type Partner, type Specialism } from "../gen/consular/v1/contacts_pb";
import { h, type Child } from "../dom";
import { isAbort } from "../errors";
import { t } from "../i18n/i18n";
import { FormAction } from "../rpc";
import {
  buildDeactivatePartnerRequest,
  buildUpdatePartnerRequest,
  deactivateReasonProblem,
  partnerFieldOfPath,
  partnerInputOf,
  partnerUpdateMask,
  validatePartnerEdit,
  type PartnerErrors,
  type PartnerField,
  type PartnerInput,
} from "../casework/partners";
import { describeError, fieldProblemOf, isAborted, problemText, type Problem } from "../casework/problems";
import { checkboxGroup, enumChoices, errorSummary, textArea, textField } from "./form";
import type { AppContext } from "./view";

type EditField = Exclude<PartnerField, "kind" | "country">;

const ids: Readonly<Record<EditField, string>> = {
  name: "partner-edit-name",
  city: "partner-edit-city",
  specialisms: "partner-edit-specialisms",
  languages: "partner-edit-languages",
  phone: "partner-edit-phone",
  email: "partner-edit-email",
  address: "partner-edit-address",
  website: "partner-edit-website",
};

export interface PartnerEditorHost {
  readonly ctx: AppContext;
  readonly signal: AbortSignal;
  /** The service answered with the partner changed (or it was read again). */
  replaced(p: Partner): void;
  render(): void;
}

export class PartnerEditor {
  private mode: "idle" | "edit" | "deactivate" = "idle";
  private partnerId = "";
  private input: PartnerInput | undefined;
  /** The partner as it was when the form was opened: what the user changed is measured from it. */
  private base: Partner | undefined;
  private errors: PartnerErrors = {};
  private failure: unknown;
  private busy = false;
  private readonly saving = new FormAction<Partner>();
  private reason = "";
  private reasonProblem: Problem | undefined;
  private deactivateFailure: unknown;
  private readonly deactivating = new FormAction<Partner>();
  private done: string | undefined;

  constructor(private readonly host: PartnerEditorHost) {}

  /** Another partner is shown: forget what was under way for the former one. */
  showing(p: Partner): void {
    if (p.id === this.partnerId) return;
    this.partnerId = p.id;
    this.mode = "idle";
    this.input = undefined;
    this.errors = {};
    this.failure = undefined;
    this.reason = "";
    this.reasonProblem = undefined;
    this.deactivateFailure = undefined;
    this.done = undefined;
    this.saving.forget();
    this.deactivating.forget();
  }

  private open(mode: "edit" | "deactivate", p: Partner): void {
    this.mode = mode;
    this.done = undefined;
    if (mode === "edit") {
      this.input = partnerInputOf(p);
      this.base = p;
    }
    this.host.render();
    document.getElementById(mode === "edit" ? ids.name : "partner-deactivate-reason")?.focus();
  }

  private close(): void {
    const was = this.mode;
    this.mode = "idle";
    this.input = undefined;
    this.errors = {};
    this.failure = undefined;
    this.reason = "";
    this.reasonProblem = undefined;
    this.deactivateFailure = undefined;
    this.saving.forget();
    this.deactivating.forget();
    this.host.render();
    document.getElementById(was === "deactivate" ? "partner-deactivate-start" : "partner-edit-start")?.focus();
  }

  private async reread(p: Partner): Promise<void> {
    try {
      this.host.replaced(await this.host.ctx.clients.partners.getPartner({ partnerId: p.id }, { signal: this.host.signal }));
    } catch {
      // the failure shown says enough
    }
  }

  private async save(event: Event, p: Partner): Promise<void> {
    event.preventDefault();
    const base = this.base;
    if (this.busy || !this.input || !base) return;
    const input = { ...this.input, specialisms: [...this.input.specialisms] };
    this.failure = undefined;
    this.errors = validatePartnerEdit(p, input);
    if (Object.keys(this.errors).length > 0) {
      this.host.render();
      document.getElementById("partner-edit-errors")?.focus();
      return;
    }
    if (partnerUpdateMask(base, input).length === 0) {
      this.errors = {};
      this.failure = undefined;
      this.done = t("partners.editNothing");
      this.mode = "idle";
      this.host.ctx.announce(this.done);
      this.host.render();
      document.getElementById("partner-edit-done")?.focus();
      return;
    }
    const action = this.saving.for(JSON.stringify([p.id, String(p.version), input]));
    this.busy = true;
    this.host.render();
    try {
      const updated = await action.run(
        (requestId) => this.host.ctx.clients.partners.updatePartner(buildUpdatePartnerRequest(p, input, requestId, base), { signal: this.host.signal }),
        { signal: this.host.signal },
      );
      this.saving.forget();
      this.busy = false;
      this.mode = "idle";
      this.input = undefined;
      this.done = t("partners.edited", { name: updated.name });
      this.host.ctx.announce(this.done);
      this.host.replaced(updated);
      this.host.render();
      document.getElementById("partner-edit-done")?.focus();
      return;
    } catch (error) {
      this.busy = false;
      if (isAbort(error) || this.host.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      const field = found ? partnerFieldOfPath(found.path) : undefined;
      if (found && field && field in ids) this.errors = { [field]: found.problem };
      else this.failure = error;
      this.host.ctx.announce(isAborted(error) ? t("partners.editConflict") : describeError(error));
      if (isAborted(error)) await this.reread(p);
    }
    this.host.render();
    document.getElementById(this.failure !== undefined ? "partner-edit-failure" : "partner-edit-errors")?.focus();
  }

  private async deactivate(event: Event, p: Partner): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    this.deactivateFailure = undefined;
    this.reasonProblem = deactivateReasonProblem(this.reason);
    if (this.reasonProblem) {
      this.host.render();
      document.getElementById("partner-deactivate-reason")?.focus();
      return;
    }
    const reason = this.reason;
    const action = this.deactivating.for(JSON.stringify([p.id, String(p.version), reason.trim()]));
    this.busy = true;
    this.host.render();
    try {
      const updated = await action.run(
        (requestId) => this.host.ctx.clients.partners.deactivatePartner(buildDeactivatePartnerRequest(p, reason, requestId), { signal: this.host.signal }),
        { signal: this.host.signal },
      );
      this.deactivating.forget();
      this.busy = false;
      this.mode = "idle";
      this.reason = "";
      this.done = t("partners.deactivated", { name: updated.name });
      this.host.ctx.announce(this.done);
      this.host.replaced(updated);
      this.host.render();
      document.getElementById("partner-edit-done")?.focus();
      return;
    } catch (error) {
      this.busy = false;
      if (isAbort(error) || this.host.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      if (found?.path === "reason") this.reasonProblem = found.problem;
      else this.deactivateFailure = error;
      this.host.ctx.announce(describeError(error));
      if (isAborted(error)) await this.reread(p);
    }
    this.host.render();
    document.getElementById(this.reasonProblem ? "partner-deactivate-reason" : "partner-deactivate-failure")?.focus();
  }

  /** The part under the partner's details: what was done, the buttons, or the open form. */
  build(p: Partner): Child[] {
    this.showing(p);
    const content: Child[] = [];
    if (this.done) content.push(h("p", { id: "partner-edit-done", class: "message", role: "status", tabindex: -1 }, this.done));
    if (!p.active) return content;
    if (this.mode === "edit" && this.input) content.push(this.buildEdit(p, this.input));
    else if (this.mode === "deactivate") content.push(this.buildDeactivate(p));
    else {
      content.push(
        h(
          "div",
          { class: "button-row" },
          h("button", { type: "button", id: "partner-edit-start", "aria-label": t("partners.editLabel", { name: p.name }), onclick: () => this.open("edit", p) }, t("partners.edit")),
          h(
            "button",
            { type: "button", id: "partner-deactivate-start", class: "secondary", "aria-label": t("partners.deactivateLabel", { name: p.name }), onclick: () => this.open("deactivate", p) },
            t("partners.deactivate"),
          ),
        ),
      );
    }
    return content;
  }

  private buildEdit(p: Partner, input: PartnerInput): HTMLElement {
    const labels: Record<EditField, string> = {
      name: t("partners.name"),
      city: t("partners.city"),
      specialisms: t("partners.specialisms"),
      languages: t("partners.languages"),
      phone: t("partners.phone"),
      email: t("partners.email"),
      address: t("partners.address"),
      website: t("partners.website"),
    };
    const error = (f: EditField) => (this.errors[f] ? problemText(this.errors[f]!) : undefined);
    const summary = (Object.keys(ids) as EditField[]).filter((f) => this.errors[f]).map((f) => ({ fieldId: ids[f], label: labels[f], text: error(f)! }));
    const text = (f: "name" | "city" | "languages" | "phone" | "email" | "website", required = false, hint?: string) =>
      textField({
        id: ids[f],
        label: labels[f],
        hint,
        required,
        error: error(f),
        value: input[f],
        onValue: (v) => {
          input[f] = v;
        },
      });
    return h(
      "div",
      { id: "partner-edit" },
      h("h3", null, t("partners.editHeading", { name: p.name })),
      errorSummary("partner-edit-errors", summary),
      h(
        "form",
        { id: "partner-edit-form", class: "form", novalidate: true, onsubmit: (e: Event) => void this.save(e, p) },
        text("name", true),
        text("city", true),
        checkboxGroup({
          id: ids.specialisms,
          label: labels.specialisms,
          error: error("specialisms"),
          values: input.specialisms,
          choices: enumChoices(SpecialismSchema),
          onValue: (v) => {
            input.specialisms = v as Specialism[];
          },
        }),
        text("languages", false, t("partners.languagesHint")),
        text("phone"),
        text("email"),
        textArea({
          id: ids.address,
          label: labels.address,
          error: error("address"),
          value: input.address,
          rows: 3,
          onValue: (v) => {
            input.address = v;
          },
        }),
        text("website"),
        this.failure !== undefined
          ? h(
              "div",
              { id: "partner-edit-failure", class: "message message-error", role: "alert", tabindex: -1 },
              h("p", null, isAborted(this.failure) ? t("partners.editConflict") : describeError(this.failure)),
            )
          : null,
        h(
          "div",
          { class: "button-row" },
          h("button", { type: "submit", id: "partner-edit-submit", "aria-disabled": this.busy ? "true" : "false" }, t("partners.editSubmit")),
          h("button", { type: "button", id: "partner-edit-cancel", class: "secondary", onclick: () => this.close() }, t("partners.editCancel")),
        ),
      ),
    );
  }

  private buildDeactivate(p: Partner): HTMLElement {
    return h(
      "form",
      { id: "partner-deactivate-form", class: "form", novalidate: true, onsubmit: (e: Event) => void this.deactivate(e, p) },
      h("h3", null, t("partners.deactivateHeading", { name: p.name })),
      h("p", null, t("partners.deactivateWarning")),
      textArea({
        id: "partner-deactivate-reason",
        label: t("partners.deactivateReason"),
        hint: t("partners.deactivateReasonHint"),
        required: true,
        error: this.reasonProblem ? problemText(this.reasonProblem) : undefined,
        value: this.reason,
        rows: 3,
        onValue: (v) => {
          this.reason = v;
        },
      }),
      this.deactivateFailure !== undefined
        ? h(
            "div",
            { id: "partner-deactivate-failure", class: "message message-error", role: "alert", tabindex: -1 },
            h("p", null, isAborted(this.deactivateFailure) ? t("partners.changedMeanwhile") : describeError(this.deactivateFailure)),
          )
        : null,
      h(
        "div",
        { class: "button-row" },
        h(
          "button",
          { type: "submit", id: "partner-deactivate-confirm", "aria-disabled": this.busy ? "true" : "false" },
          t("partners.deactivateConfirm", { name: p.name }),
        ),
        h("button", { type: "button", id: "partner-deactivate-cancel", class: "secondary", onclick: () => this.close() }, t("partners.deactivateCancel")),
      ),
    );
  }
}
