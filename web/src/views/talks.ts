// "Talks" (#/talks): the bilateral-talks register (BilateralService.ListTalks) by country, page by
// page, newest day first; each talk leads to its page (#/talks/<id>). Policy staff and
// administrators record a talk that was held (RecordTalk) or plan one (PlanTalk).
import { TalkLevelSchema, TalkStatusSchema, TalkTopicSchema, type Talk, type TalkLevel, type TalkTopic } from "../gen/consular/v1/statistics_pb";
import { countryOptions } from "../countries";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { errorMessage, isAbort } from "../errors";
import { formatCountry, formatDate, formatList, isoDate } from "../format";
import { t, tPlural } from "../i18n/i18n";
import { FormAction, withRetry } from "../rpc";
import {
  buildListTalksRequest,
  buildPlanTalkRequest,
  buildRecordTalkRequest,
  emptyTalkInput,
  talkDay,
  talkFieldOfPath,
  talkKey,
  validateTalk,
  type TalkErrors,
  type TalkField,
  type TalkInput,
  type TalkMode,
} from "../register/talks";
import { describeError, fieldProblemOf, problemText } from "../casework/problems";
import { checkboxGroup, dateField, enumChoices, errorSummary, selectField, textArea, textField } from "./form";
import { BaseView, type AppContext } from "./view";
import { loadFailure, moreButton } from "./lists";

export function talkHref(id: string): string {
  return `#/talks/${encodeURIComponent(id)}`;
}

const fieldIds: Readonly<Record<TalkField, string>> = {
  country: "talk-country",
  level: "talk-level",
  topics: "talk-topics",
  summary: "talk-summary",
  date: "talk-date",
  outcome: "talk-outcome",
  followUp: "talk-follow-up",
  followUpDue: "talk-follow-up-due",
  statisticsYear: "talk-statistics-year",
};

export class TalksView extends BaseView {
  private country = "";
  private talks: Talk[] | undefined;
  private next = "";
  private loading = false;
  private error: unknown;
  // A new talk
  private mode: TalkMode | undefined;
  private input: TalkInput = emptyTalkInput();
  private errors: TalkErrors = {};
  private failure: unknown;
  private busy = false;
  private readonly action = new FormAction<Talk>();

  constructor(
    private readonly ctx: AppContext,
    private readonly opened: (talk: Talk) => void,
  ) {
    super();
    this.render();
    void this.load("");
  }

  title(): string {
    return t("talks.title");
  }

  private async load(pageToken: string): Promise<void> {
    this.loading = true;
    this.error = undefined;
    this.render();
    try {
      const request = buildListTalksRequest(this.country, pageToken);
      const response = await withRetry(() => this.ctx.clients.bilateral.listTalks(request, { signal: this.abort.signal }), { signal: this.abort.signal });
      this.talks = pageToken ? [...(this.talks ?? []), ...response.talks] : response.talks;
      this.next = response.nextPageToken;
      this.ctx.announce(tPlural("talks.loaded", this.talks.length));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.error = error;
      this.ctx.announce(errorMessage(error));
    } finally {
      this.loading = false;
    }
    this.render();
  }

