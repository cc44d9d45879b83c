import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../domain/errors';
import {
  createRowValidator,
  validateRow,
  type CellErrorCode,
  type RowResult,
  type ValidationContext,
} from '../../../domain/usage-file/validate';
import { aContext, aPricedRow, aRow } from '../../fixtures/usage-files/builders';

// One records row against one product (SPEC §1.7, §5 43–52). Each table row: the cells that
// differ from a valid row, the context that differs from the default, and the one expected error.

type Cells = Record<string, string | undefined>;

function errorsOf(result: RowResult) {
  return result.ok ? [] : result.errors.map(({ column, code }) => ({ column, code }));
}

function expectOnlyError(result: RowResult, column: string, code: CellErrorCode) {
  expect(errorsOf(result)).toEqual([{ column, code }]);
}

function expectValid(result: RowResult) {
  expect(errorsOf(result)).toEqual([]);
  if (!result.ok) throw new Error('unreachable');
  return result.record;
}

describe('a valid row', () => {
  it('becomes a normalized record (SPEC §1.6 QT example)', () => {
    const record = expectValid(validateRow(aRow({ record_note: ' storage ', 'v.contract': 'C-1', 'p.ref': '' }), aContext()));
    expect(record).toEqual({
      rowNumber: 2,
      recordId: 'r-0001',
      note: 'storage',
      item: { kind: 'existing', id: 'PRD-100-0001', mpn: 'MPN-STORAGE-GB', precision: 'decimal_2' },
      assetId: 'AS-1234-5678-9012',
      quantity: '120.5',
      amount: null,
      startAt: '2024-03-01T00:00:00.000Z',
      endAt: '2024-03-31T23:59:59.000Z',
      tier: null,
      categoryId: 'generic_category',
      params: [{ name: 'v.contract', value: 'C-1' }],
    });
  });

  it('accepts record_id under its 2019 name usage_record_id', () => {
    const record = expectValid(validateRow(aRow({ record_id: undefined, usage_record_id: 'old-1' }), aContext()));
    expect(record.recordId).toBe('old-1');
  });

  it('reports an error on usage_record_id when that is the column the file uses', () => {
    const result = validateRow(aRow({ record_id: undefined, usage_record_id: '' }), aContext());
    expectOnlyError(result, 'usage_record_id', 'REQUIRED');
  });

  it('keeps extra v./p./other columns as params, in header order', () => {
    const record = expectValid(validateRow(aRow({ 'v.a': '1', 'p.b': '2', other: '3' }), aContext()));
    expect(record.params).toEqual([
      { name: 'v.a', value: '1' },
      { name: 'p.b', value: '2' },
      { name: 'other', value: '3' },
    ]);
  });
});

