import { describe, expect, it } from 'vitest';
import { insertUsageFile, recordTransition } from '../../db/queries/usage-files';
import { newUsageFileId } from '../../lib/ids';
import { usageFileWorkflowId } from '../../workflows/shared';
import { usageFile } from '../../workflows/usage-file';
import { aCatalog, aUsageRow, usageCsv, type Catalog } from '../fixtures/catalog';
import { apiClient } from '../fixtures/api';
import { useIntegration } from '../helpers/integration';
import { killRepeatedly, startWorkerProcess } from '../helpers/worker-process';
import { seededRandom } from '../../lib/seeded-random';

// Crash test: the worker process is killed (SIGKILL) at seeded random moments, at least 20 times,
// while a 100,000-record file is processed in chunks of 2,000, and restarted each time. The file
// must end ready with exactly the right counts, no duplicate record, and the same stored data as
// an undisturbed run of the same file.

const ctx = useIntegration({ worker: false });
const ROWS = 100_000;
const KILLS = 20;
const SEED = Number(process.env.CRASH_SEED ?? 20261122);

async function startFile(c: Catalog) {
  const id = newUsageFileId();
  const f = await insertUsageFile(ctx.database.db, {
    id, vendorId: c.vendor.party.id, providerId: c.provider.party.id, productId: c.product.id, contractId: c.contract.id, schema: 'QT',
    name: 'crash', currency: 'EUR', environment: 'production', periodFrom: new Date('2024-03-01T00:00:00Z'), periodTo: new Date('2024-03-31T23:59:59Z'),
  });
  await recordTransition(ctx.database.db, { fileId: id, seq: 0, action: 'create', fromStatus: null, toStatus: 'draft', actorPartyId: c.vendor.party.id, actorKeyId: null, note: '', at: f.createdAt.toISOString() });
  await ctx.temporal.workflow.start(usageFile, { taskQueue: ctx.taskQueue, workflowId: usageFileWorkflowId(id), args: [{ fileId: id, status: 'draft', seq: 0, chunkRows: 2_000 }] });
  return id;
}

const storedRecords = (fileId: string) => ctx.database.sql`
  select row_no, record_id, status, item_id, asset_id, quantity::text, amount::text, start_at, end_at, category_id, upload_no
  from usage_records where file_id = ${fileId} order by row_no`;

describe('crash test', () => {
  it(`survives ${KILLS} SIGKILLs of the worker while a ${ROWS.toLocaleString('en')}-record file is processed`, async () => {
    const startWorker = () => startWorkerProcess(ctx.taskQueue);
    const api = apiClient(ctx.app);
    const c = await aCatalog(ctx.database.db);
    const csv = usageCsv(Array.from({ length: ROWS }, (_, i) => aUsageRow(c, i)));
    const random = seededRandom(SEED);
    const holder = { worker: await startWorker() };
    try {
      const crashed = await startFile(c);
      await api.json(await api.send(`/v1/usage-files/${crashed}/upload`, c.vendor.auth, csv), 202);
      // Short lives (processing 100,000 rows takes a couple of seconds): several kills land mid-range.
      const moments = await killRepeatedly(holder, ctx.taskQueue, random, KILLS, { minMs: 100, spreadMs: 700 });
      const done = await api.waitForStatus(c, crashed, ['ready', 'invalid'], 180_000);
      console.log(`crash test: seed ${SEED}, ${KILLS} kills after ${moments.join(', ')} ms; ${done.records.total} records`);
      expect(done).toMatchObject({ status: 'ready', records: { total: ROWS, valid: ROWS, invalid: 0 } });
      expect(done.events.map((e: { action: string }) => e.action)).toEqual(['create', 'upload', 'startProcessing', 'markReady']);
      const [dups] = await ctx.database.sql`select count(*)::int as n, count(distinct row_no)::int as rows, count(distinct record_id)::int as ids from usage_records where file_id = ${crashed}`;
      expect(dups).toEqual({ n: ROWS, rows: ROWS, ids: ROWS });
      const [errors] = await ctx.database.sql`select count(*)::int as n from usage_record_errors where file_id = ${crashed}`;
      expect(errors!.n).toBe(0);

      // The same file, undisturbed, stores exactly the same data.
      const calm = await startFile(c);
      await api.json(await api.send(`/v1/usage-files/${calm}/upload`, c.vendor.auth, csv), 202);
      await api.waitForStatus(c, calm, 'ready', 120_000);
      const [a, b] = await Promise.all([storedRecords(crashed), storedRecords(calm)]);
      expect(a.length).toBe(ROWS);
      expect(JSON.stringify(a)).toBe(JSON.stringify(b));
      const history = await ctx.temporal.workflow.getHandle(usageFileWorkflowId(crashed)).fetchHistory();
      const attempts = history.events!.flatMap((e) => e.activityTaskStartedEventAttributes?.attempt ?? []);
      console.log(`crash test: ${history.events!.length} history events; processing activities needed up to ${Math.max(...attempts)} attempts`);
      expect(Math.max(...attempts), 'no kill landed while a range was being processed').toBeGreaterThan(1);
    } finally {
      await holder.worker.kill();
    }
  }, 600_000);
});
