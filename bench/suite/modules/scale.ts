import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { usageFileCsvParts } from '../../inputs';
import { duplicateCheck } from '../guardrails';
import { round, timed } from '../stats';
import type { BenchContext, Check, CustomModule, Figure } from '../types';
import { createDraftFile, fileRecordCount, uploadAndWait } from './usage-file-flow';

// Worker peak memory (VmHWM of the worker process) and, with --large, throughput at 10× the size:
// a file of N records and one of 10 N, each on a fresh worker process, records/s and peak memory of
// both. Flat throughput and flat memory are what "streams, never holds a file" means.

const MiB = 1024 * 1024;

async function ingestOnFreshWorker(ctx: BenchContext, rows: number): Promise<{ rate: number; peakMiB: number; workflowId: string; check: Check }> {
  await ctx.worker.restart();
  // Written to disk first and streamed through the upload: 10M rows are more than one buffer should hold.
  const path = join(tmpdir(), `meterflow-bench-${rows}-${ctx.seed}-${process.pid}.csv`);
  await pipeline(Readable.from(usageFileCsvParts(ctx.catalog, rows, ctx.seed + 4)), createWriteStream(path));
  const { fileId, workflowId } = await createDraftFile(ctx);
  const { seconds } = await timed(() => uploadAndWait(ctx, fileId, Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>)).finally(() => rmSync(path, { force: true }));
  const peakMiB = Math.round(ctx.worker.peakRssBytes() / MiB);
  const stored = await fileRecordCount(ctx, fileId);
  const duplicates = await duplicateCheck(ctx.database.sql, `no duplicate record at ${rows} rows`, 'usage_records', 'file_id, record_id', `file_id = '${fileId}'`);
  ctx.say(`  ${rows.toLocaleString('en')} records: ${seconds.toFixed(1)} s, worker peak ${peakMiB} MiB`);
  await ctx.database.sql`delete from usage_records where file_id = ${fileId}`;
  return { rate: rows / seconds, peakMiB, workflowId, check: { ...duplicates, ok: duplicates.ok && stored === rows, detail: `${stored} of ${rows} stored; ${duplicates.detail}` } };
}

export const workerMemory: CustomModule = {
  kind: 'custom',
  name: 'worker-memory',
  async measure(ctx) {
    const small = await ingestOnFreshWorker(ctx, ctx.sizes.rows);
    const figures: Figure[] = [{ name: `worker peak memory, ${ctx.sizes.rows.toLocaleString('en')}-record file`, value: small.peakMiB, unit: 'MiB' }];
    const checks = [small.check];
    const workflowIds = [small.workflowId];
    if (ctx.large) {
      const big = await ingestOnFreshWorker(ctx, ctx.sizes.rows * 10);
      figures.push(
        { name: `worker peak memory, ${(ctx.sizes.rows * 10).toLocaleString('en')}-record file`, value: big.peakMiB, unit: 'MiB' },
        { name: '10× size ÷ 1× throughput', value: round(big.rate / small.rate), unit: 'ratio', target: { floor: 0.8, ambition: 0.9 } },
      );
      checks.push(big.check);
      workflowIds.push(big.workflowId);
    } else {
      figures.push({ name: '10× size ÷ 1× throughput', value: null, unit: 'ratio', target: { floor: 0.8, ambition: 0.9 }, note: 'run with --large' });
    }
    return { figures, checks, workflowIds };
  },
};
