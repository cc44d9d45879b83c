import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { countRecords } from '../../db/queries/usage-files';
import { aCatalog, aUsageRow, PRICED_COLUMNS, usageCsv, type Catalog } from '../fixtures/catalog';
import { apiClient } from '../fixtures/api';
import { recordHistory } from '../helpers/histories';
import { useIntegration } from '../helpers/integration';
import { usageFileWorkflowId } from '../../workflows/shared';

// After acceptance: export for billing, the records API, closing records (one, many, by a
// reconciliation file), the file closing with its last record, and editing closed records.

const ctx = useIntegration();
const api = () => apiClient(ctx.app);

async function acceptedFile(c: Catalog, rows: string[][], columns = PRICED_COLUMNS) {
  const file = await api().createFile(c);
  await api().upload(c, file.id, usageCsv(rows, columns), 'ready');
  await api().json(await api().call('POST', `/v1/usage-files/${file.id}/submit`, c.vendor.auth, {}), 200);
  await api().json(await api().call('POST', `/v1/usage-files/${file.id}/accept`, c.provider.auth, { note: 'ok' }), 200);
  const records = await api().json(await api().call('GET', `/v1/usage-records?fileId=${file.id}&limit=1000`, c.provider.auth), 200);
  return { id: file.id, records: records.items as Array<{ id: string; recordId: string; status: string; assetId: string }> };
}

const trRows = (c: Catalog, n: number) => Array.from({ length: n }, (_, i) => aUsageRow(c, i, { tier: String(i % 2), amount: i % 2 ? '9.64' : '12.05' }, PRICED_COLUMNS));

describe('export and records API', () => {
  it('exports an accepted file as CSV and XLSX with formula-looking cells escaped and exact amounts', async () => {
    const c = await aCatalog(ctx.database.db, { schema: 'TR' });
    const columns = [...PRICED_COLUMNS, 'record_note'];
    const rows = [[...aUsageRow(c, 1, { amount: '12.05' }, PRICED_COLUMNS), '=HYPERLINK("http://evil")'], [...aUsageRow(c, 2, { amount: '0.10', tier: '1' }, PRICED_COLUMNS), '@SUM(A1)']];
    const file = await acceptedFile(c, rows, columns);
    const csv = await (await api().call('GET', `/v1/usage-files/${file.id}/export?format=csv`, c.provider.auth)).text();
    const lines = csv.trim().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('id,record_id,status');
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(lines[1]).toContain(',12.05,');
    expect(lines[2]).toContain("'@SUM(A1)");
    expect(lines[2]).toContain(',0.1,');

    const xlsx = await api().call('GET', `/v1/usage-files/${file.id}/export?format=xlsx`, c.provider.auth);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await xlsx.arrayBuffer());
    const values = book.getWorksheet('records')!.getRow(2).values as string[];
    expect(values).toContain("'=HYPERLINK(\"http://evil\")");
  });

  it('refuses to export a file that is not accepted (409)', async () => {
    const c = await aCatalog(ctx.database.db);
    const file = await api().createFile(c);
    const res = await api().call('GET', `/v1/usage-files/${file.id}/export`, c.vendor.auth);
    expect(res.status).toBe(409);
    expect((await res.json() as { error: unknown }).error).toMatchObject({ code: 'ILLEGAL_TRANSITION', currentState: 'draft' });
  });

  it('filters records by status, asset, item and date, and pages with a cursor', async () => {
    const c = await aCatalog(ctx.database.db, { schema: 'TR' });
    const file = await acceptedFile(c, trRows(c, 9));
    const get = async (q: string) => (await api().json(await api().call('GET', `/v1/usage-records?fileId=${file.id}&${q}`, c.provider.auth), 200));
    expect((await get('status=approved')).items).toHaveLength(9);
    expect((await get(`assetId=${c.assets[1]!.id}`)).items.map((r: { recordId: string }) => r.recordId)).toEqual(['r-1', 'r-4', 'r-7']);
    expect((await get(`itemId=${c.items.storage.id}`)).items).toHaveLength(9);
    expect((await get(`itemId=${c.items.seats.id}`)).items).toHaveLength(0);
    expect((await get('from=2024-03-02T00:00:00Z')).items).toHaveLength(0);
    expect((await get('to=2024-04-01T00:00:00Z')).items).toHaveLength(9);
    const first = await get('limit=4');
    const second = await get(`limit=4&cursor=${first.nextCursor}`);
    const third = await get(`limit=4&cursor=${second.nextCursor}`);
    expect([...first.items, ...second.items, ...third.items].map((r: { recordId: string }) => r.recordId)).toEqual(trRows(c, 9).map((r) => r[0]));
    expect(third.nextCursor).toBeNull();
    // Another party sees none of them.
    const other = await aCatalog(ctx.database.db);
    expect((await api().json(await api().call('GET', `/v1/usage-records?fileId=${file.id}`, other.provider.auth), 200)).items).toEqual([]);
  });
});

