import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { civilFromDays, daysFromCivil, parseInstant, parseTimeOfDay, weekdayOf } from '../../../domain/rating/calendar';
import { ZoneClock } from '../../../domain/rating/time-zone';

describe('parseInstant', () => {
  it.each<[string, string | null]>([
    ['2024-03-01T10:00:00Z', '2024-03-01T10:00:00.000Z'],
    ['2024-03-01 10:00:00', '2024-03-01T10:00:00.000Z'],
    ['2024-03-01T10:00Z', '2024-03-01T10:00:00.000Z'],
    ['2024-03-01T10:00:00.5Z', '2024-03-01T10:00:00.500Z'],
    ['2024-03-01T10:00:00.123+01:00', '2024-03-01T09:00:00.123Z'],
    ['2024-03-01T10:00:00-0530', '2024-03-01T15:30:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2023-02-29T00:00:00Z', null],
    ['2024-03-01T24:00:00Z', null],
    ['2024-03-01T10:60:00Z', null],
    ['2024-03-01T10:00:00.1234Z', null],
    ['2024-03-01', null],
    ['01/03/2024 10:00', null],
    ['2024-03-01T10:00:00+25:00', null],
  ])('%s -> %s', (input, expected) => {
    const parsed = parseInstant(input);
    expect(parsed === null ? null : new Date(parsed).toISOString()).toBe(expected);
  });

  it('agrees with Date.parse on any instant with an offset', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
        expect(parseInstant(date.toISOString())).toBe(date.getTime());
      }),
    );
  });
});

describe('civil calendar', () => {
  it('round-trips day numbers', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), (day) => {
        const { year, month, day: dayOfMonth } = civilFromDays(day);
        expect(daysFromCivil(year, month, dayOfMonth)).toBe(day);
      }),
    );
  });

  it('knows weekdays (0 = Monday)', () => {
    expect(weekdayOf(daysFromCivil(2024, 3, 4))).toBe(0);
    expect(weekdayOf(daysFromCivil(1970, 1, 1))).toBe(3);
    expect(weekdayOf(daysFromCivil(1969, 12, 28))).toBe(6);
  });

  it.each<[string, number | null]>([
    ['00:00', 0],
    ['08:30', 30_600_000],
    ['23:59:59', 86_399_000],
    ['24:00', 86_400_000],
    ['24:01', null],
    ['7:00', null],
  ])('time of day %s', (value, expected) => {
    expect(parseTimeOfDay(value)).toBe(expected);
  });
});

describe('ZoneClock', () => {
  it.each<[string, string, number]>([
    ['Europe/London', '2024-01-15T12:00:00Z', 0],
    ['Europe/London', '2024-07-15T12:00:00Z', 3_600_000],
    ['Europe/London', '2024-03-31T00:59:59Z', 0],
    ['Europe/London', '2024-03-31T01:00:00Z', 3_600_000],
    ['Europe/London', '2024-10-27T00:59:59Z', 3_600_000],
    ['Europe/London', '2024-10-27T01:00:00Z', 0],
    ['Asia/Kolkata', '2024-07-15T12:00:00Z', 19_800_000],
    ['America/St_Johns', '2024-01-15T12:00:00Z', -12_600_000],
    ['Australia/Lord_Howe', '2024-01-15T12:00:00Z', 39_600_000],
    ['Australia/Lord_Howe', '2024-07-15T12:00:00Z', 37_800_000],
  ])('%s offset at %s is %i ms', (zone, instant, offset) => {
    expect(new ZoneClock(zone).offsetAt(Date.parse(instant))).toBe(offset);
  });

  it('finds the instant of a DST change to the second', () => {
    const clock = new ZoneClock('America/New_York');
    const change = clock.nextOffsetChange(Date.parse('2024-11-03T00:00:00Z'), Date.parse('2024-11-04T00:00:00Z'));
    expect(change === null ? null : new Date(change).toISOString()).toBe('2024-11-03T06:00:00.000Z');
    expect(clock.nextOffsetChange(Date.parse('2024-11-05T00:00:00Z'), Date.parse('2024-11-06T00:00:00Z'))).toBeNull();
  });

  it('matches Intl for random instants in several zones', () => {
    const zones = ['Europe/London', 'America/Los_Angeles', 'Australia/Lord_Howe', 'Asia/Tehran', 'Pacific/Chatham'];
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2040-01-01T00:00:00Z') }), (zone, epochMs) => {
        const local = new ZoneClock(zone).local(epochMs);
        const parts = Object.fromEntries(
          new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
            .formatToParts(epochMs)
            .map((part) => [part.type, part.value]),
        );
        const date = civilFromDays(local.dayNumber);
        expect([date.year, date.month, date.day]).toEqual([Number(parts.year), Number(parts.month), Number(parts.day)]);
        expect(Math.floor(local.msOfDay / 1000)).toBe((Number(parts.hour) * 60 + Number(parts.minute)) * 60 + Number(parts.second));
      }),
      { numRuns: 300 },
    );
  });
});