describe('required columns per schema (§5 43–45)', () => {
  it.each([
    ['QT', 'record_id'],
    ['QT', 'item_search_criteria'],
    ['QT', 'item_search_value'],
    ['QT', 'quantity'],
    ['QT', 'start_time_utc'],
    ['QT', 'end_time_utc'],
    ['QT', 'asset_search_criteria'],
    ['QT', 'asset_search_value'],
    ['PR', 'amount'],
    ['CR', 'amount'],
    ['TR', 'amount'],
    ['TR', 'tier'],
  ] as const)('under %s an empty %s is REQUIRED', (schema, column) => {
    const result = validateRow(aPricedRow({ [column]: '  ' }), aContext({ schema }));
    expectOnlyError(result, column, 'REQUIRED');
  });

  it.each<['QT' | 'PR' | 'CR', 'amount' | 'tier']>([
    ['QT', 'amount'],
    ['PR', 'tier'],
    ['CR', 'tier'],
  ])('under %s the %s column is ignored', (schema, column) => {
    const record = expectValid(validateRow(aPricedRow({ [column]: 'not a number' }), aContext({ schema })));
    expect(column === 'amount' ? record.amount : record.tier).toBe(null);
  });

  it.each([
    ['PR', '12.050', '12.05'],
    ['CR', '-5.00', '-5'],
    ['TR', '0009.640', '9.64'],
  ] as const)('under %s amount %s is kept as the decimal string %s', (schema, amount, expected) => {
    const record = expectValid(validateRow(aPricedRow({ amount }), aContext({ schema })));
    expect(record.amount).toBe(expected);
  });

  it.each(['abc', '1e3', '1,000.00', '+5', '.5', '5.', '$5', '١٢'])('amount %j is BAD_NUMBER', (amount) => {
    const result = validateRow(aPricedRow({ amount }), aContext({ schema: 'PR' }));
    expect(errorsOf(result)).toContainEqual({ column: 'amount', code: expect.stringMatching(/BAD_NUMBER|FORBIDDEN_CHARACTERS/) });
    expect(result.ok).toBe(false);
  });

  it.each([
    ['0', 0],
    ['1', 1],
    ['2', 2],
    [' 10 ', 10],
  ] as const)('TR tier %j is tier %d', (tier, expected) => {
    expect(expectValid(validateRow(aPricedRow({ tier }), aContext({ schema: 'TR' }))).tier).toBe(expected);
  });

  it.each(['-1', '1.5', 'one', '1000', '1e2'])('TR tier %j is BAD_TIER', (tier) => {
    expectOnlyError(validateRow(aPricedRow({ tier }), aContext({ schema: 'TR' })), 'tier', 'BAD_TIER');
  });
});

describe('times (§5 47, 51)', () => {
  it.each([
    '2024-03-01',
    '2024-03-01T00:00:00',
    '2024-03-01T00:00:00Z',
    '2024-3-1 00:00:00',
    '01/03/2024 00:00:00',
    '2024-03-01 00:00',
    '2024-03-01 00:00:00.000',
    '2023-02-29 00:00:00',
    '2024-04-31 00:00:00',
    '2024-03-01 24:00:00',
    '2024-03-01 23:60:00',
    '2024-03-01 23:59:60',
    '45352',
  ])('start %j is BAD_TIME', (start) => {
    expectOnlyError(validateRow(aRow({ start_time_utc: start }), aContext()), 'start_time_utc', 'BAD_TIME');
  });

  it('accepts 29 February of a leap year', () => {
    const context = aContext({ period: { from: '2024-02-01T00:00:00Z', to: '2024-02-29T23:59:59Z' } });
    expectValid(validateRow(aRow({ start_time_utc: '2024-02-29 00:00:00', end_time_utc: '2024-02-29 23:59:59' }), context));
  });

  it('refuses a start after the end (START_AFTER_END) but accepts start = end', () => {
    const after = aRow({ start_time_utc: '2024-03-10 00:00:01', end_time_utc: '2024-03-10 00:00:00' });
    expectOnlyError(validateRow(after, aContext()), 'start_time_utc', 'START_AFTER_END');
    expectValid(validateRow(aRow({ start_time_utc: '2024-03-10 00:00:00', end_time_utc: '2024-03-10 00:00:00' }), aContext()));
  });

  const march = { late: false, future: false, dynamic: false };
  it.each([
    // [start, end, capabilities, uploadedAt, column, code]
    ['2024-02-29 23:59:59', '2024-03-01 10:00:00', march, undefined, 'start_time_utc', 'OUT_OF_PERIOD'],
    ['2024-03-31 00:00:00', '2024-04-01 00:00:00', march, undefined, 'end_time_utc', 'OUT_OF_PERIOD'],
    ['2024-03-31 00:00:00', '2024-04-03 00:00:00', march, undefined, 'end_time_utc', 'FUTURE_CHARGE'],
    ['2024-03-01 00:00:00', '2024-03-20 00:00:01', march, '2024-03-20T00:00:00.000Z', 'end_time_utc', 'FUTURE_CHARGE'],
  ] as const)('%s → %s is refused on %s with %s', (start, end, capabilities, uploadedAt, column, code) => {
    const context = aContext({ capabilities, ...(uploadedAt ? { uploadedAt } : {}) });
    const result = validateRow(aRow({ start_time_utc: start, end_time_utc: end }), context);
    expect(errorsOf(result)).toEqual([{ column, code }]);
  });

  it.each([
    ['late charges on: a start before the period', '2024-01-15 00:00:00', '2024-01-31 23:59:59', { late: true }],
    ['future charges on: an end after the period', '2024-03-31 00:00:00', '2024-04-30 00:00:00', { future: true }],
    ['future charges on: an end after the upload', '2024-05-01 00:00:00', '2024-05-31 00:00:00', { future: true }],
    ['the exact period bounds', '2024-03-01 00:00:00', '2024-03-31 23:59:59', {}],
  ] as const)('accepts %s', (_, start, end, enabled) => {
    const context = aContext({ capabilities: { dynamic: false, future: false, late: false, ...enabled } });
    expectValid(validateRow(aRow({ start_time_utc: start, end_time_utc: end }), context));
  });

  it('names the value, the bound and the switch in the message', () => {
    const result = validateRow(aRow({ end_time_utc: '2024-04-05 00:00:00' }), aContext());
    expect(result.ok ? '' : result.errors[0]?.message).toBe(
      'end_time_utc 2024-04-05 00:00:00 is after the upload time 2024-04-02 10:00:00; future charges are not enabled',
    );
  });
});

