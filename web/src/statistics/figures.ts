// The statistics screens' rules, kept apart from the DOM so that they are tested alone: how a
// published or suppressed figure is shown, the period asked for, the words of a period and of a
// breakdown's categories, and the scale of a bar chart.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Figure, PeriodSchema } from "../gen/consular/v1/statistics_pb";
import type { DescEnum } from "@bufbuild/protobuf";
import { Dimension, Interval, Measure } from "../gen/consular/v1/statistics_pb";
import {
  CaseStatusSchema,
  CaseTypeSchema,
  ContactPurposeSchema,
  NationalityStatusSchema,
  OutcomeSchema,
  PartnerKindSchema,
  ReferralSourceSchema,
  RiskFlagSchema,
  SexSchema,
} from "../gen/consular/v1/common_pb";
import { ProceedingsStageSchema, RecognitionDecisionSchema, RecognitionObstacleSchema, ReturnFundingSchema } from "../gen/consular/v1/cases_pb";
import { formatNumber, language, locale, t, tMaybe, type Lang, type MessageKey } from "../i18n/i18n";
import type { Problem } from "../casework/problems";

/** The mark of a figure that is not published (as consularctl prints it); the legend explains it. */
export const suppressedMark = "x";

/** A figure as the screens use it: its number when published, else only that it is suppressed. */
export interface ShownFigure {
  suppressed: boolean;
  /** Undefined when suppressed or absent: never 0 for a figure not published. */
  value: number | undefined;
  text: string;
}

export function showFigure(f: Figure | undefined, lang: Lang = language()): ShownFigure {
  if (!f || f.suppressed) return { suppressed: true, value: undefined, text: suppressedMark };
  const value = Number(f.value);
  return { suppressed: false, value, text: formatNumber(value, lang) };
}

/** ISO 3166-1 alpha-2, the only thing a statistics address names. */
export function isCountryCode(s: string): boolean {
  return /^[A-Z]{2}$/.test(s);
}

export type PeriodKind = "year" | "quarter" | "range";

/** The period as the form holds it (text of the fields). */
export interface PeriodInput {
  kind: PeriodKind;
  year: string;
  quarter: string;
  fromYear: string;
  fromQuarter: string;
  toYear: string;
  toQuarter: string;
}

export type PeriodField = "year" | "quarter" | "fromYear" | "fromQuarter" | "toYear" | "toQuarter";

export function defaultPeriodInput(year: number): PeriodInput {
  const y = String(year);
  return { kind: "year", year: y, quarter: "1", fromYear: y, fromQuarter: "1", toYear: y, toQuarter: "4" };
}

export const minYear = 2000;
export const maxYear = 2100;

function yearOf(s: string): number | undefined {
  const trimmed = s.trim();
  if (!/^\d{4}$/.test(trimmed)) return undefined;
  const n = Number(trimmed);
  return n >= minYear && n <= maxYear ? n : undefined;
}

function quarterOf(s: string): number | undefined {
  return /^[1-4]$/.test(s.trim()) ? Number(s.trim()) : undefined;
}

function lastDayOfQuarter(year: number, quarter: number): { year: number; month: number; day: number } {
  const month = quarter * 3;
  return { year, month, day: new Date(Date.UTC(year, month, 0)).getUTCDate() };
}

export type PeriodRequest = MessageInitShape<typeof PeriodSchema>;

interface DateParts {
  year: number;
  month: number;
  day: number;
}

/** A period as asked for or as answered. */
export interface PeriodLike {
  kind?:
    | { case: "year"; value: number }
    | { case: "quarter"; value: { year?: number; quarter?: number } }
    | { case: "range"; value: { from?: Partial<DateParts>; to?: Partial<DateParts> } }
    | { case: undefined; value?: undefined };
}

