// "Statistics" (#/statistics, policy staff and administrators): the countries of a period
// (StatisticsService.ListCountries) with their published figures, each linking to its country
// page; the period (a year, a quarter or a range of whole quarters), the order, rounding to base 5
// and the release to read (ListReleases; the newest by default). Below, the releases, and for
// administrators "make a release" (CreateRelease, one request_id per press, reused on retry).
import { CountryOrder, CountryOrderSchema, ReleaseKindSchema, type ListCountriesResponse, type Release } from "../gen/consular/v1/statistics_pb";
import { h, type Child } from "../dom";
import { enumLabel } from "../enums";
import { errorMessage, isAbort } from "../errors";
import { formatCountry, formatTimestamp, isoTimestamp } from "../format";
import { formatNumber, t, tPlural } from "../i18n/i18n";
import { mutate, withRetry } from "../rpc";
import { fieldProblemOf, problemText, type Problem } from "../casework/problems";
import { buildPeriod, periodFieldOfPath, periodText, type PeriodField, type PeriodRequest } from "../statistics/figures";
import { enumChoices, selectField } from "./form";
import { figureCell, periodFieldIds, periodFields, provenance, releaseAndRounding, statsSettings } from "./stats-common";
import { BaseView, type AppContext } from "./view";
import { loadFailure, moreButton } from "./lists";

export function countryStatsHref(country: string): string {
  return `#/statistics/${country}`;
}

export class StatisticsView extends BaseView {
  private readonly settings = statsSettings;
  private readonly isAdministrator: boolean;
  private problems: Partial<Record<PeriodField, Problem>> = {};
  private releaseProblem: Problem | undefined;
  private answer: ListCountriesResponse | undefined;
  private shownPeriod: PeriodRequest | undefined;
  private loading = false;
  private error: unknown;
  private releases: Release[] | undefined;
  private releasesError: unknown;
  private releasesNext = "";
  private making = false;
  private made: Release | undefined;
  private makeError: unknown;

  constructor(private readonly ctx: AppContext) {
    super();
    this.isAdministrator = ctx.session.role === "ROLE_ADMINISTRATOR";
    this.render();
    void this.loadReleases();
    void this.load();
  }

  title(): string {
    return t("stats.title");
  }

  /** The first page of releases, or with a page token the next one after those shown. */
  private async loadReleases(pageToken = ""): Promise<void> {
    try {
      const response = await withRetry(
        () => this.ctx.clients.statistics.listReleases({ pageSize: 50, pageToken }, { signal: this.abort.signal }),
        { signal: this.abort.signal },
      );
      this.releases = pageToken ? [...(this.releases ?? []), ...response.releases] : response.releases;
      this.releasesNext = response.nextPageToken;
      this.releasesError = undefined;
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.releasesError = error;
    }
    this.render();
  }

  private submit(event: Event): void {
    event.preventDefault();
    void this.load();
  }

  private async load(): Promise<void> {
    const built = buildPeriod(this.settings.period);
    this.releaseProblem = undefined;
    if (built.problems) {
      this.problems = built.problems;
      this.render();
      const first = (Object.keys(built.problems) as PeriodField[])[0]!;
      document.getElementById(periodFieldIds[first])?.focus();
      return;
    }
    this.problems = {};
    this.loading = true;
    this.error = undefined;
    this.render();
    try {
      const request = { period: built.period, orderBy: this.settings.order, roundToBase5: this.settings.round, release: this.settings.release };
      this.answer = await withRetry(() => this.ctx.clients.statistics.listCountries(request, { signal: this.abort.signal }), { signal: this.abort.signal });
      this.shownPeriod = built.period;
      this.ctx.announce(tPlural("stats.countriesLoaded", this.answer.countries.length));
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      const field = fieldProblemOf(error);
      if (field && field.path.startsWith("period")) {
        this.problems = { [periodFieldOfPath(field.path, this.settings.period.kind)]: field.problem };
      } else if (field && field.path === "release") {
        this.releaseProblem = field.problem;
      } else {
        this.error = error;
      }
      this.ctx.announce(field ? problemText(field.problem) : errorMessage(error));
    } finally {
      this.loading = false;
    }
    this.render();
  }

