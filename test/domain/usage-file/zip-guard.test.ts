import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FileFormatError } from '../../../domain/errors';
import { DEFAULT_LIMITS, resolveLimits, type SpreadsheetLimits } from '../../../lib/spreadsheet/limits';
import { openUsageXlsx } from '../../../lib/spreadsheet/xlsx-reader';
import { checkInflatedSize, readZipDirectory } from '../../../lib/spreadsheet/zip-directory';
import { craftedXlsx, sheetXml } from '../../fixtures/usage-files/xlsx-crafting';
import { craftZip, deflated, deflatedZeros, type CraftedEntry } from '../../fixtures/usage-files/zip-crafting';

// Zip bombs and damaged zips, refused before ExcelJS sees a byte. Every test here must finish in
// well under a second and never allocate what a bomb would inflate to: the 1 GB bomb is 6.5 MB of
// deflate data that is never inflated, or inflated only until it betrays its declared size.

const GIB = 1024 ** 3;
const oneGigabyteOfZeros = deflatedZeros(GIB);

async function refusal(file: Uint8Array, limits: Partial<SpreadsheetLimits> = {}) {
  const started = performance.now();
  try {
    const workbook = await openUsageXlsx(file, limits);
    for await (const _ of workbook.records.rows);
  } catch (error) {
    if (!(error instanceof FileFormatError)) throw error;
    expect(performance.now() - started).toBeLessThan(1500);
    return error.code;
  }
  throw new Error('expected the workbook to be refused');
}

const records = sheetXml([['a'], ['1']]);
const sheetPart = 'xl/worksheets/sheet1.xml';
const workbookWith = (entry: CraftedEntry) => craftedXlsx([{ name: 'records', rows: [] }], { replace: { [sheetPart]: entry } });

describe('zip bombs', () => {
  it('refuses a sheet that declares 1 GB of zeros (declared size over the limit)', async () => {
    const bomb = { name: sheetPart, data: oneGigabyteOfZeros, method: 8, uncompressedBytes: GIB };
    expect(await refusal(workbookWith(bomb))).toBe('ZIP_TOO_LARGE');
  });

  it('refuses the 1 GB bomb by its ratio when the size limit would allow it', async () => {
    const bomb = { name: sheetPart, data: oneGigabyteOfZeros, method: 8, uncompressedBytes: GIB };
    expect(await refusal(workbookWith(bomb), { maxUncompressedBytes: 2 * GIB })).toBe('ZIP_RATIO');
  });

  it('refuses a 1 GB bomb that lies about its size, after inflating at most one window', async () => {
    const liar = { name: sheetPart, data: oneGigabyteOfZeros, method: 8, uncompressedBytes: records.length };
    const heapBefore = process.memoryUsage().heapUsed;
    expect(await refusal(workbookWith(liar))).toBe('ZIP_SIZE_MISMATCH');
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a lying workbook part (parsed by us, not ExcelJS) the same way', async () => {
    const liar = { name: 'xl/workbook.xml', data: deflatedZeros(64 * 1024 * 1024), method: 8, uncompressedBytes: 100 };
    expect(await refusal(craftedXlsx([{ name: 'records', rows: [['a']] }], { replace: { 'xl/workbook.xml': liar } }))).toBe('ZIP_SIZE_MISMATCH');
  });

  it('refuses an entry compressed more than 100:1 (20 MB of zeros)', async () => {
    const dense = { name: 'xl/media/image1.png', data: deflatedZeros(20 * 1024 * 1024), method: 8, uncompressedBytes: 20 * 1024 * 1024 };
    expect(await refusal(craftedXlsx([{ name: 'records', rows: [['a']] }], { extra: [dense] }))).toBe('ZIP_RATIO');
  });

  it('does not ratio-check small parts (tiny XML compresses extremely well)', async () => {
    const small = { name: 'docProps/custom.xml', ...deflated(' '.repeat(500_000)), method: 8 };
    const file = craftedXlsx([{ name: 'records', rows: [['a']] }], { extra: [small] });
    expect((await openUsageXlsx(file)).records.headers).toEqual(['a']);
  });

  it('refuses when the entries together declare more than the limit', async () => {
    const parts = Array.from({ length: 4 }, (_, i) => ({
      name: `xl/media/part${i}.bin`,
      ...deflated(Buffer.alloc(300 * 1024, i)),
      method: 8,
    }));
    const file = craftedXlsx([{ name: 'records', rows: [['a']] }], { extra: parts });
    expect(await refusal(file, { maxUncompressedBytes: 1024 * 1024, maxCompressionRatio: 10_000 })).toBe('ZIP_TOO_LARGE');
  });

  it('refuses too many entries, from the declared count, before reading them', async () => {
    const many = Array.from({ length: DEFAULT_LIMITS.maxZipEntries + 1 }, (_, i) => ({ name: `x/${i}`, data: Buffer.alloc(0) }));
    expect(await refusal(craftedXlsx([{ name: 'records', rows: [['a']] }], { extra: many }))).toBe('ZIP_TOO_MANY_ENTRIES');
    expect(await refusal(craftZip([{ name: 'a', data: Buffer.alloc(0) }], { declaredEntryCount: 65_000 }))).toBe('ZIP_TOO_MANY_ENTRIES');
  });

  it('refuses overlapping entries (the "better zip bomb")', async () => {
    const second = { name: 'xl/b.xml', data: Buffer.from('<b/>') };
    const first = {
      name: 'xl/a.xml',
      data: Buffer.from('<a/>'),
      // The directory claims a's data runs on over b's header and data.
      declared: { compressedBytes: 4 + 30 + second.name.length + 4, uncompressedBytes: 4 + 30 + second.name.length + 4 },
    };
    const file = craftedXlsx([{ name: 'records', rows: [['a']] }], { extra: [first, second] });
    expect(await refusal(file)).toBe('ZIP_CORRUPT');
  });
});

