// Usage times are written `YYYY-MM-DD hh:mm:ss` and mean UTC (SPEC §1.6). We accept exactly that
// shape and only real calendar instants: 2023-02-29 and 24:00:00 are refused, not rolled over.
// Parsing is by position (no Date objects): it runs twice per row of files of millions of rows.

const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const MIN_YEAR = 1900;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Milliseconds since the epoch of a `YYYY-MM-DD hh:mm:ss` UTC text, or undefined if not one. */
export function parseSheetTimestampMs(text: string): number | undefined {
  if (!TIMESTAMP_PATTERN.test(text)) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (year < MIN_YEAR || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** ISO 8601 form of a text that parseSheetTimestampMs accepted (same instant, no Date needed). */
export function sheetTimestampToIso(text: string): string {
  return `${text.slice(0, 10)}T${text.slice(11)}.000Z`;
}

/**
 * `YYYY-MM-DD hh:mm:ss` of an instant, in UTC, rounded to the nearest second: spreadsheet date
 * serials are floats, so 12:00:00 may arrive as 11:59:59.9995.
 */
export function formatSheetTimestamp(epochMs: number): string {
  return new Date(Math.round(epochMs / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) value = value * 10 + (text.charCodeAt(i) - 48);
  return value;
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}
