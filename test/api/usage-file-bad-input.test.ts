import { describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { createLogger } from '../../lib/logger';
import { aCatalog, aUsageRow, QT_COLUMNS, usageCsv, type Catalog } from '../fixtures/catalog';
import { apiClient } from '../fixtures/api';
import { xlsxOf } from '../fixtures/usage-files/builders';
import { craftedXlsx, sheetXml } from '../fixtures/usage-files/xlsx-crafting';
import { deflatedZeros } from '../fixtures/usage-files/zip-crafting';
import { useIntegration } from '../helpers/integration';

// Hostile and broken uploads through the API. Each is refused with a clear error code within a
// bounded time: at the upload (4xx, and the file keeps its state and its records), or, when the
// damage is deep in the file, by processing (the file becomes invalid and says why and where).

const ctx = useIntegration();
const api = () => apiClient(ctx.app);
const GIB = 1024 ** 3;

async function readyFileWithRecords(c: Catalog) {
  const file = await api().createFile(c);
  await api().upload(c, file.id, usageCsv([aUsageRow(c, 1), aUsageRow(c, 2)]), 'ready');
  const records = await api().json(await api().call('GET', `/v1/usage-records?fileId=${file.id}`, c.vendor.auth), 200);
  return { id: file.id, records: records.items };
}

/** Uploads bytes to a ready file; answers where and why it was refused. */
async function refusal(c: Catalog, bytes: string | Uint8Array, app = ctx.app): Promise<{ at: 'upload' | 'processing'; code: string; ms: number }> {
  const { id, records } = await readyFileWithRecords(c);
  const started = performance.now();
  const res = await app.request(`/v1/usage-files/${id}/upload`, { method: 'POST', headers: { ...c.vendor.auth, 'content-type': 'text/csv' }, body: bytes });
  const body = await res.json() as { error?: { code: string }; status?: string };
  if (res.status !== 202) {
    const ms = performance.now() - started;
    expect(res.status).toBeGreaterThanOrEqual(400);
    // Nothing already stored is lost: the file is still ready with the same records.
    const after = await api().waitForStatus(c, id, 'ready');
    expect(after.events.map((e: { action: string }) => e.action)).toEqual(['create', 'upload', 'startProcessing', 'markReady']);
    expect((await api().json(await api().call('GET', `/v1/usage-records?fileId=${id}`, c.vendor.auth), 200)).items).toEqual(records);
    return { at: 'upload', code: body.error!.code, ms };
  }
  const done = await api().waitForStatus(c, id, ['invalid', 'ready']);
  const ms = performance.now() - started;
  expect(done.status).toBe('invalid');
  const csv = await (await api().call('GET', `/v1/usage-files/${id}/errors.csv`, c.vendor.auth)).text();
  return { at: 'processing', code: csv.split('\r\n')[1]!.split(',')[2]!, ms };
}

const header = QT_COLUMNS.join(',');

describe('bad input through the API', () => {
  it('refuses an XLSX zip bomb (1 GiB of zeros in 1 MB) without inflating it', async () => {
    const c = await aCatalog(ctx.database.db);
    const bomb = craftedXlsx([{ name: 'records', rows: [] }], { replace: { 'xl/worksheets/sheet1.xml': { name: 'xl/worksheets/sheet1.xml', data: deflatedZeros(GIB), method: 8, uncompressedBytes: GIB } } });
    const result = await refusal(c, new Uint8Array(bomb));
    expect(result).toMatchObject({ at: 'upload', code: 'ZIP_TOO_LARGE' });
    expect(result.ms).toBeLessThan(5_000);
  });

  it('refuses a file over the size limit while it streams (413)', async () => {
    const c = await aCatalog(ctx.database.db);
    const small = createApp({ database: ctx.database, temporal: ctx.temporal, taskQueue: ctx.taskQueue, logger: createLogger('test', 'error'), uploadMaxBytes: 64 * 1024 });
    const rows = Array.from({ length: 2_000 }, (_, i) => aUsageRow(c, i));
    const result = await refusal(c, usageCsv(rows), small);
    expect(result).toMatchObject({ at: 'upload', code: 'FILE_TOO_LARGE' });
    const res = await small.request('/v1/usage-files/x/upload', { method: 'POST', headers: c.vendor.auth, body: 'a' });
    expect(res.status).toBe(404);
  });

  it('refuses a row with a million columns', async () => {
    const c = await aCatalog(ctx.database.db);
    const result = await refusal(c, `${header}\r\n${usageCsv([aUsageRow(c, 1)]).split('\r\n')[1]}\r\n${','.repeat(1_000_000)}\r\n`);
    expect(result.code).toBe('TOO_MANY_COLUMNS');
    expect(result.ms).toBeLessThan(10_000);
  });

  it.each([
    ['invalid UTF-8 in the header', Buffer.concat([Buffer.from('record_id,qu'), Buffer.from([0xff, 0xfe]), Buffer.from('antity\r\n')]), 'upload', 'INVALID_UTF8'],
    ['a duplicated header', `${header},quantity\r\n`, 'upload', 'DUPLICATE_HEADER'],
    ['__proto__ as a header', `${header},__proto__\r\n`, 'upload', 'FORBIDDEN_HEADER'],
    ['a broken quote in the header', `record_id,"quantity\r\n`, 'upload', 'UNTERMINATED_QUOTE'],
  ])('refuses %s at the upload', async (_name, bytes, at, code) => {
    const c = await aCatalog(ctx.database.db);
    expect(await refusal(c, typeof bytes === 'string' ? bytes : new Uint8Array(bytes))).toMatchObject({ at, code });
  });

  it('marks the file invalid for invalid UTF-8 or a broken quote deep in the rows, naming the row', async () => {
    const c = await aCatalog(ctx.database.db);
    const good = usageCsv(Array.from({ length: 2_000 }, (_, i) => aUsageRow(c, i))); // past the first 64 KiB the upload reads
    const utf8 = await refusal(c, new Uint8Array(Buffer.concat([Buffer.from(good), Buffer.from('r-x,item.mpn,'), Buffer.from([0xc3, 0x28]), Buffer.from(',1\r\n')])));
    expect(utf8).toMatchObject({ at: 'processing', code: 'INVALID_UTF8' });
    const quote = await refusal(c, `${good}r-y,"item.mpn,x\r\n`);
    expect(quote).toMatchObject({ at: 'processing', code: 'UNTERMINATED_QUOTE' });
  });

  it('marks the file invalid when a required column is missing', async () => {
    const c = await aCatalog(ctx.database.db);
    const columns = QT_COLUMNS.filter((h) => h !== 'quantity');
    expect(await refusal(c, usageCsv([aUsageRow(c, 1, {}, columns)], columns))).toMatchObject({ at: 'processing', code: 'MISSING_COLUMN' });
  });

  it('treats __proto__ as a sheet name as an ordinary, ignored sheet: nothing is polluted', async () => {
    const c = await aCatalog(ctx.database.db);
    const file = await api().createFile(c);
    const xlsx = await xlsxOf([{ name: '__proto__', rows: [['polluted'], ['yes']] }, { name: 'records', rows: [QT_COLUMNS, aUsageRow(c, 1)] }]);
    const done = await api().upload(c, file.id, new Uint8Array(xlsx));
    expect(done).toMatchObject({ status: 'ready', records: { total: 1 } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const crafted = craftedXlsx([{ name: 'records', rows: [], xml: sheetXml([['__proto__', 'record_id'], ['x', 'y']]) }]);
    const res = await api().send(`/v1/usage-files/${file.id}/upload`, c.vendor.auth, new Uint8Array(crafted));
    expect(res.status).toBe(422);
    expect((await res.json() as { error: { code: string } }).error.code).toBe('FORBIDDEN_HEADER');
  });
});
