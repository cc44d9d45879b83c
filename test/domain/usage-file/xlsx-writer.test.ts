import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { templateColumns } from '../../../domain/usage-file/columns';
import { validateCategories, validateSheet, type CellError, type RawRow } from '../../../domain/usage-file/validate';
import { openCsv } from '../../../lib/spreadsheet/csv-reader';
import { openUsageXlsx } from '../../../lib/spreadsheet/xlsx-reader';
import { buildExport, buildProcessedFile, buildUsageTemplate, errorsToCsv } from '../../../lib/spreadsheet/xlsx-writer';
import { TR_HEADERS, aContext, aPricedRow, workedExampleRows } from '../../fixtures/usage-files/builders';

async function loadWorkbook(buffer: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as unknown as ExcelJS.Buffer);
  return workbook;
}

function headerRow(sheet: ExcelJS.Worksheet | undefined, rowNumber = 1): string[] {
  return ((sheet?.getRow(rowNumber).values ?? []) as unknown[]).slice(1).map(String);
}

async function readRows(sheet: { rows: AsyncIterable<RawRow> }): Promise<RawRow[]> {
  const rows: RawRow[] = [];
  for await (const row of sheet.rows) rows.push(row);
  return rows;
}

describe('buildUsageTemplate', () => {
  it.each([
    ['QT', false],
    ['PR', false],
    ['CR', true],
    ['TR', false],
    ['TR', true],
  ] as const)('a %s template (dynamic %s) has the four sheets and the schema columns', async (schema, dynamic) => {
    const workbook = await loadWorkbook(await buildUsageTemplate(schema, { dynamic }));
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['instructions', 'general', 'categories', 'records']);
    expect(headerRow(workbook.getWorksheet('records'))).toEqual(templateColumns(schema, { dynamic }));
    expect(headerRow(workbook.getWorksheet('categories'))).toEqual(['category_id', 'category_name', 'category_description']);
    expect(headerRow(workbook.getWorksheet('general'), 2)).toEqual(['usage_schema', schema]);
    expect(workbook.getWorksheet('records')?.getColumn(1).numFmt).toBe('@');
  });

  it('lists every records column with whether it is required on the instructions sheet', async () => {
    const workbook = await loadWorkbook(await buildUsageTemplate('TR', { dynamic: true }));
    const lines: string[][] = [];
    workbook.getWorksheet('instructions')?.eachRow((row) => lines.push((row.values as unknown[]).slice(1).map(String)));
    const table = new Map(lines.map((l) => [l[0], l[1]]));
    expect(table.get('amount')).toBe('yes');
    expect(table.get('tier')).toBe('yes');
    expect(table.get('record_note')).toBe('no');
    expect(table.get('item_name')).toBe('new items');
  });

  it('round trip: a filled template reads back and validates with zero errors (SPEC §1.10 rows)', async () => {
    const workbook = await loadWorkbook(await buildUsageTemplate('TR', { dynamic: false }));
    const columns = templateColumns('TR', { dynamic: false });
    const sheet = workbook.getWorksheet('records');
    for (const row of workedExampleRows()) {
      sheet?.addRow(columns.map((c) => row.cells[c] ?? (c === 'category_id' ? 'cat-storage' : '')));
    }
    workbook.getWorksheet('categories')?.addRow(['cat-storage', 'Storage', 'Object storage']);
    const filled = Buffer.from(await workbook.xlsx.writeBuffer());

    const read = await openUsageXlsx(filled);
    const categories = validateCategories(read.categories?.headers ?? [], read.categories?.rows ?? []);
    expect(categories.errors).toEqual([]);
    const rows = await readRows(read.records);
    const result = validateSheet({ headers: read.records.headers, rows }, aContext({ schema: 'TR', categoryIds: categories.categoryIds }));
    expect(result.errors).toEqual([]);
    expect(result.records).toHaveLength(6);
    expect(result.records.every((r) => r.categoryId === 'cat-storage')).toBe(true);
  });
});