describe('item lookup (§5 48)', () => {
  it.each([
    ['item.mpn', 'MPN-STORAGE-GB', 'PRD-100-0001'],
    ['item.global_id', 'GID-SEATS', 'PRD-100-0002'],
    ['item.id', 'PRD-100-0001', 'PRD-100-0001'],
  ])('%s %s resolves to %s', (criteria, value, id) => {
    const record = expectValid(validateRow(aRow({ item_search_criteria: criteria, item_search_value: value, quantity: '1' }), aContext()));
    expect(record.item).toMatchObject({ kind: 'existing', id });
  });

  it.each([
    [{ item_search_criteria: 'item.name' }, 'item_search_criteria', 'BAD_CRITERIA'],
    [{ item_search_criteria: 'ITEM.MPN' }, 'item_search_criteria', 'BAD_CRITERIA'],
    [{ item_search_criteria: 'mpn' }, 'item_search_criteria', 'BAD_CRITERIA'],
    [{ item_search_value: 'MPN-NOPE' }, 'item_search_value', 'ITEM_NOT_FOUND'],
    [{ item_search_criteria: 'item.global_id', item_search_value: 'MPN-STORAGE-GB' }, 'item_search_value', 'ITEM_NOT_FOUND'],
    [{ item_search_value: 'MPN-TWIN' }, 'item_search_value', 'ITEM_AMBIGUOUS'],
  ] as Array<[Cells, string, CellErrorCode]>)('%j is refused on %s with %s', (cells, column, code) => {
    expectOnlyError(validateRow(aRow(cells), aContext()), column, code);
  });

  it('lists the ambiguous items in the message', () => {
    const result = validateRow(aRow({ item_search_value: 'MPN-TWIN' }), aContext());
    expect(result.ok ? '' : result.errors[0]?.message).toBe(
      "item.mpn 'MPN-TWIN' matches 2 items of the product (PRD-100-0003, PRD-100-0004)",
    );
  });
});

