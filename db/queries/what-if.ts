import { and, asc, eq } from 'drizzle-orm';
import type postgres from 'postgres';
import type { UsageRecord, WhatIfResult } from '../../domain/rating';
import type { DbOrTx } from '../client';
import { copyLines, copyText } from '../copy';
import { whatIfPartials, whatIfRecords, whatIfRuns, type WhatIfPlanChain, type WhatIfSelection } from '../schema';

export type WhatIfRun = typeof whatIfRuns.$inferSelect;

export async function findWhatIfRun(db: DbOrTx, id: string): Promise<WhatIfRun | undefined> {
  const [row] = await db.select().from(whatIfRuns).where(eq(whatIfRuns.id, id));
  return row;
}

export interface NewWhatIfRun {
  id: string;
  ownerPartyId: string;
  plans: WhatIfPlanChain[];
  selection: WhatIfSelection;
  timeZone: string;
  asOf: string;
}

/** Stores a run and, for an inline selection, the records it rates (one COPY), all or nothing. */
export async function createWhatIfRun(sql: postgres.Sql, run: NewWhatIfRun, records: readonly UsageRecord[] = []): Promise<void> {
  const lines = records.map((r, i) => `${copyText(run.id)}\t${i + 1}\t${copyText(r.account ?? '')}\t${copyText(JSON.stringify(r))}\n`);
  await sql.begin(async (tx) => {
    await tx`insert into what_if_runs (id, owner_party_id, plans, selection, time_zone, as_of)
             values (${run.id}, ${run.ownerPartyId}, ${JSON.stringify(run.plans)}::jsonb, ${JSON.stringify(run.selection)}::jsonb, ${run.timeZone}, ${run.asOf})`;
    await copyLines(tx, 'what_if_records', 'run_id, seq, account, record', lines);
  });
}

/**
 * Snapshots the stored usage records a selection names, once (a second call inserts nothing): a
 * usage file's current records, or the production records of some customer accounts in [from, to)
 * (of the selection's provider's usage files only, when it names one).
 * Each becomes a rating record: item MPN as usage type, customer as account, asset as subscription,
 * and the PR, CR and TR amounts as pre-rated.
 */
export async function snapshotSelection(sql: postgres.Sql, runId: string, selection: WhatIfSelection): Promise<void> {
  const where =
    selection.kind === 'usageFile'
      ? sql`r.file_id = ${selection.fileId}`
      : selection.kind === 'accounts'
        ? sql`a.customer_id = any(${selection.accountIds}) and f.environment = 'production'
              and r.start_at >= ${selection.from} and r.start_at < ${selection.to}
              ${selection.providerId ? sql`and f.provider_id = ${selection.providerId}` : sql``}`
        : sql`false`;
  await sql`
    insert into what_if_records (run_id, seq, account, record)
    select ${runId}, row_number() over (order by r.file_id, r.row_no)::int, coalesce(a.customer_id, r.asset_id, ''),
      jsonb_strip_nulls(jsonb_build_object(
        'id', r.record_id,
        'start', to_char(r.start_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        'usageType', r.item_mpn, 'quantity', r.quantity::text, 'unit', coalesce(r.item_unit, i.unit),
        'account', coalesce(a.customer_id, r.asset_id), 'subscription', r.asset_id, 'category', r.category_id,
        'prerated', case when f.schema::text in ('PR', 'CR', 'TR') and r.amount is not null
          then jsonb_strip_nulls(jsonb_build_object('amount', r.amount::text, 'schema', f.schema::text, 'tier', r.tier)) end))
    from usage_records r
    join usage_files f on f.id = r.file_id and f.current_upload_no = r.upload_no
    left join items i on i.id = r.item_id
    left join assets a on a.id = r.asset_id
    where r.status <> 'invalid' and ${where}
    on conflict do nothing`;
}

/**
 * Numbers the chunks so that each holds whole accounts and about `chunkSize` records (accounts in
 * order; an account larger than a chunk gets a chunk of its own). Deterministic, so running it again
 * assigns the same numbers.
 */
export async function assignWhatIfChunks(sql: postgres.Sql, runId: string, chunkSize: number) {
  await sql`
    with a as (select account, count(*) as n from what_if_records where run_id = ${runId} group by account),
         c as (select account, sum(n) over (order by account) - n as before from a)
    update what_if_records r set chunk_no = (c.before / ${chunkSize})::int
    from c where r.run_id = ${runId} and r.account = c.account`;
  const [row] = await sql<Array<{ total: number; chunks: number }>>`
    select count(*)::int as total, coalesce(max(chunk_no) + 1, 0)::int as chunks from what_if_records where run_id = ${runId}`;
  await sql`update what_if_runs set total_records = ${row!.total} where id = ${runId}`;
  return { totalRecords: row!.total, chunks: row!.chunks };
}

export async function loadWhatIfChunk(db: DbOrTx, runId: string, chunkNo: number): Promise<UsageRecord[]> {
  const rows = await db
    .select({ record: whatIfRecords.record })
    .from(whatIfRecords)
    .where(and(eq(whatIfRecords.runId, runId), eq(whatIfRecords.chunkNo, chunkNo)))
    .orderBy(asc(whatIfRecords.seq));
  return rows.map((r) => r.record as UsageRecord);
}

export async function findPartial(db: DbOrTx, runId: string, chunkNo: number) {
  const [row] = await db.select().from(whatIfPartials).where(and(eq(whatIfPartials.runId, runId), eq(whatIfPartials.chunkNo, chunkNo)));
  return row;
}

export async function insertPartial(db: DbOrTx, runId: string, chunkNo: number, records: number, result: WhatIfResult) {
  await db.insert(whatIfPartials).values({ runId, chunkNo, records, result }).onConflictDoNothing();
}

export async function listPartials(db: DbOrTx, runId: string) {
  return db.select().from(whatIfPartials).where(eq(whatIfPartials.runId, runId)).orderBy(asc(whatIfPartials.chunkNo));
}

export async function completeWhatIfRun(db: DbOrTx, runId: string, result: WhatIfResult, at: Date) {
  await db.update(whatIfRuns).set({ status: 'completed', result, completedAt: at }).where(eq(whatIfRuns.id, runId));
}

