// "Deadlines" (#/deadlines): CaseService.ListDeadlines for the caller's unit, most urgent first:
// what the deadline is (in words), the case (its reference, a link), the day, the days left and
// the warning reached. Passed ones are marked. No personal data: the service sends none.
import { DeadlineKindSchema, type Deadline } from "../gen/consular/v1/cases_pb";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { errorMessage, isAbort } from "../errors";
import { formatDate, isoDate } from "../format";
import { t, tPlural } from "../i18n/i18n";
import { withRetry } from "../rpc";
import { deadlineWindows, defaultDeadlineWindow, sortDeadlines, urgency } from "../casework/deadlines";
import { caseHref } from "./cases";
import { selectField } from "./form";
import { BaseView, type AppContext } from "./view";
import { loadFailure } from "./lists";

export class DeadlinesView extends BaseView {
  private withinDays: number = defaultDeadlineWindow;
  private deadlines: Deadline[] | undefined;
  private loading = false;
  private error: unknown;

  constructor(private readonly ctx: AppContext) {
    super();
    this.render();
    void this.load();
  }

  title(): string {
    return t("deadlines.title");
  }

  private async load(): Promise<void> {
    this.loading = true;
    this.error = undefined;
    this.render();
    try {
      const response = await withRetry(
        () => this.ctx.clients.cases.listDeadlines({ withinDays: this.withinDays }, { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.deadlines = sortDeadlines(response.deadlines);
      this.ctx.announce(tPlural("deadlines.loaded", this.deadlines.length));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.error = error;
      this.ctx.announce(errorMessage(error));
    } finally {
      this.loading = false;
    }
    this.render();
  }

  protected build(): Child[] {
    return [
      h("h1", { tabindex: -1 }, t("deadlines.title")),
      h("p", { class: "lead" }, t("deadlines.intro")),
      h(
        "div",
        { class: "form filters" },
        selectField({
          id: "deadlines-window",
          label: t("deadlines.window"),
          value: String(this.withinDays),
          choices: deadlineWindows.map((d) => ({ value: String(d), label: tPlural("deadlines.windowDays", d) })),
          onValue: (v) => {
            this.withinDays = Number(v);
            void this.load();
          },
        }),
      ),
      this.error !== undefined
        ? loadFailure("deadlines-retry", this.error, () => void this.load())
        : null,
      this.buildTable(),
    ];
  }

  private buildTable(): Child {
    if (this.deadlines === undefined) return this.loading ? h("p", { class: "loading" }, t("common.loading")) : null;
    if (this.deadlines.length === 0) return h("p", { id: "deadlines-empty" }, t("deadlines.none"));
    return h(
      "div",
      { class: "table-scroll", role: "region", "aria-labelledby": "deadlines-caption", tabindex: 0 },
      h(
        "table",
        { id: "deadlines-table", class: "data", "aria-busy": this.loading ? "true" : "false" },
        h("caption", { id: "deadlines-caption" }, t("deadlines.caption")),
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", { scope: "col" }, t("deadlines.due")),
            h("th", { scope: "col" }, t("case.reference")),
            h("th", { scope: "col" }, t("deadlines.kind")),
            h("th", { scope: "col" }, t("deadlines.warning")),
            h("th", { scope: "col" }, t("deadlines.detail")),
          ),
        ),
        h("tbody", null, this.deadlines.map((d, i) => this.buildRow(d, i))),
      ),
    );
  }

  private buildRow(d: Deadline, index: number): HTMLElement {
    const u = urgency(d);
    return h(
      "tr",
      { id: `deadline-${index}`, "data-reference": d.reference, "data-urgency": u },
      h(
        "td",
        { class: "nowrap" },
        h("time", { datetime: isoDate(d.dueOn), class: u === "passed" ? "deadline-passed" : u === "warning" ? "deadline-near" : undefined }, formatDate(d.dueOn)),
        h(
          "span",
          { class: "muted block" },
          u === "passed" ? tPlural("deadlines.passed", -d.daysLeft) : d.daysLeft === 0 ? t("deadlines.today") : tPlural("deadlines.daysLeft", d.daysLeft),
        ),
      ),
      h("th", { scope: "row", class: "nowrap" }, d.reference ? h("a", { href: caseHref(d.reference) }, d.reference) : t("common.none")),
      h("td", null, enumLabel(DeadlineKindSchema, d.kind)),
      h("td", null, d.warningWeeks > 0 ? tPlural("deadlines.warningWeeks", d.warningWeeks) : t("common.none")),
      h("td", { class: "pre-wrap" }, d.detail || t("common.none")),
    );
  }
}
