import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compareRatings, parseRatePlan, type UsageRecord } from '../../domain/rating';
import { createWhatIfRun, findWhatIfRun } from '../../db/queries/what-if';
import { createActivities } from '../../activities';
import { whatIfWorkflowId } from '../../workflows/shared';
import { whatIf } from '../../workflows/what-if';
import { aMarketplace } from '../fixtures/parties';
import { anSmsPlan } from '../fixtures/rating';
import { recordHistory } from '../helpers/histories';
import { useIntegration } from '../helpers/integration';

const ctx = useIntegration();
const asOf = '2024-04-01T00:00:00.000Z';

async function aRun(records: UsageRecord[]) {
  const m = await aMarketplace(ctx.database.db);
  const plans = [
    { name: 'current', plans: [parseRatePlan(anSmsPlan('wf-current', '0.05'))] },
    { name: 'candidate', plans: [parseRatePlan(anSmsPlan('wf-candidate', '0.035'))] },
  ];
  const id = `WI-${randomUUID()}`;
  await createWhatIfRun(ctx.database.sql, { id, ownerPartyId: m.vendor.party.id, plans, selection: { kind: 'records' }, timeZone: 'UTC', asOf }, records);
  return { id, plans };
}

const records = (accounts: number, perAccount: number): UsageRecord[] =>
  Array.from({ length: accounts * perAccount }, (_, i) => ({
    id: `r${i}`, account: `ACC-${String(i % accounts).padStart(3, '0')}`, usageType: 'sms', quantity: String((i % 7) + 1), unit: 'message',
    start: `2024-03-${String((i % 28) + 1).padStart(2, '0')}T08:00:00Z`,
  }));

describe('whatIf workflow', () => {
  it('continues as new on a small history budget and still equals rating everything at once', async () => {
    const input = records(12, 5);
    const { id, plans } = await aRun(input);
    const handle = await ctx.temporal.workflow.start(whatIf, {
      taskQueue: ctx.taskQueue, workflowId: whatIfWorkflowId(id), args: [{ runId: id, chunkSize: 5, historyBudget: 30 }],
    });
    const progress = await handle.result();
    await recordHistory('what-if-first-run', ctx.temporal.workflow.getHandle(whatIfWorkflowId(id), handle.firstExecutionRunId));
    await recordHistory('what-if-last-run', handle);
    expect(progress).toMatchObject({ status: 'completed', totalRecords: 60, ratedRecords: 60, chunks: 12, chunksDone: 12 });
    const firstRun = await ctx.temporal.workflow.getHandle(whatIfWorkflowId(id), handle.firstExecutionRunId).describe();
    expect(firstRun.status.name).toBe('CONTINUED_AS_NEW');
    const expected = compareRatings(input, Object.fromEntries(plans.map((p) => [p.name, p.plans])), { asOf, timeZone: 'UTC' });
    expect((await findWhatIfRun(ctx.database.db, id))?.result).toEqual(expected);
  });

  it('rates a chunk once: a retried activity finds the stored partial and changes nothing', async () => {
    const { id } = await aRun(records(3, 2));
    const activities = createActivities({ database: ctx.database });
    const plan = await activities.planWhatIfChunks({ runId: id, chunkSize: 2 });
    expect(plan).toEqual({ totalRecords: 6, chunks: 3 });
    expect(await activities.planWhatIfChunks({ runId: id, chunkSize: 2 })).toEqual(plan);
    expect(await activities.rateWhatIfChunk({ runId: id, chunkNo: 0 })).toEqual({ records: 2 });
    expect(await activities.rateWhatIfChunk({ runId: id, chunkNo: 0 })).toEqual({ records: 2 });
    const [{ n }] = await ctx.database.sql<[{ n: number }]>`select count(*)::int as n from what_if_partials where run_id = ${id}`;
    expect(n).toBe(1);
  });
});