describe('asset lookup (§5 48)', () => {
  it.each([
    [{ asset_search_criteria: 'asset.id', asset_search_value: 'AS-2222-0000-0001' }, 'AS-2222-0000-0001'],
    [{ asset_search_criteria: 'parameter.tenant_id', asset_search_value: 'tenant-42' }, 'AS-1234-5678-9012'],
    [{ asset_search_criteria: 'parameter.region', asset_search_value: 'us' }, 'AS-3333-0000-0001'],
    [{ asset_search_criteria: '', asset_search_value: '', asset_recon_id: 'RECON-3' }, 'AS-3333-0000-0001'],
    [{ asset_search_criteria: undefined, asset_search_value: undefined, asset_recon_id: 'RECON-1' }, 'AS-1234-5678-9012'],
    [{ asset_recon_id: 'RECON-1' }, 'AS-1234-5678-9012'],
  ] as Array<[Cells, string]>)('%j resolves to %s', (cells, assetId) => {
    expect(expectValid(validateRow(aRow(cells), aContext())).assetId).toBe(assetId);
  });

  it.each([
    [{ asset_search_criteria: 'asset.external_id' }, 'asset_search_criteria', 'BAD_CRITERIA'],
    [{ asset_search_criteria: 'parameter.' }, 'asset_search_criteria', 'BAD_CRITERIA'],
    [{ asset_search_value: 'AS-0000' }, 'asset_search_value', 'ASSET_NOT_FOUND'],
    [{ asset_search_criteria: 'parameter.tenant_id', asset_search_value: 'tenant-99' }, 'asset_search_value', 'ASSET_NOT_FOUND'],
    [{ asset_search_criteria: 'parameter.nope', asset_search_value: 'x' }, 'asset_search_value', 'ASSET_NOT_FOUND'],
    [{ asset_search_criteria: 'parameter.region', asset_search_value: 'eu' }, 'asset_search_value', 'ASSET_AMBIGUOUS'],
    [{ asset_search_criteria: '', asset_search_value: '', asset_recon_id: 'RECON-9' }, 'asset_recon_id', 'ASSET_NOT_FOUND'],
    [{ asset_recon_id: 'RECON-3' }, 'asset_recon_id', 'ASSET_RECON_MISMATCH'],
    [{ asset_search_criteria: '' }, 'asset_search_criteria', 'REQUIRED'],
  ] as Array<[Cells, string, CellErrorCode]>)('%j is refused on %s with %s', (cells, column, code) => {
    expectOnlyError(validateRow(aRow(cells), aContext()), column, code);
  });

  it('never reaches Object.prototype through a parameter name', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const result = validateRow(aRow({ asset_search_criteria: `parameter.${name}`, asset_search_value: '[object Object]' }), aContext());
      expectOnlyError(result, 'asset_search_value', 'ASSET_NOT_FOUND');
    }
  });
});

describe('dynamic items (§5 49)', () => {
  const newItem = { item_search_value: 'MPN-NEW', item_name: 'New storage', item_unit: 'GB', item_precision: 'decimal(2)' };
  const dynamicOn = aContext({ capabilities: { dynamic: true, future: false, late: false } });

  it('creates the item when dynamic items are on', () => {
    const record = expectValid(validateRow(aRow(newItem), dynamicOn));
    expect(record.item).toEqual({ kind: 'dynamic', mpn: 'MPN-NEW', name: 'New storage', unit: 'GB', precision: 'decimal_2' });
  });

  it('refuses the same row when dynamic items are off', () => {
    expectOnlyError(validateRow(aRow(newItem), aContext()), 'item_search_value', 'DYNAMIC_ITEMS_DISABLED');
  });

  it('identifies the item by item_mpn alone when the search columns are empty', () => {
    const cells = { ...newItem, item_search_criteria: '', item_search_value: '', item_mpn: 'MPN-NEW' };
    expect(expectValid(validateRow(aRow(cells), dynamicOn)).item).toMatchObject({ kind: 'dynamic', mpn: 'MPN-NEW' });
  });

  it('uses the existing item when the MPN is known, ignoring the description', () => {
    const record = expectValid(validateRow(aRow({ ...newItem, item_search_value: 'MPN-STORAGE-GB' }), aContext()));
    expect(record.item).toMatchObject({ kind: 'existing', id: 'PRD-100-0001' });
  });

  it.each([
    [{ item_name: '' }, 'item_name', 'REQUIRED'],
    [{ item_unit: undefined }, 'item_unit', 'REQUIRED'],
    [{ item_precision: '' }, 'item_precision', 'REQUIRED'],
    [{ item_precision: 'decimal(3)' }, 'item_precision', 'BAD_ITEM_PRECISION'],
    [{ item_precision: 'float' }, 'item_precision', 'BAD_ITEM_PRECISION'],
    [{ item_mpn: 'MPN-OTHER' }, 'item_mpn', 'ITEM_MPN_MISMATCH'],
    [{ item_name: undefined, item_unit: undefined, item_precision: undefined }, 'item_search_value', 'ITEM_NOT_FOUND'],
  ] as Array<[Cells, string, CellErrorCode]>)('%j is refused on %s with %s', (cells, column, code) => {
    expect(errorsOf(validateRow(aRow({ ...newItem, ...cells }), dynamicOn))).toContainEqual({ column, code });
  });

  it.each([
    ['integer', '3', true],
    ['integer', '3.5', false],
    ['decimal(1)', '3.5', true],
    ['decimal_4', '3.1234', true],
    ['DECIMAL(8)', '3.12345678', true],
    ['decimal(8)', '3.123456789', false],
  ])('a new item of precision %s takes quantity %s: %s', (precision, quantity, ok) => {
    const result = validateRow(aRow({ ...newItem, item_precision: precision, quantity }), dynamicOn);
    expect(result.ok).toBe(ok);
    if (!ok) expectOnlyError(result, 'quantity', 'PRECISION');
  });
});

