// Dates, times, countries and lists for the current language, through Intl.
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { language, locale, type Lang } from "./i18n/i18n";

/** The proto consular.v1.Date: all zero means "not set". */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

const cache = new Map<string, Intl.DateTimeFormat>();

function dateTimeFormat(lang: Lang, key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const id = `${lang}|${key}`;
  let f = cache.get(id);
  if (!f) {
    f = new Intl.DateTimeFormat(locale(lang), options);
    cache.set(id, f);
  }
  return f;
}

export function isSetDate(d: CalendarDate | undefined): d is CalendarDate {
  return d !== undefined && (d.year !== 0 || d.month !== 0 || d.day !== 0);
}

/** A calendar date as an ISO 8601 date (for <time datetime>), or "" when unset. */
export function isoDate(d: CalendarDate | undefined): string {
  if (!isSetDate(d)) return "";
  const pad = (n: number, w: number) => String(n).padStart(w, "0");
  return `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
}

/** A calendar date in the language's words ("5 mrt 2026"), or "" when unset. */
export function formatDate(d: CalendarDate | undefined, lang: Lang = language()): string {
  if (!isSetDate(d)) return "";
  // A calendar date has no time zone: format midnight UTC in UTC so the day never shifts.
  const utc = new Date(Date.UTC(d.year, d.month - 1, d.day));
  return dateTimeFormat(lang, "date-utc", { dateStyle: "medium", timeZone: "UTC" }).format(utc);
}

/** The day of a moment in the browser's time zone, or "" when unset. */
export function formatTimestampDate(ts: Timestamp | undefined, lang: Lang = language()): string {
  if (!ts) return "";
  return dateTimeFormat(lang, "date", { dateStyle: "medium" }).format(timestampDate(ts));
}

/** A moment (day and time) in the browser's time zone, or "" when unset. */
export function formatTimestamp(ts: Timestamp | undefined, lang: Lang = language()): string {
  if (!ts) return "";
  return dateTimeFormat(lang, "datetime", { dateStyle: "medium", timeStyle: "short" }).format(
    timestampDate(ts),
  );
}

/** A moment as RFC 3339 (for <time datetime>), or "" when unset. */
export function isoTimestamp(ts: Timestamp | undefined): string {
  return ts ? timestampDate(ts).toISOString() : "";
}

const regionNames = new Map<Lang, Intl.DisplayNames>();

/** A country (ISO 3166-1 alpha-2) by its name in the language, e.g. "Marokko (MA)". */
export function formatCountry(code: string, lang: Lang = language()): string {
  if (!code) return "";
  let names = regionNames.get(lang);
  if (!names) {
    names = new Intl.DisplayNames([locale(lang)], { type: "region", fallback: "code" });
    regionNames.set(lang, names);
  }
  let name: string | undefined;
  try {
    name = names.of(code.toUpperCase());
  } catch {
    name = undefined; // not a well-formed region code
  }
  return name && name.toUpperCase() !== code.toUpperCase() ? `${name} (${code.toUpperCase()})` : code;
}

/** Items joined as the language joins a list ("a, b en c"). */
export function formatList(items: readonly string[], lang: Lang = language()): string {
  return new Intl.ListFormat(locale(lang), { style: "long", type: "conjunction" }).format(items);
}
