// "Decisions" (#/decisions): the decision log of the talks register (BilateralService.ListDecisions,
// newest first, by country) and a new decision (RecordDecision: whether to raise abandonment or
// divorce recognition with a country, at which level, with reasons, on a day not in the future);
// below it the countries never raised (ListUnraisedCountries) over the last years, optionally
// rounded to multiples of 5.
import {
  RaiseDecisionSchema,
  TalkLevelSchema,
  TalkTopicSchema,
  type CountryDecision,
  type ListUnraisedCountriesResponse,
  type RaiseDecision,
  type TalkLevel,
  type TalkTopic,
} from "../gen/consular/v1/statistics_pb";
import { countryOptions } from "../countries";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { errorMessage, isAbort } from "../errors";
import { formatCountry, formatDate, formatTimestamp, isoDate } from "../format";
import { t, tPlural } from "../i18n/i18n";
import { FormAction, withRetry } from "../rpc";
import {
  buildListDecisionsRequest,
  buildListUnraisedRequest,
  buildRecordDecisionRequest,
  decisionFieldOfPath,
  decisionKey,
  decisionTopics,
  emptyDecisionInput,
  unraisedYearChoices,
  validateDecision,
  type DecisionErrors,
  type DecisionField,
  type DecisionInput,
} from "../register/talks";
import { describeError, fieldProblemOf, problemText } from "../casework/problems";
import { checkboxField, dateField, enumChoices, errorSummary, selectField, textArea } from "./form";
import { figureCell, periodText } from "./talk";
import { BaseView, type AppContext } from "./view";
import { loadFailure, moreButton } from "./lists";

const fieldIds: Readonly<Record<DecisionField, string>> = {
  country: "decision-country",
  topic: "decision-topic",
  decision: "decision-decision",
  level: "decision-level",
  reasons: "decision-reasons",
  decidedOn: "decision-date",
};

export class DecisionsView extends BaseView {
  private country = "";
  private decisions: CountryDecision[] | undefined;
  private next = "";
  private loading = false;
  private error: unknown;
  // A new decision
  private input: DecisionInput = emptyDecisionInput();
  private errors: DecisionErrors = {};
  private failure: unknown;
  private busy = false;
  private done: string | undefined;
  private readonly action = new FormAction<CountryDecision>();
  // Countries never raised
  private years = 5;
  private rounded = false;
  private unraised: ListUnraisedCountriesResponse | undefined;
  private unraisedLoading = false;
  private unraisedError: unknown;
  /** The years the list shown is for. */
  private shownYears = 5;

  constructor(private readonly ctx: AppContext) {
    super();
    this.render();
    void this.load("");
    void this.loadUnraised();
  }

  title(): string {
    return t("decisions.title");
  }

  private async load(pageToken: string): Promise<void> {
    this.loading = true;
    this.error = undefined;
    this.render();
    try {
      const request = buildListDecisionsRequest(this.country, pageToken);
      const response = await withRetry(() => this.ctx.clients.bilateral.listDecisions(request, { signal: this.abort.signal }), { signal: this.abort.signal });
      this.decisions = pageToken ? [...(this.decisions ?? []), ...response.decisions] : response.decisions;
      this.next = response.nextPageToken;
      this.ctx.announce(tPlural("decisions.loaded", this.decisions.length));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.error = error;
      this.ctx.announce(errorMessage(error));
    } finally {
      this.loading = false;
    }
    this.render();
  }

  private async loadUnraised(): Promise<void> {
    this.unraisedLoading = true;
    this.unraisedError = undefined;
    this.render();
    try {
      const years = this.years;
      const request = buildListUnraisedRequest(years, this.rounded);
      this.unraised = await withRetry(() => this.ctx.clients.bilateral.listUnraisedCountries(request, { signal: this.abort.signal }), { signal: this.abort.signal });
      this.shownYears = years;
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.unraisedError = error;
    } finally {
      this.unraisedLoading = false;
    }
    this.render();
  }

