import { describe, expect, it } from 'vitest';
import {
  acceptsLateUsage,
  accountsDueAt,
  accountsDueOn,
  billingDayIn,
  closeSchedule,
  isBillingDay,
  localToInstant,
  periodContaining,
  periodContainingInstant,
  type BillingCycle,
} from '../../../domain/billing';
import { formatInstant, parseIsoDate } from '../../../domain/rating/calendar';
import { codeOf } from './helpers';

const day31: BillingCycle = { kind: 'billingDay', billingDay: 31 };
const day15: BillingCycle = { kind: 'billingDay', billingDay: 15 };
const calendar: BillingCycle = { kind: 'calendar' };
const anniversary: BillingCycle = { kind: 'anniversary', startDate: '2024-01-31' };

describe('billing days', () => {
  it.each<[BillingCycle, number, number, number]>([
    [day31, 2023, 2, 28],
    [day31, 2024, 2, 29],
    [day31, 2024, 4, 30],
    [day31, 2024, 5, 31],
    [anniversary, 2024, 2, 29],
    [calendar, 2024, 2, 1],
    [day15, 2024, 2, 15],
  ])('%j in %i-%i falls on day %i', (cycle, year, month, day) => {
    expect(billingDayIn(cycle, year, month)).toBe(day);
  });

  it.each<[BillingCycle, string, boolean]>([
    [day31, '2024-02-29', true],
    [day31, '2024-02-28', false],
    [day31, '2023-02-28', true],
    [calendar, '2024-03-01', true],
    [calendar, '2024-03-02', false],
  ])('%j: %s is a billing day: %s', (cycle, date, expected) => {
    expect(isBillingDay(cycle, date)).toBe(expected);
  });

  it.each<[BillingCycle, string]>([
    [{ kind: 'billingDay', billingDay: 0 }, 'INVALID_CYCLE'],
    [{ kind: 'billingDay', billingDay: 32 }, 'INVALID_CYCLE'],
    [{ kind: 'billingDay', billingDay: 1.5 }, 'INVALID_CYCLE'],
    [{ kind: 'anniversary', startDate: '2023-02-29' }, 'INVALID_DATE'],
  ])('refuses %j with %s', (cycle, code) => {
    expect(codeOf(() => billingDayIn(cycle, 2024, 1))).toBe(code);
  });
});

describe('periods', () => {
  it.each<[BillingCycle, string, string, string, string]>([
    [calendar, '2024-03-15', 'UTC', '2024-03-01T00:00:00.000Z', '2024-04-01T00:00:00.000Z'],
    [calendar, '2024-03-01', 'UTC', '2024-03-01T00:00:00.000Z', '2024-04-01T00:00:00.000Z'],
    [calendar, '2024-03-31', 'UTC', '2024-03-01T00:00:00.000Z', '2024-04-01T00:00:00.000Z'],
    [calendar, '2024-03-15', 'Europe/Berlin', '2024-02-29T23:00:00.000Z', '2024-03-31T22:00:00.000Z'],
    [day15, '2024-03-14', 'UTC', '2024-02-15T00:00:00.000Z', '2024-03-15T00:00:00.000Z'],
    [day15, '2024-03-15', 'UTC', '2024-03-15T00:00:00.000Z', '2024-04-15T00:00:00.000Z'],
    [day15, '2024-12-20', 'UTC', '2024-12-15T00:00:00.000Z', '2025-01-15T00:00:00.000Z'],
    [day15, '2024-01-05', 'UTC', '2023-12-15T00:00:00.000Z', '2024-01-15T00:00:00.000Z'],
    [day31, '2024-02-28', 'UTC', '2024-01-31T00:00:00.000Z', '2024-02-29T00:00:00.000Z'],
    [day31, '2024-02-29', 'UTC', '2024-02-29T00:00:00.000Z', '2024-03-31T00:00:00.000Z'],
    [anniversary, '2024-04-30', 'UTC', '2024-04-30T00:00:00.000Z', '2024-05-31T00:00:00.000Z'],
    // Chile skips local midnight on 2024-09-08: the period starts at the first instant that exists (01:00).
    [{ kind: 'billingDay', billingDay: 8 }, '2024-09-10', 'America/Santiago', '2024-09-08T04:00:00.000Z', '2024-10-08T03:00:00.000Z'],
  ])('%j around %s in %s: [%s, %s)', (cycle, date, timeZone, startAt, endAt) => {
    const period = periodContaining(cycle, date, timeZone);
    expect([period.startAt, period.endAt]).toEqual([startAt, endAt]);
  });

  it('finds the period of an instant in the account zone', () => {
    expect(periodContainingInstant(calendar, '2024-02-29T23:30:00.000Z', 'Europe/Berlin').startDate).toBe('2024-03-01');
    expect(periodContainingInstant(calendar, '2024-02-29T23:30:00.000Z', 'UTC').startDate).toBe('2024-02-01');
  });

  it.each<[string, number, string, string]>([
    ['spring-forward gap moves forward', (2 * 60 + 30) * 60_000, '2024-03-31', '2024-03-31T01:30:00.000Z'],
    ['fall-back fold takes the first occurrence', (2 * 60 + 30) * 60_000, '2024-10-27', '2024-10-27T00:30:00.000Z'],
    ['ordinary time', 0, '2024-06-01', '2024-05-31T22:00:00.000Z'],
  ])('localToInstant in Europe/Berlin: %s', (_name, msOfDay, date, expected) => {
    expect(formatInstant(localToInstant(parseIsoDate(date) ?? 0, msOfDay, 'Europe/Berlin'))).toBe(expected);
  });
});