describe('buildProcessedFile', () => {
  const invalidExample = () => workedExampleRows().map((r) => (r.rowNumber === 4 ? aPricedRow({ ...r.cells, amount: '' }, 4) : r));

  it('SPEC §1.10: marks row 4’s amount cell red with a comment, and lists the error', async () => {
    const rows = invalidExample();
    const { errors } = validateSheet({ headers: TR_HEADERS, rows }, aContext({ schema: 'TR' }));
    const workbook = await loadWorkbook(await buildProcessedFile({ records: { headers: TR_HEADERS, rows, errors } }));
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['records', 'errors']);

    const records = workbook.getWorksheet('records');
    const amountColumn = TR_HEADERS.indexOf('amount') + 1;
    const marked: string[] = [];
    records?.eachRow((row) =>
      row.eachCell({ includeEmpty: true }, (cell) => {
        if (cell.note !== undefined) marked.push(cell.address);
      }),
    );
    expect(marked).toEqual([records?.getCell(4, amountColumn).address]);
    const cell = records?.getCell(4, amountColumn);
    expect(cell?.note).toBe('amount is required under the TR schema');
    expect(cell?.fill).toMatchObject({ type: 'pattern', pattern: 'solid' });
    expect(cell?.border?.top?.color?.argb).toBe('FFFF0000');
    expect(records?.getCell(3, 1).value).toBe('r-0-1');
    expect(headerRow(workbook.getWorksheet('errors'))).toEqual(['sheet', 'row', 'column', 'code', 'message']);
    expect(headerRow(workbook.getWorksheet('errors'), 2)).toEqual(['records', '4', 'amount', 'REQUIRED', 'amount is required under the TR schema']);
  });

  it('joins several messages on one cell, keeps original text unescaped, lists header-level errors', async () => {
    const rows: RawRow[] = [{ rowNumber: 2, cells: { a: '=1+1', b: '-5' } }];
    const errors: CellError[] = [
      { row: 2, column: 'a', code: 'BAD_NUMBER', message: 'first' },
      { row: 2, column: 'a', code: 'DUPLICATE_RECORD_ID', message: 'second' },
      { row: 1, column: 'amount', code: 'MISSING_COLUMN', message: 'the PR schema requires a column amount' },
    ];
    const categories = { headers: ['category_id'], rows: [{ rowNumber: 2, cells: { category_id: '' } }], errors: [{ row: 2, column: 'category_id', code: 'REQUIRED' as const, message: 'category_id is required' }] };
    const buffer = await buildProcessedFile({ records: { headers: ['a', 'b'], rows, errors }, categories, general: [['report_name', 'March']] });
    const workbook = await loadWorkbook(buffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['general', 'categories', 'records', 'errors']);
    expect(workbook.getWorksheet('records')?.getCell('A2').note).toBe('first\nsecond');
    expect(workbook.getWorksheet('records')?.getCell('A2').value).toBe('=1+1');
    expect(workbook.getWorksheet('categories')?.getCell('A2').note).toBe('category_id is required');
    const listed: string[] = [];
    workbook.getWorksheet('errors')?.eachRow((row, n) => n > 1 && listed.push(headerRow(workbook.getWorksheet('errors'), n).slice(0, 4).join(' ')));
    expect(listed).toEqual(['categories 2 category_id REQUIRED', 'records 2 a BAD_NUMBER', 'records 2 a DUPLICATE_RECORD_ID', 'records 1 amount MISSING_COLUMN']);
  });

  it('can be read back by our own reader (the vendor fixes it and uploads it again)', async () => {
    const rows = invalidExample();
    const { errors } = validateSheet({ headers: TR_HEADERS, rows }, aContext({ schema: 'TR' }));
    const read = await openUsageXlsx(await buildProcessedFile({ records: { headers: TR_HEADERS, rows, errors } }));
    expect((await readRows(read.records)).map((r) => ({ ...r.cells }))).toEqual(rows.map((r) => ({ ...r.cells })));
  });
});

describe('errorsToCsv', () => {
  it('writes row,column,code,message with quoting and injection escaping', async () => {
    const csv = errorsToCsv([
      { row: 4, column: 'amount', code: 'REQUIRED', message: 'amount is required under the TR schema' },
      { row: 5, column: '=cmd', code: 'BAD_NUMBER', message: "quantity '1,5' is not a plain number" },
      { row: 6, column: 'v.x', code: 'FORBIDDEN_CHARACTERS', message: '-says "hi"' },
    ]);
    expect(csv).toBe(
      'row,column,code,message\r\n' +
        '4,amount,REQUIRED,amount is required under the TR schema\r\n' +
        "5,'=cmd,BAD_NUMBER,\"quantity '1,5' is not a plain number\"\r\n" +
        '6,v.x,FORBIDDEN_CHARACTERS,"\'-says ""hi"""\r\n',
    );
    const back = await openCsv(Buffer.from(csv));
    expect(back.headers).toEqual(['row', 'column', 'code', 'message']);
    expect((await readRows(back)).map((r) => r.cells.message)).toEqual([
      'amount is required under the TR schema',
      "quantity '1,5' is not a plain number",
      '\'-says "hi"',
    ]);
  });
});

describe('buildExport', () => {
  const columns = [
    { key: 'record_id', type: 'text' as const },
    { key: 'amount', type: 'number' as const },
    { key: 'note', header: 'record_note', type: 'text' as const },
  ];
  const rows = [
    { record_id: 'r-1', amount: '-5.00', note: '=HYPERLINK("http://evil","x")' },
    { record_id: '@r-2', amount: '12.05', note: 'a, "quoted" note' },
    { record_id: 'r-3', amount: '-1+2', note: null },
  ];

  it('exports CSV with injection escaping on text, never on plain numbers', async () => {
    const csv = (await buildExport(rows, columns, 'csv')).toString('utf8');
    expect(csv).toBe(
      'record_id,amount,record_note\r\n' +
        'r-1,-5.00,"\'=HYPERLINK(""http://evil"",""x"")"\r\n' +
        '\'@r-2,12.05,"a, ""quoted"" note"\r\n' +
        "r-3,'-1+2,\r\n",
    );
  });

  it('exports XLSX with the same escaping, numbers as exact text', async () => {
    const workbook = await loadWorkbook(await buildExport(rows, columns, 'xlsx'));
    const sheet = workbook.getWorksheet('records');
    expect(headerRow(sheet)).toEqual(['record_id', 'amount', 'record_note']);
    expect(headerRow(sheet, 2)).toEqual(['r-1', '-5.00', '\'=HYPERLINK("http://evil","x")']);
    expect(headerRow(sheet, 3)).toEqual(["'@r-2", '12.05', 'a, "quoted" note']);
    expect(sheet?.getCell('B4').value).toBe("'-1+2");
  });

  it('takes an async iterable of rows', async () => {
    async function* generated() {
      for (let i = 0; i < 3; i++) yield { record_id: `r-${i}`, amount: `${i}.5`, note: '' };
    }
    const csv = (await buildExport(generated(), columns, 'csv')).toString('utf8');
    expect(csv.split('\r\n')).toEqual(['record_id,amount,record_note', 'r-0,0.5,', 'r-1,1.5,', 'r-2,2.5,', '']);
  });
});
