// Time windows: when a rate is in force, on the local wall clock of the account's time zone.
// A window opens at `opensAt` (inclusive) and closes at `closesAt` (exclusive) or, without one, at
// midnight; `closesAtInclusive` keeps the whole closing minute/second (CRM.COM's "00:01-06:59").
// A window whose closing time is before its opening time runs past midnight; its day filters are
// those of the day it opened. Day filters (weekdays, months, days of month, dates) must all hold.
import { MS_PER_DAY, civilFromDays, daysFromCivil, daysInMonth, parseIsoDate, parseTimeOfDay, weekdayOf } from './calendar';
import type { TimeWindow } from './plan-schema';
import type { LocalTime } from './time-zone';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const ANY = -1;

export interface CompiledWindow {
  readonly name: string;
  readonly weight: number;
  readonly opensMs: number;
  /** Exclusive, in (0, MS_PER_DAY]; smaller than opensMs when the window runs past midnight. */
  readonly closesMs: number;
  readonly wraps: boolean;
  readonly weekdayMask: number;
  readonly monthMask: number;
  readonly dayOfMonthMask: number;
  readonly dates: ReadonlySet<number> | null;
  /** Instants of the day (ms after midnight, excluding midnight) where this window opens or closes. */
  readonly edges: readonly number[];
}

function mask(values: readonly number[] | undefined): number {
  if (values === undefined) return ANY;
  let result = 0;
  for (const value of values) result |= 1 << value;
  return result;
}

/** Milliseconds of the closing bound, or null when the window has none (it then closes at midnight). */
function closingMs(window: TimeWindow): number | null {
  if (window.closesAt === undefined) return null;
  const closes = parseTimeOfDay(window.closesAt);
  if (closes === null) return null;
  if (!window.closesAtInclusive) return closes;
  return closes + (window.closesAt.length === 5 ? 60_000 : 1000);
}

/** Compiles a window that has passed validation (see windowIssues). */
export function compileWindow(window: TimeWindow): CompiledWindow {
  const opensMs = parseTimeOfDay(window.opensAt ?? '00:00') ?? 0;
  const closesMs = closingMs(window) ?? MS_PER_DAY;
  const wraps = closesMs < opensMs;
  const edges = [opensMs, closesMs].filter((edge) => edge > 0 && edge < MS_PER_DAY);
  return {
    name: window.name,
    weight: window.weight ?? 0,
    opensMs,
    closesMs,
    wraps,
    weekdayMask: mask(window.weekdays?.map((day) => WEEKDAYS.indexOf(day))),
    monthMask: mask(window.months),
    dayOfMonthMask: mask(window.daysOfMonth),
    dates: window.dates ? new Set(window.dates.map((date) => parseIsoDate(date) ?? Number.NaN)) : null,
    edges: [...new Set(edges)].sort((a, b) => a - b),
  };
}

export function dayMatches(window: CompiledWindow, dayNumber: number): boolean {
  if (window.weekdayMask !== ANY && (window.weekdayMask & (1 << weekdayOf(dayNumber))) === 0) return false;
  if (window.dates !== null && !window.dates.has(dayNumber)) return false;
  if (window.monthMask === ANY && window.dayOfMonthMask === ANY) return true;
  const date = civilFromDays(dayNumber);
  if (window.monthMask !== ANY && (window.monthMask & (1 << date.month)) === 0) return false;
  return window.dayOfMonthMask === ANY || (window.dayOfMonthMask & (1 << date.day)) !== 0;
}

/**
 * When the window is open at `local`, the instant it opened, in ms after that local midnight (negative
 * when it opened the day before); otherwise NaN.
 */
export function openedAt(window: CompiledWindow, local: LocalTime): number {
  const time = local.msOfDay;
  if (!window.wraps) {
    return time >= window.opensMs && time < window.closesMs && dayMatches(window, local.dayNumber)
      ? window.opensMs
      : Number.NaN;
  }
  if (time >= window.opensMs && dayMatches(window, local.dayNumber)) return window.opensMs;
  if (time < window.closesMs && dayMatches(window, local.dayNumber - 1)) return window.opensMs - MS_PER_DAY;
  return Number.NaN;
}

/** Problems that make a window malformed or unable to ever open, each with a path below the window. */
export function windowIssues(window: TimeWindow): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  for (const key of ['weekdays', 'months', 'daysOfMonth', 'dates'] as const) {
    if (window[key]?.length === 0) issues.push({ path: `.${key}`, message: `empty ${key} list: the window can never open` });
  }
  window.dates?.forEach((date, index) => {
    if (parseIsoDate(date) === null) issues.push({ path: `.dates[${index}]`, message: `${date} is not a real date` });
  });
  const opensMs = parseTimeOfDay(window.opensAt ?? '00:00');
  if (opensMs === null || opensMs === MS_PER_DAY) issues.push({ path: '.opensAt', message: 'opensAt must be a time of day from 00:00 to 23:59:59' });
  if (window.closesAtInclusive && window.closesAt === '24:00') {
    issues.push({ path: '.closesAtInclusive', message: '24:00 is already the end of the day; it cannot be inclusive' });
  }
  const closesMs = closingMs(window);
  if (opensMs !== null && closesMs !== null && closesMs === opensMs) {
    issues.push({ path: '.closesAt', message: 'the window opens and closes at the same time: it can never be open' });
  }
  if (issues.length === 0 && !someDayMatches(compileWindow(window))) {
    issues.push({ path: '', message: 'no calendar day satisfies all the day filters (e.g. 30 February): the window can never open' });
  }
  return issues;
}

// 28 consecutive years contain every (month, day of month, weekday) combination, 29 February included.
const SEARCH_FIRST_YEAR = 2000;
const SEARCH_YEARS = 28;

function someDayMatches(window: CompiledWindow): boolean {
  if (window.dates !== null) return [...window.dates].some((day) => dayMatches(window, day));
  for (let year = SEARCH_FIRST_YEAR; year < SEARCH_FIRST_YEAR + SEARCH_YEARS; year++) {
    for (let month = 1; month <= 12; month++) {
      if (window.monthMask !== ANY && (window.monthMask & (1 << month)) === 0) continue;
      for (let day = 1; day <= daysInMonth(year, month); day++) {
        if (dayMatches(window, daysFromCivil(year, month, day))) return true;
      }
    }
  }
  return false;
}