describe('damaged or unsupported zips', () => {
  const base = () => craftedXlsx([{ name: 'records', xml: records }]);

  it.each([
    ['an encrypted entry', { name: 'x', data: Buffer.from('x'), flags: 1 }, 'ZIP_UNSUPPORTED'],
    ['a bzip2 entry', { name: 'x', data: Buffer.from('x'), method: 12 }, 'ZIP_UNSUPPORTED'],
    ['a zip64 size marker', { name: 'x', data: Buffer.from('x'), declared: { compressedBytes: 0xffffffff, uncompressedBytes: 0xffffffff } }, 'ZIP_UNSUPPORTED'],
    ['a stored entry declaring two sizes', { name: 'x', data: Buffer.from('x'), declared: { uncompressedBytes: 5 } }, 'ZIP_CORRUPT'],
    ['a local header naming another entry', { name: 'x', data: Buffer.from('x'), localName: 'y' }, 'ZIP_CORRUPT'],
    ['data running into the central directory', { name: 'x', data: Buffer.from('x'), declared: { compressedBytes: 10_000, uncompressedBytes: 10_000 } }, 'ZIP_CORRUPT'],
  ] as Array<[string, CraftedEntry, string]>)('refuses %s', async (_, entry, code) => {
    const file = craftedXlsx([{ name: 'records', rows: [['a']] }], { extra: [entry] });
    expect(await refusal(file)).toBe(code);
  });

  it('refuses two entries with the same name, also when only the case differs', async () => {
    for (const name of [sheetPart, 'XL/Worksheets/Sheet1.xml']) {
      const file = craftedXlsx([{ name: 'records', rows: [['a']] }], { extra: [{ name, data: Buffer.from(records) }] });
      expect(await refusal(file)).toBe('ZIP_CORRUPT');
    }
  });

  it('refuses deflate data that does not inflate', async () => {
    expect(await refusal(workbookWith({ name: sheetPart, data: Buffer.from([0xff, 0xff, 0xff]), method: 8, uncompressedBytes: 10 }))).toBe('ZIP_CORRUPT');
  });

  it('refuses a part that inflates to less than it declares', async () => {
    const short = { name: sheetPart, data: zlib.deflateRawSync(Buffer.from(records)), method: 8, uncompressedBytes: records.length + 10 };
    expect(await refusal(workbookWith(short))).toBe('ZIP_SIZE_MISMATCH');
  });

  it('refuses a truncated file', async () => {
    const file = base();
    expect(await refusal(file.subarray(0, file.length - 30))).toBe('NOT_A_ZIP');
    expect(await refusal(file.subarray(0, 40))).toBe('NOT_A_ZIP');
  });

  it('refuses a zip64 end-of-directory locator', async () => {
    const file = base();
    const eocd = file.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    const patched = Buffer.concat([file.subarray(0, eocd), locator, file.subarray(eocd)]);
    expect(await refusal(patched)).toBe('ZIP_UNSUPPORTED');
  });
});

describe('the directory reader', () => {
  it('lists honest entries with their sizes', () => {
    const text = deflated('<x>hello</x>');
    const zip = craftZip([{ name: 'a.xml', data: Buffer.from('stored') }, { name: 'b.xml', data: text.data, method: 8, uncompressedBytes: text.uncompressedBytes }]);
    expect(readZipDirectory(zip, resolveLimits()).map((e) => [e.name, e.method, e.compressedBytes, e.uncompressedBytes])).toEqual([
      ['a.xml', 0, 6, 6],
      ['b.xml', 8, text.data.length, 12],
    ]);
  });

  it('inflates a lying entry only until it passes its declared size', async () => {
    const zip = craftZip([{ name: 'bomb', data: oneGigabyteOfZeros, method: 8, uncompressedBytes: 1000 }]);
    const [entry] = readZipDirectory(zip, resolveLimits());
    const started = performance.now();
    await expect(checkInflatedSize(zip, entry!)).rejects.toMatchObject({ code: 'ZIP_SIZE_MISMATCH' });
    expect(performance.now() - started).toBeLessThan(200);
  });
});
