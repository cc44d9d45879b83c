import { describe, expect, it } from 'vitest';
import { compareRatings, whatIfToCsv, type UsageRecord } from '../../../domain/rating/index';
import { aRate, aRatePlan } from './builders';

const current = aRatePlan({ id: 'current', rounding: { method: 'half-up', decimals: 2 }, rates: [aRate({ price: '0.60' }), aRate({ id: 'sms', usageType: 'sms', unit: 'sms', price: '0.10' })] });
const flat = aRatePlan({
  id: 'flat',
  rounding: { method: 'half-up', decimals: 2 },
  rates: [aRate({ price: '0.30' })],
  charges: [{ id: 'sms-bundle', usageType: 'sms', unit: 'sms', model: 'package', packageSize: '100', packagePrice: '1.00' }],
});
const records: UsageRecord[] = [
  { id: 'a1', account: 'acme', start: '2024-03-01T10:00:00Z', usageType: 'voice', durationSeconds: '600', category: 'TELEPHONY' },
  { id: 'a2', account: 'acme', start: '2024-03-01T11:00:00Z', usageType: 'sms', category: 'MESSAGING' },
  { id: 'g1', account: 'globex', start: '2024-03-02T10:00:00Z', usageType: 'voice', durationSeconds: '60', category: 'TELEPHONY' },
  { id: 'g2', account: 'globex', start: '2024-03-02T10:00:00Z', usageType: 'fax' },
];
const options = { asOf: '2024-04-01T00:00:00Z', timeZone: 'UTC' };

describe('compareRatings', () => {
  const result = compareRatings(records, { current, flat }, options);

  it('totals each plan with its delta against the first', () => {
    expect(result.baseline).toBe('current');
    expect(result.totals.map((total) => [total.plan, total.amount, total.delta, total.rated, total.deferred, total.failed, total.failures])).toEqual([
      ['current', '6.70', '0', 3, 0, 1, { NO_RATE: 1 }],
      ['flat', '4.30', '-2.4', 2, 1, 1, { NO_RATE: 1 }],
    ]);
  });

  it('breaks the totals down per account and per category', () => {
    expect(result.byAccount.map((row) => [row.key, row.plan, row.amount, row.delta])).toEqual([
      ['acme', 'current', '6.10', '0'],
      ['acme', 'flat', '4.00', '-2.1'],
      ['globex', 'current', '0.60', '0'],
      ['globex', 'flat', '0.30', '-0.3'],
    ]);
    expect(result.byCategory.map((row) => [row.key, row.plan, row.amount])).toEqual([
      ['MESSAGING', 'current', '0.10'],
      ['MESSAGING', 'flat', '1.00'],
      ['TELEPHONY', 'current', '6.60'],
      ['TELEPHONY', 'flat', '3.30'],
    ]);
  });

  it('writes one CSV table', () => {
    expect(whatIfToCsv(result).split('\n').slice(0, 4)).toEqual([
      'scope,key,plan,currency,amount,deltaVsBaseline',
      'total,,current,EUR,6.70,0',
      'total,,flat,EUR,4.30,-2.4',
      'account,acme,current,EUR,6.10,0',
    ]);
  });

  it('leaves the delta empty between currencies', () => {
    const dollars = aRatePlan({ id: 'usd', currency: 'USD', rates: [aRate({ price: '0.30' })] });
    expect(compareRatings(records, { current, dollars }, options).totals[1]?.delta).toBeNull();
  });
});
