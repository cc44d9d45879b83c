import Decimal from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalDecimal, canonicalDecimals, createFastRowValidator } from '../../../domain/usage-file/fast-row';
import { parsePlainDecimal } from '../../../domain/usage-file/decimal-text';
import { validateRow, type ValidationContext } from '../../../domain/usage-file/validate';
import { aContext, QT_CELLS, QT_HEADERS, TR_HEADERS } from '../../fixtures/usage-files/builders';

// The fast path must never accept a row the full validator refuses, and must give the same record
// when it accepts one. Cells are drawn from small pools of good and bad values so that both
// outcomes are common.

const pools: Record<string, string[]> = {
  record_id: ['r-1', '', ' r-2', 'r-3 ', 'r-®', 'x<b>y</b>', 'a\\b', 'r\t4'],
  record_note: ['', 'note', ' spaced ', 'a<b', 'x<i>'],
  item_search_criteria: ['item.mpn', 'item.global_id', 'item.id', 'item.name', '', 'ITEM.MPN'],
  item_search_value: ['MPN-STORAGE-GB', 'MPN-SEATS', 'MPN-TWIN', 'GID-STORAGE', 'PRD-100-0002', 'nope', '', 'MPN-SEATS '],
  quantity: ['1', '0', '-0', '120.5', '120.50', '007', '1.25', '1.123', '-3', '1e3', '.5', '1.', '0.000000001', '12345678901234567890123456789012345678', '123456789012345678901234567890123456789', ''],
  amount: ['12.05', '0', '-1.5', '1,5', '', '00.10'],
  tier: ['0', '1', '999', '1000', '-1', 'a', ''],
  start_time_utc: ['2024-03-01 00:00:00', '2024-02-29 23:59:59', '2024-03-31 23:59:59', '2024-03-15 25:00:00', '2024-04-01 00:00:00', ''],
  end_time_utc: ['2024-03-31 23:59:59', '2024-03-01 00:00:00', '2024-04-01 00:00:00', '2024-04-03 00:00:00', '2024-3-31 23:59:59', ''],
  asset_search_criteria: ['asset.id', 'parameter.tenant_id', 'parameter.region', 'parameter.', 'asset.recon', ''],
  asset_search_value: ['AS-1234-5678-9012', 'AS-2222-0000-0001', 'tenant-43', 'eu', 'us', 'nope', ''],
  category_id: ['', 'generic_category', 'cat-storage', 'cat-unknown'],
};

/** Mostly the pool's first (valid) value, so that whole rows pass often enough. */
const cell = (pool: string[]) => fc.oneof({ arbitrary: fc.constant(pool[0]!), weight: 4 }, { arbitrary: fc.constantFrom(...pool), weight: 1 });

const contexts: ValidationContext[] = [
  aContext(),
  aContext({ schema: 'TR' }),
  aContext({ schema: 'PR', capabilities: { dynamic: false, future: true, late: true } }),
];

describe('fast row validation', () => {
  it.each(contexts.map((c) => [c.schema, c] as const))('agrees with validateRow on every row it accepts (%s)', (_, context) => {
    const headers = [...(context.schema === 'TR' ? TR_HEADERS : context.schema === 'QT' ? QT_HEADERS : [...QT_HEADERS, 'amount']), 'record_note', 'category_id'];
    const fast = createFastRowValidator(headers, context)!;
    expect(fast).toBeDefined();
    let accepted = 0;
    fc.assert(fc.property(fc.tuple(...headers.map((h) => cell(pools[h]!))), (fields) => {
      const record = fast(fields, 7);
      const cells = Object.create(null) as Record<string, string>;
      headers.forEach((h, i) => { cells[h] = fields[i]!; });
      const full = validateRow({ rowNumber: 7, cells }, context);
      if (record === undefined) return;
      accepted++;
      expect(full).toEqual({ ok: true, record });
    }), { numRuns: 20_000 });
    expect(accepted).toBeGreaterThan(20);
  });

  it('accepts the common valid row', () => {
    const fast = createFastRowValidator(QT_HEADERS, aContext())!;
    expect(fast(Object.values(QT_CELLS), 2)?.quantity).toBe('120.5');
  });

  it('leaves files with other columns to the full path', () => {
    expect(createFastRowValidator([...QT_HEADERS, 'v.contract'], aContext())).toBeUndefined();
    expect(createFastRowValidator([...QT_HEADERS, 'item_mpn'], aContext())).toBeUndefined();
    expect(createFastRowValidator([...QT_HEADERS, 'usage_record_id'], aContext())).toBeUndefined();
    expect(createFastRowValidator(QT_HEADERS.filter((h) => h !== 'asset_search_value'), aContext())).toBeUndefined();
  });

  it('refuses a row of the wrong width', () => {
    const fast = createFastRowValidator(QT_HEADERS, aContext())!;
    expect(fast([...Object.values(QT_CELLS), ''], 2)).toBeUndefined();
  });
});

describe('canonical decimals', () => {
  it('takes a text as its own canonical form only when decimal.js and parsePlainDecimal agree it is', () => {
    fc.assert(fc.property(fc.stringMatching(/^-?[0-9]{0,40}(\.[0-9]{0,12})?$/), (text) => {
      const decimals = canonicalDecimals(text);
      const parsed = parsePlainDecimal(text);
      if (decimals < 0) {
        expect(canonicalDecimal(text)).toEqual(parsed);
        return;
      }
      expect(parsed).toEqual({ text, decimals });
      expect(new Decimal(text).toFixed()).toBe(text);
      expect(new Decimal(text).decimalPlaces()).toBe(decimals);
    }), { numRuns: 20_000 });
  });

  it.each([['0', 0], ['-0', -1], ['10', 0], ['0.5', 1], ['-0.25', 2], ['1.50', -1], ['01', -1], ['1.', -1], ['', -1], ['-', -1], ['1e3', -1]])('%s → %i', (text, expected) => {
    expect(canonicalDecimals(text)).toBe(expected);
  });
});
