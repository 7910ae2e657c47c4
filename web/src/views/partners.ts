// "Partners" (#/partners): the directory of local partners (PartnerService.ListPartners) by
// country and specialism, page by page; one partner in full (GetPartner) below the list. Post
// managers (of a post accredited to the country: the service checks) and administrators add a
// partner (CreatePartner), record its vetting (SetVetting, with the version read), and change or
// deactivate it (partner-edit.ts).
import { PartnerKindSchema } from "../gen/consular/v1/common_pb";
import { Specialism, SpecialismSchema, VettingStatus, VettingStatusSchema, type Partner } from "../gen/consular/v1/contacts_pb";
import { countryOptions } from "../countries";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { errorMessage, isAbort } from "../errors";
import { formatCountry, formatList, formatTimestamp, isoTimestamp } from "../format";
import { t, tPlural } from "../i18n/i18n";
import { FormAction, withRetry } from "../rpc";
import {
  buildCreatePartnerRequest,
  buildListPartnersRequest,
  buildSetVettingRequest,
  emptyPartnerInput,
  partnerFieldOfPath,
  validatePartner,
  vettingChoices,
  vettingProblems,
  type PartnerErrors,
  type PartnerField,
  type PartnerFilters,
  type PartnerInput,
} from "../casework/partners";
import { describeError, fieldProblemOf, isAborted, problemText, type Problem } from "../casework/problems";
import { mayWritePartners } from "../casework/roles";
import { checkboxGroup, enumChoices, errorSummary, selectField, textArea, textField } from "./form";
import { PartnerEditor } from "./partner-edit";
import { BaseView, type AppContext } from "./view";
import { loadFailure, moreButton } from "./lists";

const fieldIds: Readonly<Record<PartnerField, string>> = {
  kind: "partner-kind",
  name: "partner-name",
  country: "partner-country",
  city: "partner-city",
  specialisms: "partner-specialisms",
  languages: "partner-languages",
  phone: "partner-phone",
  email: "partner-email",
  address: "partner-address",
  website: "partner-website",
};

export class PartnersView extends BaseView {
  private readonly mayWrite: boolean;
  private readonly editor: PartnerEditor;
  private filters: PartnerFilters = { country: "", specialism: Specialism.UNSPECIFIED };
  private partners: Partner[] | undefined;
  private next = "";
  private loading = false;
  private error: unknown;
  // One partner
  private selected: Partner | undefined;
  private detailLoading = false;
  private detailError: unknown;
  // Vetting
  private vettingStatus: VettingStatus = VettingStatus.UNSPECIFIED;
  private vettingNote = "";
  private vettingErrors: { status?: Problem; note?: Problem } = {};
  private vettingFailure: unknown;
  private vettingBusy = false;
  private vettingDone: string | undefined;
  private readonly vettingAction = new FormAction<Partner>();
  // A new partner
  private creating = false;
  private input: PartnerInput = emptyPartnerInput();
  private createErrors: PartnerErrors = {};
  private createFailure: unknown;
  private createBusy = false;
  private readonly createAction = new FormAction<Partner>();

  constructor(private readonly ctx: AppContext) {
    super();
    this.mayWrite = mayWritePartners(ctx.session.role);
    this.editor = new PartnerEditor({
      ctx,
      signal: this.abort.signal,
      replaced: (p) => this.replaced(p),
      render: () => this.render(),
    });
    this.render();
    void this.load("");
  }

  title(): string {
    return t("partners.title");
  }

  private async load(pageToken: string): Promise<void> {
    this.loading = true;
    this.error = undefined;
    this.render();
    try {
      const request = buildListPartnersRequest(this.filters, pageToken);
      const response = await withRetry(() => this.ctx.clients.partners.listPartners(request, { signal: this.abort.signal }), { signal: this.abort.signal });
      this.partners = pageToken ? [...(this.partners ?? []), ...response.partners] : response.partners;
      this.next = response.nextPageToken;
      this.ctx.announce(tPlural("partners.loaded", this.partners.length));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.error = error;
      this.ctx.announce(errorMessage(error));
    } finally {
      this.loading = false;
    }
    this.render();
  }

