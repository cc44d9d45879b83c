// Billing cycles as pure date functions in the account's IANA time zone: the billing day of a month,
// the period around a date, which accounts are due on a run date or at a scheduled run's instant
// (each by its own local date), and Emersion's close timing (SPEC
// §3.1 step 7, §5 item 30): for billing day D, advance fees at D 00:01, the usage period that ended
// at D 00:00 closes at D+1 00:01 (a day for late files), invoices are built at D+2 00:01.
import { DomainError } from '../errors';
import { civilFromDays, daysFromCivil, daysInMonth, formatInstant, MS_PER_DAY, parseInstant, parseIsoDate } from '../rating/calendar';
import { zoneClock } from '../rating/time-zone';

/** Monthly cycles. calendar = billing day 1; anniversary = the day of the month the subscription started. */
export type BillingCycle =
  | { readonly kind: 'calendar' }
  | { readonly kind: 'billingDay'; readonly billingDay: number }
  | { readonly kind: 'anniversary'; readonly startDate: string };

export interface BillingPeriod {
  /** Local dates; the end is exclusive (the next period's first day). */
  readonly startDate: string;
  readonly endDate: string;
  /** Local midnight of startDate / endDate as UTC instants. */
  readonly startAt: string;
  readonly endAt: string;
}

const MS_PER_MINUTE = 60_000;

function dayNumberOf(date: string): number {
  const day = parseIsoDate(date);
  if (day === null) throw new DomainError('INVALID_DATE', `not a date (YYYY-MM-DD): ${date}`, { date });
  return day;
}

