// Civil-calendar arithmetic on day numbers (days since 1970-01-01), and a strict ISO 8601 instant
// parser. Pure integer maths (H. Hinnant's algorithms), so the hot path never builds a Date and the
// result never depends on the machine's time zone.

export const MS_PER_DAY = 86_400_000;

/** Day number of a proleptic Gregorian date (month 1-12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

export function civilFromDays(dayNumber: number): CivilDate {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** 0 = Monday ... 6 = Sunday. */
export function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 3) % 7) + 7) % 7;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** "YYYY-MM-DD" to a day number, or null when it is not a real date (2023-02-29). */
export function parseIsoDate(value: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const year = digitsValue(value, 0, 4);
  const month = digitsValue(value, 5, 7);
  const day = digitsValue(value, 8, 10);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return daysFromCivil(year, month, day);
}

function digitsValue(value: string, from: number, to: number): number {
  let result = 0;
  for (let i = from; i < to; i++) {
    const code = value.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    result = result * 10 + code;
  }
  return result;
}

/** Two ASCII digits at `index` as a number, or -1. */
function twoDigits(value: string, index: number): number {
  const tens = value.charCodeAt(index) - 48;
  const ones = value.charCodeAt(index + 1) - 48;
  return tens >>> 0 > 9 || ones >>> 0 > 9 ? -1 : tens * 10 + ones;
}

/**
 * Milliseconds since the epoch of an ISO 8601 instant: `YYYY-MM-DD[T ]hh:mm[:ss[.fff]]` followed by
 * `Z`, `±hh:mm` or `±hhmm`. Without an offset the time is UTC (the Connect convention for usage
 * files). Returns null for anything else, including impossible dates and times. Hand-written
 * because it runs once per record.
 */
export function parseInstant(value: string): number | null {
  if (typeof value !== 'string' || value.length < 16) return null;
  const century = twoDigits(value, 0);
  const yearOfCentury = twoDigits(value, 2);
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  const hour = twoDigits(value, 11);
  const minute = twoDigits(value, 14);
  if ((century | yearOfCentury | month | day | hour | minute) < 0) return null;
  const separator = value.charCodeAt(10);
  if (value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45 || value.charCodeAt(13) !== 58) return null;
  if (separator !== 84 && separator !== 32) return null;
  const year = century * 100 + yearOfCentury;
  if (month < 1 || month > 12 || day < 1 || (day > 28 && day > daysInMonth(year, month)) || hour > 23 || minute > 59) return null;
  let index = 16;
  let second = 0;
  let millis = 0;
  if (value.charCodeAt(index) === 58) {
    second = twoDigits(value, 17);
    if (second < 0 || second > 59) return null;
    index = 19;
    if (value.charCodeAt(index) === 46) {
      let digits = 0;
      index++;
      for (let code = value.charCodeAt(index) - 48; code >>> 0 <= 9; code = value.charCodeAt(index) - 48) {
        if (++digits > 3) return null;
        millis = millis * 10 + code;
        index++;
      }
      if (digits === 0) return null;
      millis *= digits === 1 ? 100 : digits === 2 ? 10 : 1;
    }
  }
  const offsetMs = parseOffset(value, index);
  if (offsetMs === null) return null;
  return daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millis - offsetMs;
}

function parseOffset(value: string, index: number): number | null {
  if (index === value.length) return 0;
  const code = value.charCodeAt(index);
  if (code === 90) return index + 1 === value.length ? 0 : null;
  if (code !== 43 && code !== 45) return null;
  const rest = value.slice(index + 1);
  const match = /^(\d{2}):?(\d{2})$/.exec(rest);
  if (!match) return null;
  const hours = digitsValue(rest, 0, 2);
  const minutes = digitsValue(rest, rest.length - 2, rest.length);
  if (hours > 23 || minutes > 59) return null;
  const offset = (hours * 60 + minutes) * 60_000;
  return code === 45 ? -offset : offset;
}

/** ISO 8601 in UTC with milliseconds ("2024-03-01T10:00:00.000Z"). */
export function formatInstant(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/** "HH:MM" or "HH:MM:SS" (and "24:00") to milliseconds after midnight, or null. */
export function parseTimeOfDay(value: string): number | null {
  const match = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!match) return null;
  const hours = digitsValue(value, 0, 2);
  const minutes = digitsValue(value, 3, 5);
  const seconds = value.length === 8 ? digitsValue(value, 6, 8) : 0;
  if (hours === 24 && minutes === 0 && seconds === 0) return MS_PER_DAY;
  if (hours > 23 || minutes > 59 || seconds > 59) return null;
  return ((hours * 60 + minutes) * 60 + seconds) * 1000;
}

/** Milliseconds after midnight to "HH:MM:SS". */
export function formatTimeOfDay(msOfDay: number): string {
  const totalSeconds = Math.floor(msOfDay / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return `${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}`;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}
