import { describe, expect, it } from 'vitest';
import { insertUsageFile, recordTransition } from '../../db/queries/usage-files';
import { newUsageFileId } from '../../lib/ids';
import { usageFileWorkflowId } from '../../workflows/shared';
import { usageFile } from '../../workflows/usage-file';
import { apiClient } from '../fixtures/api';
import { aCatalog, aUsageRow, QT_COLUMNS, usageCsv, type Catalog } from '../fixtures/catalog';
import { useIntegration } from '../helpers/integration';

// The same upload processed in many small byte ranges (several at once) and in one range stores
// the same records and the same errors: row numbers across ranges, a quoted line break, a record id
// repeated in two far-apart ranges, a row that fails a cell rule.

const ctx = useIntegration();
const api = () => apiClient(ctx.app);

async function startFile(c: Catalog, rangeBytes?: number) {
  const id = newUsageFileId();
  const f = await insertUsageFile(ctx.database.db, {
    id, vendorId: c.vendor.party.id, providerId: c.provider.party.id, productId: c.product.id, contractId: c.contract.id, schema: 'QT',
    name: 'ranges', currency: 'EUR', environment: 'production', periodFrom: new Date('2024-03-01T00:00:00Z'), periodTo: new Date('2024-03-31T23:59:59Z'),
  });
  await recordTransition(ctx.database.db, { fileId: id, seq: 0, action: 'create', fromStatus: null, toStatus: 'draft', actorPartyId: c.vendor.party.id, actorKeyId: null, note: '', at: f.createdAt.toISOString() });
  const handle = await ctx.temporal.workflow.start(usageFile, {
    taskQueue: ctx.taskQueue, workflowId: usageFileWorkflowId(id), args: [{ fileId: id, status: 'draft', seq: 0, chunkRows: 3, rangeBytes }],
  });
  return { id, handle };
}

const stored = async (fileId: string) => ({
  records: await ctx.database.sql`select row_no, record_id, status, note, item_id, asset_id, quantity::text, start_at from usage_records where file_id = ${fileId} order by row_no`,
  errors: await ctx.database.sql`select sheet, row, "column", code from usage_record_errors where file_id = ${fileId} order by sheet, row, "column", code`,
});

describe('processing an upload in byte ranges', () => {
  it('stores what one range stores, with a repeated record id found across ranges', async () => {
    const c = await aCatalog(ctx.database.db);
    const columns = [...QT_COLUMNS, 'record_note'];
    const rows = Array.from({ length: 60 }, (_, i) => aUsageRow(c, i, {
      ...(i === 55 ? { record_id: 'r-3' } : {}),
      ...(i === 20 ? { quantity: 'x' } : {}),
      record_note: i === 30 ? 'two\nlines, "quoted"' : '',
    }, columns));
    const csv = usageCsv(rows, columns);
    const ranged = await startFile(c, 400);
    const whole = await startFile(c);
    const [a, b] = [await api().upload(c, ranged.id, csv, 'invalid'), await api().upload(c, whole.id, csv, 'invalid')];
    expect(a.records).toEqual(b.records);
    expect(a.records).toMatchObject({ total: 60, invalid: 3 });
    const [x, y] = [await stored(ranged.id), await stored(whole.id)];
    expect(x).toEqual(y);
    expect(x.errors.map((e) => `${e.row} ${e.code}`)).toEqual(['5 DUPLICATE_RECORD_ID', '22 BAD_NUMBER', '57 DUPLICATE_RECORD_ID']);
    expect(x.records.find((r) => r.row_no === 32)?.note).toBe('two\nlines, "quoted"');
    const scheduled = async (h: typeof ranged.handle) => (await h.fetchHistory()).events!
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'processCsvRange').length;
    expect(await scheduled(ranged.handle)).toBeGreaterThan(5);
    expect(await scheduled(whole.handle)).toBe(1);
  }, 120_000);

  it('makes the upload invalid with the one whole-file fault a later range finds', async () => {
    const c = await aCatalog(ctx.database.db);
    const text = usageCsv(Array.from({ length: 1_000 }, (_, i) => aUsageRow(c, i, i === 899 ? { record_id: 'r-BAD' } : {})));
    const bytes = Buffer.from(text);
    bytes[bytes.indexOf('r-BAD') + 2] = 0xff; // past the first 64 KiB the upload checks
    const ranged = await startFile(c, 8_000);
    const whole = await startFile(c);
    const [a, b] = [await api().upload(c, ranged.id, bytes, 'invalid'), await api().upload(c, whole.id, bytes, 'invalid')];
    expect(a.errorDetail).toBe(b.errorDetail);
    const errors = async (fileId: string) => ctx.database.sql`select sheet, row, code from usage_record_errors where file_id = ${fileId}`;
    expect(await errors(ranged.id)).toEqual([{ sheet: 'file', row: 901, code: 'INVALID_UTF8' }]);
    expect(await errors(whole.id)).toEqual(await errors(ranged.id));
  }, 120_000);
});