describe('quantity and precision (§5 50)', () => {
  it.each([
    // [item mpn (its precision), quantity, normalized | error]
    ['MPN-SEATS (integer)', 'MPN-SEATS', '10', '10'],
    ['MPN-SEATS (integer)', 'MPN-SEATS', '10.000', '10'],
    ['MPN-SEATS (integer)', 'MPN-SEATS', '10.5', 'PRECISION'],
    ['MPN-STORAGE-GB (decimal_2)', 'MPN-STORAGE-GB', '1.25', '1.25'],
    ['MPN-STORAGE-GB (decimal_2)', 'MPN-STORAGE-GB', '1.250', '1.25'],
    ['MPN-STORAGE-GB (decimal_2)', 'MPN-STORAGE-GB', '1.251', 'PRECISION'],
    ['MPN-STORAGE-GB (decimal_2)', 'MPN-STORAGE-GB', '007.10', '7.1'],
    ['MPN-STORAGE-GB (decimal_2)', 'MPN-STORAGE-GB', '-0.00', '0'],
    ['MPN-STORAGE-GB (decimal_2)', 'MPN-STORAGE-GB', '-3', '-3'],
    ['MPN-STORAGE-GB (decimal_2)', 'MPN-STORAGE-GB', '1e2', 'BAD_NUMBER'],
    ['MPN-STORAGE-GB (decimal_2)', 'MPN-STORAGE-GB', '1 000', 'BAD_NUMBER'],
    ['MPN-STORAGE-GB (decimal_2)', 'MPN-STORAGE-GB', '1,5', 'BAD_NUMBER'],
    ['MPN-STORAGE-GB (decimal_2)', 'MPN-STORAGE-GB', 'NaN', 'BAD_NUMBER'],
    ['MPN-STORAGE-GB (decimal_2)', 'MPN-STORAGE-GB', '9'.repeat(39), 'BAD_NUMBER'],
  ])('%s, quantity %j → %s', (_, mpn, quantity, expected) => {
    const result = validateRow(aRow({ item_search_value: mpn, quantity }), aContext());
    if (expected === 'PRECISION' || expected === 'BAD_NUMBER') expectOnlyError(result, 'quantity', expected);
    else expect(expectValid(result).quantity).toBe(expected);
  });

  it('says how many decimals the item takes', () => {
    const result = validateRow(aRow({ item_search_value: 'MPN-SEATS', quantity: '2.5' }), aContext());
    expect(result.ok ? '' : result.errors[0]?.message).toBe(
      'quantity 2.5 has 1 decimals; item MPN-SEATS has precision integer and takes a whole number',
    );
  });
});

