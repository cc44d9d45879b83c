import { usageFileCsv } from '../../inputs';
import { duplicateCheck } from '../guardrails';
import { timed } from '../stats';
import type { BenchContext, PairedModule } from '../types';
import { copyInto, createDraftFile, dumpRecords, uploadAndWait } from './usage-file-flow';

// Re-upload of an identical file: the same bytes uploaded again to a ready file, until it is ready
// again, against INSERT … ON CONFLICT DO NOTHING of the same rows into a table (with the same columns
// and indexes) that already holds them. The guardrail: the file's records afterwards are the same
// records (same count, same record ids and quantities) and none is duplicated.
//
// The usage-file flow replaces every record on any upload (SPEC: re-upload replaces the file's
// records in one step), so an identical re-upload writes the rows again under a new upload number;
// it creates no new business record, which is what the guardrail checks.

interface State { csv: Buffer; fileId: string; workflowId: string; rows: Buffer; fingerprint: string; after: string[] }
const states = new WeakMap<BenchContext, State>();

const fingerprint = async (ctx: BenchContext, fileId: string) => {
  const [row] = await ctx.database.sql<Array<{ n: number; digest: string }>>`
    select count(*)::int as n, md5(string_agg(record_id || ':' || quantity::text || ':' || status::text, ',' order by record_id)) as digest
    from usage_records where file_id = ${fileId}`;
  return `${row!.n} records, digest ${row!.digest}`;
};

async function state(ctx: BenchContext): Promise<State> {
  let s = states.get(ctx);
  if (!s) {
    const csv = usageFileCsv(ctx.catalog, ctx.sizes.rows, ctx.seed + 1);
    const { fileId, workflowId } = await createDraftFile(ctx);
    await uploadAndWait(ctx, fileId, csv);
    const rows = await dumpRecords(ctx, fileId);
    await ctx.database.sql.unsafe('create table bench_reupload_target (like usage_records including all)');
    await copyInto(ctx.database.sql, 'bench_reupload_target', rows);
    states.set(ctx, (s = { csv, fileId, workflowId, rows, fingerprint: await fingerprint(ctx, fileId), after: [] }));
  }
  return s;
}

export const reupload: PairedModule = {
  kind: 'paired',
  name: 're-upload',
  ratio: 're-upload of an identical file ÷ ON CONFLICT DO NOTHING',
  unit: 'records',
  async run(ctx) {
    const s = await state(ctx);
    const { seconds } = await timed(() => uploadAndWait(ctx, s.fileId, s.csv));
    s.after.push(await fingerprint(ctx, s.fileId));
    return { seconds, units: ctx.sizes.rows, workflowIds: [s.workflowId] };
  },
  async baseline(ctx, iteration) {
    const s = await state(ctx);
    const staging = `bench_reupload_staging_${iteration}`;
    const { seconds, value: inserted } = await timed(() => ctx.database.sql.begin(async (tx) => {
      await tx.unsafe(`create temporary table ${staging} (like usage_records) on commit drop`);
      await copyInto(tx, staging, s.rows);
      const result = await tx.unsafe(`insert into bench_reupload_target select * from ${staging} on conflict do nothing`);
      return result.count;
    }));
    if (inserted !== 0) throw new Error(`the ON CONFLICT baseline inserted ${inserted} rows into a table that held them all`);
    return { seconds, units: ctx.sizes.rows };
  },
  async guardrails(ctx) {
    const s = await state(ctx);
    const changed = s.after.filter((after) => after !== s.fingerprint);
    return [
      { name: 'identical re-upload creates no new record', ok: changed.length === 0, detail: `before: ${s.fingerprint}; after ${s.after.length} re-uploads: ${changed.length === 0 ? 'the same' : changed.join('; ')}` },
      await duplicateCheck(ctx.database.sql, 'no duplicate record', 'usage_records', 'file_id, record_id', `file_id = '${s.fileId}'`),
    ];
  },
};
