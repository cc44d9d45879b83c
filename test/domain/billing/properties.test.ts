import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildInvoice,
  finaliseDraft,
  nextRecordBilling,
  recordChargeEntry,
  recordPostings,
  type BillingAction,
  type RecordBilling,
} from '../../../domain/billing';
import { DomainError } from '../../../domain/errors';
import { balanceOf, validatePosting, type Posting } from '../../../domain/ledger';
import { formatPlain, money, sumMoney } from '../../../domain/money';
import { aRecord } from './helpers';

const amountArb = fc
  .tuple(fc.integer({ min: -100_000_000, max: 100_000_000 }), fc.integer({ min: 0, max: 5 }))
  .map(([units, scale]) => formatPlain(money(String(units)).dividedBy(10 ** scale)));

const actionArb: fc.Arbitrary<BillingAction> = fc.oneof(
  fc.constant<BillingAction>({ kind: 'setBillable' }),
  fc.constant<BillingAction>({ kind: 'setCreditable' }),
  fc.constant<BillingAction>({ kind: 'setNotToBeBilled' }),
  fc.constant<BillingAction>({ kind: 'cancel' }),
  fc.constantFrom('A', 'B', 'C').map<BillingAction>((item) => ({ kind: 'adjust', changes: { item } })),
  amountArb.map<BillingAction>((amount) => ({ kind: 'rate', amount })),
);

const unbilled = { kind: 'unbilled', owner: 'acc-1' } as const;

function expectedNet(record: RecordBilling): string {
  const entry = recordChargeEntry(record);
  return entry ? formatPlain(balanceOf([{ ...entry, key: 'k', kind: 'original', revision: 0, reverses: null }], unbilled)) : '0';
}

describe('properties', () => {
  it('any sequence of record actions leaves exactly the charge the record should have, posting nothing twice', () => {
    fc.assert(
      fc.property(amountArb, fc.array(actionArb, { maxLength: 12 }), (amount, actions) => {
        let record = aRecord({ amount });
        let ledger: Posting[] = recordPostings(record, []);
        for (const action of actions) {
          try {
            record = nextRecordBilling(record, action);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            continue;
          }
          const delta = recordPostings(record, ledger);
          delta.forEach(validatePosting);
          // Every correction starts by reversing exactly what was live.
          for (const posting of delta.filter((p) => p.kind === 'reversal')) {
            const reversed = ledger.find((p) => p.key === posting.reverses);
            expect(formatPlain(balanceOf([posting], unbilled).negated())).toBe(formatPlain(balanceOf(reversed ? [reversed] : [], unbilled)));
          }
          ledger = [...ledger, ...delta];
          expect(recordPostings(record, ledger)).toEqual([]);
          expect(formatPlain(balanceOf(ledger, unbilled))).toBe(expectedNet(record));
        }
        expect(new Set(ledger.map((p) => p.key)).size).toBe(ledger.length);
      }),
    );
  });

  it('an invoice total is the exact sum of its rounded lines, within half a cent per line of the exact total, and posts balanced', () => {
    const recordArb = fc.tuple(amountArb, fc.constantFrom('a', 'b', 'c', 'd'));
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 20 }), (records) => {
        const postings = records.flatMap(([amount, item], i) => recordPostings(aRecord({ recordId: `r${i}`, amount, item }), []));
        const invoice = buildInvoice({
          invoiceId: 'inv', accountId: 'acc-1', currency: 'EUR', trigger: 'cycle',
          periodStartAt: '2024-03-01T00:00:00.000Z', periodEndAt: '2024-04-01T00:00:00.000Z', cutOffAt: '2024-04-01T00:00:00.000Z',
          postings, billedPostingKeys: [],
        });
        if (invoice === null) {
          expect(postings).toEqual([]);
          return;
        }
        expect(invoice.total).toBe(sumMoney(invoice.lines.map((l) => l.amount)).toFixed(2));
        const difference = money(invoice.total).minus(money(invoice.exactTotal)).abs();
        expect(difference.lessThanOrEqualTo(money('0.005').times(invoice.lines.length))).toBe(true);
        for (const line of invoice.lines) expect(line.exactAmount).toBe(formatPlain(sumMoney(line.items.map((i) => i.amount))));
        finaliseDraft(invoice).postings.forEach(validatePosting);
      }),
    );
  });
});