  private async show(id: string): Promise<void> {
    this.detailLoading = true;
    this.detailError = undefined;
    this.vettingDone = undefined;
    this.render();
    try {
      this.selected = await withRetry(() => this.ctx.clients.partners.getPartner({ partnerId: id }, { signal: this.abort.signal }), { signal: this.abort.signal });
      this.vettingStatus = VettingStatus.UNSPECIFIED;
      this.vettingNote = "";
      this.vettingErrors = {};
      this.vettingFailure = undefined;
      this.ctx.announce(t("partners.detailLoaded", { name: this.selected.name }));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.detailError = error;
    } finally {
      this.detailLoading = false;
    }
    this.render();
    document.getElementById("partner-detail-heading")?.focus();
  }

  private replaced(p: Partner): void {
    this.selected = p;
    this.partners = this.partners?.map((x) => (x.id === p.id ? p : x));
  }

  private async setVetting(event: Event): Promise<void> {
    event.preventDefault();
    const p = this.selected;
    if (!p || this.vettingBusy) return;
    this.vettingFailure = undefined;
    this.vettingDone = undefined;
    this.vettingErrors = vettingProblems(this.vettingStatus, this.vettingNote);
    if (this.vettingErrors.status || this.vettingErrors.note) {
      this.render();
      document.getElementById(this.vettingErrors.status ? "partner-vetting-status" : "partner-vetting-note")?.focus();
      return;
    }
    const status = this.vettingStatus;
    const note = this.vettingNote;
    const action = this.vettingAction.for(JSON.stringify([p.id, String(p.version), status, note.trim()]));
    this.vettingBusy = true;
    this.render();
    try {
      const updated = await action.run(
        (requestId) => this.ctx.clients.partners.setVetting(buildSetVettingRequest(p, status, note, requestId), { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.vettingAction.forget();
      this.vettingBusy = false;
      this.replaced(updated);
      this.vettingNote = "";
      this.vettingStatus = VettingStatus.UNSPECIFIED;
      this.vettingDone = t("partners.vettingSet", { name: updated.name, status: enumLabel(VettingStatusSchema, updated.vettingStatus) });
      this.ctx.announce(this.vettingDone);
      this.render();
      document.getElementById("partner-vetting-done")?.focus();
      return;
    } catch (error) {
      this.vettingBusy = false;
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.vettingFailure = error;
      this.ctx.announce(describeError(error));
      if (isAborted(error)) {
        // Someone changed the partner meanwhile: show the current one; the input stays.
        try {
          this.replaced(await this.ctx.clients.partners.getPartner({ partnerId: p.id }, { signal: this.abort.signal }));
        } catch {
          // the failure shown says enough
        }
      }
    }
    this.render();
    document.getElementById("partner-vetting-failure")?.focus();
  }

  private async createPartner(event: Event): Promise<void> {
    event.preventDefault();
    if (this.createBusy) return;
    this.createFailure = undefined;
    this.createErrors = validatePartner(this.input);
    if (Object.keys(this.createErrors).length > 0) {
      this.render();
      document.getElementById("partner-create-errors")?.focus();
      return;
    }
    const input = { ...this.input, specialisms: [...this.input.specialisms] };
    // The key is the input as sent (a Partner message holds a bigint, which JSON cannot write).
    const action = this.createAction.for(JSON.stringify(input));
    this.createBusy = true;
    this.render();
    try {
      const created = await action.run(
        (requestId) => this.ctx.clients.partners.createPartner(buildCreatePartnerRequest(input, requestId), { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.createAction.forget();
      this.createBusy = false;
      this.creating = false;
      this.input = emptyPartnerInput();
      this.ctx.announce(t("partners.created", { name: created.name }));
      void this.load("");
      await this.show(created.id);
      return;
    } catch (error) {
      this.createBusy = false;
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      const field = found ? partnerFieldOfPath(found.path) : undefined;
      if (found && field) this.createErrors = { [field]: found.problem };
      else this.createFailure = error;
      this.ctx.announce(describeError(error));
    }
    this.render();
    document.getElementById(this.createFailure !== undefined ? "partner-create-failure" : "partner-create-errors")?.focus();
  }

  protected build(): Child[] {
    const countries = countryOptions().map((c) => ({ value: c.code, label: c.name }));
    return [
      h("h1", { tabindex: -1 }, t("partners.title")),
      h("p", { class: "lead" }, t("partners.intro")),
      h(
        "form",
        {
          id: "partners-filters",
          class: "form filters",
          novalidate: true,
          onsubmit: (e: Event) => {
            e.preventDefault();
            void this.load("");
          },
        },
        selectField({
          id: "partners-country",
          label: t("partners.country"),
          value: this.filters.country,
          placeholder: t("partners.anyCountry"),
          choices: countries,
          onValue: (v) => {
            this.filters.country = v;
          },
        }),
        selectField({
          id: "partners-specialism",
          label: t("partners.specialism"),
          value: this.filters.specialism ? String(this.filters.specialism) : "",
          placeholder: t("partners.anySpecialism"),
          choices: enumChoices(SpecialismSchema),
          onValue: (v) => {
            this.filters.specialism = Number(v) as Specialism;
          },
        }),
        h("button", { type: "submit", id: "partners-filter" }, t("partners.filter")),
      ),
      this.error !== undefined
        ? loadFailure("partners-retry", this.error, () => void this.load(""))
        : null,
      this.buildTable(),
      this.next && !this.loading
        ? moreButton("partners-more", t("partners.loadMore"), () => void this.load(this.next))
        : null,
      this.buildDetail(),
      this.mayWrite ? this.buildCreate(countries) : null,
    ];
  }

  private buildTable(): Child {
    if (this.partners === undefined) return this.loading ? h("p", { class: "loading" }, t("common.loading")) : null;
    if (this.partners.length === 0) return h("p", { id: "partners-empty" }, t("partners.none"));
    return h(
      "div",
      { class: "table-scroll", role: "region", "aria-labelledby": "partners-caption", tabindex: 0 },
      h(
        "table",
        { id: "partners-table", class: "data", "aria-busy": this.loading ? "true" : "false" },
        h("caption", { id: "partners-caption" }, t("partners.caption")),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, t("partners.name")),
            h("th", { scope: "col" }, t("partners.kind")),
            h("th", { scope: "col" }, t("partners.place")),
            h("th", { scope: "col" }, t("partners.specialisms")),
            h("th", { scope: "col" }, t("partners.vetting")),
          ),
        ),
        h(
          "tbody",
          null,
          this.partners.map((p) =>
            h(
              "tr",
              { id: `partner-${p.id}`, "data-partner-id": p.id },
              h(
                "th",
                { scope: "row" },
                h(
                  "button",
                  { type: "button", id: `partner-show-${p.id}`, class: "link-button", "aria-label": t("partners.showLabel", { name: p.name }), onclick: () => void this.show(p.id) },
                  p.name,
                ),
                p.active ? null : h("span", { class: "muted block" }, t("partners.inactive")),
              ),
              h("td", null, enumLabel(PartnerKindSchema, p.kind)),
              h("td", null, t("partners.cityCountry", { city: p.city, country: formatCountry(p.country) })),
              h("td", null, p.specialisms.length ? formatList(p.specialisms.map((s) => enumLabel(SpecialismSchema, s))) : t("common.none")),
              h("td", null, enumLabel(VettingStatusSchema, p.vettingStatus)),
            ),
          ),
        ),
      ),
    );
  }

  private buildDetail(): Child {
    if (!this.selected && !this.detailLoading && this.detailError === undefined) return null;
    const p = this.selected;
    const content: Child[] = [h("h2", { id: "partner-detail-heading", tabindex: -1 }, p ? p.name : t("partners.detail"))];
    if (this.detailLoading) content.push(h("p", { class: "loading" }, t("common.loading")));
    if (this.detailError !== undefined) content.push(h("div", { class: "message message-error", role: "alert" }, h("p", null, errorMessage(this.detailError))));
    if (p && !this.detailLoading) {
      const d = p.contactDetails;
      const row = (label: string, value: Child) => h("div", { class: "field" }, h("dt", null, label), h("dd", null, value));
      const or = (v: string | undefined) => (v && v.trim() ? v : t("common.none"));
      content.push(
        h(
          "dl",
          { class: "fields" },
          row(t("partners.kind"), enumLabel(PartnerKindSchema, p.kind)),
          row(t("partners.place"), t("partners.cityCountry", { city: p.city, country: formatCountry(p.country) })),
          row(t("partners.specialisms"), p.specialisms.length ? formatList(p.specialisms.map((s) => enumLabel(SpecialismSchema, s))) : t("common.none")),
          row(t("partners.languages"), p.languages.length ? formatList(p.languages) : t("common.none")),
          row(t("partners.phone"), or(d?.phone)),
          row(t("partners.email"), or(d?.email)),
          row(t("partners.address"), h("span", { class: "pre-wrap" }, or(d?.address))),
          row(t("partners.website"), or(d?.website)),
          row(t("partners.vetting"), enumLabel(VettingStatusSchema, p.vettingStatus)),
          p.vettedBy
            ? row(
                t("partners.vettedBy"),
                p.vettedAt ? t("partners.vettedByAt", { by: p.vettedBy, at: formatTimestamp(p.vettedAt) }) : p.vettedBy,
              )
            : null,
          p.vettingNote ? row(t("partners.vettingNote"), h("span", { class: "pre-wrap" }, p.vettingNote)) : null,
          row(t("partners.active"), p.active ? t("common.yes") : t("common.no")),
          p.createdAt ? row(t("partners.createdAt"), h("time", { datetime: isoTimestamp(p.createdAt) }, formatTimestamp(p.createdAt))) : null,
        ),
      );
      if (this.vettingDone) content.push(h("p", { id: "partner-vetting-done", class: "message", role: "status", tabindex: -1 }, this.vettingDone));
      if (this.mayWrite) content.push(...this.editor.build(p));
      if (this.mayWrite && p.active) content.push(this.buildVetting(p));
    }
    return h("section", { id: "partner-detail", class: "card", "aria-labelledby": "partner-detail-heading" }, ...content);
  }

  private buildVetting(p: Partner): HTMLElement {
    return h(
      "form",
      { id: "partner-vetting-form", class: "form", novalidate: true, onsubmit: (e: Event) => void this.setVetting(e) },
      h("h3", null, t("partners.setVetting")),
      selectField({
        id: "partner-vetting-status",
        label: t("partners.vettingStatus"),
        required: true,
        error: this.vettingErrors.status ? problemText(this.vettingErrors.status) : undefined,
        value: this.vettingStatus ? String(this.vettingStatus) : "",
        placeholder: t("partners.chooseVetting"),
        choices: enumChoices(VettingStatusSchema, vettingChoices),
        onValue: (v) => {
          this.vettingStatus = Number(v) as VettingStatus;
        },
      }),
      textArea({
        id: "partner-vetting-note",
        label: t("partners.vettingNoteLabel"),
        hint: t("partners.vettingNoteHint"),
        required: true,
        error: this.vettingErrors.note ? problemText(this.vettingErrors.note) : undefined,
        value: this.vettingNote,
        rows: 3,
        onValue: (v) => {
          this.vettingNote = v;
        },
      }),
      this.vettingFailure !== undefined
        ? h(
            "div",
            { id: "partner-vetting-failure", class: "message message-error", role: "alert", tabindex: -1 },
            h("p", null, isAborted(this.vettingFailure) ? t("partners.changedMeanwhile") : describeError(this.vettingFailure)),
          )
        : null,
      h("button", { type: "submit", id: "partner-vetting-submit", "aria-disabled": this.vettingBusy ? "true" : "false" }, t("partners.saveVetting", { name: p.name })),
    );
  }

  private createError(field: PartnerField): string | undefined {
    const p = this.createErrors[field];
    return p ? problemText(p) : undefined;
  }

  private buildCreate(countries: { value: string; label: string }[]): HTMLElement {
    const content: Child[] = [h("h2", { id: "partner-create-heading" }, t("partners.add"))];
    if (!this.creating) {
      content.push(
        h(
          "button",
          {
            type: "button",
            id: "partner-create-start",
            onclick: () => {
              this.creating = true;
              this.render();
              document.getElementById("partner-kind")?.focus();
            },
          },
          t("partners.addStart"),
        ),
      );
      return h("section", { id: "partner-create", class: "card", "aria-labelledby": "partner-create-heading" }, ...content);
    }
    const labels: Record<PartnerField, string> = {
      kind: t("partners.kind"),
      name: t("partners.name"),
      country: t("partners.country"),
      city: t("partners.city"),
      specialisms: t("partners.specialisms"),
      languages: t("partners.languages"),
      phone: t("partners.phone"),
      email: t("partners.email"),
      address: t("partners.address"),
      website: t("partners.website"),
    };
    const summary = (Object.keys(fieldIds) as PartnerField[])
      .filter((f) => this.createErrors[f])
      .map((f) => ({ fieldId: fieldIds[f], label: labels[f], text: this.createError(f)! }));
    const text = (field: "name" | "city" | "languages" | "phone" | "email" | "website", required = false, hint?: string) =>
      textField({
        id: fieldIds[field],
        label: labels[field],
        hint,
        required,
        error: this.createError(field),
        value: this.input[field],
        onValue: (v) => {
          this.input[field] = v;
        },
      });
    content.push(
      errorSummary("partner-create-errors", summary),
      h(
        "form",
        { id: "partner-create-form", class: "form", novalidate: true, onsubmit: (e: Event) => void this.createPartner(e) },
        selectField({
          id: fieldIds.kind,
          label: labels.kind,
          required: true,
          error: this.createError("kind"),
          value: this.input.kind ? String(this.input.kind) : "",
          placeholder: t("partners.chooseKind"),
          choices: enumChoices(PartnerKindSchema),
          onValue: (v) => {
            this.input.kind = Number(v);
          },
        }),
        text("name", true),
        selectField({
          id: fieldIds.country,
          label: labels.country,
          required: true,
          error: this.createError("country"),
          value: this.input.country,
          placeholder: t("partners.chooseCountry"),
          choices: countries,
          onValue: (v) => {
            this.input.country = v;
          },
        }),
        text("city", true),
        checkboxGroup({
          id: fieldIds.specialisms,
          label: labels.specialisms,
          error: this.createError("specialisms"),
          values: this.input.specialisms,
          choices: enumChoices(SpecialismSchema),
          onValue: (v) => {
            this.input.specialisms = v as Specialism[];
          },
        }),
        text("languages", false, t("partners.languagesHint")),
        text("phone"),
        text("email"),
        textArea({
          id: fieldIds.address,
          label: labels.address,
          error: this.createError("address"),
          value: this.input.address,
          rows: 3,
          onValue: (v) => {
            this.input.address = v;
          },
        }),
        text("website"),
        this.createFailure !== undefined
          ? h("div", { id: "partner-create-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.createFailure)))
          : null,
        h(
          "div",
          { class: "button-row" },
          h("button", { type: "submit", id: "partner-create-submit", "aria-disabled": this.createBusy ? "true" : "false" }, t("partners.addSubmit")),
          h(
            "button",
            {
              type: "button",
              id: "partner-create-cancel",
              class: "secondary",
              onclick: () => {
                this.creating = false;
                this.createErrors = {};
                this.createFailure = undefined;
                this.render();
                document.getElementById("partner-create-start")?.focus();
              },
            },
            t("partners.addCancel"),
          ),
        ),
      ),
    );
    return h("section", { id: "partner-create", class: "card", "aria-labelledby": "partner-create-heading" }, ...content);
  }
}
