import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRangeRecords, openCsv } from '../../../lib/spreadsheet/csv-reader';
import { rangeBytes, splitCsv, type CsvRange } from '../../../lib/spreadsheet/csv-ranges';

// A CSV split into byte ranges and read range by range gives exactly the rows (numbers and
// values) of reading it in one pass, however the stored chunks and the ranges fall.

/** The stored chunks a range spans, as the activity reads them. */
async function* stored(chunks: readonly Uint8Array[], range: CsvRange) {
  for (let chunkNo = range.from.chunk; chunkNo <= range.to.chunk; chunkNo++) yield { chunkNo, data: chunks[chunkNo]! };
}
async function* bytesOf(chunks: readonly Uint8Array[]) {
  for (const c of chunks) yield c;
}

function storeInChunks(text: string, sizes: readonly number[]): Uint8Array[] {
  const bytes = Buffer.from(text);
  const chunks: Uint8Array[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

async function readWhole(chunks: readonly Uint8Array[]) {
  const sheet = await openCsv(bytesOf(chunks));
  const rows: Array<[number, string[]]> = [];
  for await (const row of sheet.rows) rows.push([row.rowNumber, sheet.headers.map((h) => row.cells[h]!)]);
  return { headerRowNumber: sheet.headerRowNumber, width: sheet.headers.length, rows };
}

async function readRanges(chunks: readonly Uint8Array[], ranges: readonly CsvRange[], headerRowNumber: number, width: number) {
  const rows: Array<[number, string[]]> = [];
  for (const range of ranges) {
    const source = rangeBytes(stored(chunks, range), range);
    for await (const batch of csvRangeRecords(source, range, headerRowNumber)) {
      for (const r of batch) {
        expect(r.rowNumber).toBeGreaterThanOrEqual(range.firstRow);
        expect(r.rowNumber).toBeLessThan(range.endRow);
        rows.push([r.rowNumber, Array.from({ length: width }, (_, i) => r.fields[i] ?? '')]);
      }
    }
  }
  return rows;
}

const value = fc.oneof(
  fc.constantFrom('', 'a', 'r-1', '12.5', '2024-03-01 00:00:00', 'é'),
  fc.constantFrom('"q,uoted"', '"line\nbreak"', '"cr\r\nlf"', '"say ""hi"""', '""'),
);
const line = fc.array(value, { minLength: 3, maxLength: 3 }).map((cells) => cells.join(','));

describe('splitting a CSV into byte ranges', () => {
  it('reads the same rows range by range as in one pass', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.oneof({ arbitrary: line, weight: 8 }, { arbitrary: fc.constant(''), weight: 1 }), { maxLength: 40 }),
      fc.constantFrom('\n', '\r\n'),
      fc.boolean(),
      fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 1, max: 200 }),
      async (lines, eol, bom, sizes, rangeSize) => {
        const text = `${bom ? '\uFEFF' : ''}a,b,c${eol}${lines.join(eol)}${lines.length > 0 && lines.length % 2 === 0 ? eol : ''}`;
        const chunks = storeInChunks(text, sizes);
        const whole = await readWhole(chunks);
        const ranges = (await splitCsv(bytesOf(chunks), rangeSize, 1_000))!;
        expect(ranges).toBeDefined();
        expect(ranges[0]!.firstRow).toBe(1);
        for (let i = 1; i < ranges.length; i++) {
          expect(ranges[i]!.from).toEqual(ranges[i - 1]!.to);
          expect(ranges[i]!.firstRow).toBe(ranges[i - 1]!.endRow);
        }
        expect(await readRanges(chunks, ranges, whole.headerRowNumber, whole.width)).toEqual(whole.rows);
      },
    ), { numRuns: 300 });
  });

  it('makes about one range per rangeBytes', async () => {
    const text = `a,b\n${Array.from({ length: 1000 }, (_, i) => `r-${i},x`).join('\n')}\n`;
    const ranges = (await splitCsv(bytesOf(storeInChunks(text, [1024])), 1000, 10_000))!;
    expect(ranges.length).toBeGreaterThanOrEqual(Math.floor(Buffer.byteLength(text) / 1000));
    expect(ranges.length).toBeLessThanOrEqual(Math.ceil(Buffer.byteLength(text) / 1000) + 1);
    const lastChunk = Math.ceil(Buffer.byteLength(text) / 1024) - 1;
    expect(ranges.at(-1)!.to).toEqual({ chunk: lastChunk, offset: Buffer.byteLength(text) - lastChunk * 1024 });
  });

  it('reports errors with the whole file\'s row and byte offset', async () => {
    const text = `a,b\n${Array.from({ length: 50 }, (_, i) => `r-${i},x`).join('\n')}\nr-x,\xff\n`;
    const bytes = Buffer.from(text, 'latin1');
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; at += 64) chunks.push(bytes.subarray(at, at + 64));
    const ranges = (await splitCsv(bytesOf(chunks), 100, 10_000))!;
    const last = ranges.at(-1)!;
    const source = rangeBytes(stored(chunks, last), last);
    const read = async () => { for await (const batch of csvRangeRecords(source, last, 1)) void batch; };
    await expect(read()).rejects.toMatchObject({ code: 'INVALID_UTF8', location: { row: 52, byteOffset: bytes.indexOf(0xff) } });
  });

  it('does not split a file with a lone CR line break or too many records', async () => {
    expect(await splitCsv(bytesOf([Buffer.from('a,b\rr-1,x\n')]), 1, 100)).toBeUndefined();
    expect(await splitCsv(bytesOf([Buffer.from('a,b\r'), Buffer.from('r-1,x\n')]), 1, 100)).toBeUndefined();
    expect(await splitCsv(bytesOf([Buffer.from('a,b\nr-1,x\nr-2,x\n')]), 1, 1)).toBeUndefined();
  });
});
