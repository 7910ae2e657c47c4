// A country's time series (#/statistics/<CC>/series, policy staff and administrators):
// StatisticsService.GetTimeSeries for a measure by month, quarter or year over a range of years,
// in total or for one category of one of the measure's dimensions; a bar chart per period with the
// table beside it (suppressed points marked, never drawn).
import { Dimension, DimensionSchema, Interval, IntervalSchema, Measure, MeasureSchema, type TimeSeries } from "../gen/consular/v1/statistics_pb";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { errorMessage, isAbort } from "../errors";
import { formatCountry } from "../format";
import { t } from "../i18n/i18n";
import { withRetry } from "../rpc";
import { fieldProblemOf, problemText, type Problem } from "../casework/problems";
import { categoriesOf, categoryText, dimensionsOf, pointText, seriesProblems, showFigure, type SeriesField, type SeriesInput } from "../statistics/figures";
import { barChart } from "./chart";
import { checkboxField, enumChoices, selectField, textField } from "./form";
import { figureCell, provenance, statsSettings } from "./stats-common";
import { BaseView, type AppContext } from "./view";
import { loadFailure } from "./lists";

const fieldIds: Readonly<Record<SeriesField, string>> = {
  measure: "series-measure",
  interval: "series-interval",
  fromYear: "series-from",
  toYear: "series-to",
  dimension: "series-dimension",
  category: "series-category",
};

/** The field of an INVALID_ARGUMENT's path ("to_year: …"). */
function fieldOfPath(path: string): SeriesField | undefined {
  const map: Record<string, SeriesField> = {
    measure: "measure",
    interval: "interval",
    from_year: "fromYear",
    to_year: "toYear",
    dimension: "dimension",
    category: "category",
  };
  return map[path];
}

export class CountrySeriesView extends BaseView {
  private readonly input: SeriesInput;
  private problems: Partial<Record<SeriesField, Problem>> = {};
  private series: TimeSeries | undefined;
  private loading = false;
  private error: unknown;

  constructor(
    private readonly ctx: AppContext,
    private readonly country: string,
  ) {
    super();
    const year = Number(statsSettings.period.year) || new Date().getUTCFullYear();
    this.input = {
      measure: Measure.CASES_OPENED,
      interval: Interval.YEAR,
      fromYear: String(year - 4),
      toYear: String(year),
      dimension: Dimension.UNSPECIFIED,
      category: "",
    };
    this.render();
    void this.load();
  }

  title(): string {
    return t("stats.seriesTitle", { country: formatCountry(this.country) });
  }

  private async load(): Promise<void> {
    const checked = seriesProblems(this.input);
    if (checked.problems) {
      this.problems = checked.problems;
      this.render();
      document.getElementById(fieldIds[(Object.keys(checked.problems) as SeriesField[])[0]!])?.focus();
      return;
    }
    this.problems = {};
    this.loading = true;
    this.error = undefined;
    this.render();
    try {
      const request = {
        country: this.country,
        measure: this.input.measure,
        interval: this.input.interval,
        fromYear: checked.fromYear,
        toYear: checked.toYear,
        dimension: this.input.dimension,
        category: this.input.category,
        roundToBase5: statsSettings.round,
        release: statsSettings.release,
      };
      this.series = await withRetry(() => this.ctx.clients.statistics.getTimeSeries(request, { signal: this.abort.signal }), { signal: this.abort.signal });
      this.ctx.announce(t("stats.seriesLoaded", { title: this.seriesTitle(this.series) }));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      const field = fieldProblemOf(error);
      const f = field ? fieldOfPath(field.path) : undefined;
      if (field && f) this.problems = { [f]: field.problem };
      else this.error = error;
      this.ctx.announce(field ? problemText(field.problem) : errorMessage(error));
    } finally {
      this.loading = false;
    }
    this.render();
  }

  private seriesTitle(s: TimeSeries): string {
    const measure = enumLabel(MeasureSchema, s.measure);
    const interval = enumLabel(IntervalSchema, s.interval);
    if (s.dimension === Dimension.UNSPECIFIED || !s.category) return t("stats.seriesOfTotal", { measure, interval });
    return t("stats.seriesOfCategory", { measure, interval, category: categoryText(s.dimension, s.category) });
  }

