import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import type { PlanUploadResult } from '../../activities/usage-files';
import { MockActivityEnvironment } from '@temporalio/testing';
import { completeUpload, findUsageFile, insertUpload, insertUploadChunk, insertUsageFile, listUsageFileEvents } from '../../db/queries/usage-files';
import { newUsageFileId } from '../../lib/ids';
import { aCatalog, aUsageRow, usageCsv } from '../fixtures/catalog';
import { aMarketplace } from '../fixtures/parties';
import { useIntegration } from '../helpers/integration';

const ctx = useIntegration({ worker: false });

describe('recordFileTransition', () => {
  it('is idempotent: called twice (a retried activity), it records one event and one status change', async () => {
    const m = await aMarketplace(ctx.database.db);
    const fileId = `UF-TEST-${randomUUID()}`;
    await insertUsageFile(ctx.database.db, {
      id: fileId, vendorId: m.vendor.party.id, providerId: m.provider.party.id, name: 'a', currency: 'EUR',
      environment: 'production', periodFrom: new Date('2024-03-01T00:00:00Z'), periodTo: new Date('2024-03-31T00:00:00Z'),
    });
    const { recordFileTransition } = createActivities({ database: ctx.database });
    const t = {
      fileId, seq: 1, action: 'delete', fromStatus: 'draft' as const, toStatus: 'deleted' as const,
      actorPartyId: m.vendor.party.id, actorKeyId: m.vendor.keyId, note: '', at: '2026-01-01T00:00:00.000Z',
    };
    expect(await recordFileTransition(t)).toEqual({ applied: true });
    expect(await recordFileTransition(t)).toEqual({ applied: false });
    expect(await listUsageFileEvents(ctx.database.db, fileId)).toHaveLength(1);
    const file = await findUsageFile(ctx.database.db, fileId);
    expect(file).toMatchObject({ status: 'deleted', updatedAt: new Date(t.at) });
  });
});

