import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../../../domain/errors';
import type { SpreadsheetLimits } from '../../../lib/spreadsheet/limits';
import { openUsageXlsx } from '../../../lib/spreadsheet/xlsx-reader';
import { QT_HEADERS, QT_CELLS, xlsxOf } from '../../fixtures/usage-files/builders';
import { craftedXlsx } from '../../fixtures/usage-files/xlsx-crafting';

async function readWorkbook(file: Uint8Array, limits: Partial<SpreadsheetLimits> = {}) {
  const workbook = await openUsageXlsx(file, limits);
  const rows: Array<{ rowNumber: number; cells: Record<string, string> }> = [];
  for await (const row of workbook.records.rows) rows.push({ rowNumber: row.rowNumber, cells: { ...row.cells } });
  return { workbook, rows };
}

async function failure(file: Uint8Array | Promise<Uint8Array>, limits: Partial<SpreadsheetLimits> = {}) {
  try {
    await readWorkbook(await file, limits);
  } catch (error) {
    if (!(error instanceof FileFormatError)) throw error;
    return { code: error.code, ...error.location };
  }
  throw new Error('expected the read to fail');
}

const qtValues = Object.values(QT_CELLS);

describe('reading a usage workbook', () => {
  it('reads the records and categories sheets and nothing else', async () => {
    const file = await xlsxOf([
      { name: 'instructions', rows: [['read me']] },
      { name: 'general', rows: [['field', 'value']] },
      { name: 'records', rows: [QT_HEADERS, qtValues] },
      { name: 'categories', rows: [['category_id', 'category_name', 'category_description'], ['cat-1', 'Storage', '']] },
    ]);
    const { workbook, rows } = await readWorkbook(file);
    expect(workbook.recordsSheetName).toBe('records');
    expect(workbook.records.headers).toEqual(QT_HEADERS);
    expect(rows).toEqual([{ rowNumber: 2, cells: { ...QT_CELLS } }]);
    expect(workbook.categories?.rows.map((r) => ({ ...r.cells }))).toEqual([
      { category_id: 'cat-1', category_name: 'Storage', category_description: '' },
    ]);
  });

  it.each(['usage_records', 'Records', ' records '])('accepts a records sheet named %j', async (name) => {
    const { workbook, rows } = await readWorkbook(await xlsxOf([{ name, rows: [['a'], ['1']] }]));
    expect(workbook.recordsSheetName).toBe(name);
    expect(workbook.categories).toBe(null);
    expect(rows).toEqual([{ rowNumber: 2, cells: { a: '1' } }]);
  });

  it('turns typed cells into the text a spreadsheet shows', async () => {
    const file = await xlsxOf([
      {
        name: 'records',
        rows: [
          ['number', 'float noise', 'big', 'tiny', 'bool', 'rich', 'formula', 'error', 'date'],
          [120.5, 0.1 + 0.2, 1e21, 1e-7, true, { richText: [{ text: 'a' }, { text: 'b' }] }, { formula: '1+1', result: 2 }, { error: '#N/A' }, new Date(Date.UTC(2024, 2, 1, 12, 30, 15))],
        ],
      },
    ]);
    const { rows } = await readWorkbook(file);
    expect(rows[0]?.cells).toEqual({
      number: '120.5',
      'float noise': '0.3',
      big: '1000000000000000000000',
      tiny: '0.0000001',
      bool: 'TRUE',
      rich: 'ab',
      formula: '2',
      error: '#N/A',
      date: '2024-03-01 12:30:15',
    });
  });

  it('keeps spreadsheet row numbers across blank and missing rows', async () => {
    const file = await xlsxOf([{ name: 'records', rows: [[], ['a', 'b'], ['1', '2'], [], ['', ''], ['3']] }]);
    const { workbook, rows } = await readWorkbook(file);
    expect(workbook.records.headerRowNumber).toBe(2);
    expect(rows.map((r) => [r.rowNumber, r.cells])).toEqual([
      [3, { a: '1', b: '2' }],
      [6, { a: '3', b: '' }],
    ]);
  });

  it('reads a hand-made workbook: inline strings, no shared strings or styles, odd part names', async () => {
    const file = craftedXlsx([
      { name: 'categories', path: 'xl/sheets/cats.xml', rows: [['category_id'], ['c1']] },
      { name: 'usage_records', path: 'xl/sheets/data.xml', rows: [['record_id', 'note'], ['r-1', 'a & <b>']] },
    ]);
    const { workbook, rows } = await readWorkbook(file);
    expect(workbook.recordsSheetName).toBe('usage_records');
    expect(rows).toEqual([{ rowNumber: 2, cells: { record_id: 'r-1', note: 'a & <b>' } }]);
    expect(workbook.categories?.rows.map((r) => r.cells.category_id)).toEqual(['c1']);
  });

  it('ignores a sheet named __proto__ and builds cells without a prototype', async () => {
    const file = craftedXlsx([
      { name: '__proto__', rows: [['polluted'], ['yes']] },
      { name: 'records', rows: [['a'], ['1']] },
    ]);
    const { workbook } = await readWorkbook(file);
    expect(workbook.records.headers).toEqual(['a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const again = await openUsageXlsx(file);
    for await (const row of again.records.rows) expect(Object.getPrototypeOf(row.cells)).toBe(null);
  });
});

describe('refusing a workbook', () => {
  const sheet = (rows: string[][], name = 'records') => craftedXlsx([{ name, rows }]);

  it.each([
    ['CSV text', Buffer.from('a,b\n1,2\n'), {}, { code: 'NOT_A_ZIP' }],
    ['an empty file', Buffer.alloc(0), {}, { code: 'NOT_A_ZIP' }],
    ['a file over the byte limit', sheet([['a']]), { maxFileBytes: 100 }, { code: 'FILE_TOO_LARGE', byteOffset: 100 }],
    ['a workbook without a records sheet', sheet([['a']], 'data'), {}, { code: 'MISSING_SHEET' }],
    ['a records sheet without a header row', sheet([]), {}, { code: 'EMPTY_FILE' }],
    ['a duplicated header', sheet([['a', 'a']]), {}, { code: 'DUPLICATE_HEADER', row: 1, column: 'B' }],
    ['an empty header', sheet([['a', '', 'c']]), {}, { code: 'EMPTY_HEADER', row: 1, column: 'B' }],
    ['a __proto__ header', sheet([['__proto__']]), {}, { code: 'FORBIDDEN_HEADER', row: 1, column: 'A' }],
    ['a value without a header', sheet([['a'], ['1', '2']]), {}, { code: 'CELL_WITHOUT_HEADER', row: 2, column: 'B' }],
    ['too many columns', sheet([['a', 'b', 'c', 'd']]), { maxColumns: 3 }, { code: 'TOO_MANY_COLUMNS', row: 1 }],
    ['too many rows', sheet([['a'], ['1'], ['2'], ['3']]), { maxRows: 2 }, { code: 'TOO_MANY_ROWS', row: 4 }],
    ['a long cell', sheet([['a'], ['x'.repeat(50)]]), { maxCellChars: 40 }, { code: 'CELL_TOO_LONG', row: 2, column: 'A' }],
  ])('refuses %s', async (_, file, limits, expected) => {
    expect(await failure(file, limits)).toEqual(expected);
  });

  it('refuses both a records and a usage_records sheet', async () => {
    const file = craftedXlsx([
      { name: 'records', rows: [['a']] },
      { name: 'usage_records', rows: [['a']] },
    ]);
    expect(await failure(file)).toEqual({ code: 'AMBIGUOUS_SHEET' });
  });

  it.each([
    ['malformed sheet XML', '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a</is></c></row></sheetData></worksheet>'],
    ['a cell reference past column XFD', '<worksheet><sheetData><row r="1"><c r="ZZZZ1" t="inlineStr"><is><t>a</t></is></c></row></sheetData></worksheet>'],
  ])('refuses %s as BAD_XLSX', async (_, xml) => {
    expect(await failure(craftedXlsx([{ name: 'records', xml }]))).toEqual({ code: 'BAD_XLSX' });
  });

  it('refuses a workbook whose sheet part is missing', async () => {
    const file = craftedXlsx([{ name: 'records', path: 'xl/worksheets/sheet1.xml', rows: [['a']] }], {
      replace: { 'xl/worksheets/sheet1.xml': { name: 'xl/worksheets/other.xml', data: Buffer.from('<x/>') } },
    });
    expect(await failure(file)).toEqual({ code: 'BAD_XLSX' });
  });
});