  private async record(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    this.failure = undefined;
    this.done = undefined;
    this.errors = validateDecision(this.input);
    if (Object.keys(this.errors).length > 0) {
      this.render();
      document.getElementById("decision-errors")?.focus();
      return;
    }
    const input = { ...this.input };
    const action = this.action.for(decisionKey(input));
    this.busy = true;
    this.render();
    try {
      const recorded = await action.run(
        (requestId) => this.ctx.clients.bilateral.recordDecision(buildRecordDecisionRequest(input, requestId), { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.action.forget();
      this.busy = false;
      this.input = emptyDecisionInput();
      this.done = t("decisions.recorded", { country: formatCountry(recorded.country) });
      this.ctx.announce(this.done);
      void this.loadUnraised();
      await this.load("");
      document.getElementById("decision-done")?.focus();
      return;
    } catch (error) {
      this.busy = false;
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      const field = found ? decisionFieldOfPath(found.path) : undefined;
      if (found && field) this.errors = { [field]: found.problem };
      else this.failure = error;
      this.ctx.announce(describeError(error));
    }
    this.render();
    document.getElementById(this.failure !== undefined ? "decision-failure" : "decision-errors")?.focus();
  }

  protected build(): Child[] {
    const countries = countryOptions().map((c) => ({ value: c.code, label: c.name }));
    return [
      h("p", null, h("a", { href: "#/talks", id: "decisions-back" }, t("talk.back"))),
      h("h1", { tabindex: -1 }, t("decisions.title")),
      h("p", { class: "lead" }, t("decisions.intro")),
      h(
        "form",
        {
          id: "decisions-filters",
          class: "form filters",
          novalidate: true,
          onsubmit: (e: Event) => {
            e.preventDefault();
            void this.load("");
          },
        },
        selectField({
          id: "decisions-country",
          label: t("decisions.country"),
          value: this.country,
          placeholder: t("talks.anyCountry"),
          choices: countries,
          onValue: (v) => {
            this.country = v;
          },
        }),
        h("button", { type: "submit", id: "decisions-filter" }, t("talks.filter")),
      ),
      this.error !== undefined
        ? loadFailure("decisions-retry", this.error, () => void this.load(""))
        : null,
      this.done ? h("p", { id: "decision-done", class: "message", role: "status", tabindex: -1 }, this.done) : null,
      this.buildTable(),
      this.next && !this.loading
        ? moreButton("decisions-more", t("talks.loadMore"), () => void this.load(this.next))
        : null,
      this.buildForm(countries),
      this.buildUnraised(),
    ];
  }

  private buildTable(): Child {
    if (this.decisions === undefined) return this.loading ? h("p", { class: "loading" }, t("common.loading")) : null;
    if (this.decisions.length === 0) return h("p", { id: "decisions-empty" }, t("decisions.none"));
    return h(
      "div",
      { class: "table-scroll", role: "region", "aria-labelledby": "decisions-caption", tabindex: 0 },
      h(
        "table",
        { id: "decisions-table", class: "data", "aria-busy": this.loading ? "true" : "false" },
        h("caption", { id: "decisions-caption" }, t("decisions.caption")),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, t("decisions.decidedOn")),
            h("th", { scope: "col" }, t("decisions.country")),
            h("th", { scope: "col" }, t("decisions.topic")),
            h("th", { scope: "col" }, t("decisions.decision")),
            h("th", { scope: "col" }, t("decisions.level")),
            h("th", { scope: "col" }, t("decisions.reasons")),
            h("th", { scope: "col" }, t("decisions.decidedBy")),
          ),
        ),
        h(
          "tbody",
          null,
          this.decisions.map((d) =>
            h(
              "tr",
              { id: `decision-${d.id}` },
              h("th", { scope: "row" }, h("time", { datetime: isoDate(d.decidedOn) }, formatDate(d.decidedOn))),
              h("td", null, formatCountry(d.country)),
              h("td", null, enumLabel(TalkTopicSchema, d.topic)),
              h("td", null, enumLabel(RaiseDecisionSchema, d.decision)),
              h("td", null, enumLabel(TalkLevelSchema, d.level)),
              h("td", { class: "pre-wrap" }, d.reasons),
              h("td", null, t("talk.byAt", { by: d.decidedBy, at: formatTimestamp(d.recordedAt) })),
            ),
          ),
        ),
      ),
    );
  }

  private fieldError(f: DecisionField): string | undefined {
    const p = this.errors[f];
    return p ? problemText(p) : undefined;
  }

