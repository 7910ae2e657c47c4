// One country's figures (#/statistics/<CC>, policy staff and administrators):
// StatisticsService.GetCountryStatistics for the period, release and rounding chosen, its headline
// figures, and each breakdown as a bar chart with its table (the chart's accessible equivalent);
// a suppressed figure is marked, never drawn. The country dossier (ReportService.
// RenderCountryDossier) as HTML in the screen's language, CSV or JSON, saved through a download
// link of a Blob that is let go at once (nothing is kept in the browser).
import {
  DimensionSchema,
  DossierFormat,
  MeasureSchema,
  type Breakdown,
  type CountryStatistics,
  type Figure,
} from "../gen/consular/v1/statistics_pb";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { errorMessage, isAbort } from "../errors";
import { formatCountry } from "../format";
import { language, t } from "../i18n/i18n";
import { withRetry } from "../rpc";
import { fieldProblemOf, problemText, type Problem } from "../casework/problems";
import { buildPeriod, categoryText, periodFieldOfPath, periodText, showFigure, type PeriodField, type PeriodRequest } from "../statistics/figures";
import { barChart } from "./chart";
import { selectField } from "./form";
import { figureCell, periodFieldIds, periodFields, provenance, releaseAndRounding, statsSettings } from "./stats-common";
import { BaseView, type AppContext } from "./view";
import { loadFailure } from "./lists";
import type { Release } from "../gen/consular/v1/statistics_pb";

