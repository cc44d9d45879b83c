import { describe, expect, it } from 'vitest';
import { daysFromCivil } from '../../../domain/rating/calendar';
import type { TimeWindow, Zone } from '../../../domain/rating/index';
import { compileWindow, openedAt } from '../../../domain/rating/windows';
import { buildZoneIndex, findZone } from '../../../domain/rating/zones';

describe('zones', () => {
  const zones: Zone[] = [
    { name: 'uk', prefixes: ['+44'] },
    { name: 'uk-mobile', prefixes: ['447'] },
    { name: 'uk-mobile-mvno', prefixes: ['447'], weight: 5 },
    { name: 'premium', prefixes: ['4490', '4491'] },
    { name: 'nanp', prefixes: ['1'] },
    { name: 'rest', catchAll: true },
  ];
  const index = buildZoneIndex(zones);

  it.each<[string | undefined, string, string | null]>([
    ['+442071234567', 'uk', '44'],
    ['442071234567', 'uk', '44'],
    ['+44 7700 900123', 'uk-mobile-mvno', '447'],
    ['+4490123', 'premium', '4490'],
    ['+4492123', 'uk', '44'],
    ['+12125551234', 'nanp', '1'],
    ['+33123456789', 'rest', null],
    ['', 'rest', null],
    [undefined, 'rest', null],
    ['44', 'uk', '44'],
    ['4', 'rest', null],
  ])('%s is in zone %s (prefix %s)', (number, zone, prefix) => {
    expect(findZone(index, number)).toEqual({ zone, prefix });
  });

  it('without a catch-all zone an unmatched number has no zone', () => {
    expect(findZone(buildZoneIndex([{ name: 'uk', prefixes: ['44'] }]), '+33123')).toBeNull();
  });
});

const at = (date: string, time: string) => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hours, minutes, seconds = 0] = time.split(':').map(Number) as [number, number, number?];
  return { dayNumber: daysFromCivil(year, month, day), msOfDay: ((hours * 60 + minutes) * 60 + seconds) * 1000, offsetMs: 0 };
};

describe('windows', () => {
  const ppv: TimeWindow = { name: 'night', opensAt: '00:01', closesAt: '06:59', closesAtInclusive: true };
  const peak: TimeWindow = { name: 'peak', weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'], opensAt: '08:00', closesAt: '18:00' };
  const overnight: TimeWindow = { name: 'overnight', weekdays: ['fri'], opensAt: '22:00', closesAt: '06:00' };
  const holiday: TimeWindow = { name: 'xmas', dates: ['2024-12-25'] };
  const evening: TimeWindow = { name: 'evening', opensAt: '18:00' };
  const february29: TimeWindow = { name: 'leap', months: [2], daysOfMonth: [29] };

  it.each<[TimeWindow, string, string, boolean]>([
    [ppv, '2024-03-04', '00:00:59', false],
    [ppv, '2024-03-04', '00:01:00', true],
    [ppv, '2024-03-04', '03:15:00', true],
    [ppv, '2024-03-04', '06:59:59', true],
    [ppv, '2024-03-04', '07:00:00', false],
    [peak, '2024-03-04', '07:59:59', false],
    [peak, '2024-03-04', '08:00:00', true],
    [peak, '2024-03-04', '17:59:59', true],
    [peak, '2024-03-04', '18:00:00', false],
    [peak, '2024-03-09', '12:00:00', false],
    [overnight, '2024-03-08', '21:59:59', false],
    [overnight, '2024-03-08', '22:00:00', true],
    [overnight, '2024-03-09', '05:59:59', true],
    [overnight, '2024-03-09', '06:00:00', false],
    [overnight, '2024-03-09', '23:00:00', false],
    [overnight, '2024-03-08', '03:00:00', false],
    [holiday, '2024-12-25', '00:00:00', true],
    [holiday, '2024-12-25', '23:59:59', true],
    [holiday, '2024-12-26', '00:00:00', false],
    [evening, '2024-03-04', '17:59:59', false],
    [evening, '2024-03-04', '23:59:59', true],
    [february29, '2024-02-29', '12:00:00', true],
    [february29, '2024-03-01', '12:00:00', false],
  ])('%o at %s %s open: %s', (window, date, time, open) => {
    expect(Number.isNaN(openedAt(compileWindow(window), at(date, time)))).toBe(!open);
  });

  it('reports when a window that runs past midnight opened', () => {
    expect(openedAt(compileWindow(overnight), at('2024-03-09', '03:00'))).toBe((22 - 24) * 3_600_000);
  });
});
