import { seededRandom } from '../../../lib/seeded-random';
import { usageFileCsv } from '../../inputs';
import { duplicateCheck } from '../guardrails';
import { round, timed } from '../stats';
import type { BenchContext, CustomModule } from '../types';
import { createDraftFile, fileRecordCount, uploadAndWait } from './usage-file-flow';

// Crash-resume of the usage-file flow: the worker process is killed (SIGKILL) once half the file's
// records are committed, a new worker process starts at once, and the file must still come out with
// every record exactly once. Figures: the records written again (rows of the killed attempt's
// uncommitted COPY, read from the table's heap pages) ÷ chunk size, and the total time ÷ an undisturbed
// run of the same file. The restart's process start and the heartbeat timeout (5 s) that frees the
// activity are part of the disturbed time, as they are in production.

/**
 * Rows the database wrote and then threw away (inserted by a transaction that aborted) in the pages
 * of usage_records from `fromPage` on: what the killed attempt had sent but not committed. Read from
 * the heap pages themselves (pageinspect); autovacuum is off on the table so nothing prunes them first.
 */
async function abortedRows(ctx: BenchContext, fromPage: number): Promise<number> {
  const [row] = await ctx.database.sql<Array<{ n: number }>>`
    select count(*)::int as n
    from generate_series(${fromPage}::int, (pg_relation_size('usage_records') / current_setting('block_size')::int)::int - 1) as page,
         heap_page_items(get_raw_page('usage_records', page)) as item
    where item.t_xmin is not null and txid_status(((txid_current() >> 32) << 32) | item.t_xmin::text::bigint) = 'aborted'`;
  return row!.n;
}

const heapPages = async (ctx: BenchContext) =>
  (await ctx.database.sql<Array<{ n: number }>>`select (pg_relation_size('usage_records') / current_setting('block_size')::int)::int as n`)[0]!.n;

export const crashResume: CustomModule = {
  kind: 'custom',
  name: 'crash-resume',
  async measure(ctx) {
    const { rows, chunkRows } = ctx.sizes;
    const csv = usageFileCsv(ctx.catalog, rows, ctx.seed + 2);
    const undisturbed = await createDraftFile(ctx);
    const calm = await timed(() => uploadAndWait(ctx, undisturbed.fileId, csv));

    await ctx.database.sql`create extension if not exists pageinspect`;
    await ctx.database.sql`alter table usage_records set (autovacuum_enabled = false)`;
    const crashed = await createDraftFile(ctx);
    const fromPage = Math.max(0, (await heapPages(ctx)) - 1);
    const before = await abortedRows(ctx, fromPage);
    let committedAtKill = 0;
    // Half-way, then a seeded fraction of one chunk's time, so the kill lands inside a chunk's work
    // rather than just after a commit.
    const chunkMs = (calm.seconds * 1000 * chunkRows) / rows;
    const killHalfWay = async () => {
      while ((await fileRecordCount(ctx, crashed.fileId)) < rows / 2) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, seededRandom(ctx.seed)() * chunkMs));
      committedAtKill = await fileRecordCount(ctx, crashed.fileId);
      await ctx.worker.restart();
    };
    const disturbed = await timed(() => uploadAndWait(ctx, crashed.fileId, csv, killHalfWay));
    const stored = await fileRecordCount(ctx, crashed.fileId);
    const rewritten = (await abortedRows(ctx, fromPage)) - before;
    await ctx.database.sql`alter table usage_records reset (autovacuum_enabled)`;
    ctx.say(`  crash-resume: killed at ${committedAtKill} committed records; ${rewritten} written again; ${calm.seconds.toFixed(2)} s undisturbed, ${disturbed.seconds.toFixed(2)} s with the crash`);
    return {
      figures: [
        { name: 'records redone after a crash ÷ chunk size', value: round(rewritten / chunkRows), unit: 'chunks', target: { floor: 1, ambition: 1, lowerIsBetter: true } },
        { name: 'crash-resume total time ÷ undisturbed', value: round(disturbed.seconds / calm.seconds), unit: 'ratio' },
      ],
      checks: [
        { name: 'every record stored after the crash', ok: stored === rows, detail: `${stored} of ${rows}` },
        await duplicateCheck(ctx.database.sql, 'no duplicate record after the crash', 'usage_records', 'file_id, record_id', `file_id = '${crashed.fileId}'`),
      ],
      workflowIds: [undisturbed.workflowId, crashed.workflowId],
    };
  },
};