describe('processing activities are idempotent and resume from the database', () => {
  async function storedUpload(rows: number, chunkBytes = Infinity) {
    const c = await aCatalog(ctx.database.db);
    const fileId = newUsageFileId();
    await insertUsageFile(ctx.database.db, {
      id: fileId, vendorId: c.vendor.party.id, providerId: c.provider.party.id, productId: c.product.id, contractId: c.contract.id, schema: 'QT',
      name: 'a', currency: 'EUR', environment: 'production', periodFrom: new Date('2024-03-01T00:00:00Z'), periodTo: new Date('2024-03-31T23:59:59Z'),
    });
    const uploadNo = await insertUpload(ctx.database.db, fileId, 'csv', c.vendor.party.id);
    const csv = Buffer.from(usageCsv(Array.from({ length: rows }, (_, i) => aUsageRow(c, i, i === 3 ? { quantity: 'x' } : {}))));
    for (let at = 0, n = 0; at < csv.byteLength; at += chunkBytes, n++) await insertUploadChunk(ctx.database.sql, fileId, uploadNo, n, csv.subarray(at, at + chunkBytes));
    await completeUpload(ctx.database.db, fileId, uploadNo, csv.byteLength, 'csv');
    return { c, fileId, uploadNo };
  }
  const input = (fileId: string, uploadNo: number) => ({ fileId, uploadNo, uploadedAt: '2024-04-02T00:00:00.000Z', chunkRows: 7 });
  const rowsOf = (fileId: string) => ctx.database.sql`select row_no, record_id, status, quantity::text from usage_records where file_id = ${fileId} order by row_no`;

  it('processUpload run twice (a retry after it committed) lands every row once', async () => {
    const { fileId, uploadNo } = await storedUpload(40);
    const activities = createActivities({ database: ctx.database });
    const env = new MockActivityEnvironment();
    const first = await env.run(activities.processUpload, input(fileId, uploadNo));
    const stored = await rowsOf(fileId);
    const second = await env.run(activities.processUpload, input(fileId, uploadNo));
    expect(first).toEqual({ rows: 40, recordIdColumn: 'record_id', refused: null, duplicatesPossible: false });
    // The retry resumes after row 41, so it cannot vouch for record ids it did not read.
    expect(second).toEqual({ rows: 40, recordIdColumn: 'record_id', refused: null, duplicatesPossible: true });
    expect(await rowsOf(fileId)).toEqual(stored);
    expect(stored).toHaveLength(40);
    expect(stored.filter((r) => r.status === 'invalid').map((r) => r.record_id)).toEqual(['r-3']);
  });

  it('processUpload resumes after the last committed chunk', async () => {
    const { fileId, uploadNo } = await storedUpload(40);
    const activities = createActivities({ database: ctx.database });
    await new MockActivityEnvironment().run(activities.processUpload, input(fileId, uploadNo));
    const all = await rowsOf(fileId);
    // As if the worker died after 3 chunks of 7 rows: only rows 2–22 are in the database.
    await ctx.database.sql`delete from usage_records where file_id = ${fileId} and row_no > 22`;
    await ctx.database.sql`delete from usage_record_errors where file_id = ${fileId}`;
    const heartbeats: unknown[] = [];
    const env = new MockActivityEnvironment();
    env.on('heartbeat', (d: unknown) => heartbeats.push(d));
    await env.run(activities.processUpload, input(fileId, uploadNo));
    expect(await rowsOf(fileId)).toEqual(all);
    expect(heartbeats[0]).toEqual({ lastRow: 29 }); // the first new chunk starts after row 22
  });

  it('completeProcessing and markDuplicates change nothing the second time', async () => {
    const { fileId, uploadNo } = await storedUpload(10);
    const activities = createActivities({ database: ctx.database });
    await new MockActivityEnvironment().run(activities.processUpload, input(fileId, uploadNo));
    expect(await activities.markDuplicates({ fileId, uploadNo, recordIdColumn: 'record_id' })).toBe(0);
    const transition = { fileId, seq: 1, fromStatus: 'processing' as const, actorPartyId: null, actorKeyId: null, note: '', at: '2024-04-02T00:00:00.000Z' };
    const first = await activities.completeProcessing({ transition, uploadNo, refused: null });
    const second = await activities.completeProcessing({ transition, uploadNo, refused: null });
    expect(first).toEqual({ status: 'invalid', invalidRecords: 1, errors: 1 });
    expect(second).toEqual(first);
    expect(await listUsageFileEvents(ctx.database.db, fileId)).toHaveLength(1);
    expect(await findUsageFile(ctx.database.db, fileId)).toMatchObject({ status: 'invalid', currentUploadNo: uploadNo });
  });

  it('planUpload splits a CSV into ranges that processCsvRange lands like one pass, once, resuming after a crash', async () => {
    const { fileId, uploadNo } = await storedUpload(300, 1000);
    const activities = createActivities({ database: ctx.database });
    const env = new MockActivityEnvironment();
    const plan: PlanUploadResult = await env.run(activities.planUpload, { ...input(fileId, uploadNo), rangeBytes: 2000 });
    expect(plan.refused).toBeNull();
    expect(plan.ranges!.length).toBeGreaterThan(5);
    const results: Array<{ rows: number; refused: unknown }> = [];
    for (const range of plan.ranges!) results.push(await env.run(activities.processCsvRange, { ...input(fileId, uploadNo), range }));
    expect(results.reduce((n, r) => n + r.rows, 0)).toBe(300);
    expect(results.every((r) => r.refused === null)).toBe(true);
    const ranged = await rowsOf(fileId);

    // The same bytes read in one pass store the same rows.
    const again = await storedUpload(300);
    await env.run(activities.processUpload, input(again.fileId, again.uploadNo));
    expect(await rowsOf(again.fileId)).toEqual(ranged);

    // A retry of a range that committed changes nothing; one that died half-way lands the rest.
    const middle = plan.ranges![3]!;
    await env.run(activities.processCsvRange, { ...input(fileId, uploadNo), range: middle });
    await ctx.database.sql`delete from usage_records where file_id = ${fileId} and row_no >= ${middle.firstRow + 7}`;
    for (const range of plan.ranges!.slice(3)) await env.run(activities.processCsvRange, { ...input(fileId, uploadNo), range });
    expect(await rowsOf(fileId)).toEqual(ranged);
    const [errors] = await ctx.database.sql`select count(*)::int as n from usage_record_errors where file_id = ${fileId}`;
    expect(errors!.n).toBe(1);
  });
});