  private start(mode: TalkMode): void {
    if (this.mode !== mode) {
      this.mode = mode;
      this.errors = {};
      this.failure = undefined;
    }
    this.render();
    document.getElementById("talk-form-heading")?.focus();
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    const mode = this.mode;
    if (!mode || this.busy) return;
    this.failure = undefined;
    this.errors = validateTalk(mode, this.input);
    if (Object.keys(this.errors).length > 0) {
      this.render();
      document.getElementById("talk-form-errors")?.focus();
      return;
    }
    const input = { ...this.input, topics: [...this.input.topics] };
    const action = this.action.for(talkKey(mode, input));
    this.busy = true;
    this.render();
    try {
      const talk = await action.run(
        (requestId) =>
          mode === "record"
            ? this.ctx.clients.bilateral.recordTalk(buildRecordTalkRequest(input, requestId), { signal: this.abort.signal })
            : this.ctx.clients.bilateral.planTalk(buildPlanTalkRequest(input, requestId), { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.action.forget();
      this.busy = false;
      this.input = emptyTalkInput();
      this.mode = undefined;
      this.ctx.announce(t(mode === "record" ? "talks.recorded" : "talks.planned", { country: formatCountry(talk.country) }));
      this.opened(talk);
      return;
    } catch (error) {
      this.busy = false;
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      const found = fieldProblemOf(error);
      const field = found ? talkFieldOfPath(found.path) : undefined;
      if (found && field) this.errors = { [field]: found.problem };
      else this.failure = error;
      this.ctx.announce(describeError(error));
    }
    this.render();
    document.getElementById(this.failure !== undefined ? "talk-form-failure" : "talk-form-errors")?.focus();
  }

  protected build(): Child[] {
    const countries = countryOptions().map((c) => ({ value: c.code, label: c.name }));
    return [
      h("h1", { tabindex: -1 }, t("talks.title")),
      h("p", { class: "lead" }, t("talks.intro")),
      h(
        "p",
        { class: "button-row" },
        h("a", { href: "#/commitments", id: "talks-to-commitments" }, t("commitments.title")),
        h("a", { href: "#/decisions", id: "talks-to-decisions" }, t("decisions.title")),
      ),
      h(
        "form",
        {
          id: "talks-filters",
          class: "form filters",
          novalidate: true,
          onsubmit: (e: Event) => {
            e.preventDefault();
            void this.load("");
          },
        },
        selectField({
          id: "talks-country",
          label: t("talks.country"),
          value: this.country,
          placeholder: t("talks.anyCountry"),
          choices: countries,
          onValue: (v) => {
            this.country = v;
          },
        }),
        h("button", { type: "submit", id: "talks-filter" }, t("talks.filter")),
      ),
      this.error !== undefined
        ? loadFailure("talks-retry", this.error, () => void this.load(""))
        : null,
      this.buildTable(),
      this.next && !this.loading
        ? moreButton("talks-more", t("talks.loadMore"), () => void this.load(this.next))
        : null,
      this.buildNew(countries),
    ];
  }

  private buildTable(): Child {
    if (this.talks === undefined) return this.loading ? h("p", { class: "loading" }, t("common.loading")) : null;
    if (this.talks.length === 0) return h("p", { id: "talks-empty" }, t("talks.none"));
    return h(
      "div",
      { class: "table-scroll", role: "region", "aria-labelledby": "talks-caption", tabindex: 0 },
      h(
        "table",
        { id: "talks-table", class: "data", "aria-busy": this.loading ? "true" : "false" },
        h("caption", { id: "talks-caption" }, t("talks.caption")),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, t("talks.country")),
            h("th", { scope: "col" }, t("talks.day")),
            h("th", { scope: "col" }, t("talks.status")),
            h("th", { scope: "col" }, t("talks.level")),
            h("th", { scope: "col" }, t("talks.topics")),
          ),
        ),
        h(
          "tbody",
          null,
          this.talks.map((talk) => {
            const day = talkDay(talk);
            return h(
              "tr",
              { id: `talk-row-${talk.id}`, "data-talk-id": talk.id, "data-status": String(talk.status) },
              h(
                "th",
                { scope: "row" },
                h("a", { href: talkHref(talk.id), "aria-label": t("talks.openLabel", { country: formatCountry(talk.country), day: formatDate(day) || t("common.none") }) }, formatCountry(talk.country)),
              ),
              h("td", null, day ? h("time", { datetime: isoDate(day) }, formatDate(day)) : t("common.none")),
              h("td", null, enumLabel(TalkStatusSchema, talk.status)),
              h("td", null, enumLabel(TalkLevelSchema, talk.level)),
              h("td", null, talk.topics.length ? formatList(talk.topics.map((x) => enumLabel(TalkTopicSchema, x))) : t("common.none")),
            );
          }),
        ),
      ),
    );
  }

  private fieldError(field: TalkField): string | undefined {
    const p = this.errors[field];
    return p ? problemText(p) : undefined;
  }

