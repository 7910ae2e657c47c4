// Opening a case (#/new): a wizard of four steps — the case (type, country, who reported it),
// the person, the facts of the case type with the safety information, and a review — ending in
// CaseService.CreateCase. The input stays in this screen's memory only. One submission keeps one
// request_id over its retries (FormAction); the server's "field: problem" answers are shown on
// their field, in the step that asks for it.
import type { Case } from "../gen/consular/v1/cases_pb";
import { PermitKindSchema } from "../gen/consular/v1/cases_pb";
import {
  CaseType,
  CaseTypeSchema,
  NationalityStatus,
  NationalityStatusSchema,
  ReferralSourceSchema,
  RiskFlagSchema,
  SexSchema,
} from "../gen/consular/v1/common_pb";
import { countryOptions } from "../countries";
import { localDate, parseIsoDate } from "../dates";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { isAbort } from "../errors";
import { formatCountry, formatDate, formatList } from "../format";
import { t, type MessageKey } from "../i18n/i18n";
import { FormAction } from "../rpc";
import { describeError, fieldProblemOf, problemText, type Problem } from "../casework/problems";
import {
  asksPermitKind,
  buildCreateCaseRequest,
  emptyWizardInput,
  fieldIds,
  fieldStep,
  firstStepWithError,
  reviewStep,
  submissionKey,
  validateAll,
  validateStep,
  wizardFieldOfPath,
  wizardSteps,
  type WizardErrors,
  type WizardField,
  type WizardInput,
  type WizardStep,
} from "../casework/wizard";
import {
  checkboxField,
  checkboxGroup,
  dateField,
  enumChoices,
  errorSummary,
  radioGroup,
  selectField,
  textArea,
  textField,
} from "./form";
import { BaseView, type AppContext } from "./view";

const stepTitles: Readonly<Record<(typeof wizardSteps)[number], MessageKey>> = {
  case: "newCase.stepCase",
  person: "newCase.stepPerson",
  facts: "newCase.stepFacts",
  review: "newCase.stepReview",
};

const changeKeys: readonly MessageKey[] = ["newCase.changeCase", "newCase.changePerson", "newCase.changeFacts"];

/** The label of each field, for the error summary and the review. */
const fieldLabels: Readonly<Record<WizardField, MessageKey>> = {
  type: "case.type",
  country: "case.country",
  referralSource: "case.referralSource",
  fullName: "subject.name",
  dateOfBirth: "person.dateOfBirth",
  sex: "subject.sex",
  nationalityStatus: "subject.nationalityStatus",
  hasMinorChildren: "subject.hasMinorChildren",
  riskFlags: "case.riskFlags",
  leftNetherlandsOn: "abandonment.leftNetherlandsOn",
  residencePermitKind: "abandonment.residencePermitKind",
  dutchDivorceOn: "divorce.dutchDivorceOn",
  foreignCourt: "divorce.foreignCourt",
  foreignCaseNumber: "divorce.foreignCaseNumber",
  safeContactChannel: "safety.channel",
  safeContactTimes: "safety.times",
  doNotContactFamily: "safety.doNotContactFamily",
  covertNotes: "safety.covertNotes",
};

export class NewCaseView extends BaseView {
  private input: WizardInput = emptyWizardInput();
  private step: WizardStep = 0;
  private errors: WizardErrors = {};
  private failure: unknown;
  private busy = false;
  private readonly submission = new FormAction<Case>();

  constructor(
    private readonly ctx: AppContext,
    private readonly onCreated: (created: Case) => void,
  ) {
    super();
    this.render();
  }

  title(): string {
    return t("newCase.title");
  }

  private set<K extends WizardField>(field: K, value: WizardInput[K]): void {
    this.input[field] = value;
  }

  private stepLabel(step: WizardStep): string {
    return t("newCase.stepOf", { step: step + 1, steps: wizardSteps.length, title: t(stepTitles[wizardSteps[step]]) });
  }

  private goTo(step: WizardStep, focus: "heading" | "errors" = "heading"): void {
    this.step = step;
    this.failure = undefined;
    this.render();
    const target = focus === "errors" ? document.getElementById("new-errors") : null;
    (target ?? document.getElementById("new-step-heading"))?.focus();
    if (focus === "heading") this.ctx.announce(this.stepLabel(step));
  }