export function formatDate(dayNumber: number): string {
  const { year, month, day } = civilFromDays(dayNumber);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The nominal billing day (1-31) of a cycle; INVALID_CYCLE outside 1-31. */
export function nominalBillingDay(cycle: BillingCycle): number {
  switch (cycle.kind) {
    case 'calendar':
      return 1;
    case 'billingDay':
      if (!Number.isInteger(cycle.billingDay) || cycle.billingDay < 1 || cycle.billingDay > 31) {
        throw new DomainError('INVALID_CYCLE', `billing day must be 1-31, got ${cycle.billingDay}`);
      }
      return cycle.billingDay;
    case 'anniversary':
      return civilFromDays(dayNumberOf(cycle.startDate)).day;
  }
}

/** The billing day in a month: the nominal day, or the month's last day when the month is shorter (31 -> Feb 28/29). */
export function billingDayIn(cycle: BillingCycle, year: number, month: number): number {
  return Math.min(nominalBillingDay(cycle), daysInMonth(year, month));
}

function billingDayNumber(cycle: BillingCycle, year: number, monthIndex: number): number {
  const normalisedYear = year + Math.floor((monthIndex - 1) / 12);
  const month = ((((monthIndex - 1) % 12) + 12) % 12) + 1;
  return daysFromCivil(normalisedYear, month, billingDayIn(cycle, normalisedYear, month));
}

/**
 * The UTC instant of a local wall time. A time that does not exist (spring-forward gap) moves forward
 * by the gap; a time that exists twice (fall-back) takes the first occurrence ("compatible", as
 * Temporal's ZonedDateTime does).
 */
export function localToInstant(dayNumber: number, msOfDay: number, timeZone: string): number {
  const clock = zoneClock(timeZone);
  const localMs = dayNumber * MS_PER_DAY + msOfDay;
  const offsetBefore = clock.offsetAt(localMs - MS_PER_DAY);
  const offsetAfter = clock.offsetAt(localMs + MS_PER_DAY);
  const candidates = [localMs - offsetBefore, localMs - offsetAfter].filter((utc) => clock.offsetAt(utc) === localMs - utc);
  if (candidates.length > 0) return Math.min(...candidates);
  return localMs - offsetBefore;
}

function periodFrom(startDay: number, endDay: number, timeZone: string): BillingPeriod {
  return {
    startDate: formatDate(startDay),
    endDate: formatDate(endDay),
    startAt: formatInstant(localToInstant(startDay, 0, timeZone)),
    endAt: formatInstant(localToInstant(endDay, 0, timeZone)),
  };
}

/** The billing period containing a local date: [billing day, next billing day). */
export function periodContaining(cycle: BillingCycle, date: string, timeZone: string): BillingPeriod {
  const dayNumber = dayNumberOf(date);
  const { year, month } = civilFromDays(dayNumber);
  const thisMonth = billingDayNumber(cycle, year, month);
  const [startDay, endDay] =
    dayNumber >= thisMonth
      ? [thisMonth, billingDayNumber(cycle, year, month + 1)]
      : [billingDayNumber(cycle, year, month - 1), thisMonth];
  return periodFrom(startDay, endDay, timeZone);
}

/** The billing period containing an instant, in the account's zone. */
export function periodContainingInstant(cycle: BillingCycle, at: string, timeZone: string): BillingPeriod {
  const ms = parseInstant(at);
  if (ms === null) throw new DomainError('INVALID_INSTANT', `not an ISO instant: ${at}`, { at });
  return periodContaining(cycle, formatDate(zoneClock(timeZone).local(ms).dayNumber), timeZone);
}

export function isBillingDay(cycle: BillingCycle, date: string): boolean {
  const { year, month, day } = civilFromDays(dayNumberOf(date));
  return day === billingDayIn(cycle, year, month);
}

export interface CloseSchedule {
  /** D 00:00 local: the period ends (exclusive). */
  readonly periodEndAt: string;
  /** D 00:01: advance access fees for the new period are raised. */
  readonly advanceFeesAt: string;
  /** D+1 00:01: the ended usage period closes; records arriving before are still bucketed into it. */
  readonly usageClosesAt: string;
  /** D+2 00:01: invoices are built. */
  readonly invoicesBuiltAt: string;
}

/** Emersion's close timing for the period ending on billing day `billingDate` (local). */
export function closeSchedule(billingDate: string, timeZone: string): CloseSchedule {
  const d = dayNumberOf(billingDate);
  const at = (day: number, minutes: number): string => formatInstant(localToInstant(day, minutes * MS_PER_MINUTE, timeZone));
  return { periodEndAt: at(d, 0), advanceFeesAt: at(d, 1), usageClosesAt: at(d + 1, 1), invoicesBuiltAt: at(d + 2, 1) };
}

/** Whether a record arriving at `arrivedAt` is still bucketed into the period ending on `billingDate` (arrival < close). */
export function acceptsLateUsage(billingDate: string, arrivedAt: string, timeZone: string): boolean {
  const arrivedMs = parseInstant(arrivedAt);
  if (arrivedMs === null) throw new DomainError('INVALID_INSTANT', `not an ISO instant: ${arrivedAt}`, { arrivedAt });
  return arrivedMs < (parseInstant(closeSchedule(billingDate, timeZone).usageClosesAt) ?? 0);
}

export interface CycleAccount {
  readonly accountId: string;
  readonly cycle: BillingCycle;
  readonly timeZone: string;
}

export interface DueAccount {
  readonly accountId: string;
  /** The period being invoiced (it ended on billingDate). */
  readonly period: BillingPeriod;
  readonly billingDate: string;
  readonly schedule: CloseSchedule;
}

/**
 * Accounts whose invoices are built on the local date `runDate`: those whose billing day is
 * runDate - 2 days (D+2), with the period that ended on that billing day.
 */
export function accountsDueOn(accounts: readonly CycleAccount[], runDate: string): DueAccount[] {
  const billingDay = dayNumberOf(runDate) - 2;
  const billingDate = formatDate(billingDay);
  return accounts
    .filter((account) => isBillingDay(account.cycle, billingDate))
    .map((account) => ({
      accountId: account.accountId,
      period: periodContaining(account.cycle, formatDate(billingDay - 1), account.timeZone),
      billingDate,
      schedule: closeSchedule(billingDate, account.timeZone),
    }));
}

/**
 * Accounts whose invoices a daily scheduled run at the instant `runAt` builds: those whose build date
 * (billing day + 2) began in the account's own time zone in the 24 hours up to runAt, each with the
 * period of its cycle in that zone (Pacific/Auckland is on April 1st from 2026-03-31T11:00Z; New York
 * not before 2026-04-01T04:00Z). Runs 24 hours apart so take each local date once, across DST changes
 * too: a date the run's wall time skips is taken by the next run, a repeated one by the first.
 */
export function accountsDueAt(accounts: readonly CycleAccount[], runAt: string): DueAccount[] {
  const ms = parseInstant(runAt);
  if (ms === null) throw new DomainError('INVALID_INSTANT', `not an ISO instant: ${runAt}`, { runAt });
  return accounts.flatMap((account) => {
    const clock = zoneClock(account.timeZone);
    const dayBefore = clock.local(ms - MS_PER_DAY).dayNumber;
    for (let day = clock.local(ms).dayNumber; day > dayBefore; day--) {
      const due = accountsDueOn([account], formatDate(day));
      if (due.length > 0) return due;
    }
    return [];
  });
}