  private buildNew(countries: { value: string; label: string }[]): HTMLElement {
    const content: Child[] = [
      h("h2", { id: "talk-new-heading" }, t("talks.add")),
      h(
        "div",
        { class: "button-row" },
        h("button", { type: "button", id: "talk-record-start", "aria-pressed": this.mode === "record" ? "true" : "false", onclick: () => this.start("record") }, t("talks.recordStart")),
        h("button", { type: "button", id: "talk-plan-start", "aria-pressed": this.mode === "plan" ? "true" : "false", onclick: () => this.start("plan") }, t("talks.planStart")),
      ),
    ];
    const mode = this.mode;
    if (!mode) return h("section", { id: "talk-new", class: "card", "aria-labelledby": "talk-new-heading" }, ...content);
    const labels: Record<TalkField, string> = {
      country: t("talks.country"),
      level: t("talks.level"),
      topics: t("talks.topics"),
      summary: mode === "record" ? t("talks.summary") : t("talks.summaryPlanned"),
      date: mode === "record" ? t("talks.heldOn") : t("talks.plannedOn"),
      outcome: t("talks.outcome"),
      followUp: t("talks.followUp"),
      followUpDue: t("talks.followUpDue"),
      statisticsYear: t("talks.statisticsYear"),
    };
    const shown: TalkField[] =
      mode === "record"
        ? ["country", "level", "topics", "summary", "date", "outcome", "followUp", "followUpDue", "statisticsYear"]
        : ["country", "level", "topics", "summary", "date", "statisticsYear"];
    const summary = shown.filter((f) => this.errors[f]).map((f) => ({ fieldId: fieldIds[f], label: labels[f], text: this.fieldError(f)! }));
    const area = (field: "summary" | "outcome" | "followUp", required: boolean, hint?: string) =>
      textArea({
        id: fieldIds[field],
        label: labels[field],
        hint,
        required,
        error: this.fieldError(field),
        value: this.input[field],
        rows: 3,
        onValue: (v) => {
          this.input[field] = v;
        },
      });
    content.push(
      h("h3", { id: "talk-form-heading", tabindex: -1 }, mode === "record" ? t("talks.recordTitle") : t("talks.planTitle")),
      errorSummary("talk-form-errors", summary),
      h(
        "form",
        { id: "talk-form", class: "form", novalidate: true, "aria-labelledby": "talk-form-heading", onsubmit: (e: Event) => void this.submit(e) },
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
        checkboxGroup({
          id: fieldIds.topics,
          label: t("form.requiredLabel", { label: labels.topics }),
          error: this.fieldError("topics"),
          values: this.input.topics,
          choices: enumChoices(TalkTopicSchema),
          onValue: (v) => {
            this.input.topics = v as TalkTopic[];
          },
        }),
        area("summary", true, t("talks.summaryHint")),
        dateField({
          id: fieldIds.date,
          label: labels.date,
          hint: mode === "record" ? t("talks.heldOnHint") : t("talks.plannedOnHint"),
          required: true,
          error: this.fieldError("date"),
          value: this.input.date,
          onValue: (v) => {
            this.input.date = v;
          },
        }),
        mode === "record" ? area("outcome", false) : null,
        mode === "record" ? area("followUp", false, t("talks.followUpHint")) : null,
        mode === "record"
          ? dateField({
              id: fieldIds.followUpDue,
              label: labels.followUpDue,
              error: this.fieldError("followUpDue"),
              value: this.input.followUpDue,
              onValue: (v) => {
                this.input.followUpDue = v;
              },
            })
          : null,
        textField({
          id: fieldIds.statisticsYear,
          label: labels.statisticsYear,
          hint: t("talks.statisticsYearHint"),
          error: this.fieldError("statisticsYear"),
          value: this.input.statisticsYear,
          onValue: (v) => {
            this.input.statisticsYear = v;
          },
        }),
        this.failure !== undefined
          ? h("div", { id: "talk-form-failure", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, describeError(this.failure)))
          : null,
        h(
          "div",
          { class: "button-row" },
          h("button", { type: "submit", id: "talk-submit", "aria-disabled": this.busy ? "true" : "false" }, mode === "record" ? t("talks.recordSubmit") : t("talks.planSubmit")),
          h(
            "button",
            {
              type: "button",
              id: "talk-cancel-form",
              class: "secondary",
              onclick: () => {
                this.mode = undefined;
                this.errors = {};
                this.failure = undefined;
                this.render();
                document.getElementById("talk-plan-start")?.focus();
              },
            },
            t("talks.closeForm"),
          ),
        ),
      ),
    );
    return h("section", { id: "talk-new", class: "card", "aria-labelledby": "talk-new-heading" }, ...content);
  }
}
