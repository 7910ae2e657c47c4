// Calendar dates as forms hold them (<input type="date"> gives "YYYY-MM-DD") and as the API
// holds them (consular.v1.Date, all zero for "not set"), and the local moments of
// <input type="datetime-local">.
import type { CalendarDate } from "./format";

export const noDate: CalendarDate = { year: 0, month: 0, day: 0 };

/** "YYYY-MM-DD" as a calendar date; undefined when it is not one (or not in 1900..9999). */
export function parseIsoDate(value: string): CalendarDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1900 || month < 1 || month > 12 || day < 1) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  return { year, month, day };
}

/** Negative when a is before b, 0 when the same day, positive after. */
export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** The day of a moment in the browser's time zone. */
export function localDate(moment: Date = new Date()): CalendarDate {
  return { year: moment.getFullYear(), month: moment.getMonth() + 1, day: moment.getDate() };
}

/** The day of a moment in UTC (the services' "today"). */
export function utcDate(moment: Date = new Date()): CalendarDate {
  return { year: moment.getUTCFullYear(), month: moment.getUTCMonth() + 1, day: moment.getUTCDate() };
}

/** The day `days` after (or before, when negative) d. */
export function addDays(d: CalendarDate, days: number): CalendarDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** A moment as <input type="datetime-local"> shows it, in the browser's time zone, to the minute. */
export function localDateTimeValue(moment: Date): string {
  return `${pad(moment.getFullYear(), 4)}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}T${pad(moment.getHours())}:${pad(moment.getMinutes())}`;
}

/** The value of <input type="datetime-local"> ("YYYY-MM-DDTHH:MM[:SS]") as a moment; undefined when malformed. */
export function parseLocalDateTime(value: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return undefined;
  const date = parseIsoDate(`${m[1]}-${m[2]}-${m[3]}`);
  const hours = Number(m[4]);
  const minutes = Number(m[5]);
  const seconds = Number(m[6] ?? "0");
  if (!date || hours > 23 || minutes > 59 || seconds > 59) return undefined;
  return new Date(date.year, date.month - 1, date.day, hours, minutes, seconds);
}
