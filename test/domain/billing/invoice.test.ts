import { describe, expect, it } from 'vitest';
import {
  applyBillingAction,
  buildInvoice,
  creditNoteFor,
  finaliseInvoice,
  recordPostings,
  roundInvoiceAmount,
  type BuildInvoiceInput,
  type Invoice,
} from '../../../domain/billing';
import { balances, validatePosting, type Posting } from '../../../domain/ledger';
import { formatPlain, money, type RoundingMethod } from '../../../domain/money';
import { aRecord, codeOf } from './helpers';

const period = { periodStartAt: '2024-03-01T00:00:00.000Z', periodEndAt: '2024-04-01T00:00:00.000Z' };

function input(postings: Posting[], overrides: Partial<BuildInvoiceInput> = {}): BuildInvoiceInput {
  return {
    invoiceId: 'inv-1', accountId: 'acc-1', currency: 'EUR', trigger: 'cycle', ...period,
    cutOffAt: '2024-04-01T00:00:00.000Z', postings, billedPostingKeys: [], ...overrides,
  };
}

function sampleLedger(): Posting[] {
  const previouslyBilled = recordPostings(aRecord({ recordId: 'r6', amount: '2.50', billingEffectiveAt: '2024-02-10T00:00:00.000Z' }), []);
  const cancelled = applyBillingAction(aRecord({ recordId: 'r6', amount: '2.50', billingEffectiveAt: '2024-02-10T00:00:00.000Z' }), { kind: 'cancel' }, previouslyBilled);
  return [
    ...recordPostings(aRecord({ recordId: 'r1', amount: '10.005' }), []),
    ...recordPostings(aRecord({ recordId: 'r2', amount: '5.0049', quantity: '60', billingEffectiveAt: '2024-03-20T08:00:00.000Z' }), []),
    ...recordPostings(aRecord({ recordId: 'r3', amount: '3', service: 'data', category: 'DATA', item: 'mb', quantity: '300', unit: 'MB' }), []),
    // On the cut-off instant: next invoice (cut-off is exclusive).
    ...recordPostings(aRecord({ recordId: 'r4', amount: '99', billingEffectiveAt: '2024-04-01T00:00:00.000Z' }), []),
    ...recordPostings(aRecord({ recordId: 'r5', amount: '7', directive: 'TO_BE_CREDITED' }), []),
    ...previouslyBilled,
    ...cancelled.postings,
  ];
}

describe('buildInvoice', () => {
  it('groups unbilled postings by service, category and item with an itemised statement, rounding each line once', () => {
    const invoice = buildInvoice(input(sampleLedger(), { billedPostingKeys: ['record:r6:charge'] }));
    expect(invoice).not.toBeNull();
    expect(invoice?.lines.map((l) => [l.id, l.quantity, l.unit, l.exactAmount, l.amount])).toEqual([
      ['data|DATA|mb', '300', 'MB', '3', '3.00'],
      ['voice|TELEPHONY|national', '180', 'second', '5.5099', '5.51'],
    ]);
    const voice = invoice?.lines[1];
    expect(voice?.items.map((i) => [i.recordId, i.postingKind, i.quantity, i.amount])).toEqual([
      ['r6', 'reversal', '-120', '-2.5'],
      ['r1', 'original', '120', '10.005'],
      ['r5', 'original', '120', '-7'],
      ['r2', 'original', '60', '5.0049'],
    ]);
    expect(invoice).toMatchObject({ kind: 'invoice', status: 'draft', total: '8.51', exactTotal: '8.5099' });
    expect(invoice?.postingKeys).toEqual(['record:r1:charge', 'record:r2:charge', 'record:r3:charge', 'record:r5:charge', 'record:r6:charge:reversal:1']);
  });

  it('returns null when nothing is unbilled, and a credit note when the total is negative', () => {
    expect(buildInvoice(input([]))).toBeNull();
    const credit = recordPostings(aRecord({ directive: 'TO_BE_CREDITED' }), []);
    expect(buildInvoice(input(credit))).toMatchObject({ kind: 'credit_note', total: '-10.00' });
  });

  it.each<[string, RoundingMethod, number, string]>([
    ['0.005', 'half-even', 2, '0.00'],
    ['0.015', 'half-even', 2, '0.02'],
    ['0.005', 'half-up', 2, '0.01'],
    ['-0.005', 'half-up', 2, '-0.01'],
    ['104.5', 'half-even', 0, '104'],
    ['1.23456', 'down', 4, '1.2345'],
  ])('roundInvoiceAmount(%s, %s, %i) = %s', (exact, method, decimals, expected) => {
    expect(roundInvoiceAmount(money(exact), { decimals, method }).toFixed(decimals)).toBe(expected);
  });
});