/** The Period to ask for, or what is wrong with each field. A range is whole quarters. */
export function buildPeriod(
  input: PeriodInput,
): { period: PeriodRequest; problems?: undefined } | { period?: undefined; problems: Partial<Record<PeriodField, Problem>> } {
  const yearProblem: Problem = { key: "stats.problemYear", params: { min: String(minYear), max: String(maxYear) } };
  const quarterProblem: Problem = { key: "stats.problemQuarter" };
  const problems: Partial<Record<PeriodField, Problem>> = {};
  if (input.kind === "year") {
    const year = yearOf(input.year);
    if (year === undefined) return { problems: { year: yearProblem } };
    return { period: { kind: { case: "year", value: year } } };
  }
  if (input.kind === "quarter") {
    const year = yearOf(input.year);
    const quarter = quarterOf(input.quarter);
    if (year === undefined) problems.year = yearProblem;
    if (quarter === undefined) problems.quarter = quarterProblem;
    if (year === undefined || quarter === undefined) return { problems };
    return { period: { kind: { case: "quarter", value: { year, quarter } } } };
  }
  const fromYear = yearOf(input.fromYear);
  const fromQuarter = quarterOf(input.fromQuarter);
  const toYear = yearOf(input.toYear);
  const toQuarter = quarterOf(input.toQuarter);
  if (fromYear === undefined) problems.fromYear = yearProblem;
  if (fromQuarter === undefined) problems.fromQuarter = quarterProblem;
  if (toYear === undefined) problems.toYear = yearProblem;
  if (toQuarter === undefined) problems.toQuarter = quarterProblem;
  if (fromYear === undefined || fromQuarter === undefined || toYear === undefined || toQuarter === undefined) {
    return { problems };
  }
  if (toYear * 4 + toQuarter < fromYear * 4 + fromQuarter) return { problems: { toYear: { key: "stats.problemRangeOrder" } } };
  const from = { year: fromYear, month: fromQuarter * 3 - 2, day: 1 };
  const to = lastDayOfQuarter(toYear, toQuarter);
  return { period: { kind: { case: "range", value: { from, to } } } };
}

/** The field of the form a server's INVALID_ARGUMENT names by its path ("period.range.to"). */
export function periodFieldOfPath(path: string, kind: PeriodKind): PeriodField {
  if (kind === "range") return /\.to\b/.test(path) ? "toYear" : "fromYear";
  if (kind === "quarter" && /quarter\.quarter$/.test(path)) return "quarter";
  return "year";
}

function dateText(d: Partial<DateParts> | undefined, lang: Lang): string {
  if (!d?.year || !d.month || !d.day) return "";
  return new Intl.DateTimeFormat(locale(lang), { dateStyle: "medium", timeZone: "UTC" }).format(
    new Date(Date.UTC(d.year, d.month - 1, d.day)),
  );
}

/** A period in words: "2026", "K2 2026" / "Q2 2026", "1 jan 2026 – 30 jun 2026". */
export function periodText(p: PeriodLike | undefined, lang: Lang = language()): string {
  const kind = p?.kind;
  if (!kind || kind.case === undefined) return "";
  if (kind.case === "year") return String(kind.value);
  if (kind.case === "quarter") return t("stats.quarterOfYear", { quarter: String(kind.value.quarter ?? ""), year: String(kind.value.year ?? "") }, lang);
  return t("stats.dateRange", { from: dateText(kind.value.from, lang), to: dateText(kind.value.to, lang) }, lang);
}

/** "2026", "2026-Q1", "2026-03" (a time point or a MONTH category) in words. */
export function pointText(period: string, lang: Lang = language()): string {
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})-Q([1-4])$/.exec(period))) return t("stats.quarterOfYear", { quarter: m[2]!, year: m[1]! }, lang);
  if ((m = /^(\d{4})-(\d{2})$/.exec(period))) {
    return new Intl.DateTimeFormat(locale(lang), { month: "short", year: "numeric", timeZone: "UTC" }).format(
      new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)),
    );
  }
  return period;
}