describe('reconciliation and closing', () => {
  it('SPEC §1.10: bulk-close 4 of 6 (file stays accepted), a bad id does not block the others, then the last 2 close the file', async () => {
    const c = await aCatalog(ctx.database.db, { schema: 'TR' });
    const file = await acceptedFile(c, trRows(c, 6));
    const ids = file.records.map((r) => r.id);
    const first = await api().json(await api().call('POST', `/v1/usage-files/${file.id}/records/close`, c.provider.auth, {
      records: [...ids.slice(0, 4).map((id) => ({ id, externalBillingId: 'INV-2024-0042' })), { id: 'UR-0000-00-0000-0000-99', externalBillingId: 'X' }],
    }), 200);
    expect(first.results.map((r: { status: string }) => r.status)).toEqual(['closed', 'closed', 'closed', 'closed', 'error']);
    expect(first.results[4]).toMatchObject({ errorCode: 'NOT_FOUND' });
    expect(first.file).toMatchObject({ status: 'accepted', records: { closed: 4, approved: 2 } });

    const one = await api().json(await api().call('POST', `/v1/usage-records/${ids[4]}/close`, c.provider.auth, { externalBillingId: 'INV-2024-0043', externalBillingNote: 'March' }), 200);
    expect(one).toMatchObject({ status: 'closed', externalBillingId: 'INV-2024-0043', externalBillingNote: 'March', closedBy: c.provider.party.id });
    await api().json(await api().call('POST', `/v1/usage-files/${file.id}/records/close`, c.provider.auth, { records: [{ id: ids[5], externalBillingId: 'INV-2024-0043' }] }), 200);
    const closed = await api().waitForStatus(c, file.id, 'closed');
    expect(closed.records).toMatchObject({ closed: 6, approved: 0, total: 6 });
    expect(closed.events.at(-1)).toMatchObject({ action: 'close', toStatus: 'closed', actorPartyId: null });

    // External billing id and note stay editable on closed records; nothing else does.
    const edited = await api().json(await api().call('PUT', `/v1/usage-records/${ids[0]}`, c.provider.auth, { externalBillingNote: 'credit note 7' }), 200);
    expect(edited).toMatchObject({ externalBillingId: 'INV-2024-0042', externalBillingNote: 'credit note 7', status: 'closed' });
    expect((await api().call('PUT', `/v1/usage-records/${ids[0]}`, c.provider.auth, { quantity: '1' })).status).toBe(400);
    expect((await api().call('POST', `/v1/usage-records/${ids[0]}/close`, c.provider.auth, { externalBillingId: 'again' })).status).toBe(409);
  });

  it('closes records from a reconciliation file asynchronously: uploaded → processing → processed', async () => {
    const c = await aCatalog(ctx.database.db, { schema: 'TR' });
    const file = await acceptedFile(c, trRows(c, 4));
    const recon = ['record_id,external_billing_id,external_billing_note', 'r-0,INV-1,first', `${file.records[1]!.id},INV-1,by public id`, 'r-2,,', 'r-404,INV-1,'].join('\r\n');
    const res = await api().send(`/v1/usage-files/${file.id}/reconciliations`, c.provider.auth, recon);
    const created = await api().json(res, 202);
    expect(created.status).toBe('uploaded');
    let list;
    for (let i = 0; i < 100; i++) {
      list = await api().json(await api().call('GET', `/v1/usage-files/${file.id}/reconciliations`, c.provider.auth), 200);
      if (list.items[0].status === 'processed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(list.items[0]).toMatchObject({ status: 'processed', closedCount: 2 });
    expect(list.items[0].errors.map((e: { recordId: string; code: string }) => [e.recordId, e.code])).toEqual([['r-2', 'REQUIRED'], ['r-404', 'NOT_FOUND']]);
    expect(await countRecords(ctx.database.db, file.id)).toMatchObject({ closed: 2, approved: 2 });

    const rest = await api().send(`/v1/usage-files/${file.id}/reconciliations`, c.provider.auth, 'record_id,external_billing_id\r\nr-2,INV-2\r\nr-3,INV-2\r\n');
    await api().json(rest, 202);
    expect((await api().waitForStatus(c, file.id, 'closed')).records).toMatchObject({ closed: 4 });
    const handle = ctx.temporal.workflow.getHandle(usageFileWorkflowId(file.id));
    await handle.result(); // the workflow ends with the file closed
    await recordHistory('usage-file-upload-to-closed', handle);
  });

  it('marks a reconciliation file it cannot read as failed and closes nothing', async () => {
    const c = await aCatalog(ctx.database.db, { schema: 'TR' });
    const file = await acceptedFile(c, trRows(c, 2));
    await api().json(await api().send(`/v1/usage-files/${file.id}/reconciliations`, c.provider.auth, 'id,"broken\r\nr-0,INV'), 202);
    let item;
    for (let i = 0; i < 100 && item?.status !== 'failed'; i++) {
      item = (await api().json(await api().call('GET', `/v1/usage-files/${file.id}/reconciliations`, c.provider.auth), 200)).items[0];
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(item).toMatchObject({ status: 'failed', closedCount: 0 });
    expect(await countRecords(ctx.database.db, file.id)).toMatchObject({ approved: 2, closed: 0 });
  });

  it('refuses to close records before acceptance (409) and to close without an external billing id (400)', async () => {
    const c = await aCatalog(ctx.database.db);
    const file = await api().createFile(c);
    await api().upload(c, file.id, usageCsv([aUsageRow(c, 1)]), 'ready');
    const rec = (await api().json(await api().call('GET', `/v1/usage-records?fileId=${file.id}`, c.vendor.auth), 200)).items[0];
    expect((await api().call('POST', `/v1/usage-records/${rec.id}/close`, c.provider.auth, { externalBillingId: 'INV' })).status).toBe(409);
    expect((await api().call('POST', `/v1/usage-files/${file.id}/records/close`, c.provider.auth, { records: [{ id: rec.id, externalBillingId: 'INV' }] })).status).toBe(409);
    expect((await api().call('POST', `/v1/usage-records/${rec.id}/close`, c.provider.auth, { externalBillingId: '' })).status).toBe(400);
    expect((await api().call('POST', `/v1/usage-records/${rec.id}/close`, c.vendor.auth, { externalBillingId: 'INV' })).status).toBe(403);
    expect(await countRecords(ctx.database.db, file.id)).toMatchObject({ valid: 1, closed: 0 });
  });
});
