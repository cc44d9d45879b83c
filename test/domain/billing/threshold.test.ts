import { describe, expect, it } from 'vitest';
import { buildInvoice, evaluateThreshold, firstThresholdTrigger, recordPostings, type ThresholdTerm } from '../../../domain/billing';
import { aRecord, codeOf } from './helpers';

const term: ThresholdTerm = { maxUnbilledRecords: 20, maxUnbilledAmount: '100.00' };

describe('threshold billing (SPEC §2.5, item 28)', () => {
  it('19 records totalling 95.00 then a 20th worth 10.00 reaches both limits and bills 105.00', () => {
    const decision = evaluateThreshold(term, { recordCount: 19, amount: '95.00' }, '10.00');
    expect(decision).toEqual({ trigger: true, reasons: ['COUNT', 'AMOUNT'], unbilledRecords: 20, unbilledAmount: '105.00' });
    const amounts = [...Array.from({ length: 19 }, () => '5.00'), '10.00'];
    const postings = amounts.flatMap((amount, i) => recordPostings(aRecord({ recordId: `r${i + 1}`, amount }), []));
    const invoice = buildInvoice({
      invoiceId: 'thr-1', accountId: 'acc-1', currency: 'EUR', trigger: 'threshold',
      periodStartAt: '2024-03-01T00:00:00.000Z', periodEndAt: '2024-04-01T00:00:00.000Z',
      cutOffAt: '2024-03-05T10:00:00.001Z', postings, billedPostingKeys: [],
    });
    expect(invoice?.total).toBe('105.00');
    expect(invoice?.lines[0]?.items).toHaveLength(20);
  });

  it.each<[string, ThresholdTerm, number, string, string, boolean, string[]]>([
    ['count reaches the maximum (>=)', term, 19, '10', '0.01', true, ['COUNT']],
    ['count one below', term, 18, '10', '0.01', false, []],
    ['amount reaches exactly the maximum (>=)', term, 5, '99.99', '0.01', true, ['AMOUNT']],
    ['amount one cent below', term, 5, '99.98', '0.01', false, []],
    ['sub-cent below', term, 5, '99.99', '0.0099', false, []],
    ['a credit lowers the amount but counts', term, 19, '150', '-60', true, ['COUNT']],
    ['no count limit', { maxUnbilledRecords: null, maxUnbilledAmount: '100' }, 500, '1', '1', false, []],
    ['no amount limit', { maxUnbilledRecords: 20, maxUnbilledAmount: null }, 1, '10000', '1', false, []],
  ])('%s', (_name, thresholds, count, amount, record, trigger, reasons) => {
    const decision = evaluateThreshold(thresholds, { recordCount: count, amount }, record);
    expect([decision.trigger, decision.reasons]).toEqual([trigger, reasons]);
  });

  it.each<[ThresholdTerm]>([
    [{ maxUnbilledRecords: 0, maxUnbilledAmount: null }],
    [{ maxUnbilledRecords: 2.5, maxUnbilledAmount: null }],
    [{ maxUnbilledRecords: null, maxUnbilledAmount: '0' }],
    [{ maxUnbilledRecords: null, maxUnbilledAmount: '1e2' }],
  ])('refuses the term %j with INVALID_THRESHOLD', (bad) => {
    expect(codeOf(() => evaluateThreshold(bad, { recordCount: 0, amount: '0' }, '1'))).toBe('INVALID_THRESHOLD');
  });

  it('finds the record that triggers when replaying in rating order', () => {
    expect(firstThresholdTrigger(term, ['60', '30', '9.99', '0.01', '50'])).toMatchObject({ index: 3, decision: { unbilledAmount: '100.00', reasons: ['AMOUNT'] } });
    expect(firstThresholdTrigger(term, ['1', '2'])).toBeNull();
  });
});