  private async makeRelease(): Promise<void> {
    if (this.making) return;
    this.making = true;
    this.made = undefined;
    this.makeError = undefined;
    this.render();
    try {
      this.made = await mutate((requestId) => this.ctx.clients.statistics.createRelease({ requestId }, { signal: this.abort.signal }), {
        signal: this.abort.signal,
      });
      this.ctx.announce(t("stats.releaseMade", { number: String(this.made.number) }));
      await this.loadReleases();
    } catch (error) {
      if (isAbort(error) || this.ctx.handleCommonError(error)) return;
      this.makeError = error;
    } finally {
      this.making = false;
    }
    this.render();
    document.getElementById("stats-release-result")?.focus();
  }

  protected build(): Child[] {
    return [
      h("h1", { tabindex: -1 }, t("stats.title")),
      h("p", { class: "lead" }, t("stats.intro")),
      h(
        "form",
        { id: "stats-filters", class: "form filters", novalidate: true, onsubmit: (e: Event) => this.submit(e) },
        periodFields(this.settings.period, this.problems, () => this.render()),
        selectField({
          id: "stats-order",
          label: t("stats.order"),
          value: String(this.settings.order),
          choices: enumChoices(CountryOrderSchema, [CountryOrder.VOLUME, CountryOrder.RECOGNITION_REFUSALS, CountryOrder.UNRESOLVED, CountryOrder.COUNTRY]),
          onValue: (v) => {
            this.settings.order = Number(v) as CountryOrder;
          },
        }),
        releaseAndRounding(this.settings, this.releases, this.releaseProblem ? problemText(this.releaseProblem) : undefined),
        h("button", { type: "submit", id: "stats-show" }, t("stats.show")),
      ),
      this.error !== undefined
        ? loadFailure("stats-retry", this.error, () => void this.load(), "stats-error")
        : null,
      this.buildTable(),
      this.buildReleases(),
    ];
  }

  private buildTable(): Child {
    const a = this.answer;
    if (!a) return this.loading ? h("p", { class: "loading" }, t("common.loading")) : null;
    const period = periodText(this.shownPeriod);
    return [
      provenance(a),
      a.countries.length === 0
        ? h("p", { id: "stats-empty" }, t("stats.noCountries", { period }))
        : h(
            "div",
            { class: "table-scroll", role: "region", "aria-labelledby": "stats-caption", tabindex: 0 },
            h(
              "table",
              { id: "stats-countries", class: "data figures", "aria-busy": this.loading ? "true" : "false" },
              h("caption", { id: "stats-caption" }, t("stats.countriesCaption", { period })),
              h(
                "thead",
                null,
                h(
                  "tr",
                  null,
                  h("th", { scope: "col" }, t("stats.country")),
                  h("th", { scope: "col", class: "num" }, t("stats.casesOpened")),
                  h("th", { scope: "col", class: "num" }, t("stats.casesResolved")),
                  h("th", { scope: "col", class: "num" }, t("stats.casesUnresolved")),
                  h("th", { scope: "col", class: "num" }, t("stats.recognitionGranted")),
                  h("th", { scope: "col", class: "num" }, t("stats.recognitionRefused")),
                  h("th", { scope: "col", class: "num" }, t("stats.returnedToNl")),
                  h("th", { scope: "col", class: "num" }, t("stats.contacts")),
                  a.previousDefinitionVersion
                    ? h("th", { scope: "col", class: "num" }, t("stats.contactsPrevious", { version: a.previousDefinitionVersion }))
                    : null,
                ),
              ),
              h(
                "tbody",
                null,
                a.countries.map((r) =>
                  h(
                    "tr",
                    { id: `stats-row-${r.country}` },
                    h("th", { scope: "row" }, h("a", { href: countryStatsHref(r.country), id: `stats-link-${r.country}` }, formatCountry(r.country))),
                    figureCell(r.casesOpened, `stats-opened-${r.country}`),
                    figureCell(r.casesResolved),
                    figureCell(r.casesUnresolved),
                    figureCell(r.recognitionGranted),
                    figureCell(r.recognitionRefused),
                    figureCell(r.returnedToNl),
                    figureCell(r.contacts),
                    a.previousDefinitionVersion ? figureCell(r.previousDefinitionContacts) : null,
                  ),
                ),
              ),
            ),
          ),
    ];
  }

