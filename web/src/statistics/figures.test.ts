// The statistics screens' rules: a suppressed figure is never a number or a bar, the period asked for,
// the words of periods and categories, the scale of a chart, and the time series form.
import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { Dimension, FigureSchema, Interval, Measure } from "../gen/consular/v1/statistics_pb";
import { setLanguage } from "../i18n/i18n";
import {
  buildPeriod,
  categoriesOf,
  categoryText,
  defaultPeriodInput,
  dimensionsOf,
  isCountryCode,
  niceMax,
  periodFieldOfPath,
  periodText,
  pointText,
  scaleBars,
  seriesProblems,
  showFigure,
  suppressedMark,
  type SeriesInput,
} from "./figures";

describe("showFigure", () => {
  it("shows a published figure as its number in the language", () => {
    setLanguage("nl");
    expect(showFigure(create(FigureSchema, { value: 1234n }))).toEqual({ suppressed: false, value: 1234, text: "1.234" });
    expect(showFigure(create(FigureSchema, { value: 1234n }), "en").text).toBe("1,234");
  });

  it("never shows a suppressed figure as 0 or as its value", () => {
    const shown = showFigure(create(FigureSchema, { value: 0n, suppressed: true }));
    expect(shown).toEqual({ suppressed: true, value: undefined, text: suppressedMark });
    // A value sent with a suppressed figure is ignored.
    expect(showFigure(create(FigureSchema, { value: 3n, suppressed: true })).value).toBeUndefined();
  });

  it("treats a missing figure as not published", () => {
    expect(showFigure(undefined).suppressed).toBe(true);
  });

  it("shows a published zero as 0", () => {
    expect(showFigure(create(FigureSchema, { value: 0n })).text).toBe("0");
  });
});

describe("buildPeriod", () => {
  it("asks for a year", () => {
    expect(buildPeriod(defaultPeriodInput(2026)).period).toEqual({ kind: { case: "year", value: 2026 } });
  });

  it("asks for a quarter", () => {
    const input = { ...defaultPeriodInput(2026), kind: "quarter" as const, quarter: "3" };
    expect(buildPeriod(input).period).toEqual({ kind: { case: "quarter", value: { year: 2026, quarter: 3 } } });
  });

  it("makes a range of whole quarters: first day of the first to last day of the last", () => {
    const input = { ...defaultPeriodInput(2024), kind: "range" as const, fromYear: "2023", fromQuarter: "4", toYear: "2024", toQuarter: "1" };
    expect(buildPeriod(input).period).toEqual({
      kind: { case: "range", value: { from: { year: 2023, month: 10, day: 1 }, to: { year: 2024, month: 3, day: 31 } } },
    });
    const leap = { ...input, fromYear: "2024", fromQuarter: "1", toQuarter: "2" };
    expect(buildPeriod(leap).period?.kind).toEqual({ case: "range", value: { from: { year: 2024, month: 1, day: 1 }, to: { year: 2024, month: 6, day: 30 } } });
  });

  it("names the field that is wrong", () => {
    expect(buildPeriod({ ...defaultPeriodInput(2026), year: "26" }).problems?.year?.key).toBe("stats.problemYear");
    expect(buildPeriod({ ...defaultPeriodInput(2026), year: "1999" }).problems?.year?.key).toBe("stats.problemYear");
    const backwards = { ...defaultPeriodInput(2026), kind: "range" as const, fromYear: "2026", fromQuarter: "3", toYear: "2026", toQuarter: "2" };
    expect(buildPeriod(backwards).problems).toEqual({ toYear: { key: "stats.problemRangeOrder" } });
    const bad = { ...defaultPeriodInput(2026), kind: "range" as const, fromYear: "x", toQuarter: "5" };
    expect(Object.keys(buildPeriod(bad).problems ?? {}).sort()).toEqual(["fromYear", "toQuarter"]);
  });
});

describe("the server's field errors", () => {
  it("land on the field of the period the path names", () => {
    expect(periodFieldOfPath("period.year", "year")).toBe("year");
    expect(periodFieldOfPath("period.quarter.quarter", "quarter")).toBe("quarter");
    expect(periodFieldOfPath("period.quarter.year", "quarter")).toBe("year");
    expect(periodFieldOfPath("period.range.from", "range")).toBe("fromYear");
    expect(periodFieldOfPath("period.range.to", "range")).toBe("toYear");
  });
});

