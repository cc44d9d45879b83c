import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { aCatalog, aUsageRow, PRICED_COLUMNS, QT_COLUMNS, usageCsv } from '../fixtures/catalog';
import { apiClient } from '../fixtures/api';
import { xlsxOf } from '../fixtures/usage-files/builders';
import { useIntegration } from '../helpers/integration';

const ctx = useIntegration();
const api = () => apiClient(ctx.app);

async function readXlsx(bytes: ArrayBuffer) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes);
  return workbook;
}

describe('upload and processing', () => {
  it('processes a valid CSV into ready with one valid record per row', async () => {
    const c = await aCatalog(ctx.database.db);
    const file = await api().createFile(c);
    const rows = Array.from({ length: 25 }, (_, i) => aUsageRow(c, i));
    const done = await api().upload(c, file.id, usageCsv(rows));
    expect(done).toMatchObject({ status: 'ready', errorDetail: '', records: { total: 25, valid: 25, invalid: 0 } });
    expect(done.events.map((e: { action: string }) => e.action)).toEqual(['create', 'upload', 'startProcessing', 'markReady']);
    const page = await api().json(await api().call('GET', `/v1/usage-records?fileId=${file.id}&limit=10`, c.vendor.auth), 200);
    expect(page.items).toHaveLength(10);
    expect(page.items[0]).toMatchObject({ recordId: 'r-0', status: 'valid', quantity: '10.5', itemId: c.items.storage.id, assetId: c.assets[0]!.id, startAt: '2024-03-01T00:00:00.000Z' });
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it('marks a file with a bad row invalid; the processed file marks the cell with a comment and the errors CSV lists it', async () => {
    const c = await aCatalog(ctx.database.db, { schema: 'TR' });
    const file = await api().createFile(c);
    // SPEC §1.10: six TR rows, row 4 (the third data row) has no amount.
    const rows = Array.from({ length: 6 }, (_, i) => aUsageRow(c, i, { tier: String(i % 2), amount: i === 2 ? '' : '12.05' }, PRICED_COLUMNS));
    const done = await api().upload(c, file.id, usageCsv(rows, PRICED_COLUMNS));
    expect(done).toMatchObject({ status: 'invalid', records: { total: 6, valid: 5, invalid: 1 } });
    expect(done.errorDetail).toContain('1 invalid records');

    const csv = await (await api().call('GET', `/v1/usage-files/${file.id}/errors.csv`, c.vendor.auth)).text();
    expect(csv.split('\r\n')[0]).toBe('row,column,code,message');
    expect(csv).toContain('4,amount,REQUIRED,');

    const res = await api().call('GET', `/v1/usage-files/${file.id}/processed-file`, c.vendor.auth);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const workbook = await readXlsx(await res.arrayBuffer());
    const sheet = workbook.getWorksheet('records')!;
    const amountColumn = PRICED_COLUMNS.indexOf('amount') + 1;
    const cell = sheet.getRow(4).getCell(amountColumn);
    expect(String(cell.note && typeof cell.note === 'object' ? JSON.stringify(cell.note) : cell.note)).toContain('amount is required');
    expect(sheet.getRow(3).getCell(amountColumn).note).toBeUndefined();
  });

  it('re-upload replaces every record of the file; fixing the row makes it ready', async () => {
    const c = await aCatalog(ctx.database.db);
    const file = await api().createFile(c);
    const bad = await api().upload(c, file.id, usageCsv([aUsageRow(c, 1), aUsageRow(c, 2, { quantity: 'lots' }), aUsageRow(c, 3)]));
    expect(bad).toMatchObject({ status: 'invalid', records: { total: 3, invalid: 1, valid: 2 } });
    const good = await api().upload(c, file.id, usageCsv([aUsageRow(c, 7), aUsageRow(c, 8)]));
    expect(good).toMatchObject({ status: 'ready', errorDetail: '', records: { total: 2, valid: 2, invalid: 0 } });
    const page = await api().json(await api().call('GET', `/v1/usage-records?fileId=${file.id}`, c.vendor.auth), 200);
    expect(page.items.map((r: { recordId: string }) => r.recordId)).toEqual(['r-7', 'r-8']);
    const csv = await (await api().call('GET', `/v1/usage-files/${file.id}/errors.csv`, c.vendor.auth)).text();
    expect(csv).toBe('row,column,code,message\r\n');
    // Ready files may be uploaded again too (SPEC §1.3 #7).
    const again = await api().upload(c, file.id, usageCsv([aUsageRow(c, 9)]));
    expect(again.records.total).toBe(1);
  });

  it('makes both rows of a repeated record_id invalid', async () => {
    const c = await aCatalog(ctx.database.db);
    const file = await api().createFile(c);
    const done = await api().upload(c, file.id, usageCsv([aUsageRow(c, 1), aUsageRow(c, 2, { record_id: 'r-1' }), aUsageRow(c, 3)]));
    expect(done).toMatchObject({ status: 'invalid', records: { valid: 1, invalid: 2 } });
    const csv = await (await api().call('GET', `/v1/usage-files/${file.id}/errors.csv`, c.vendor.auth)).text();
    expect(csv.match(/DUPLICATE_RECORD_ID/g)).toHaveLength(2);
  });

  it('reads the Connect XLSX layout: records and categories sheets', async () => {
    const c = await aCatalog(ctx.database.db);
    const file = await api().createFile(c);
    const columns = [...QT_COLUMNS, 'category_id'];
    const xlsx = await xlsxOf([
      { name: 'categories', rows: [['category_id', 'category_name', 'category_description'], ['cat-storage', 'Storage', 'Disk']] },
      { name: 'records', rows: [columns, [...aUsageRow(c, 1), 'cat-storage'], [...aUsageRow(c, 2), ''], [...aUsageRow(c, 3), 'cat-nope']] },
    ]);
    const done = await api().upload(c, file.id, new Uint8Array(xlsx));
    expect(done).toMatchObject({ status: 'invalid', records: { valid: 2, invalid: 1 } });
    const csv = await (await api().call('GET', `/v1/usage-files/${file.id}/errors.csv`, c.vendor.auth)).text();
    expect(csv).toContain('4,category_id,UNKNOWN_CATEGORY');
    const cats = await api().json(await api().call('GET', `/v1/usage-files/${file.id}/categories`, c.vendor.auth), 200);
    expect(cats.items).toEqual([{ id: 'cat-storage', name: 'Storage', description: 'Disk' }]);
    const records = await api().json(await api().call('GET', `/v1/usage-records?fileId=${file.id}&status=valid`, c.vendor.auth), 200);
    expect(records.items.map((r: { categoryId: string }) => r.categoryId)).toEqual(['cat-storage', 'generic_category']);
  });

  it('accepts a multipart upload with the field usage_file', async () => {
    const c = await aCatalog(ctx.database.db);
    const file = await api().createFile(c);
    const form = new FormData();
    form.set('usage_file', new Blob([usageCsv([aUsageRow(c, 1)])], { type: 'text/csv' }), 'usage.csv');
    const res = await ctx.app.request(`/v1/usage-files/${file.id}/upload`, { method: 'POST', headers: c.vendor.auth, body: form });
    expect(res.status, await res.clone().text()).toBe(202);
    expect(await api().waitForStatus(c, file.id, 'ready')).toMatchObject({ records: { total: 1 } });
  });

  it('serves the XLSX template of the product schema', async () => {
    const c = await aCatalog(ctx.database.db, { schema: 'TR' });
    const res = await api().call('GET', `/v1/products/${c.product.id}/usage-template`, c.vendor.auth);
    expect(res.status).toBe(200);
    const workbook = await readXlsx(await res.arrayBuffer());
    expect(workbook.worksheets.map((w) => w.name)).toEqual(['instructions', 'general', 'categories', 'records']);
    const headers = (workbook.getWorksheet('records')!.getRow(1).values as string[]).slice(1);
    expect(headers).toEqual(expect.arrayContaining(['record_id', 'amount', 'tier']));
    const qt = await aCatalog(ctx.database.db, { schema: 'QT' });
    const qtBook = await readXlsx(await (await api().call('GET', `/v1/products/${qt.product.id}/usage-template`, qt.vendor.auth)).arrayBuffer());
    expect((qtBook.getWorksheet('records')!.getRow(1).values as string[]).slice(1)).not.toContain('tier');
    expect((await api().call('GET', `/v1/products/${qt.product.id}/usage-template`, c.vendor.auth)).status).toBe(404);
  });
});