describe('finalising', () => {
  it('posts unbilled -> receivable with the rounding difference, balanced, and the next build finds nothing', () => {
    const ledger = sampleLedger();
    const draft = buildInvoice(input(ledger, { billedPostingKeys: ['record:r6:charge'] })) as Invoice;
    const outcome = finaliseInvoice(draft, ledger, []);
    expect(outcome.status).toBe('finalised');
    if (outcome.status !== 'finalised') return;
    expect(outcome.invoice.status).toBe('final');
    expect(outcome.postings.map((p) => p.key)).toEqual(['invoice:inv-1']);
    for (const posting of outcome.postings) validatePosting(posting);
    const after = balances([...ledger, ...outcome.postings]);
    expect(formatPlain(after.get('receivable:acc-1') ?? money('0'))).toBe('8.51');
    expect(formatPlain(after.get('rounding:acc-1') ?? money('0'))).toBe('-0.0001');
    // Left in unbilled: r4 (after the cut-off) and r6's original 2.50, whose February invoice
    // posting is not part of this sample ledger.
    expect(formatPlain(after.get('unbilled:acc-1') ?? money('0'))).toBe('101.5');
    const billed = ['record:r6:charge', ...draft.postingKeys];
    expect(buildInvoice(input([...ledger, ...outcome.postings], { invoiceId: 'inv-2', billedPostingKeys: billed }))).toBeNull();
    expect(codeOf(() => finaliseInvoice(outcome.invoice, ledger, []))).toBe('INVOICE_FINAL');
  });

  it('parks an account with two live postings for the same record', () => {
    const ledger = [...recordPostings(aRecord(), []), ...recordPostings(aRecord(), []).map((p) => ({ ...p, key: 'manual-duplicate', entry: 'manual' }))];
    const draft = buildInvoice(input(ledger)) as Invoice;
    const outcome = finaliseInvoice(draft, ledger, []);
    expect(outcome.status).toBe('parked');
    if (outcome.status !== 'parked') return;
    expect(outcome.reasons).toEqual([
      { code: 'DUPLICATE_RECORD_POSTING', message: 'record r1 has 2 live charge postings', subject: 'r1', refs: ['manual-duplicate', 'record:r1:charge'] },
    ]);
    expect(outcome.invoice.status).toBe('draft');
  });

  it('parks an account with two cycle invoices for the same period, but not a threshold invoice', () => {
    const ledger = recordPostings(aRecord(), []);
    const draft = buildInvoice(input(ledger, { invoiceId: 'inv-2' })) as Invoice;
    const earlier = { ...draft, id: 'inv-1', status: 'final' as const };
    const parked = finaliseInvoice(draft, ledger, [earlier]);
    expect(parked.status === 'parked' && parked.reasons.map((r) => [r.code, r.refs.join(',')])).toEqual([['DUPLICATE_PERIOD_INVOICE', 'inv-1,inv-2']]);
    const threshold = { ...earlier, trigger: 'threshold' as const };
    expect(finaliseInvoice(draft, ledger, [threshold]).status).toBe('finalised');
  });

  it('corrects a final invoice only by a credit note of exactly opposite lines', () => {
    const ledger = sampleLedger();
    const draft = buildInvoice(input(ledger, { billedPostingKeys: ['record:r6:charge'] })) as Invoice;
    const final = finaliseInvoice(draft, ledger, []);
    if (final.status !== 'finalised') throw new Error('expected finalised');
    expect(codeOf(() => creditNoteFor(draft, 'cn-0'))).toBe('INVOICE_NOT_FINAL');
    const note = creditNoteFor(final.invoice, 'cn-1', ['data|DATA|mb']);
    expect(note).toMatchObject({ kind: 'credit_note', status: 'draft', total: '-3.00', correctsInvoiceId: 'inv-1', trigger: 'correction' });
    expect(note.lines.map((l) => [l.quantity, l.amount])).toEqual([['-300', '-3.00']]);
    const posted = finaliseInvoice(note, ledger, [final.invoice, note]);
    expect(posted.status === 'finalised' && posted.postings.map((p) => [p.key, p.lines.map((l) => `${l.side} ${l.account.kind} ${l.amount}`)])).toEqual([
      ['credit-note:cn-1', ['credit credit 3', 'debit revenue 3']],
    ]);
    expect(final.invoice.lines).toHaveLength(2);
    // Every line: the original's statement items negated, the exact amount their exact sum, the amount minus the rounded original.
    const whole = creditNoteFor(final.invoice, 'cn-4');
    expect(whole.lines.map((l) => [l.id, l.quantity, l.exactAmount, l.amount])).toEqual([
      ['data|DATA|mb', '-300', '-3', '-3.00'],
      ['voice|TELEPHONY|national', '-180', '-5.5099', '-5.51'],
    ]);
    expect(whole.lines[1]!.items.map((i) => [i.recordId, i.postingKey, i.quantity, i.amount])).toEqual([
      ['r6', 'record:r6:charge:reversal:1', '120', '2.5'],
      ['r1', 'record:r1:charge', '-120', '-10.005'],
      ['r5', 'record:r5:charge', '-120', '7'],
      ['r2', 'record:r2:charge', '-60', '-5.0049'],
    ]);
    expect(whole).toMatchObject({ total: '-8.51', exactTotal: '-8.5099' });
    expect(codeOf(() => creditNoteFor(final.invoice, 'cn-2', ['nope']))).toBe('NOTHING_TO_CREDIT');
    expect(codeOf(() => creditNoteFor({ ...note, status: 'final' }, 'cn-3'))).toBe('NOT_AN_INVOICE');
  });
});
