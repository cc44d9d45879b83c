// A postpaid billing run (SPEC §2.5, §3.1): select the accounts due on the run date, draft their
// invoices in batches (several activities at once), wait for a billing manager's approval or the
// grace period (late usage joins the drafts), then refresh, check and finalise each batch. A failing
// account never fails the run; retryFailed (an Update) works its batch again in this same workflow,
// which stays open for retries for a window after completing. A schedule may start it without a
// run: it then records its run first, at the schedule's time, so each account is due by its own
// local date. Every step is idempotent; a restart redoes at most the batches in flight.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RunCounts } from '../domain/billing';
import { approveUpdate, progressQuery, refuse, retryFailedUpdate, type Approver, type BillingRunInput, type BillingRunProgress } from './billing-run-messages';

export * from './billing-run-messages';

// Batch steps heartbeat every second: a dead worker's batch is retried within 10 s, by whichever worker is alive.
const acts = proxyActivities<Activities>({ startToCloseTimeout: '30m', heartbeatTimeout: '10s', retry: { initialInterval: '500ms', maximumInterval: '10s' } });

const now = () => new Date().toISOString();
const emptyCounts = (): RunCounts => ({ pending: 0, drafted: 0, empty: 0, failed: 0, parked: 0, finalised: 0 });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const scheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

export async function billingRun(input: BillingRunInput): Promise<BillingRunProgress> {
  // A scheduled start carries no run: it is named after the workflow id and bills at the schedule's
  // nominal time (a late or backfilled start bills what that day's run would have), else the workflow clock's.
  const runId = input.runId ?? workflowInfo().workflowId.replace(/^billing-run\//, '');
  const runAt = (workflowInfo().typedSearchAttributes.get(scheduledStartTime) ?? new Date()).toISOString();
  const runDate = input.runDate ?? runAt.slice(0, 10);
  if (input.runId === undefined) {
    await acts.recordRun({ runId, ownerPartyId: input.ownerPartyId, runDate, runAt, graceSeconds: input.graceSeconds, notifyEmail: input.notifyEmail ?? null });
  }
  const progress: BillingRunProgress = input.resume ?? {
    runId, phase: 'selecting', accounts: 0, batches: 0, batchesDrafted: 0, batchesFinalised: 0, counts: emptyCounts(), approvedBy: null,
  };
  const retries: number[][] = [];

  setHandler(progressQuery, () => progress);
  setHandler(approveUpdate, async (approver) => {
    progress.approvedBy = `${approver.partyId}/${approver.keyId}`;
    await acts.setRunPhase({ runId, phase: progress.phase, asOf: now(), approvedBy: progress.approvedBy });
    return progress;
  }, { validator: (_: Approver) => { if (progress.phase !== 'awaiting_approval') refuse('approve', progress.phase, `it is ${progress.phase}, approval is for drafts awaiting it`); } });
  setHandler(retryFailedUpdate, async () => {
    const { batches } = await acts.retryFailedAccounts({ runId });
    retries.push(batches);
    return { batches };
  }, { validator: (_: Approver) => {
    if (progress.phase === 'selecting' || progress.phase === 'drafting') refuse('retry', progress.phase, 'wait until drafting is over');
    if (progress.counts.failed + progress.counts.parked === 0) refuse('retry', progress.phase, 'no account failed or is parked');
  } });

  const refreshCounts = async () => { progress.counts = await acts.runCounts({ runId }); };
  const pool = async (batches: number[], step: (batchNo: number) => Promise<unknown>) => {
    const queue = [...batches];
    await Promise.all(range(Math.max(1, input.parallelism)).map(async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await step(next);
    }));
  };
  const draft = (batches: number[]) => pool(batches, async (batchNo) => { await acts.draftBatch({ runId, batchNo, asOf: now() }); progress.batchesDrafted++; });
  const finalise = (batches: number[]) => pool(batches, async (batchNo) => { await acts.finaliseBatch({ runId, batchNo, asOf: now() }); progress.batchesFinalised++; });
  const enter = async (phase: BillingRunProgress['phase']) => { progress.phase = phase; await acts.setRunPhase({ runId, phase, asOf: now() }); };

  if (progress.phase === 'selecting') {
    const selected = await acts.selectRunAccounts({ runId, ownerPartyId: input.ownerPartyId, batchSize: input.batchSize });
    Object.assign(progress, { accounts: selected.accounts, batches: selected.batches });
    await enter('drafting');
    // Without a grace period nothing can arrive between draft and final: finalising drafts at once.
    if (input.graceSeconds > 0) await draft(range(progress.batches));
    await refreshCounts();
    await enter(input.graceSeconds > 0 && progress.counts.drafted > 0 ? 'awaiting_approval' : 'finalising');
  }
  if (progress.phase === 'awaiting_approval') {
    await acts.sendRunApprovalMail({ runId, asOf: now() });
    // Retried accounts are drafted while the run waits; the grace timer runs on.
    const deadline = Date.now() + input.graceSeconds * 1000;
    while (progress.approvedBy === null && Date.now() < deadline) {
      await condition(() => progress.approvedBy !== null || retries.length > 0, deadline - Date.now());
      const batches = retries.shift();
      if (batches) { await draft(batches); await refreshCounts(); }
    }
    await enter('finalising');
  }
  if (progress.phase === 'finalising') {
    await finalise(range(progress.batches));
    await refreshCounts();
    await enter('completed');
  }
  const windowEnd = Date.now() + (input.retryWindowSeconds ?? 30 * 86_400) * 1000;
  while (Date.now() < windowEnd && progress.counts.failed + progress.counts.parked + retries.length > 0) {
    if (retries.length === 0 && workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof billingRun>({ ...input, runId, runDate, retryWindowSeconds: (windowEnd - Date.now()) / 1000, resume: progress });
    }
    if (!(await condition(() => retries.length > 0, windowEnd - Date.now()))) break;
    await finalise(retries.shift()!);
    await refreshCounts();
  }
  return progress;
}