describe('text cells (§1.7: high-ASCII and HTML)', () => {
  it.each([
    ['record_note', 'Storage®'],
    ['record_note', 'Copyright © 2024'],
    ['record_note', 'café'],
    ['record_note', 'bell\u0007'],
    ['record_note', 'zero\u200bwidth'],
    ['record_note', '<b>bold</b>'],
    ['record_note', 'see <a href="x">here</a>'],
    ['record_note', '<br/>'],
    ['record_note', '<!-- hidden -->'],
    ['v.comment', '<script>alert(1)</script>'],
    ['record_id', 'r-©'],
  ])('%s %j is FORBIDDEN_CHARACTERS', (column, value) => {
    expectOnlyError(validateRow(aRow({ [column]: value }), aContext()), column, 'FORBIDDEN_CHARACTERS');
  });

  it.each(['a < b', 'x<5 and y>3', '2 > 1', 'tabs\tand\nnewlines', 'ascii ~!@#$%^&*()'])('accepts %j', (note) => {
    expectValid(validateRow(aRow({ record_note: note }), aContext()));
  });

  it('names the character and its code point', () => {
    const result = validateRow(aRow({ record_note: 'Storage®' }), aContext());
    expect(result.ok ? '' : result.errors[0]?.message).toBe(
      "record_note contains the character '®' (U+00AE); only plain ASCII characters are accepted",
    );
  });
});

describe('categories (§5 52)', () => {
  it.each([
    ['', 'generic_category'],
    ['cat-storage', 'cat-storage'],
    ['generic_category', 'generic_category'],
  ])('category_id %j → %s', (categoryId, expected) => {
    expect(expectValid(validateRow(aRow({ category_id: categoryId }), aContext())).categoryId).toBe(expected);
  });

  it('refuses a category that is not on the categories sheet', () => {
    expectOnlyError(validateRow(aRow({ category_id: 'cat-nope' }), aContext()), 'category_id', 'UNKNOWN_CATEGORY');
  });
});

describe('several errors in one row', () => {
  it('reports one error per failing cell', () => {
    const result = validateRow(
      aPricedRow({ record_id: '', quantity: 'x', amount: '', tier: '-1', start_time_utc: 'soon', category_id: 'nope' }),
      aContext({ schema: 'TR' }),
    );
    expect(errorsOf(result)).toEqual([
      { column: 'record_id', code: 'REQUIRED' },
      { column: 'quantity', code: 'BAD_NUMBER' },
      { column: 'amount', code: 'REQUIRED' },
      { column: 'tier', code: 'BAD_TIER' },
      { column: 'start_time_utc', code: 'BAD_TIME' },
      { column: 'category_id', code: 'UNKNOWN_CATEGORY' },
    ]);
    expect(result.ok ? [] : result.errors.map((e) => e.row)).toEqual([2, 2, 2, 2, 2, 2]);
  });
});

describe('the context', () => {
  it.each([
    ['an unknown schema', { schema: 'XX' }],
    ['a period that ends before it starts', { period: { from: '2024-04-01T00:00:00Z', to: '2024-03-01T00:00:00Z' } }],
    ['a non-UTC instant', { uploadedAt: '2024-04-02T10:00:00+02:00' }],
    ['an item precision outside the enum', { items: [{ id: 'I', mpn: 'M', precision: 'decimal_3', type: 'ppu' }] }],
    ['categoryIds as an array', { categoryIds: ['cat'] }],
  ])('refuses %s with a ValidationError', (_, overrides) => {
    expect(() => createRowValidator(aContext(overrides as unknown as Partial<ValidationContext>))).toThrow(ValidationError);
  });

  it('validates many rows with one prepared context', () => {
    const validate = createRowValidator(aContext());
    const results = Array.from({ length: 1000 }, (_, i) => validate(aRow({ record_id: `r-${i}` }, i + 2)));
    expect(results.every((r) => r.ok)).toBe(true);
  });
});
