import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FileFormatError } from '../../../domain/errors';
import { openCsv, type ByteSource } from '../../../lib/spreadsheet/csv-reader';
import type { SpreadsheetLimits } from '../../../lib/spreadsheet/limits';

async function readAll(source: ByteSource, limits: Partial<SpreadsheetLimits> = {}) {
  const sheet = await openCsv(source, limits);
  const rows: Array<{ rowNumber: number; cells: Record<string, string> }> = [];
  for await (const row of sheet.rows) rows.push({ rowNumber: row.rowNumber, cells: { ...row.cells } });
  return { headers: sheet.headers, headerRowNumber: sheet.headerRowNumber, rows };
}

/** The FileFormatError a read throws, as { code, row, column, byteOffset } (absent keys omitted). */
async function failure(source: ByteSource, limits: Partial<SpreadsheetLimits> = {}) {
  try {
    await readAll(source, limits);
  } catch (error) {
    if (!(error instanceof FileFormatError)) throw error;
    return { code: error.code, ...error.location };
  }
  throw new Error('expected the read to fail');
}

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('reading a CSV', () => {
  it('yields header → cell rows with spreadsheet row numbers', async () => {
    const result = await readAll(bytes('record_id,quantity\nr-1,1.5\nr-2,2\n'));
    expect(result).toEqual({
      headers: ['record_id', 'quantity'],
      headerRowNumber: 1,
      rows: [
        { rowNumber: 2, cells: { record_id: 'r-1', quantity: '1.5' } },
        { rowNumber: 3, cells: { record_id: 'r-2', quantity: '2' } },
      ],
    });
  });

  it.each([
    ['LF', 'a,b\n1,2\n3,4\n'],
    ['CRLF', 'a,b\r\n1,2\r\n3,4\r\n'],
    ['lone CR', 'a,b\r1,2\r3,4\r'],
    ['no final line break', 'a,b\n1,2\n3,4'],
    ['a UTF-8 BOM', '\ufeffa,b\n1,2\n3,4\n'],
    ['padded headers', ' a , b \n1,2\n3,4\n'],
    ['trailing empty header cells', 'a,b,,\n1,2\n3,4,,\n'],
  ])('reads %s', async (_, text) => {
    const result = await readAll(bytes(text));
    expect(result.headers).toEqual(['a', 'b']);
    expect(result.rows.map((r) => r.cells)).toEqual([
      { a: '1', b: '2' },
      { a: '3', b: '4' },
    ]);
  });

  it('reads quoted values with commas, doubled quotes and line breaks; a record is one row', async () => {
    const result = await readAll(bytes('note,n\n"a, b",1\n"say ""hi""",2\n"two\r\nlines",3\n"",4\n'));
    expect(result.rows).toEqual([
      { rowNumber: 2, cells: { note: 'a, b', n: '1' } },
      { rowNumber: 3, cells: { note: 'say "hi"', n: '2' } },
      { rowNumber: 4, cells: { note: 'two\r\nlines', n: '3' } },
      { rowNumber: 5, cells: { note: '', n: '4' } },
    ]);
  });

  it('skips blank rows but keeps counting them, and fills missing trailing cells with ""', async () => {
    const result = await readAll(bytes('\na,b,c\n1,2,3\n\n,,\n4\n'));
    expect(result.headerRowNumber).toBe(2);
    expect(result.rows).toEqual([
      { rowNumber: 3, cells: { a: '1', b: '2', c: '3' } },
      { rowNumber: 6, cells: { a: '4', b: '', c: '' } },
    ]);
  });

  it('keeps cell text as written (no trimming, no type conversion)', async () => {
    const result = await readAll(bytes('a,b\n 007 ,-5.00\n'));
    expect(result.rows[0]?.cells).toEqual({ a: ' 007 ', b: '-5.00' });
  });

  it('builds cells without a prototype', async () => {
    const sheet = await openCsv(bytes('toString,valueOf\nx,y\n'));
    for await (const row of sheet.rows) {
      expect(Object.getPrototypeOf(row.cells)).toBe(null);
      expect(row.cells.toString).toBe('x');
      expect(Object.keys(row.cells)).toEqual(['toString', 'valueOf']);
    }
  });

  it('reads a Node stream and a sync iterable of chunks', async () => {
    const text = 'a,b\n1,2\n';
    const fromStream = await readAll(Readable.from([bytes('a,'), bytes('b\n1'), bytes(',2\n')]));
    const fromIterable = await readAll([bytes(text.slice(0, 3)), bytes(text.slice(3))]);
    expect(fromStream.rows).toEqual(fromIterable.rows);
    expect(fromStream.rows).toEqual([{ rowNumber: 2, cells: { a: '1', b: '2' } }]);
  });

  it('reads the same rows however the bytes are chunked (property)', async () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'é', '€', '𝄞', ',', '"', '\n', '\r', ' '), maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(cell, cell), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), async (records, cuts) => {
        const quote = (v: string) => `"${v.replaceAll('"', '""')}"`;
        const text = `x,y\r\n${records.map(([x, y]) => `${quote(x)},${quote(y)}`).join('\r\n')}\r\n`;
        const whole = bytes(text);
        const offsets = [...new Set(cuts.map((c) => c % whole.length))].sort((a, b) => a - b);
        const chunks = [0, ...offsets].map((start, i) => whole.subarray(start, offsets[i] ?? whole.length));
        const expected = records.filter(([x, y]) => `${x}${y}`.trim() !== '').map(([x, y]) => ({ x, y }));
        expect((await readAll(chunks)).rows.map((r) => r.cells)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('refusing a CSV', () => {
  it.each([
    ['an empty file', '', {}, { code: 'EMPTY_FILE' }],
    ['only blank lines', '\n\r\n,,\n', {}, { code: 'EMPTY_FILE' }],
    ['only a BOM', '\ufeff', {}, { code: 'EMPTY_FILE' }],
    ['an unterminated quote', 'a,b\n1,2\n3,"oops\n4,5\n', {}, { code: 'UNTERMINATED_QUOTE', row: 3, column: 'B' }],
    ['an unterminated quote at the very end', 'a,b\n1,"', {}, { code: 'UNTERMINATED_QUOTE', row: 2, column: 'B' }],
    ['a quote inside an unquoted value', 'a,b\n1,x"y\n', {}, { code: 'BAD_QUOTE', row: 2, column: 'B' }],
    ['text after a closing quote', 'a,b\n"x"y,1\n', {}, { code: 'BAD_QUOTE', row: 2, column: 'A' }],
    ['an empty header between named ones', 'a,,c\n1,2,3\n', {}, { code: 'EMPTY_HEADER', row: 1, column: 'B' }],
    ['a duplicated header', 'a,b,a\n', {}, { code: 'DUPLICATE_HEADER', row: 1, column: 'C' }],
    ['a header __proto__', 'a,__proto__\n1,2\n', {}, { code: 'FORBIDDEN_HEADER', row: 1, column: 'B' }],
    ['a header constructor', 'constructor\n1\n', {}, { code: 'FORBIDDEN_HEADER', row: 1, column: 'A' }],
    ['a header prototype (padded)', 'a, prototype \n1,2\n', {}, { code: 'FORBIDDEN_HEADER', row: 1, column: 'B' }],
    ['a value right of the last header', 'a,b\n1,2\n1,2,3\n', {}, { code: 'CELL_WITHOUT_HEADER', row: 3, column: 'C' }],
    ['a file over the byte limit', 'a,b\n1,2\n', { maxFileBytes: 5 }, { code: 'FILE_TOO_LARGE', byteOffset: 5 }],
    ['too many data rows', 'a\n1\n2\n3\n', { maxRows: 2 }, { code: 'TOO_MANY_ROWS', row: 4 }],
    ['a header with too many columns', 'a,b,c,d\n', { maxColumns: 3 }, { code: 'TOO_MANY_COLUMNS', row: 1 }],
    ['a data row with too many columns', 'a,b\n1,2,3,4\n', { maxColumns: 3 }, { code: 'TOO_MANY_COLUMNS', row: 2 }],
    ['a quoted row with too many columns', 'a,b\n"1","2","3","4"\n', { maxColumns: 3 }, { code: 'TOO_MANY_COLUMNS', row: 2 }],
    ['a long row', `a\n${'x'.repeat(50)}\n`, { maxRowChars: 40 }, { code: 'ROW_TOO_LONG', row: 2 }],
    ['a long cell', `a,b\n1,${'x'.repeat(50)}\n`, { maxCellChars: 40 }, { code: 'CELL_TOO_LONG', row: 2, column: 'B' }],
    ['a long quoted cell', `a,b\n1,"${'x'.repeat(50)}"\n`, { maxCellChars: 40 }, { code: 'CELL_TOO_LONG', row: 2, column: 'B' }],
  ] as const)('refuses %s', async (_, text, limits, expected) => {
    expect(await failure(bytes(text), limits)).toEqual(expected);
  });

  it.each([
    ['a stray 0xFF byte', [0x61, 0x0a, 0x31, 0x0a, 0x32, 0xff, 0x0a], { row: 3, byteOffset: 5 }],
    ['an overlong encoding of "/"', [0x61, 0x0a, 0xc0, 0xaf, 0x0a], { row: 2, byteOffset: 2 }],
    ['an encoded surrogate', [0x61, 0x0a, 0x31, 0x0a, 0xed, 0xa0, 0x80, 0x0a], { row: 3, byteOffset: 4 }],
    ['a sequence cut short inside a row', [0x61, 0x0a, 0xe2, 0x82, 0x2c, 0x0a], { row: 2, byteOffset: 2 }],
    ['a sequence cut short by the end of the file', [0x61, 0x0a, 0x31, 0x0a, 0xe2, 0x82], { row: 3, byteOffset: 4 }],
    ['a bad byte in the header', [0x61, 0xfe, 0x0a, 0x31, 0x0a], { row: 1, byteOffset: 1 }],
  ])('refuses invalid UTF-8: %s', async (_, raw, where) => {
    expect(await failure(Buffer.from(raw))).toEqual({ code: 'INVALID_UTF8', ...where });
  });

  it('finds a bad byte far into a file read in small chunks, with its row', async () => {
    const good = 'a,b\n' + '1,2\n'.repeat(50_000);
    const file = Buffer.concat([bytes(good), Buffer.from([0x33, 0xff, 0x0a])]);
    const chunks = Array.from({ length: Math.ceil(file.length / 1000) }, (_, i) => file.subarray(i * 1000, (i + 1) * 1000));
    expect(await failure(chunks)).toEqual({ code: 'INVALID_UTF8', row: 50_002, byteOffset: good.length + 1 });
  });

  it('accepts a multi-byte character split across chunks', async () => {
    const file = bytes('a\n€𝄞\n');
    const chunks = [file.subarray(0, 3), file.subarray(3, 4), file.subarray(4, 7), file.subarray(7)];
    expect((await readAll(chunks)).rows[0]?.cells).toEqual({ a: '€𝄞' });
  });

  it('stops reading a stream as soon as it passes the byte limit', async () => {
    let chunksRead = 0;
    function* endless() {
      for (;;) {
        chunksRead++;
        yield Buffer.alloc(64 * 1024, 0x61);
      }
    }
    expect(await failure(endless(), { maxFileBytes: 1024 * 1024, maxRowChars: 64 * 1024 * 1024 })).toMatchObject({ code: 'FILE_TOO_LARGE' });
    expect(chunksRead).toBe(17);
  });

  it('refuses a row of a million columns quickly, before reading it all', async () => {
    let bytesRead = 0;
    function* millionColumns() {
      yield bytes('a\n');
      const chunk = bytes('1,'.repeat(32 * 1024));
      for (let i = 0; i < 32; i++) {
        bytesRead += chunk.length;
        yield chunk;
      }
      yield bytes('1\n');
    }
    const started = performance.now();
    expect(await failure(millionColumns())).toEqual({ code: 'TOO_MANY_COLUMNS', row: 2 });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(bytesRead).toBe(64 * 1024);
  });

  it('refuses a row of a million columns given as one buffer', async () => {
    const started = performance.now();
    expect(await failure(bytes(`a\n${'1,'.repeat(1_000_000)}1\n`))).toEqual({ code: 'TOO_MANY_COLUMNS', row: 2 });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses an endless quoted value by its length, naming the quote', async () => {
    function* endlessQuote() {
      yield bytes('a,b\n1,"');
      for (;;) yield Buffer.alloc(64 * 1024, 0x61);
    }
    const error = await openCsv(endlessQuote(), { maxRowChars: 1024 * 1024 })
      .then(async (sheet) => {
        for await (const _ of sheet.rows);
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileFormatError);
    expect((error as FileFormatError).code).toBe('ROW_TOO_LONG');
    expect((error as FileFormatError).message).toBe(
      'Row 2 is longer than 1048576 characters; the quote that opens its column B may never be closed',
    );
  });

  it('never pollutes Object.prototype', async () => {
    await failure(bytes('__proto__,polluted\n{},yes\n'));
    await readAll(bytes('a,polluted\n1,yes\n'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