describe("period words", () => {
  it("says a year, a quarter and a range in each language", () => {
    expect(periodText({ kind: { case: "year", value: 2026 } }, "nl")).toBe("2026");
    expect(periodText({ kind: { case: "quarter", value: { year: 2026, quarter: 2 } } }, "nl")).toBe("K2 2026");
    expect(periodText({ kind: { case: "quarter", value: { year: 2026, quarter: 2 } } }, "en")).toBe("Q2 2026");
    const range = { kind: { case: "range" as const, value: { from: { year: 2026, month: 1, day: 1 }, to: { year: 2026, month: 6, day: 30 } } } };
    expect(periodText(range, "en")).toBe("1 Jan 2026 to 30 Jun 2026");
    expect(periodText(range, "nl")).toMatch(/^1 jan\.? 2026 tot en met 30 jun\.? 2026$/);
  });

  it("says time points", () => {
    expect(pointText("2026", "en")).toBe("2026");
    expect(pointText("2026-Q1", "nl")).toBe("K1 2026");
    expect(pointText("2026-03", "en")).toBe("Mar 2026");
  });
});

describe("categories", () => {
  it("names enum categories, the dimension's own ones, and months", () => {
    expect(categoryText(Dimension.CASE_TYPE, "CASE_TYPE_ABANDONMENT", "en")).toBe("Abandonment");
    expect(categoryText(Dimension.AGE_GROUP, "AGE_GROUP_MINOR", "nl")).toBe("Jonger dan 18");
    expect(categoryText(Dimension.MOTHER_WITH_MINOR_CHILDREN, "YES", "en")).toBe("Yes");
    expect(categoryText(Dimension.RECOGNITION_DECISION, "RECOGNITION_DECISION_UNSPECIFIED", "en")).toBe("No decision yet");
    expect(categoryText(Dimension.MONTH, "2026-03", "en")).toBe("Mar 2026");
    expect(categoryText(Dimension.CASE_TYPE, "SOMETHING_NEW", "en")).toBe("SOMETHING_NEW");
  });

  it("has a word for every category offered", () => {
    for (const measure of [Measure.CASES_OPENED, Measure.CASES_RESOLVED, Measure.CASES_UNRESOLVED, Measure.CONTACTS]) {
      for (const d of dimensionsOf(measure)) {
        const categories = categoriesOf(d);
        expect(categories.length, `dimension ${d}`).toBeGreaterThan(1);
        for (const c of categories) expect(categoryText(d, c, "nl"), c).not.toBe(c);
      }
    }
  });
});

describe("bar scale", () => {
  it("rounds the top of the scale up to 1, 2 or 5 times a power of ten", () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(1)).toBe(1);
    expect(niceMax(3)).toBe(5);
    expect(niceMax(10)).toBe(10);
    expect(niceMax(11)).toBe(20);
    expect(niceMax(430)).toBe(500);
  });

  it("draws no bar for a suppressed figure and scales over the published ones only", () => {
    const items = [
      { label: "a", figure: showFigure(create(FigureSchema, { value: 10n })) },
      { label: "b", figure: showFigure(create(FigureSchema, { value: 5n })) },
      { label: "c", figure: showFigure(create(FigureSchema, { value: 999n, suppressed: true })) },
    ];
    const { bars, max } = scaleBars(items, 200);
    expect(max).toBe(10);
    expect(bars.map((b) => b.length)).toEqual([200, 100, 0]);
    expect(bars[2]!.figure.text).toBe(suppressedMark);
  });
});

describe("series form", () => {
  const base: SeriesInput = { measure: Measure.CASES_OPENED, interval: Interval.YEAR, fromYear: "2022", toYear: "2026", dimension: Dimension.UNSPECIFIED, category: "" };

  it("gives the years of a good series", () => {
    expect(seriesProblems(base)).toEqual({ fromYear: 2022, toYear: 2026 });
  });

  it("refuses what the service refuses, by field", () => {
    expect(seriesProblems({ ...base, toYear: "2021" }).problems?.toYear?.key).toBe("stats.problemRangeOrder");
    expect(seriesProblems({ ...base, fromYear: "2000", toYear: "2025" }).problems?.toYear?.key).toBe("stats.problemSeriesLength");
    expect(seriesProblems({ ...base, fromYear: "2001", toYear: "2025" }).problems).toBeUndefined();
    expect(seriesProblems({ ...base, dimension: Dimension.CASE_TYPE }).problems?.category?.key).toBe("problem.required");
    expect(seriesProblems({ ...base, interval: Interval.MONTH, dimension: Dimension.CASE_TYPE, category: "CASE_TYPE_ABANDONMENT" }).problems?.dimension?.key).toBe(
      "stats.problemMonthTotal",
    );
    expect(seriesProblems({ ...base, interval: Interval.MONTH, measure: Measure.CASES_UNRESOLVED }).problems?.interval?.key).toBe("stats.problemMonthUnresolved");
  });
});

describe("country codes in the address", () => {
  it("accepts ISO alpha-2 only", () => {
    expect(isCountryCode("MA")).toBe(true);
    expect(isCountryCode("ma")).toBe(false);
    expect(isCountryCode("MAR")).toBe(false);
    expect(isCountryCode("")).toBe(false);
  });
});
