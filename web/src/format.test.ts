import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { DateSchema } from "./gen/consular/v1/common_pb";
import { formatCountry, formatDate, formatList, formatTimestamp, isoDate, isoTimestamp, isSetDate } from "./format";

describe("format", () => {
  const d = create(DateSchema, { year: 2026, month: 3, day: 5 });

  it("shows a calendar date in the language, never shifted by a time zone", () => {
    expect(formatDate(d, "nl")).toBe("5 mrt 2026");
    expect(formatDate(d, "en")).toBe("5 Mar 2026");
    expect(isoDate(d)).toBe("2026-03-05");
  });

  it("treats an all-zero date as unset", () => {
    const zero = create(DateSchema);
    expect(isSetDate(zero)).toBe(false);
    expect(isSetDate(undefined)).toBe(false);
    expect(formatDate(zero, "nl")).toBe("");
    expect(isoDate(zero)).toBe("");
  });

  it("shows a moment with its time", () => {
    const ts = timestampFromDate(new Date("2026-03-05T09:07:00Z"));
    expect(isoTimestamp(ts)).toBe("2026-03-05T09:07:00.000Z");
    expect(formatTimestamp(ts, "en")).toMatch(/2026/);
    expect(formatTimestamp(undefined, "en")).toBe("");
  });

  it("names countries in the language", () => {
    expect(formatCountry("MA", "nl")).toBe("Marokko (MA)");
    expect(formatCountry("MA", "en")).toBe("Morocco (MA)");
    expect(formatCountry("", "en")).toBe("");
    expect(formatCountry("not a code", "en")).toBe("not a code");
  });

  it("joins lists as the language does", () => {
    expect(formatList(["a", "b", "c"], "nl")).toBe("a, b en c");
    expect(formatList(["a", "b", "c"], "en")).toBe("a, b and c");
  });
});
