import { describe, expect, it } from 'vitest';
import { buildInvoice, periodClosePostings, recordPostings, type PeriodClose } from '../../../domain/billing';
import type { ChargeLine } from '../../../domain/rating/period';
import { aRecord } from './helpers';

function line(overrides: Partial<ChargeLine>): ChargeLine {
  return { id: 'x', kind: 'charge', usageType: 'data', product: 'data', category: 'DATA', quantity: null, unit: null, records: 0, amount: '0.00', details: [], ...overrides };
}

function close(lines: ChargeLine[]): PeriodClose {
  return {
    accountId: 'acc-1', subscriptionId: 'sub-1',
    periodStartAt: '2024-03-01T00:00:00.000Z', periodEndAt: '2024-04-01T00:00:00.000Z',
    charges: { currency: 'EUR', lines, total: '0', recordsCounted: 0, excluded: [] },
  };
}

const lines = [
  line({ id: 'usage:voice', kind: 'usage', amount: '10.00', product: 'voice' }),
  line({ id: 'charge:tiers', kind: 'charge', chargeId: 'tiers', amount: '12.00', quantity: '1200', unit: 'MB' }),
  line({ id: 'discount:loyal', kind: 'discount', discountId: 'loyal', amount: '-1.20' }),
  line({ id: 'commitment', kind: 'commitment', amount: '5.00', product: null, usageType: null, category: 'commitment' }),
];

describe('period close postings', () => {
  it('posts period-level lines once under period:{subscription}:{start}:{line}, never the per-record usage sums', () => {
    const first = periodClosePostings(close(lines), []);
    expect(first.map((p) => [p.key, p.lines.map((l) => `${l.side} ${l.account.kind} ${l.amount}`).join(', ')])).toEqual([
      ['period:sub-1:2024-03-01T00:00:00.000Z:charge:tiers', 'debit unbilled 12, credit revenue 12'],
      ['period:sub-1:2024-03-01T00:00:00.000Z:discount:loyal', 'debit revenue 1.2, credit unbilled 1.2'],
      ['period:sub-1:2024-03-01T00:00:00.000Z:commitment', 'debit unbilled 5, credit revenue 5'],
    ]);
    expect(periodClosePostings(close(lines), first)).toEqual([]);
    const records = recordPostings(aRecord(), []);
    expect(periodClosePostings(close(lines), [...records, ...first])).toEqual([]);
    const withoutDiscount = lines.filter((l) => l.kind !== 'discount');
    expect(periodClosePostings(close(withoutDiscount), [...records, ...first]).map((p) => p.key)).toEqual([
      'period:sub-1:2024-03-01T00:00:00.000Z:discount:loyal:reversal:1',
    ]);
    const changed = lines.map((l) => (l.id === 'discount:loyal' ? { ...l, amount: '-1.50' } : l));
    expect(periodClosePostings(close(changed), first).map((p) => p.key)).toEqual([
      'period:sub-1:2024-03-01T00:00:00.000Z:discount:loyal:reversal:1',
      'period:sub-1:2024-03-01T00:00:00.000Z:discount:loyal:revision:1',
    ]);
  });

  it('lands on the period invoice with the records', () => {
    const postings = [...periodClosePostings(close(lines), []), ...recordPostings(aRecord(), [])];
    const invoice = buildInvoice({
      invoiceId: 'inv-1', accountId: 'acc-1', currency: 'EUR', trigger: 'cycle',
      periodStartAt: '2024-03-01T00:00:00.000Z', periodEndAt: '2024-04-01T00:00:00.000Z', cutOffAt: '2024-04-01T00:00:00.000Z',
      postings, billedPostingKeys: [],
    });
    expect(invoice?.lines.map((l) => [l.id, l.amount])).toEqual([
      ['data|DATA|loyal', '-1.20'],
      ['data|DATA|tiers', '12.00'],
      ['commitment|commitment|commitment', '5.00'],
      ['voice|TELEPHONY|national', '10.00'],
    ].sort((a, b) => ((a[0] ?? '') < (b[0] ?? '') ? -1 : 1)));
    expect(invoice?.total).toBe('25.80');
  });
});
