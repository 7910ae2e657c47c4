// What the statistics screens share: the choices of period, rounding and release (kept in memory
// while the screens are used, so that the country page shows what the table showed), the form
// fields for them, a figure in a table cell, and the lines that say where figures come from.
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import type { Figure, Release } from "../gen/consular/v1/statistics_pb";
import { CountryOrder } from "../gen/consular/v1/statistics_pb";
import { h, type Child } from "../dom";
import { formatTimestamp, isoTimestamp } from "../format";
import { t } from "../i18n/i18n";
import { problemText, type Problem } from "../casework/problems";
import { defaultPeriodInput, showFigure, suppressedMark, type PeriodField, type PeriodInput } from "../statistics/figures";
import { checkboxField, selectField, textField } from "./form";

export interface StatsSettings {
  period: PeriodInput;
  order: CountryOrder;
  round: boolean;
  /** 0: the newest release. */
  release: number;
}

/** The choices of this browser tab (memory only: nothing is stored). */
export const statsSettings: StatsSettings = {
  period: defaultPeriodInput(new Date().getUTCFullYear()),
  order: CountryOrder.VOLUME,
  round: false,
  release: 0,
};

export const periodFieldIds: Readonly<Record<PeriodField, string>> = {
  year: "stats-year",
  quarter: "stats-quarter",
  fromYear: "stats-from-year",
  fromQuarter: "stats-from-quarter",
  toYear: "stats-to-year",
  toQuarter: "stats-to-quarter",
};

function quarterChoices() {
  return [1, 2, 3, 4].map((q) => ({ value: String(q), label: t("stats.quarterNumber", { quarter: String(q) }) }));
}

/** The fields of the period, its kind first; `changed` re-renders when the kind changes. */
export function periodFields(
  input: PeriodInput,
  problems: Partial<Record<PeriodField, Problem>>,
  changed: () => void,
): Child[] {
  const err = (f: PeriodField) => (problems[f] ? problemText(problems[f]!) : undefined);
  const year = (f: "year" | "fromYear" | "toYear", label: string) =>
    textField({
      id: periodFieldIds[f],
      label,
      hint: f === "year" ? t("stats.yearHint") : undefined,
      error: err(f),
      value: input[f],
      onValue: (v) => {
        input[f] = v;
      },
    });
  const quarter = (f: "quarter" | "fromQuarter" | "toQuarter", label: string) =>
    selectField({
      id: periodFieldIds[f],
      label,
      error: err(f),
      value: input[f],
      choices: quarterChoices(),
      onValue: (v) => {
        input[f] = v;
      },
    });
  return [
    selectField({
      id: "stats-period-kind",
      label: t("stats.periodKind"),
      value: input.kind,
      choices: [
        { value: "year", label: t("stats.periodYear") },
        { value: "quarter", label: t("stats.periodQuarter") },
        { value: "range", label: t("stats.periodRange") },
      ],
      onValue: (v) => {
        if (v === "year" || v === "quarter" || v === "range") input.kind = v;
        changed();
      },
    }),
    input.kind === "range"
      ? [year("fromYear", t("stats.fromYear")), quarter("fromQuarter", t("stats.fromQuarter")), year("toYear", t("stats.toYear")), quarter("toQuarter", t("stats.toQuarter"))]
      : [year("year", t("stats.year")), input.kind === "quarter" ? quarter("quarter", t("stats.quarter")) : null],
  ];
}

export function releaseLabel(r: Release): string {
  return t("stats.releaseOption", { number: String(r.number), date: formatTimestamp(r.cutOff) });
}

/** The release select (newest first, "the newest" as the default) and the rounding box. */
export function releaseAndRounding(settings: StatsSettings, releases: readonly Release[] | undefined, releaseError?: string): Child[] {
  return [
    selectField({
      id: "stats-release",
      label: t("stats.release"),
      error: releaseError,
      value: String(settings.release),
      choices: [{ value: "0", label: t("stats.newestRelease") }, ...(releases ?? []).map((r) => ({ value: String(r.number), label: releaseLabel(r) }))],
      onValue: (v) => {
        settings.release = Number(v) || 0;
      },
    }),
    checkboxField({
      id: "stats-round",
      label: t("stats.round"),
      checked: settings.round,
      onValue: (v) => {
        settings.round = v;
      },
    }),
  ];
}

/** A figure in a table cell: its number, or the mark with "not published" for screen readers. */
export function figureContent(f: Figure | undefined): Child {
  const shown = showFigure(f);
  if (!shown.suppressed) return shown.text;
  return [h("span", { class: "suppressed-mark", "aria-hidden": "true" }, suppressedMark), h("span", { class: "visually-hidden" }, t("stats.notPublished"))];
}

export function figureCell(f: Figure | undefined, id?: string): HTMLElement {
  const shown = showFigure(f);
  return h("td", { class: shown.suppressed ? "num suppressed" : "num", id, "data-suppressed": shown.suppressed ? "true" : "false" }, figureContent(f));
}

/** "Release 3, definitions 2, figures as of …" and the legend of the mark (and rounding). */
export function provenance(a: {
  release: number;
  definitionVersion: string;
  asOf?: Timestamp;
  threshold: number;
  roundedToBase5: boolean;
  previousDefinitionVersion?: string;
}): HTMLElement {
  return h(
    "div",
    { class: "provenance", id: "stats-provenance" },
    h(
      "p",
      null,
      t("stats.freshness", { release: String(a.release), definitions: a.definitionVersion }),
      " ",
      a.asOf ? h("time", { datetime: isoTimestamp(a.asOf) }, t("stats.asOf", { when: formatTimestamp(a.asOf) })) : null,
    ),
    h("p", { id: "stats-legend", class: "legend" }, t("stats.legend", { mark: suppressedMark, threshold: a.threshold })),
    a.roundedToBase5 ? h("p", { class: "legend" }, t("stats.roundedNote")) : null,
    a.previousDefinitionVersion
      ? h("p", { class: "legend", id: "stats-overlap-note" }, t("stats.overlapNote", { previous: a.previousDefinitionVersion, current: a.definitionVersion }))
      : null,
  );
}

