import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareRatings, mergeWhatIfResults, parseRatePlan, type UsageRecord } from '../../../domain/rating';

// The durable what-if rates whole accounts chunk by chunk and merges: the merge must equal rating
// every record at once, to the last digit.
const plan = (id: string, price: string, quota: string) =>
  parseRatePlan({
    id, version: 1, currency: 'EUR', rounding: { method: 'half-up', decimals: 2 },
    rates: [{ id: 'sms', usageType: 'sms', unit: 'message', price }],
    charges: [{ id: 'data', usageType: 'data', unit: 'MB', model: 'includedQuota', quota, excessUnitPrice: '0.01' }],
  });
const plans = { current: plan('current', '0.05', '1000'), candidate: plan('candidate', '0.04', '500') };
const options = { asOf: '2024-04-01T00:00:00Z', timeZone: 'UTC' };

const recordArb = fc.record({
  account: fc.constantFrom('A', 'B', 'C', 'D'),
  usageType: fc.constantFrom('sms', 'data'),
  quantity: fc.integer({ min: 1, max: 900 }),
  day: fc.integer({ min: 1, max: 28 }),
});

describe('mergeWhatIfResults', () => {
  it('equals comparing all records at once, for any split by account', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 3 }), (rows, cut) => {
        const records: UsageRecord[] = rows.map((r, i) => ({
          id: `r${i}`, account: r.account, usageType: r.usageType, quantity: String(r.quantity),
          unit: r.usageType === 'sms' ? 'message' : 'MB', start: `2024-03-${String(r.day).padStart(2, '0')}T10:00:00Z`,
        }));
        const accounts = [...new Set(records.map((r) => r.account))].sort();
        const groups = [accounts.slice(0, cut), accounts.slice(cut)].filter((g) => g.length > 0);
        const parts = groups.map((g) => compareRatings(records.filter((r) => g.includes(r.account!)), plans, options));
        expect(mergeWhatIfResults(parts)).toEqual(compareRatings(records, plans, options));
      }),
      { numRuns: 200 },
    );
  });
});
