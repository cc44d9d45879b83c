import { describe, expect, it } from 'vitest';
import {
  allowedBillingActions,
  applyBillingAction,
  nextRecordBilling,
  recordPostings,
  type BillingAction,
  type BillingDirective,
  type LifeCycle,
} from '../../../domain/billing';
import { balanceOf, type Posting } from '../../../domain/ledger';
import { formatPlain } from '../../../domain/money';
import { aRecord, codeOf } from './helpers';

const unbilled = { kind: 'unbilled', owner: 'acc-1' } as const;
const net = (postings: readonly Posting[]): string => formatPlain(balanceOf(postings, unbilled));

describe('billing directive actions (SPEC §2.3, items 24-27)', () => {
  it.each<[BillingAction['kind'], BillingDirective]>([
    ['setBillable', 'TO_BE_BILLED'],
    ['setCreditable', 'TO_BE_CREDITED'],
    ['setNotToBeBilled', 'NOT_TO_BE_BILLED'],
  ])('%s on a record already %s is refused with DIRECTIVE_UNCHANGED (item 24)', (kind, directive) => {
    expect(codeOf(() => nextRecordBilling(aRecord({ directive }), { kind } as BillingAction))).toBe('DIRECTIVE_UNCHANGED');
  });

  it.each<[BillingDirective, BillingAction['kind'], BillingDirective]>([
    ['TO_BE_BILLED', 'setCreditable', 'TO_BE_CREDITED'],
    ['TO_BE_BILLED', 'setNotToBeBilled', 'NOT_TO_BE_BILLED'],
    ['TO_BE_CREDITED', 'setBillable', 'TO_BE_BILLED'],
    ['TO_BE_CREDITED', 'setNotToBeBilled', 'NOT_TO_BE_BILLED'],
    ['NOT_TO_BE_BILLED', 'setBillable', 'TO_BE_BILLED'],
    ['NOT_TO_BE_BILLED', 'setCreditable', 'TO_BE_CREDITED'],
  ])('%s --%s--> %s', (from, kind, to) => {
    expect(nextRecordBilling(aRecord({ directive: from }), { kind } as BillingAction).directive).toBe(to);
  });

  it.each<[LifeCycle, BillingAction, string | undefined]>([
    ['CANCELLED', { kind: 'setBillable' }, 'ILLEGAL_TRANSITION'],
    ['CANCELLED', { kind: 'setCreditable' }, 'ILLEGAL_TRANSITION'],
    ['CANCELLED', { kind: 'setNotToBeBilled' }, 'ILLEGAL_TRANSITION'],
    ['CANCELLED', { kind: 'cancel' }, 'ILLEGAL_TRANSITION'],
    ['CANCELLED', { kind: 'adjust', changes: { quantity: '1' } }, 'ILLEGAL_TRANSITION'],
    ['SCHEDULED', { kind: 'adjust', changes: { quantity: '1' } }, 'ILLEGAL_TRANSITION'],
    ['SCHEDULED', { kind: 'cancel' }, undefined],
    ['SCHEDULED', { kind: 'setCreditable' }, undefined],
    ['POSTED', { kind: 'adjust', changes: { quantity: '120' } }, 'NOTHING_TO_ADJUST'],
    ['POSTED', { kind: 'adjust', changes: { quantity: '1e3' } }, 'INVALID_ADJUSTMENT'],
    ['POSTED', { kind: 'adjust', changes: { billingEffectiveAt: '2024-13-01' } }, 'INVALID_ADJUSTMENT'],
    ['POSTED', { kind: 'adjust', changes: { billingEffectiveAt: '2024-04-02T00:00:00.000Z' } }, undefined],
    ['POSTED', { kind: 'rate', amount: '1' }, 'ILLEGAL_TRANSITION'],
  ])('from %s, %j -> %s', (lifeCycle, action, code) => {
    expect(codeOf(() => nextRecordBilling(aRecord({ lifeCycle }), action))).toBe(code);
  });

  it('cancelling a billed €10 record posts a −€10 reversal and sets CANCELLED (item 26)', () => {
    const charged = recordPostings(aRecord(), []);
    expect(charged.map((p) => [p.key, net([p])])).toEqual([['record:r1:charge', '10']]);
    const { record, postings } = applyBillingAction(aRecord(), { kind: 'cancel' }, charged);
    expect(record.lifeCycle).toBe('CANCELLED');
    expect(postings.map((p) => [p.key, p.kind, net([p])])).toEqual([['record:r1:charge:reversal:1', 'reversal', '-10']]);
    expect(postings[0]?.reverses).toBe('record:r1:charge');
    // Cancelled records are never re-billed: every action is refused, and re-posting finds nothing to do.
    expect(codeOf(() => applyBillingAction(record, { kind: 'setBillable' }, [...charged, ...postings]))).toBe('ILLEGAL_TRANSITION');
    expect(recordPostings(record, [...charged, ...postings])).toEqual([]);
    expect(allowedBillingActions(record)).toEqual([]);
  });

  it('adjusting a billed record reverses it now and charges the adjusted data at the next rating (item 25)', () => {
    const charged = recordPostings(aRecord(), []);
    const adjusted = applyBillingAction(aRecord(), { kind: 'adjust', changes: { quantity: '180', item: 'mobile' } }, charged);
    expect(adjusted.record).toMatchObject({ ratingState: 'PENDING', amount: null, quantity: '180', item: 'mobile', directive: 'TO_BE_BILLED', lifeCycle: 'POSTED' });
    expect(adjusted.postings.map((p) => [p.key, net([p])])).toEqual([['record:r1:charge:reversal:1', '-10']]);
    const ledger = [...charged, ...adjusted.postings];
    const rated = applyBillingAction(adjusted.record, { kind: 'rate', amount: '15.0000' }, ledger);
    expect(rated.postings.map((p) => [p.key, p.kind, net([p]), p.attributes.item])).toEqual([['record:r1:charge:revision:1', 'revision', '15', 'mobile']]);
    expect(net([...ledger, ...rated.postings])).toBe('15');
  });

  it.each<[BillingAction['kind'], string[], string]>([
    ['setCreditable', ['-10', '-10'], '-10'],
    ['setNotToBeBilled', ['-10'], '0'],
  ])('%s on a billed €10 record posts an opposite reversal and the new charge (item 27)', (kind, nets, total) => {
    const charged = recordPostings(aRecord(), []);
    const { postings } = applyBillingAction(aRecord(), { kind } as BillingAction, charged);
    expect(postings.map((p) => net([p]))).toEqual(nets);
    expect(postings[0]?.kind).toBe('reversal');
    expect(net([...charged, ...postings])).toBe(total);
  });

  it('an unrated or not-to-be-billed record has no charge, and the delta of a settled record is empty', () => {
    expect(recordPostings(aRecord({ ratingState: 'PENDING', amount: null }), [])).toEqual([]);
    expect(recordPostings(aRecord({ directive: 'NOT_TO_BE_BILLED' }), [])).toEqual([]);
    expect(recordPostings(aRecord({ amount: '0.00' }), [])).toEqual([]);
    const charged = recordPostings(aRecord(), []);
    expect(recordPostings(aRecord(), charged)).toEqual([]);
  });

  it('only looks at the own entry of the record when given a whole ledger', () => {
    const other = recordPostings(aRecord({ recordId: 'r2' }), []);
    const charged = recordPostings(aRecord(), []);
    expect(recordPostings(aRecord(), [...other, ...charged])).toEqual([]);
    expect(recordPostings(aRecord({ lifeCycle: 'CANCELLED' }), [...other, ...charged]).map((p) => p.key)).toEqual(['record:r1:charge:reversal:1']);
  });

  it('lists the actions a person may take', () => {
    expect(allowedBillingActions(aRecord())).toEqual(['setCreditable', 'setNotToBeBilled', 'adjust', 'cancel']);
    expect(allowedBillingActions(aRecord({ lifeCycle: 'SCHEDULED', directive: 'NOT_TO_BE_BILLED' }))).toEqual(['setBillable', 'setCreditable', 'cancel']);
  });
});
