import { usageFileCsv } from '../../inputs';
import { duplicateCheck } from '../guardrails';
import { timed } from '../stats';
import type { BenchContext, PairedModule } from '../types';
import { copyInto, createDraftFile, dumpRecords, fileRecordCount, uploadAndWait } from './usage-file-flow';

// Ingest: a usage file from upload to stored records (the API streams it into Postgres, the worker
// parses, validates and lands it with COPY in chunks), against Postgres' COPY of the same stored rows
// into a table with the same columns and indexes (`like usage_records including all`).

interface State { csv: Buffer; rows: Buffer | null; fileIds: string[] }
const states = new WeakMap<BenchContext, State>();

function state(ctx: BenchContext): State {
  let s = states.get(ctx);
  if (!s) states.set(ctx, (s = { csv: usageFileCsv(ctx.catalog, ctx.sizes.rows, ctx.seed), rows: null, fileIds: [] }));
  return s;
}

export const ingest: PairedModule = {
  kind: 'paired',
  name: 'ingest',
  ratio: 'ingest ÷ COPY',
  unit: 'records',
  target: { floor: 0.7, ambition: 0.9 },
  async run(ctx) {
    const s = state(ctx);
    const { fileId, workflowId } = await createDraftFile(ctx);
    const { seconds } = await timed(() => uploadAndWait(ctx, fileId, s.csv));
    const units = await fileRecordCount(ctx, fileId);
    if (units !== ctx.sizes.rows) throw new Error(`ingest stored ${units} of ${ctx.sizes.rows} records`);
    s.rows ??= await dumpRecords(ctx, fileId);
    s.fileIds.push(fileId);
    return { seconds, units, workflowIds: [workflowId] };
  },
  async baseline(ctx, iteration) {
    const table = `bench_ingest_copy_${iteration}`;
    await ctx.database.sql.unsafe(`create table ${table} (like usage_records including all)`);
    const { seconds } = await timed(() => copyInto(ctx.database.sql, table, state(ctx).rows!));
    await ctx.database.sql.unsafe(`drop table ${table}`);
    return { seconds, units: ctx.sizes.rows };
  },
  async guardrails(ctx) {
    const ids = state(ctx).fileIds.map((id) => `'${id}'`).join(',');
    return [
      await duplicateCheck(ctx.database.sql, 'no duplicate record', 'usage_records', 'file_id, record_id', `file_id in (${ids})`),
      await duplicateCheck(ctx.database.sql, 'no row stored twice', 'usage_records', 'file_id, row_no', `file_id in (${ids})`),
    ];
  },
};