  private next(event: Event): void {
    event.preventDefault();
    if (this.busy) return;
    if (this.step === reviewStep) {
      void this.submit();
      return;
    }
    this.errors = validateStep(this.input, this.step, localDate());
    if (Object.keys(this.errors).length > 0) {
      this.render();
      document.getElementById("new-errors")?.focus();
      return;
    }
    this.goTo((this.step + 1) as WizardStep);
  }

  private back(): void {
    if (this.step === 0 || this.busy) return;
    this.errors = {};
    this.goTo((this.step - 1) as WizardStep);
  }

  private async submit(): Promise<void> {
    this.errors = validateAll(this.input, localDate());
    const wrong = firstStepWithError(this.errors);
    if (wrong !== undefined) {
      this.goTo(wrong, "errors");
      return;
    }
    const input = this.input;
    const action = this.submission.for(submissionKey(input));
    this.busy = true;
    this.failure = undefined;
    this.render();
    try {
      const created = await action.run(
        (requestId) =>
          this.ctx.clients.cases.createCase(buildCreateCaseRequest(input, requestId), { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.submission.forget();
      this.busy = false;
      this.ctx.announce(t("newCase.created", { reference: created.reference }));
      this.onCreated(created);
      return;
    } catch (error) {
      this.busy = false;
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      const field = found ? wizardFieldOfPath(found.path) : undefined;
      if (found && field) {
        this.errors = { [field]: found.problem };
        this.goTo(fieldStep[field], "errors");
        return;
      }
      this.failure = error;
      this.ctx.announce(describeError(error));
    }
    this.render();
    document.getElementById("new-failure")?.focus();
  }

  private error(field: WizardField): string | undefined {
    const p = this.errors[field];
    return p ? problemText(p) : undefined;
  }

  protected build(): Child[] {
    const stepName = wizardSteps[this.step];
    const summary = errorSummary(
      "new-errors",
      (Object.entries(this.errors) as [WizardField, Problem][])
        .filter(([f]) => fieldStep[f] === this.step)
        .map(([f, p]) => ({ fieldId: fieldIds[f], label: t(fieldLabels[f]), text: problemText(p) })),
    );
    const last = this.step === reviewStep;
    return [
      h("p", { class: "back" }, h("a", { href: "#/" }, t("case.backToList"))),
      h("h1", { tabindex: -1 }, t("newCase.title")),
      h("p", { class: "lead" }, t("newCase.intro")),
      h(
        "ol",
        { class: "steps", "aria-label": t("newCase.steps") },
        wizardSteps.map((s, i) =>
          h("li", { class: i === this.step ? "current" : i < this.step ? "done" : undefined, "aria-current": i === this.step ? "step" : undefined }, t(stepTitles[s])),
        ),
      ),
      h(
        "form",
        { id: "new-case-form", class: "form form-wide", novalidate: true, onsubmit: (e: Event) => this.next(e) },
        h("h2", { id: "new-step-heading", tabindex: -1 }, this.stepLabel(this.step)),
        summary,
        stepName === "case" ? this.buildCaseStep() : null,
        stepName === "person" ? this.buildPersonStep() : null,
        stepName === "facts" ? this.buildFactsStep() : null,
        stepName === "review" ? this.buildReview() : null,
        this.failure !== undefined
          ? h(
              "div",
              { id: "new-failure", class: "message message-error", role: "alert", tabindex: -1 },
              h("p", null, describeError(this.failure)),
              h("p", null, t("newCase.retryHint")),
            )
          : null,
        h(
          "div",
          { class: "form-actions" },
          this.step > 0
            ? h("button", { type: "button", id: "new-back", class: "secondary", disabled: this.busy, onclick: () => this.back() }, t("newCase.back"))
            : null,
          h(
            "button",
            { type: "submit", id: last ? "new-submit" : "new-next", "aria-disabled": this.busy ? "true" : "false" },
            last ? (this.busy ? t("newCase.creating") : this.failure !== undefined ? t("common.retry") : t("newCase.create")) : t("newCase.next"),
          ),
        ),
      ),
    ];
  }

  private buildCaseStep(): Child[] {
    const own = countryOptions().map((c) => ({ value: c.code, label: c.name }));
    return [
      radioGroup({
        id: fieldIds.type,
        name: "type",
        label: t("case.type"),
        required: true,
        error: this.error("type"),
        value: this.input.type ? String(this.input.type) : "",
        choices: enumChoices(CaseTypeSchema),
        onValue: (v) => {
          this.set("type", Number(v) as CaseType);
        },
      }),
      selectField({
        id: fieldIds.country,
        label: t("case.country"),
        hint: t("newCase.countryHint"),
        required: true,
        error: this.error("country"),
        value: this.input.country,
        placeholder: t("form.choose"),
        choices: own,
        onValue: (v) => this.set("country", v),
      }),
      selectField({
        id: fieldIds.referralSource,
        label: t("case.referralSource"),
        required: true,
        error: this.error("referralSource"),
        value: this.input.referralSource ? String(this.input.referralSource) : "",
        placeholder: t("form.choose"),
        choices: enumChoices(ReferralSourceSchema),
        onValue: (v) => this.set("referralSource", Number(v)),
      }),
    ];
  }

  private buildPersonStep(): Child[] {
    return [
      textField({
        id: fieldIds.fullName,
        label: t("subject.name"),
        required: true,
        error: this.error("fullName"),
        value: this.input.fullName,
        onValue: (v) => this.set("fullName", v),
      }),
      dateField({
        id: fieldIds.dateOfBirth,
        label: t("person.dateOfBirth"),
        hint: t("form.optional"),
        error: this.error("dateOfBirth"),
        value: this.input.dateOfBirth,
        onValue: (v) => this.set("dateOfBirth", v),
      }),
      selectField({
        id: fieldIds.sex,
        label: t("subject.sex"),
        required: true,
        error: this.error("sex"),
        value: this.input.sex ? String(this.input.sex) : "",
        placeholder: t("form.choose"),
        choices: enumChoices(SexSchema),
        onValue: (v) => this.set("sex", Number(v)),
      }),
      selectField({
        id: fieldIds.nationalityStatus,
        label: t("subject.nationalityStatus"),
        required: true,
        error: this.error("nationalityStatus"),
        value: this.input.nationalityStatus ? String(this.input.nationalityStatus) : "",
        placeholder: t("form.choose"),
        choices: enumChoices(NationalityStatusSchema),
        onValue: (v) => this.set("nationalityStatus", Number(v)),
      }),
      checkboxField({
        id: fieldIds.hasMinorChildren,
        label: t("subject.hasMinorChildren"),
        checked: this.input.hasMinorChildren,
        onValue: (v) => this.set("hasMinorChildren", v),
      }),
    ];
  }

  private buildFactsStep(): Child[] {
    const type = this.input.type;
    const facts: Child[] = [];
    if (type === CaseType.ABANDONMENT) {
      facts.push(
        dateField({
          id: fieldIds.leftNetherlandsOn,
          label: t("abandonment.leftNetherlandsOn"),
          hint: t("form.optional"),
          error: this.error("leftNetherlandsOn"),
          value: this.input.leftNetherlandsOn,
          onValue: (v) => this.set("leftNetherlandsOn", v),
        }),
      );
      if (asksPermitKind(this.input)) {
        facts.push(
          selectField({
            id: fieldIds.residencePermitKind,
            label: t("abandonment.residencePermitKind"),
            hint: t("newCase.permitKindHint"),
            error: this.error("residencePermitKind"),
            value: this.input.residencePermitKind ? String(this.input.residencePermitKind) : "",
            placeholder: t("newCase.permitKindUnknown"),
            choices: enumChoices(PermitKindSchema),
            onValue: (v) => this.set("residencePermitKind", Number(v)),
          }),
        );
      }
    } else if (type === CaseType.FOREIGN_DIVORCE_RECOGNITION) {
      facts.push(
        dateField({
          id: fieldIds.dutchDivorceOn,
          label: t("divorce.dutchDivorceOn"),
          hint: t("form.optional"),
          error: this.error("dutchDivorceOn"),
          value: this.input.dutchDivorceOn,
          onValue: (v) => this.set("dutchDivorceOn", v),
        }),
        textField({
          id: fieldIds.foreignCourt,
          label: t("divorce.foreignCourt"),
          hint: t("form.optional"),
          error: this.error("foreignCourt"),
          value: this.input.foreignCourt,
          onValue: (v) => this.set("foreignCourt", v),
        }),
        textField({
          id: fieldIds.foreignCaseNumber,
          label: t("divorce.foreignCaseNumber"),
          hint: t("form.optional"),
          error: this.error("foreignCaseNumber"),
          value: this.input.foreignCaseNumber,
          onValue: (v) => this.set("foreignCaseNumber", v),
        }),
      );
    }
    return [
      h("h3", null, t("newCase.factsHeading", { type: enumLabel(CaseTypeSchema, type) })),
      ...facts,
      checkboxGroup({
        id: fieldIds.riskFlags,
        label: t("case.riskFlags"),
        hint: t("newCase.riskFlagsHint"),
        error: this.error("riskFlags"),
        values: this.input.riskFlags,
        choices: enumChoices(RiskFlagSchema),
        onValue: (v) => this.set("riskFlags", v),
      }),
      h("h3", null, t("safety.heading")),
      h("p", { class: "hint" }, t("newCase.safetyHint")),
      textField({
        id: fieldIds.safeContactChannel,
        label: t("safety.channel"),
        hint: t("newCase.channelHint"),
        error: this.error("safeContactChannel"),
        value: this.input.safeContactChannel,
        onValue: (v) => this.set("safeContactChannel", v),
      }),
      textField({
        id: fieldIds.safeContactTimes,
        label: t("safety.times"),
        hint: t("form.optional"),
        error: this.error("safeContactTimes"),
        value: this.input.safeContactTimes,
        onValue: (v) => this.set("safeContactTimes", v),
      }),
      checkboxField({
        id: fieldIds.doNotContactFamily,
        label: t("safety.doNotContactFamily"),
        checked: this.input.doNotContactFamily,
        onValue: (v) => this.set("doNotContactFamily", v),
      }),
      textArea({
        id: fieldIds.covertNotes,
        label: t("safety.covertNotes"),
        hint: t("newCase.covertHint"),
        error: this.error("covertNotes"),
        value: this.input.covertNotes,
        onValue: (v) => this.set("covertNotes", v),
      }),
    ];
  }

  private buildReview(): Child[] {
    const i = this.input;
    const none = t("common.none");
    const date = (v: string) => {
      const d = parseIsoDate(v);
      return d ? formatDate(d) : none;
    };
    const text = (v: string) => (v.trim() === "" ? none : v.trim());
    const yes = (v: boolean) => (v ? t("common.yes") : t("common.no"));
    const rows = (step: WizardStep, items: readonly (readonly [MessageKey, string] | null)[]) =>
      h(
        "div",
        { class: "review-block" },
        h("h3", null, t(stepTitles[wizardSteps[step]])),
        h(
          "dl",
          { class: "fields" },
          items
            .filter((r): r is readonly [MessageKey, string] => r !== null)
            .map(([label, value]) => h("div", { class: "field" }, h("dt", null, t(label)), h("dd", { class: "pre-wrap" }, value))),
        ),
        h(
          "button",
          { type: "button", id: `new-change-step-${step + 1}`, class: "secondary", onclick: () => this.goTo(step) },
          t(changeKeys[step] ?? "newCase.changeCase"),
        ),
      );
    const abandonment = i.type === CaseType.ABANDONMENT;
    const divorce = i.type === CaseType.FOREIGN_DIVORCE_RECOGNITION;
    return [
      h("p", null, t("newCase.reviewIntro")),
      rows(0, [
        ["case.type", enumLabel(CaseTypeSchema, i.type)],
        ["case.country", i.country ? formatCountry(i.country) : none],
        ["case.referralSource", enumLabel(ReferralSourceSchema, i.referralSource)],
      ]),
      rows(1, [
        ["subject.name", text(i.fullName)],
        ["person.dateOfBirth", date(i.dateOfBirth)],
        ["subject.sex", enumLabel(SexSchema, i.sex)],
        ["subject.nationalityStatus", enumLabel(NationalityStatusSchema, i.nationalityStatus)],
        ["subject.hasMinorChildren", yes(i.hasMinorChildren)],
      ]),
      rows(2, [
        abandonment ? ["abandonment.leftNetherlandsOn", date(i.leftNetherlandsOn)] : null,
        abandonment && i.nationalityStatus === NationalityStatus.RESIDENCE_PERMIT
          ? ["abandonment.residencePermitKind", enumLabel(PermitKindSchema, i.residencePermitKind)]
          : null,
        divorce ? ["divorce.dutchDivorceOn", date(i.dutchDivorceOn)] : null,
        divorce ? ["divorce.foreignCourt", text(i.foreignCourt)] : null,
        divorce ? ["divorce.foreignCaseNumber", text(i.foreignCaseNumber)] : null,
        ["case.riskFlags", i.riskFlags.length ? formatList(i.riskFlags.map((f) => enumLabel(RiskFlagSchema, f))) : t("case.noRiskFlags")],
        ["safety.channel", text(i.safeContactChannel)],
        ["safety.times", text(i.safeContactTimes)],
        ["safety.doNotContactFamily", yes(i.doNotContactFamily)],
        ["safety.covertNotes", text(i.covertNotes)],
      ]),
    ];
  }
}
