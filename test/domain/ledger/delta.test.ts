import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  balanceOf,
  balances,
  entryKeys,
  postingDelta,
  transferLines,
  validatePosting,
  type IntendedEntry,
  type LedgerAccount,
  type Posting,
  type PostingLine,
} from '../../../domain/ledger';
import { ZERO, formatPlain, money } from '../../../domain/money';
import { codeOf } from '../../helpers/domain-errors';

const unbilled: LedgerAccount = { kind: 'unbilled', owner: 'acc-1' };
const revenue: LedgerAccount = { kind: 'revenue', owner: 'acc-1' };

function charge(recordId: string, amount: string, attributes: Record<string, string> = {}): IntendedEntry {
  return {
    entry: entryKeys.recordCharge(recordId),
    currency: 'EUR',
    effectiveAt: '2024-03-05T10:00:00.000Z',
    lines: transferLines(unbilled, revenue, money(amount)),
    attributes: { recordId, ...attributes },
  };
}


describe('posting validation', () => {
  const line = (side: 'debit' | 'credit', amount: string, account = unbilled): PostingLine => ({ account, side, amount });
  const posting = (lines: PostingLine[]): Posting => ({
    key: 'k', entry: 'k', kind: 'original', revision: 0, reverses: null, currency: 'EUR',
    effectiveAt: '2024-01-01T00:00:00.000Z', lines, attributes: {},
  });

  it.each<[string, PostingLine[], string | undefined]>([
    ['balanced', [line('debit', '10.00'), line('credit', '10', revenue)], undefined],
    ['balanced across three lines', [line('debit', '10.005'), line('credit', '4', revenue), line('credit', '6.005', revenue)], undefined],
    ['unbalanced by a hundredth of a cent', [line('debit', '10.0001'), line('credit', '10', revenue)], 'UNBALANCED_POSTING'],
    ['one-sided', [line('debit', '10')], 'UNBALANCED_POSTING'],
    ['empty', [], 'INVALID_POSTING'],
    ['zero amount', [line('debit', '0'), line('credit', '0', revenue)], 'INVALID_POSTING'],
    ['negative amount', [line('debit', '-1'), line('credit', '-1', revenue)], 'INVALID_POSTING'],
    ['float-looking amount', [line('debit', '1e2'), line('credit', '100', revenue)], 'INVALID_POSTING'],
  ])('%s', (_name, lines, code) => {
    expect(codeOf(() => validatePosting(posting(lines)))).toBe(code);
  });

  it('postingDelta refuses an unbalanced intended entry and a duplicated entry', () => {
    const bad: IntendedEntry = { ...charge('r1', '10'), lines: [line('debit', '10'), line('credit', '9', revenue)] };
    expect(codeOf(() => postingDelta([bad], []))).toBe('UNBALANCED_POSTING');
    expect(codeOf(() => postingDelta([charge('r1', '1'), charge('r1', '2')], []))).toBe('DUPLICATE_ENTRY');
  });
});

describe('postingDelta', () => {
  it('posts an original under the entry key, then nothing the second time', () => {
    const first = postingDelta([charge('r1', '10.00')], []);
    expect(first.map((p) => p.key)).toEqual(['record:r1:charge']);
    expect(postingDelta([charge('r1', '10.00')], first)).toEqual([]);
    expect(postingDelta([charge('r1', '10')], first)).toEqual([]);
  });

  it('corrects with a reversal of exactly opposite value plus a revision', () => {
    const posted = postingDelta([charge('r1', '10.00')], []);
    const delta = postingDelta([charge('r1', '12.50')], posted);
    expect(delta.map((p) => [p.key, p.kind, p.reverses])).toEqual([
      ['record:r1:charge:reversal:1', 'reversal', 'record:r1:charge'],
      ['record:r1:charge:revision:1', 'revision', null],
    ]);
    expect(formatPlain(balanceOf(delta.slice(0, 1), unbilled))).toBe('-10');
    expect(formatPlain(balanceOf([...posted, ...delta], unbilled))).toBe('12.5');
    const again = postingDelta([charge('r1', '13')], [...posted, ...delta]);
    expect(again.map((p) => p.key)).toEqual(['record:r1:charge:reversal:2', 'record:r1:charge:revision:2']);
    expect(again[0]?.reverses).toBe('record:r1:charge:revision:1');
  });

  it('reverses entries that should no longer exist, and re-posts after a gap', () => {
    const posted = postingDelta([charge('r1', '10')], []);
    const removal = postingDelta([], posted);
    expect(removal.map((p) => p.key)).toEqual(['record:r1:charge:reversal:1']);
    expect(postingDelta([], [...posted, ...removal])).toEqual([]);
    const back = postingDelta([charge('r1', '10')], [...posted, ...removal]);
    expect(back.map((p) => p.key)).toEqual(['record:r1:charge:revision:1']);
  });

  it('treats a change of facts (product) with the same amount as a correction', () => {
    const posted = postingDelta([charge('r1', '10', { item: 'A' })], []);
    expect(postingDelta([charge('r1', '10', { item: 'B' })], posted)).toHaveLength(2);
  });

  const amountArb = fc
    .tuple(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), fc.integer({ min: 0, max: 4 }))
    .map(([units, scale]) => formatPlain(money(String(units)).dividedBy(10 ** scale)));
  const scopeArb = fc.array(fc.tuple(fc.integer({ min: 1, max: 6 }), amountArb, fc.constantFrom('A', 'B')), { maxLength: 8 }).map((rows) => {
    const byRecord = new Map<string, IntendedEntry>();
    for (const [id, amount, item] of rows) byRecord.set(`r${id}`, charge(`r${id}`, amount, { item }));
    return [...byRecord.values()];
  });

  function netByEntry(postings: readonly Posting[]): Map<string, string> {
    const map = new Map<string, string>();
    const entries = new Set(postings.map((p) => p.entry));
    for (const entry of entries) {
      map.set(entry, formatPlain(balanceOf(postings.filter((p) => p.entry === entry), unbilled)));
    }
    for (const [key, value] of map) if (value === '0') map.delete(key);
    return map;
  }

  it('property: delta(x, x) is empty, applying a delta then recomputing is empty, every posting balances', () => {
    fc.assert(
      fc.property(fc.array(scopeArb, { minLength: 1, maxLength: 5 }), (states) => {
        let ledger: Posting[] = [];
        for (const shouldBe of states) {
          const delta = postingDelta(shouldBe, ledger);
          for (const posting of delta) validatePosting(posting);
          ledger = [...ledger, ...delta];
          expect(postingDelta(shouldBe, ledger)).toEqual([]);
          const expected = new Map(shouldBe.map((e) => [e.entry, formatPlain(balanceOf([{ ...e, key: e.entry, kind: 'original', revision: 0, reverses: null }], unbilled))]));
          for (const [key, value] of expected) if (value === '0') expected.delete(key);
          expect(netByEntry(ledger)).toEqual(expected);
        }
        expect(new Set(ledger.map((p) => p.key)).size).toBe(ledger.length);
        let total = ZERO;
        for (const value of balances(ledger).values()) total = total.plus(value);
        expect(total.isZero()).toBe(true);
      }),
    );
  });
});