  protected build(): Child[] {
    const name = formatCountry(this.country);
    const err = (f: SeriesField) => (this.problems[f] ? problemText(this.problems[f]!) : undefined);
    const dimensions = dimensionsOf(this.input.measure);
    return [
      h("p", { class: "breadcrumb" }, h("a", { href: `#/statistics/${this.country}`, id: "stats-back" }, t("stats.backToCountry", { country: name }))),
      h("h1", { tabindex: -1 }, t("stats.seriesTitle", { country: name })),
      h(
        "form",
        {
          id: "series-filters",
          class: "form filters",
          novalidate: true,
          onsubmit: (e: Event) => {
            e.preventDefault();
            void this.load();
          },
        },
        selectField({
          id: fieldIds.measure,
          label: t("stats.measure"),
          error: err("measure"),
          value: String(this.input.measure),
          choices: enumChoices(MeasureSchema),
          onValue: (v) => {
            this.input.measure = Number(v) as Measure;
            if (!dimensionsOf(this.input.measure).includes(this.input.dimension)) {
              this.input.dimension = Dimension.UNSPECIFIED;
              this.input.category = "";
            }
            this.render();
          },
        }),
        selectField({
          id: fieldIds.interval,
          label: t("stats.interval"),
          error: err("interval"),
          value: String(this.input.interval),
          choices: enumChoices(IntervalSchema),
          onValue: (v) => {
            this.input.interval = Number(v) as Interval;
          },
        }),
        textField({
          id: fieldIds.fromYear,
          label: t("stats.fromYear"),
          error: err("fromYear"),
          value: this.input.fromYear,
          onValue: (v) => {
            this.input.fromYear = v;
          },
        }),
        textField({
          id: fieldIds.toYear,
          label: t("stats.toYear"),
          error: err("toYear"),
          value: this.input.toYear,
          onValue: (v) => {
            this.input.toYear = v;
          },
        }),
        selectField({
          id: fieldIds.dimension,
          label: t("stats.dimension"),
          hint: t("stats.dimensionHint"),
          error: err("dimension"),
          value: this.input.dimension === Dimension.UNSPECIFIED ? "" : String(this.input.dimension),
          placeholder: t("stats.totalOnly"),
          choices: enumChoices(DimensionSchema, dimensions),
          onValue: (v) => {
            this.input.dimension = v ? (Number(v) as Dimension) : Dimension.UNSPECIFIED;
            this.input.category = "";
            this.render();
          },
        }),
        this.input.dimension !== Dimension.UNSPECIFIED
          ? selectField({
              id: fieldIds.category,
              label: t("stats.category"),
              error: err("category"),
              value: this.input.category,
              placeholder: t("stats.chooseCategory"),
              choices: categoriesOf(this.input.dimension).map((c) => ({ value: c, label: categoryText(this.input.dimension, c) })),
              onValue: (v) => {
                this.input.category = v;
              },
            })
          : null,
        checkboxField({
          id: "stats-round",
          label: t("stats.round"),
          checked: statsSettings.round,
          onValue: (v) => {
            statsSettings.round = v;
          },
        }),
        h("button", { type: "submit", id: "series-show" }, t("stats.show")),
      ),
      this.error !== undefined
        ? loadFailure("stats-retry", this.error, () => void this.load(), "stats-error")
        : null,
      this.buildSeries(),
    ];
  }

  private buildSeries(): Child {
    const s = this.series;
    if (!s) return this.loading ? h("p", { class: "loading" }, t("common.loading")) : null;
    const title = this.seriesTitle(s);
    const rows = s.points.map((p) => ({ label: pointText(p.period), figure: showFigure(p.figure), point: p }));
    const previous = s.previousDefinitionVersion;
    return [
      provenance(s),
      h(
        "section",
        { class: "breakdown", id: "series", "aria-labelledby": "series-heading" },
        h("h2", { id: "series-heading" }, title),
        rows.length === 0
          ? h("p", { id: "series-empty" }, t("stats.seriesEmpty"))
          : h(
              "div",
              { class: "breakdown-body" },
              h("div", { class: "chart-wrap" }, barChart("series-chart", t("stats.chartName", { title, period: formatCountry(this.country) }), rows)),
              h(
                "table",
                { class: "data", id: "series-table" },
                h("caption", null, t("stats.seriesCaption", { title, country: formatCountry(this.country) })),
                h(
                  "thead",
                  null,
                  h(
                    "tr",
                    null,
                    h("th", { scope: "col" }, t("stats.period")),
                    h("th", { scope: "col", class: "num" }, t("stats.value")),
                    previous ? h("th", { scope: "col", class: "num" }, t("stats.valuePrevious", { version: previous })) : null,
                  ),
                ),
                h(
                  "tbody",
                  null,
                  rows.map((r) =>
                    h(
                      "tr",
                      { "data-period": r.point.period },
                      h("th", { scope: "row" }, r.label),
                      figureCell(r.point.figure),
                      previous ? (r.point.previousDefinition ? figureCell(r.point.previousDefinition) : h("td", { class: "num" }, t("common.none"))) : null,
                    ),
                  ),
                ),
              ),
            ),
      ),
    ];
  }
}