describe('period close timing (SPEC §3.1 step 7, item 30)', () => {
  it('closes the usage period of billing day D at D+1 00:01 and builds invoices at D+2 00:01', () => {
    expect(closeSchedule('2024-03-01', 'UTC')).toEqual({
      periodEndAt: '2024-03-01T00:00:00.000Z',
      advanceFeesAt: '2024-03-01T00:01:00.000Z',
      usageClosesAt: '2024-03-02T00:01:00.000Z',
      invoicesBuiltAt: '2024-03-03T00:01:00.000Z',
    });
    expect(closeSchedule('2024-03-01', 'Australia/Sydney').usageClosesAt).toBe('2024-03-01T13:01:00.000Z');
  });

  it.each<[string, boolean]>([
    ['2024-03-01T12:00:00.000Z', true],
    ['2024-03-02T00:00:59.999Z', true],
    ['2024-03-02T00:01:00.000Z', false],
    ['2024-03-03T00:00:00.000Z', false],
  ])('a record arriving at %s is bucketed into the closed period: %s', (arrivedAt, expected) => {
    expect(acceptsLateUsage('2024-03-01', arrivedAt, 'UTC')).toBe(expected);
  });

  it.each<[string, string[]]>([
    ['2024-03-03', ['calendar:2024-02-01..2024-03-01']],
    ['2024-03-02', ['anniversary:2024-01-31..2024-02-29']],
    ['2024-03-17', ['day15:2024-02-15..2024-03-15']],
    ['2024-03-04', []],
  ])('on %s the due accounts are %j', (runDate, expected) => {
    const due = accountsDueOn(
      [
        { accountId: 'calendar', cycle: calendar, timeZone: 'UTC' },
        { accountId: 'day15', cycle: day15, timeZone: 'UTC' },
        { accountId: 'anniversary', cycle: anniversary, timeZone: 'UTC' },
      ],
      runDate,
    );
    expect(due.map((d) => `${d.accountId}:${d.period.startDate}..${d.period.endDate}`)).toEqual(expected);
  });
});

describe('accounts due at a scheduled run, each by its own time zone', () => {
  // Billing day 30: the invoices of the period ending on March 30 are built on the local April 1st.
  const day30: BillingCycle = { kind: 'billingDay', billingDay: 30 };
  const zones = ['Pacific/Auckland', 'UTC', 'America/New_York'];
  const dueAt = (runAt: string) => accountsDueAt(zones.map((timeZone) => ({ accountId: timeZone, cycle: day30, timeZone })), runAt);

  it.each<[string, string[]]>([
    ['2026-03-31T10:59:00.000Z', []],
    ['2026-03-31T11:00:00.000Z', ['Pacific/Auckland']], // April 1st has begun in Auckland (UTC+13)
    ['2026-03-31T12:00:00.000Z', ['Pacific/Auckland']], // not yet in UTC or New York
    ['2026-04-01T00:00:00.000Z', ['Pacific/Auckland', 'UTC']],
    ['2026-04-01T04:00:00.000Z', ['Pacific/Auckland', 'UTC', 'America/New_York']], // New York (UTC-4) reaches April 1st
    ['2026-04-01T11:00:00.000Z', ['UTC', 'America/New_York']], // Auckland's began 24 hours ago: the previous daily run took it
    ['2026-04-02T00:00:00.000Z', ['America/New_York']],
    ['2026-04-02T04:00:00.000Z', []],
  ])('at %s: %j', (runAt, expected) => {
    expect(dueAt(runAt).map((d) => d.accountId)).toEqual(expected);
  });

  it('gives each account the period of its cycle in its own zone', () => {
    const [auckland] = dueAt('2026-03-31T12:00:00.000Z');
    expect(auckland).toMatchObject({
      billingDate: '2026-03-30',
      period: { startDate: '2026-02-28', endDate: '2026-03-30', startAt: '2026-02-27T11:00:00.000Z', endAt: '2026-03-29T11:00:00.000Z' },
    });
  });

  it.each(['00:00', '10:45', '11:30', '13:15', '23:30'])('daily runs at %s UTC bill every account once per period, across DST changes', (time) => {
    const accounts = ['Pacific/Auckland', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/Santiago', 'America/New_York', 'Europe/London', 'UTC']
      // Days 27 and 29: built on the Sundays Auckland (2024-09-29) and London (2024-03-31) skip at 11:30 and 23:30 UTC.
      .flatMap((timeZone) => [calendar, day31, anniversary, { kind: 'billingDay', billingDay: 27 } as const, { kind: 'billingDay', billingDay: 29 } as const]
        .map((cycle) => ({ accountId: `${timeZone} ${JSON.stringify(cycle)}`, cycle, timeZone })));
    const periods = new Map<string, Array<{ startAt: string; endAt: string }>>();
    const first = Date.parse(`2024-01-01T${time}:00.000Z`);
    for (let day = 0; day < 400; day++) {
      for (const due of accountsDueAt(accounts, formatInstant(first + day * 86_400_000))) {
        periods.set(due.accountId, [...(periods.get(due.accountId) ?? []), due.period]);
      }
    }
    for (const account of accounts) {
      const billed = periods.get(account.accountId) ?? [];
      expect(billed.length, account.accountId).toBeGreaterThanOrEqual(12);
      // Consecutive periods, none twice and none left out.
      billed.slice(1).forEach((period, i) => expect(period.startAt, account.accountId).toBe(billed[i]!.endAt));
    }
  });

  it('refuses an instant that is not one', () => {
    expect(codeOf(() => accountsDueAt([], '2026-03-31'))).toBe('INVALID_INSTANT');
  });
});