/** Saves bytes as a file through a temporary object URL and a download link. */
export function saveFile(content: Uint8Array, contentType: string, filename: string): void {
  const blob = new Blob([content.slice()], { type: contentType || "application/octet-stream" });
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, class: "visually-hidden" });
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The download has its own copy once it started; the URL is let go right after.
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export class CountryStatsView extends BaseView {
  private readonly settings = statsSettings;
  private problems: Partial<Record<PeriodField, Problem>> = {};
  private stats: CountryStatistics | undefined;
  private shownPeriod: PeriodRequest | undefined;
  private loading = false;
  private error: unknown;
  private releases: Release[] | undefined;
  private format: DossierFormat = DossierFormat.HTML;
  private downloading = false;
  private downloadError: unknown;
  private downloaded: string | undefined;

  constructor(
    private readonly ctx: AppContext,
    private readonly country: string,
  ) {
    super();
    this.render();
    void this.loadReleases();
    void this.load();
  }

  title(): string {
    return t("stats.countryTitle", { country: formatCountry(this.country) });
  }

  private async loadReleases(): Promise<void> {
    try {
      const r = await withRetry(() => this.ctx.clients.statistics.listReleases({ pageSize: 100 }, { signal: this.abort.signal }), { signal: this.abort.signal });
      this.releases = r.releases;
      this.render();
    } catch (error) {
      if (isAbort(error)) return;
      this.ctx.handleCommonError(error);
    }
  }

  private async load(): Promise<void> {
    const built = buildPeriod(this.settings.period);
    if (built.problems) {
      this.problems = built.problems;
      this.render();
      document.getElementById(periodFieldIds[(Object.keys(built.problems) as PeriodField[])[0]!])?.focus();
      return;
    }
    this.problems = {};
    this.loading = true;
    this.error = undefined;
    this.render();
    try {
      const request = { country: this.country, period: built.period, roundToBase5: this.settings.round, release: this.settings.release };
      this.stats = await withRetry(() => this.ctx.clients.statistics.getCountryStatistics(request, { signal: this.abort.signal }), { signal: this.abort.signal });
      this.shownPeriod = built.period;
      this.ctx.announce(t("stats.countryLoaded", { country: formatCountry(this.country), period: periodText(built.period) }));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      const field = fieldProblemOf(error);
      if (field && field.path.startsWith("period")) this.problems = { [periodFieldOfPath(field.path, this.settings.period.kind)]: field.problem };
      else this.error = error;
      this.ctx.announce(field ? problemText(field.problem) : errorMessage(error));
    } finally {
      this.loading = false;
    }
    this.render();
  }

  private async download(): Promise<void> {
    if (this.downloading) return;
    const built = buildPeriod(this.settings.period);
    if (built.problems) {
      this.problems = built.problems;
      this.render();
      return;
    }
    this.downloading = true;
    this.downloadError = undefined;
    this.downloaded = undefined;
    this.render();
    try {
      const request = {
        country: this.country,
        period: built.period,
        format: this.format,
        roundToBase5: this.settings.round,
        release: this.settings.release,
        language: language(),
      };
      const dossier = await withRetry(() => this.ctx.clients.reports.renderCountryDossier(request, { signal: this.abort.signal }), { signal: this.abort.signal });
      saveFile(dossier.content, dossier.contentType, dossier.filename);
      this.downloaded = dossier.filename;
      this.ctx.announce(t("stats.dossierSaved", { file: dossier.filename }));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.downloadError = error;
    } finally {
      this.downloading = false;
    }
    this.render();
  }

  protected build(): Child[] {
    const name = formatCountry(this.country);
    return [
      h("p", { class: "breadcrumb" }, h("a", { href: "#/statistics", id: "stats-back" }, t("stats.backToCountries"))),
      h("h1", { tabindex: -1 }, t("stats.countryTitle", { country: name })),
      h(
        "form",
        {
          id: "stats-country-filters",
          class: "form filters",
          novalidate: true,
          onsubmit: (e: Event) => {
            e.preventDefault();
            void this.load();
          },
        },
        periodFields(this.settings.period, this.problems, () => this.render()),
        releaseAndRounding(this.settings, this.releases),
        h("button", { type: "submit", id: "stats-show" }, t("stats.show")),
      ),
      h("p", null, h("a", { href: `#/statistics/${this.country}/series`, id: "stats-series-link" }, t("stats.seriesLink", { country: name }))),
      this.error !== undefined
        ? loadFailure("stats-retry", this.error, () => void this.load(), "stats-error")
        : null,
      this.buildFigures(),
      this.buildDossier(),
    ];
  }

  private buildFigures(): Child {
    const s = this.stats;
    if (!s) return this.loading ? h("p", { class: "loading" }, t("common.loading")) : null;
    const period = periodText(this.shownPeriod);
    const headline: [string, string, Figure | undefined][] = [
      ["opened", t("stats.casesOpened"), s.casesOpened],
      ["resolved", t("stats.casesResolved"), s.casesResolved],
      ["unresolved", t("stats.casesUnresolvedAtEnd"), s.casesUnresolved],
      ["contacts", t("stats.contacts"), s.contacts],
      ["median", t("stats.medianDays"), s.medianDaysToResolution],
    ];
    return h(
      "div",
      { id: "stats-figures" },
      provenance({ ...s, previousDefinitionVersion: s.previousDefinition?.definitionVersion }),
      h(
        "table",
        { id: "stats-headline", class: "data headline" },
        h("caption", null, t("stats.headlineCaption", { country: formatCountry(this.country), period })),
        h("thead", null, h("tr", null, h("th", { scope: "col" }, t("stats.figure")), h("th", { scope: "col", class: "num" }, t("stats.value")))),
        h(
          "tbody",
          null,
          headline.map(([id, label, f]) => h("tr", null, h("th", { scope: "row" }, label), figureCell(f, `stats-headline-${id}`))),
        ),
      ),
      s.breakdowns.map((b, i) => this.buildBreakdown(b, `stats-breakdown-${i}`, period)),
      s.previousDefinition
        ? h(
            "section",
            { class: "card", id: "stats-previous", "aria-labelledby": "stats-previous-heading" },
            h("h2", { id: "stats-previous-heading" }, t("stats.previousHeading", { version: s.previousDefinition.definitionVersion })),
            h("p", null, t("stats.previousIntro")),
            h(
              "table",
              { class: "data" },
              h("caption", null, t("stats.previousCaption", { version: s.previousDefinition.definitionVersion })),
              h("tbody", null, h("tr", null, h("th", { scope: "row" }, t("stats.contactsWithPartners")), figureCell(s.previousDefinition.contacts))),
            ),
            s.previousDefinition.breakdowns.map((b, i) => this.buildBreakdown(b, `stats-previous-breakdown-${i}`, period)),
          )
        : null,
    );
  }

  private buildBreakdown(b: Breakdown, id: string, period: string): HTMLElement {
    const title = t("stats.breakdownTitle", { measure: enumLabel(MeasureSchema, b.measure), dimension: enumLabel(DimensionSchema, b.dimension) });
    const rows = b.cells.map((c) => ({ label: categoryText(b.dimension, c.category), figure: showFigure(c.figure), raw: c.figure, category: c.category }));
    return h(
      "section",
      { class: "breakdown", id, "aria-labelledby": `${id}-heading`, "data-measure": MeasureSchema.value[b.measure]?.name ?? "", "data-dimension": DimensionSchema.value[b.dimension]?.name ?? "" },
      h("h2", { id: `${id}-heading` }, title),
      h(
        "div",
        { class: "breakdown-body" },
        h("div", { class: "chart-wrap" }, barChart(`${id}-chart`, t("stats.chartName", { title, period }), rows)),
        h(
          "table",
          { class: "data", id: `${id}-table` },
          h("caption", null, t("stats.breakdownCaption", { title, period })),
          h("thead", null, h("tr", null, h("th", { scope: "col" }, t("stats.category")), h("th", { scope: "col", class: "num" }, t("stats.value")))),
          h(
            "tbody",
            null,
            rows.map((r) => h("tr", { "data-category": r.category }, h("th", { scope: "row" }, r.label), figureCell(r.raw))),
          ),
          h("tfoot", null, h("tr", null, h("th", { scope: "row" }, t("stats.total")), figureCell(b.total))),
        ),
      ),
    );
  }

  private buildDossier(): HTMLElement {
    return h(
      "section",
      { id: "stats-dossier", class: "card", "aria-labelledby": "stats-dossier-heading" },
      h("h2", { id: "stats-dossier-heading" }, t("stats.dossierHeading")),
      h("p", null, t("stats.dossierIntro")),
      selectField({
        id: "stats-dossier-format",
        label: t("stats.dossierFormat"),
        value: String(this.format),
        choices: [
          { value: String(DossierFormat.HTML), label: t("stats.formatHtml") },
          { value: String(DossierFormat.CSV), label: t("stats.formatCsv") },
          { value: String(DossierFormat.JSON), label: t("stats.formatJson") },
        ],
        onValue: (v) => {
          this.format = Number(v) as DossierFormat;
        },
      }),
      h(
        "button",
        { type: "button", id: "stats-dossier-download", "aria-disabled": this.downloading ? "true" : "false", onclick: () => void this.download() },
        this.downloading ? t("stats.downloading") : t("stats.download"),
      ),
      this.downloaded ? h("p", { id: "stats-dossier-done", role: "status" }, t("stats.dossierSaved", { file: this.downloaded })) : null,
      this.downloadError !== undefined ? h("p", { class: "message message-error", role: "alert", id: "stats-dossier-error" }, errorMessage(this.downloadError)) : null,
    );
  }
}
