import { describe, expect, it } from 'vitest';
import {
  checkHeaders,
  findDuplicateRecordIds,
  findDynamicItemConflicts,
  validateCategories,
  validateSheet,
  type RawRow,
} from '../../../domain/usage-file/validate';
import { createRowValidator } from '../../../domain/usage-file/validate';
import { QT_HEADERS, TR_HEADERS, aContext, aPricedRow, aRow, workedExampleRows } from '../../fixtures/usage-files/builders';

const codes = (errors: ReadonlyArray<{ row: number; column: string; code: string }>) =>
  errors.map(({ row, column, code }) => ({ row, column, code }));

describe('checkHeaders', () => {
  it.each([
    ['QT', QT_HEADERS, []],
    ['TR', TR_HEADERS, []],
    ['PR', [...QT_HEADERS, 'amount'], []],
    ['PR', QT_HEADERS, ['amount']],
    ['CR', QT_HEADERS, ['amount']],
    ['TR', [...QT_HEADERS, 'amount'], ['tier']],
    ['TR', QT_HEADERS, ['amount', 'tier']],
    ['QT', QT_HEADERS.filter((h) => h !== 'quantity'), ['quantity']],
    ['QT', QT_HEADERS.filter((h) => h !== 'record_id'), ['record_id']],
    ['QT', ['usage_record_id', ...QT_HEADERS.filter((h) => h !== 'record_id')], []],
    ['QT', [...QT_HEADERS.filter((h) => !h.startsWith('asset_search')), 'asset_recon_id'], []],
    ['QT', QT_HEADERS.filter((h) => !h.startsWith('asset_search')), ['asset_search_criteria', 'asset_search_value']],
    // item_mpn stands in for the item search pair only when dynamic items are on
    ['QT', [...QT_HEADERS.filter((h) => !h.startsWith('item_search')), 'item_mpn'], ['item_search_criteria', 'item_search_value']],
  ] as const)('%s with %j misses %j', (schema, headers, missing) => {
    const errors = checkHeaders(headers, schema, { dynamic: false });
    expect(errors.map((e) => [e.row, e.column, e.code])).toEqual(missing.map((m) => [1, m, 'MISSING_COLUMN']));
  });

  it('lets item_mpn replace the item search pair when dynamic items are on', () => {
    const headers = [...QT_HEADERS.filter((h) => !h.startsWith('item_search')), 'item_mpn'];
    expect(checkHeaders(headers, 'QT', { dynamic: true })).toEqual([]);
  });

  it('refuses a header with forbidden characters and reports the header row it is given', () => {
    const errors = checkHeaders([...QT_HEADERS, 'v.note®'], 'QT', { dynamic: false }, 3);
    expect(codes(errors)).toEqual([{ row: 3, column: 'v.note®', code: 'FORBIDDEN_CHARACTERS' }]);
  });

  it('explains the alternatives in the message', () => {
    const [error] = checkHeaders(QT_HEADERS.filter((h) => h !== 'record_id'), 'QT', { dynamic: false });
    expect(error?.message).toBe('the QT schema requires a column record_id (or its older name usage_record_id)');
  });
});

describe('findDuplicateRecordIds (§5 46)', () => {
  it('makes both rows of a repeated record_id invalid', () => {
    const rows = [aRow({ record_id: 'r-1' }, 2), aRow({ record_id: 'r-2' }, 3), aRow({ record_id: ' r-1 ' }, 4)];
    expect(findDuplicateRecordIds(rows).map((e) => [e.row, e.column, e.code, e.message])).toEqual([
      [2, 'record_id', 'DUPLICATE_RECORD_ID', "record_id 'r-1' is also used on row 4; record ids must be unique in the file"],
      [4, 'record_id', 'DUPLICATE_RECORD_ID', "record_id 'r-1' is also used on row 2; record ids must be unique in the file"],
    ]);
  });

  it.each([
    ['distinct ids', ['a', 'b', 'c'], []],
    ['case differs', ['a', 'A'], []],
    ['empty ids (left to REQUIRED)', ['', ''], []],
    ['three of a kind', ['x', 'x', 'x'], [2, 3, 4]],
    ['two pairs', ['x', 'y', 'x', 'y'], [2, 3, 4, 5]],
  ])('%s', (_, ids, rows) => {
    const errors = findDuplicateRecordIds(ids.map((id, i) => aRow({ record_id: id }, i + 2)));
    expect(errors.map((e) => e.row).sort()).toEqual(rows);
  });

  it('uses the header the file has (usage_record_id)', () => {
    const rows = [2, 3].map((n) => aRow({ record_id: undefined, usage_record_id: 'old' }, n));
    expect(findDuplicateRecordIds(rows).map((e) => e.column)).toEqual(['usage_record_id', 'usage_record_id']);
  });

  it('shortens the list of other rows for a widely repeated id', () => {
    const errors = findDuplicateRecordIds(Array.from({ length: 9 }, (_, i) => aRow({ record_id: 'same' }, i + 2)));
    expect(errors[0]?.message).toBe("record_id 'same' is also used on rows 3, 4, 5, 6, 7 and 3 more; record ids must be unique in the file");
  });
});