  private buildReleases(): HTMLElement {
    let result: Child = null;
    if (this.made) {
      result = h("div", { id: "stats-release-result", class: "message", role: "status", tabindex: -1 }, h("p", null, t("stats.releaseMade", { number: String(this.made.number) })));
    } else if (this.makeError !== undefined) {
      result = h("div", { id: "stats-release-result", class: "message message-error", role: "alert", tabindex: -1 }, h("p", null, errorMessage(this.makeError)));
    }
    const releases = this.releases;
    return h(
      "section",
      { id: "stats-releases", class: "card", "aria-labelledby": "stats-releases-heading" },
      h("h2", { id: "stats-releases-heading" }, t("stats.releasesHeading")),
      h("p", null, t("stats.releasesIntro")),
      this.isAdministrator
        ? h(
            "button",
            { type: "button", id: "stats-make-release", "aria-disabled": this.making ? "true" : "false", onclick: () => void this.makeRelease() },
            this.making ? t("stats.makingRelease") : t("stats.makeRelease"),
          )
        : null,
      result,
      this.releasesError !== undefined ? h("p", { class: "message message-error", role: "alert" }, errorMessage(this.releasesError)) : null,
      releases === undefined
        ? null
        : releases.length === 0
          ? h("p", { id: "stats-releases-empty" }, t("stats.noReleases"))
          : h(
              "div",
              { class: "table-scroll", role: "region", "aria-labelledby": "stats-releases-caption", tabindex: 0 },
              h(
                "table",
                { id: "stats-releases-table", class: "data" },
                h("caption", { id: "stats-releases-caption" }, t("stats.releasesCaption")),
                h(
                  "thead",
                  null,
                  h(
                    "tr",
                    null,
                    h("th", { scope: "col" }, t("stats.releaseNumber")),
                    h("th", { scope: "col" }, t("stats.releaseKind")),
                    h("th", { scope: "col" }, t("stats.cutOff")),
                    h("th", { scope: "col" }, t("stats.definitions")),
                    h("th", { scope: "col" }, t("stats.madeBy")),
                    h("th", { scope: "col", class: "num" }, t("stats.countries")),
                    h("th", { scope: "col", class: "num" }, t("stats.cellsSuppressed")),
                  ),
                ),
                h(
                  "tbody",
                  null,
                  releases.map((r) =>
                    h(
                      "tr",
                      { id: `stats-release-${r.number}` },
                      h("th", { scope: "row" }, formatNumber(r.number)),
                      h("td", null, enumLabel(ReleaseKindSchema, r.kind)),
                      h("td", { class: "nowrap" }, r.cutOff ? h("time", { datetime: isoTimestamp(r.cutOff) }, formatTimestamp(r.cutOff)) : t("common.none")),
                      h("td", null, r.definitionVersion),
                      h("td", null, r.madeBy),
                      h("td", { class: "num" }, formatNumber(r.countries)),
                      h("td", { class: "num" }, t("stats.suppressedOfCells", { suppressed: Number(r.cellsSuppressed), cells: Number(r.cells) })),
                    ),
                  ),
                ),
              ),
            ),
      this.releasesNext
        ? moreButton("stats-releases-more", t("stats.moreReleases"), () => void this.loadReleases(this.releasesNext))
        : null,
    );
  }
}