// Categories that are not values of an enum of the API (or its unspecified value, which has a
// meaning here).
const categoryKeys: Readonly<Record<string, MessageKey>> = {
  YES: "common.yes",
  NO: "common.no",
  AGE_GROUP_MINOR: "stats.ageMinor",
  AGE_GROUP_YOUNG_ADULT: "stats.ageYoungAdult",
  AGE_GROUP_ADULT: "stats.ageAdult",
  AGE_GROUP_UNKNOWN: "stats.ageUnknown",
  CHILDREN_NONE: "stats.childrenNone",
  CHILDREN_ONE: "stats.childrenOne",
  CHILDREN_TWO: "stats.childrenTwo",
  CHILDREN_THREE_OR_MORE: "stats.childrenThreeOrMore",
  CHILDREN_UNKNOWN: "stats.childrenUnknown",
  RECOGNITION_DECISION_UNSPECIFIED: "stats.noDecisionYet",
  RETURN_FUNDING_UNSPECIFIED: "stats.notRecorded",
  PROCEEDINGS_STAGE_UNSPECIFIED: "stats.noStageRecorded",
};

/** A breakdown's category in words. */
export function categoryText(dimension: Dimension, category: string, lang: Lang = language()): string {
  if (dimension === Dimension.MONTH) return pointText(category, lang);
  const key = categoryKeys[category];
  if (key) return t(key, undefined, lang);
  return tMaybe(`enum.${category}`, undefined, lang) ?? category;
}

/** Which dimensions a measure is broken down by (statistics.proto), MONTH left out. */
export function dimensionsOf(measure: Measure): Dimension[] {
  switch (measure) {
    case Measure.CASES_OPENED:
      return [
        Dimension.CASE_TYPE,
        Dimension.STATUS,
        Dimension.AGE_GROUP,
        Dimension.MOTHER_WITH_MINOR_CHILDREN,
        Dimension.SEX,
        Dimension.NATIONALITY_STATUS,
        Dimension.REFERRAL_SOURCE,
        Dimension.RISK_FLAG,
        Dimension.RECOGNITION_DECISION,
        Dimension.RECOGNITION_OBSTACLE,
        Dimension.RECOGNITION_STAGE,
        Dimension.CHILDREN,
      ];
    case Measure.CASES_RESOLVED:
      return [Dimension.CASE_TYPE, Dimension.OUTCOME, Dimension.RETURN_FUNDING];
    case Measure.CASES_UNRESOLVED:
      return [Dimension.CASE_TYPE];
    case Measure.CONTACTS:
      return [Dimension.PARTNER_KIND, Dimension.CONTACT_PURPOSE];
    default:
      return [];
  }
}

/** The smallest "nice" number (1, 2 or 5 times a power of ten) at or above max; 1 for nothing. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= max) return step * power;
  }
  return 10 * power;
}

export interface ScaledBar {
  label: string;
  figure: ShownFigure;
  /** The bar's length in units of the chart's width; 0 and no bar for a suppressed figure. */
  length: number;
}

/** Bars for figures on a scale from 0 to a nice maximum over the published figures only. */
export function scaleBars(items: readonly { label: string; figure: ShownFigure }[], width: number): { bars: ScaledBar[]; max: number } {
  const published = items.map((i) => i.figure.value).filter((v): v is number => v !== undefined);
  const max = niceMax(Math.max(0, ...published));
  const bars = items.map((i) => ({
    label: i.label,
    figure: i.figure,
    length: i.figure.value === undefined ? 0 : (i.figure.value / max) * width,
  }));
  return { bars, max };
}

function names(schema: DescEnum, withUnspecified = false): string[] {
  return schema.values.filter((v) => withUnspecified || v.number !== 0).map((v) => v.name);
}