  private buildForm(countries: { value: string; label: string }[]): HTMLElement {
    const labels: Record<DecisionField, string> = {
      country: t("decisions.country"),
      topic: t("decisions.topic"),
      decision: t("decisions.decision"),
      level: t("decisions.level"),
      reasons: t("decisions.reasons"),
      decidedOn: t("decisions.decidedOn"),
    };
    const summary = (Object.keys(fieldIds) as DecisionField[])
      .filter((f) => this.errors[f])
      .map((f) => ({ fieldId: fieldIds[f], label: labels[f], text: this.fieldError(f)! }));
    return h(
      "section",
      { id: "decision-new", class: "card", "aria-labelledby": "decision-new-heading" },
      h("h2", { id: "decision-new-heading" }, t("decisions.add")),
      errorSummary("decision-errors", summary),
      h(
        "form",
        { id: "decision-form", class: "form", novalidate: true, "aria-labelledby": "decision-new-heading", onsubmit: (e: Event) => void this.record(e) },
        selectField({
          id: fieldIds.country,
          label: labels.country,
          required: true,
          error: this.fieldError("country"),
          value: this.input.country,
          placeholder: t("talks.chooseCountry"),
          choices: countries,
          onValue: (v) => {
            this.input.country = v;
          },
        }),
        selectField({
          id: fieldIds.topic,
          label: labels.topic,
          required: true,
          error: this.fieldError("topic"),
          value: this.input.topic ? String(this.input.topic) : "",
          placeholder: t("decisions.chooseTopic"),
          choices: enumChoices(TalkTopicSchema, decisionTopics),
          onValue: (v) => {
            this.input.topic = Number(v) as TalkTopic;
          },
        }),
        selectField({
          id: fieldIds.decision,
          label: labels.decision,
          required: true,
          error: this.fieldError("decision"),
          value: this.input.decision ? String(this.input.decision) : "",
          placeholder: t("decisions.chooseDecision"),
          choices: enumChoices(RaiseDecisionSchema),
          onValue: (v) => {
            this.input.decision = Number(v) as RaiseDecision;
          },
        }),
        selectField({
          id: fieldIds.level,
          label: labels.level,
          required: true,
          error: this.fieldError("level"),
          value: this.input.level ? String(this.input.level) : "",
          placeholder: t("talks.chooseLevel"),
          choices: enumChoices(TalkLevelSchema),
          onValue: (v) => {
            this.input.level = Number(v) as TalkLevel;
          },
        }),
        textArea({
          id: fieldIds.reasons,
          label: labels.reasons,
          required: true,
          error: this.fieldError("reasons"),
          value: this.input.reasons,
          rows: 4,
          onValue: (v) => {
            this.input.reasons = v;
          },
        }),
        dateField({
          id: fieldIds.decidedOn,
          label: labels.decidedOn,
          hint: t("decisions.decidedOnHint"),
          required: true,
          error: this.fieldError("decidedOn"),
          value: this.input.decidedOn,
          onValue: (v) => {
            this.input.decidedOn = v;
          },
        }),
        this.failure !== undefined
          ? h("div", { id: "decision-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.failure)))
          : null,
        h("button", { type: "submit", id: "decision-submit", "aria-disabled": this.busy ? "true" : "false" }, t("decisions.submit")),
      ),
    );
  }

  private buildUnraised(): HTMLElement {
    const u = this.unraised;
    const content: Child[] = [
      h("h2", { id: "unraised-heading" }, t("unraised.title")),
      h("p", { class: "hint" }, t("unraised.intro")),
      h(
        "form",
        {
          id: "unraised-filters",
          class: "form filters",
          novalidate: true,
          onsubmit: (e: Event) => {
            e.preventDefault();
            void this.loadUnraised();
          },
        },
        selectField({
          id: "unraised-years",
          label: t("unraised.years"),
          value: String(this.years),
          choices: unraisedYearChoices.map((y) => ({ value: String(y), label: tPlural("unraised.yearsChoice", y) })),
          onValue: (v) => {
            this.years = Number(v);
          },
        }),
        checkboxField({
          id: "unraised-rounded",
          label: t("unraised.rounded"),
          checked: this.rounded,
          onValue: (v) => {
            this.rounded = v;
          },
        }),
        h("button", { type: "submit", id: "unraised-show" }, t("unraised.show")),
      ),
    ];
    if (this.unraisedError !== undefined) content.push(h("div", { class: "message message-error", role: "alert" }, h("p", null, errorMessage(this.unraisedError))));
    if (this.unraisedLoading && !u) content.push(h("p", { class: "loading" }, t("common.loading")));
    if (u) {
      content.push(
        h(
          "p",
          { id: "unraised-source", "data-rounded": u.roundedToBase5 ? "true" : "false", "data-years": String(this.shownYears) },
          t("unraised.source", { period: periodText(u.period), release: u.release, asOf: formatTimestamp(u.asOf), threshold: u.threshold }),
        ),
      );
      if (u.countries.length === 0) content.push(h("p", { id: "unraised-empty" }, t("unraised.none")));
      else
        content.push(
          h(
            "div",
            { class: "table-scroll", role: "region", "aria-labelledby": "unraised-caption", tabindex: 0 },
            h(
              "table",
              { id: "unraised-table", class: "data", "aria-busy": this.unraisedLoading ? "true" : "false" },
              h("caption", { id: "unraised-caption" }, t("unraised.caption")),
              h(
                "thead",
                null,
                h(
                  "tr",
                  null,
                  h("th", { scope: "col" }, t("decisions.country")),
                  h("th", { scope: "col", class: "number" }, t("figures.casesOpened")),
                  h("th", { scope: "col" }, t("unraised.lastTalk")),
                  h("th", { scope: "col" }, t("unraised.lastDecision")),
                ),
              ),
              h(
                "tbody",
                null,
                u.countries.map((c) =>
                  h(
                    "tr",
                    { id: `unraised-${c.country}` },
                    h("th", { scope: "row" }, formatCountry(c.country)),
                    h("td", { class: "number" }, figureCell(c.casesOpened)),
                    h("td", null, c.lastTalkHeldOn?.year ? h("time", { datetime: isoDate(c.lastTalkHeldOn) }, formatDate(c.lastTalkHeldOn)) : t("unraised.never")),
                    h(
                      "td",
                      null,
                      c.lastDecidedOn?.year
                        ? t("unraised.decisionOn", { decision: enumLabel(RaiseDecisionSchema, c.lastDecision), day: formatDate(c.lastDecidedOn) })
                        : t("unraised.never"),
                    ),
                  ),
                ),
              ),
            ),
          ),
          h("p", { class: "hint" }, u.roundedToBase5 ? t("figures.noteRounded", { threshold: u.threshold }) : t("figures.note", { threshold: u.threshold })),
        );
    }
    return h("section", { id: "unraised", class: "card", "aria-labelledby": "unraised-heading" }, ...content);
  }
}
