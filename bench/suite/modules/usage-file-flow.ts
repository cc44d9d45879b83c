import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import { insertUsageFile, recordTransition } from '../../../db/queries/usage-files';
import { newUsageFileId } from '../../../lib/ids';
import { usageFileWorkflowId } from '../../../workflows/shared';
import { usageFile } from '../../../workflows/usage-file';
import type { BenchContext } from '../types';

// The usage-file flow as a vendor drives it: a draft file and its workflow, then the CSV uploaded
// through the API and processed by the worker until the file is ready.

export async function createDraftFile(ctx: BenchContext): Promise<{ fileId: string; workflowId: string }> {
  const c = ctx.catalog;
  const fileId = newUsageFileId();
  const file = await insertUsageFile(ctx.database.db, {
    id: fileId, vendorId: c.vendor.party.id, providerId: c.provider.party.id, productId: c.product.id, contractId: c.contract.id, schema: 'QT',
    name: 'bench', currency: 'EUR', environment: 'production', periodFrom: new Date('2024-03-01T00:00:00Z'), periodTo: new Date('2024-03-31T23:59:59Z'),
  });
  await recordTransition(ctx.database.db, { fileId, seq: 0, action: 'create', fromStatus: null, toStatus: 'draft', actorPartyId: c.vendor.party.id, actorKeyId: null, note: '', at: file.createdAt.toISOString() });
  const workflowId = usageFileWorkflowId(fileId);
  await ctx.temporal.workflow.start(usageFile, { taskQueue: ctx.taskQueue, workflowId, args: [{ fileId, status: 'draft', seq: 0, chunkRows: ctx.sizes.chunkRows }] });
  return { fileId, workflowId };
}

/** POSTs the CSV (202 once stored and the workflow has it), then waits until the file is ready again. */
export async function uploadAndWait(ctx: BenchContext, fileId: string, csv: Buffer | ReadableStream<Uint8Array>, during?: () => Promise<void>): Promise<void> {
  const init = { method: 'POST', headers: { ...ctx.catalog.vendor.auth, 'content-type': 'text/csv' }, body: csv, duplex: 'half' };
  const res = await ctx.app.request(`/v1/usage-files/${fileId}/upload`, init as RequestInit);
  if (res.status !== 202) throw new Error(`upload of ${fileId} answered ${res.status}: ${await res.text()}`);
  await during?.();
  await waitReady(ctx, fileId);
}

export async function waitReady(ctx: BenchContext, fileId: string, timeoutMs = 3_600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await ctx.database.sql<Array<{ status: string; errorDetail: string | null }>>`select status, error_detail as "errorDetail" from usage_files where id = ${fileId}`;
    if (row!.status === 'ready') return;
    if (row!.status === 'invalid') throw new Error(`bench file ${fileId} came out invalid: ${row!.errorDetail}`);
    if (Date.now() > deadline) throw new Error(`bench file ${fileId} not ready after ${timeoutMs} ms (status ${row!.status})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function fileRecordCount(ctx: BenchContext, fileId: string): Promise<number> {
  const [row] = await ctx.database.sql<Array<{ n: number }>>`select count(*)::int as n from usage_records where file_id = ${fileId}`;
  return row!.n;
}

/**
 * The file's stored records in COPY text format: the rows a baseline COPYs. On a client of its own:
 * a postgres.js connection that streamed a large COPY TO does not answer its next query.
 */
export async function dumpRecords(ctx: BenchContext, fileId: string): Promise<Buffer> {
  const sql = postgres(ctx.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const chunks: Buffer[] = [];
    const readable = await sql.unsafe(`copy (select * from usage_records where file_id = '${fileId.replaceAll("'", "''")}') to stdout`).readable();
    for await (const chunk of readable) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** COPYs text-format `data` into `table`. */
export async function copyInto(sql: postgres.Sql | postgres.TransactionSql, table: string, data: Buffer): Promise<void> {
  await pipeline(Readable.from([data]), await sql.unsafe(`copy ${table} from stdin`).writable());
}