/** The categories of a dimension as the service names them (statistics.proto), MONTH aside. */
export function categoriesOf(dimension: Dimension): string[] {
  switch (dimension) {
    case Dimension.CASE_TYPE:
      return names(CaseTypeSchema);
    case Dimension.STATUS:
      return names(CaseStatusSchema);
    case Dimension.OUTCOME:
      return names(OutcomeSchema);
    case Dimension.AGE_GROUP:
      return ["AGE_GROUP_MINOR", "AGE_GROUP_YOUNG_ADULT", "AGE_GROUP_ADULT", "AGE_GROUP_UNKNOWN"];
    case Dimension.MOTHER_WITH_MINOR_CHILDREN:
      return ["YES", "NO"];
    case Dimension.SEX:
      return names(SexSchema);
    case Dimension.NATIONALITY_STATUS:
      return names(NationalityStatusSchema);
    case Dimension.REFERRAL_SOURCE:
      return names(ReferralSourceSchema);
    case Dimension.RISK_FLAG:
      return names(RiskFlagSchema);
    case Dimension.RECOGNITION_DECISION:
      return [...names(RecognitionDecisionSchema), "RECOGNITION_DECISION_UNSPECIFIED"];
    case Dimension.RECOGNITION_OBSTACLE:
      return names(RecognitionObstacleSchema);
    case Dimension.RECOGNITION_STAGE:
      return [...names(ProceedingsStageSchema), "PROCEEDINGS_STAGE_UNSPECIFIED"];
    case Dimension.CHILDREN:
      return ["CHILDREN_NONE", "CHILDREN_ONE", "CHILDREN_TWO", "CHILDREN_THREE_OR_MORE", "CHILDREN_UNKNOWN"];
    case Dimension.RETURN_FUNDING:
      return [...names(ReturnFundingSchema), "RETURN_FUNDING_UNSPECIFIED"];
    case Dimension.PARTNER_KIND:
      return names(PartnerKindSchema);
    case Dimension.CONTACT_PURPOSE:
      return names(ContactPurposeSchema);
    default:
      return [];
  }
}

/** The time series form as it holds it. */
export interface SeriesInput {
  measure: Measure;
  interval: Interval;
  fromYear: string;
  toYear: string;
  dimension: Dimension;
  category: string;
}

export type SeriesField = "measure" | "interval" | "fromYear" | "toYear" | "dimension" | "category";

/** The longest series the service answers: from_year..from_year+24. */
export const maxSeriesYears = 25;

/** The years of a series, or what is wrong with the form (as the service would refuse it). */
export function seriesProblems(
  input: SeriesInput,
): { fromYear: number; toYear: number; problems?: undefined } | { problems: Partial<Record<SeriesField, Problem>> } {
  const problems: Partial<Record<SeriesField, Problem>> = {};
  const yearProblem: Problem = { key: "stats.problemYear", params: { min: String(minYear), max: String(maxYear) } };
  const from = yearOf(input.fromYear);
  const to = yearOf(input.toYear);
  if (input.measure === Measure.UNSPECIFIED) problems.measure = { key: "problem.required" };
  if (input.interval === Interval.UNSPECIFIED) problems.interval = { key: "problem.required" };
  if (from === undefined) problems.fromYear = yearProblem;
  if (to === undefined) problems.toYear = yearProblem;
  else if (from !== undefined && to < from) problems.toYear = { key: "stats.problemRangeOrder" };
  else if (from !== undefined && to - from >= maxSeriesYears) problems.toYear = { key: "stats.problemSeriesLength", params: { max: String(maxSeriesYears) } };
  if (input.dimension !== Dimension.UNSPECIFIED) {
    if (input.interval === Interval.MONTH) problems.dimension = { key: "stats.problemMonthTotal" };
    else if (!input.category) problems.category = { key: "problem.required" };
  }
  if (input.interval === Interval.MONTH && input.measure === Measure.CASES_UNRESOLVED) problems.interval = { key: "stats.problemMonthUnresolved" };
  if (Object.keys(problems).length > 0 || from === undefined || to === undefined) return { problems };
  return { fromYear: from, toYear: to };
}