describe('findDynamicItemConflicts', () => {
  const context = aContext({ capabilities: { dynamic: true, future: false, late: false } });
  const validate = createRowValidator(context);
  const newItem = { item_search_value: 'MPN-NEW', item_name: 'New', item_unit: 'GB', item_precision: 'decimal(2)' };
  const recordOf = (row: RawRow) => {
    const result = validate(row);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.record;
  };

  it.each([
    ['the same description', {}, []],
    ['another name', { item_name: 'Newer' }, [[3, 'item_name']]],
    ['another unit', { item_unit: 'MB' }, [[3, 'item_unit']]],
    ['another precision', { item_precision: 'integer', quantity: '1' }, [[3, 'item_precision']]],
  ])('one new MPN on two rows with %s', (_, second, expected) => {
    const records = [recordOf(aRow({ ...newItem, record_id: 'a' }, 2)), recordOf(aRow({ ...newItem, record_id: 'b', ...second }, 3))];
    expect(findDynamicItemConflicts(records).map((e) => [e.row, e.column])).toEqual(expected);
  });
});

describe('validateCategories', () => {
  const headers = ['category_id', 'category_name', 'category_description'];
  const row = (rowNumber: number, id: string, name = 'Name') => ({
    rowNumber,
    cells: { category_id: id, category_name: name, category_description: '' },
  });

  it('collects valid category ids', () => {
    const result = validateCategories(headers, [row(2, 'cat-a'), row(3, 'cat-b')]);
    expect([...result.categoryIds]).toEqual(['cat-a', 'cat-b']);
    expect(result.categories[0]).toEqual({ id: 'cat-a', name: 'Name', description: '' });
    expect(result.errors).toEqual([]);
  });

  it.each([
    ['an empty id', [row(2, '')], [[2, 'category_id', 'REQUIRED']]],
    ['a repeated id', [row(2, 'a'), row(3, 'a')], [[3, 'category_id', 'DUPLICATE_CATEGORY_ID']]],
    ['a name with ©', [row(2, 'a', 'Cat ©')], [[2, 'category_name', 'FORBIDDEN_CHARACTERS']]],
  ])('refuses %s', (_, rows, expected) => {
    expect(validateCategories(headers, rows).errors.map((e) => [e.row, e.column, e.code])).toEqual(expected);
  });

  it('requires the category_id column', () => {
    expect(codes(validateCategories(['name'], []).errors)).toEqual([{ row: 1, column: 'category_id', code: 'MISSING_COLUMN' }]);
  });
});

describe('validateSheet', () => {
  it('SPEC §1.10: a TR file of 6 rows with row 4 missing its amount has exactly one error, on that cell', () => {
    const context = aContext({ schema: 'TR' });
    const rows = workedExampleRows().map((r) => (r.rowNumber === 4 ? aPricedRow({ ...r.cells, amount: '' }, 4) : r));
    const result = validateSheet({ headers: TR_HEADERS, rows }, context);
    expect(codes(result.errors)).toEqual([{ row: 4, column: 'amount', code: 'REQUIRED' }]);
    expect(result.errors[0]?.message).toBe('amount is required under the TR schema');
    expect(result.records).toHaveLength(5);
  });

  it('SPEC §1.10: after the fix, the 6 rows are valid', () => {
    const result = validateSheet({ headers: TR_HEADERS, rows: workedExampleRows() }, aContext({ schema: 'TR' }));
    expect(result.errors).toEqual([]);
    expect(result.records.map((r) => [r.rowNumber, r.assetId, r.tier, r.amount])).toEqual([
      [2, 'AS-1234-5678-9012', 0, '12.05'],
      [3, 'AS-1234-5678-9012', 1, '9.64'],
      [4, 'AS-2222-0000-0001', 0, '12.05'],
      [5, 'AS-2222-0000-0001', 1, '9.64'],
      [6, 'AS-3333-0000-0001', 0, '12.05'],
      [7, 'AS-3333-0000-0001', 1, '9.64'],
    ]);
  });

  it('stops at the header row when a required column is missing', () => {
    const result = validateSheet({ headers: QT_HEADERS, rows: workedExampleRows() }, aContext({ schema: 'TR' }));
    expect(codes(result.errors)).toEqual([
      { row: 1, column: 'amount', code: 'MISSING_COLUMN' },
      { row: 1, column: 'tier', code: 'MISSING_COLUMN' },
    ]);
    expect(result.records).toEqual([]);
  });

  it('drops both rows of a repeated id from the records and orders errors by row, then column', () => {
    const rows = [aRow({ record_id: 'x' }, 2), aRow({ record_id: 'y', quantity: 'bad' }, 3), aRow({ record_id: 'x' }, 4)];
    const result = validateSheet({ headers: QT_HEADERS, rows }, aContext());
    expect(codes(result.errors)).toEqual([
      { row: 2, column: 'record_id', code: 'DUPLICATE_RECORD_ID' },
      { row: 3, column: 'quantity', code: 'BAD_NUMBER' },
      { row: 4, column: 'record_id', code: 'DUPLICATE_RECORD_ID' },
    ]);
    expect(result.records).toEqual([]);
  });
});
