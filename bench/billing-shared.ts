import type { Client } from '@temporalio/client';
import type { SqlOrTx } from '../db/queries/ledger';
import { insertRun } from '../db/queries/billing-runs';
import { billingRun, type BillingRunProgress } from '../workflows/billing-run';
import { billingRunWorkflowId } from '../workflows/shared';

// What `npm run bench:billing` and the billing module of `npm run bench` share: the baseline's
// invoice totals and a billing run from start to its last final invoice.

/**
 * Invoice totals per account and currency in one set-based statement over the billable records
 * matching `where`: lines grouped as invoices group them (service, category, item), each rounded
 * half-even to 2 decimals as domain/billing does (`total`), beside the exact sum (`exact`).
 */
export const invoiceTotalsSql = (where: string) => `
  with lines as (
    select account_id, currency, sum(amount) as exact from billable_records where ${where} group by account_id, currency, service_id, category, item
  ), rounded as (
    select account_id, currency, exact, trunc(exact * 100) as t, exact * 100 - trunc(exact * 100) as f from lines
  )
  select account_id, currency, sum(exact) as exact,
    sum(case when abs(f) = 0.5 then (t + case when t % 2 = 0 then 0 else sign(f) end) / 100 else round(exact, 2) end) as total
  from rounded group by account_id, currency`;

export interface BenchBillingRun {
  runId: string;
  ownerPartyId: string;
  runDate: string;
  taskQueue: string;
  batchSize: number;
  parallelism: number;
}

/** Records the run (untimed), then starts its workflow without grace and waits for it: the returned seconds are start to completion. */
export async function billingRunToEnd(temporal: Client, sql: SqlOrTx, run: BenchBillingRun): Promise<{ seconds: number; workflowId: string; progress: BillingRunProgress }> {
  const { runId, ownerPartyId, runDate, taskQueue, batchSize, parallelism } = run;
  await insertRun(sql, { id: runId, ownerPartyId, runDate, graceSeconds: 0, notifyEmail: null, startedBy: 'bench' });
  const workflowId = billingRunWorkflowId(runId);
  const started = performance.now();
  const handle = await temporal.workflow.start(billingRun, {
    taskQueue, workflowId, args: [{ runId, ownerPartyId, runDate, graceSeconds: 0, batchSize, parallelism }],
  });
  const progress = await handle.result();
  return { seconds: (performance.now() - started) / 1000, workflowId, progress };
}
