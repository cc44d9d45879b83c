// Threshold billing for one customer account (SPEC §2.5): whoever stores rated records for the
// account signals recordsStored with the subscriptions touched; the workflow checks each in turn
// and bills it at once when its billing term's limit is reached. The check is idempotent (a retry
// finds the charges billed); the workflow continues as new before its history grows large.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  condition, continueAsNew, defineQuery, defineSignal, getExternalWorkflowHandle, ParentClosePolicy, proxyActivities, setHandler, startChild, workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { thresholdBillingWorkflowId } from './shared';

const { billThresholdIfReached } = proxyActivities<Activities>({ startToCloseTimeout: '5m', retry: { maximumInterval: '10s' } });

export interface ThresholdBillingInput { accountId: string; pending?: string[]; invoiceIds?: string[] }
export const recordsStoredSignal = defineSignal<[{ subscriptionIds: string[] }]>('recordsStored');
export const thresholdInvoicesQuery = defineQuery<{ pending: string[]; invoiceIds: string[] }>('thresholdInvoices');

export async function thresholdBilling(input: ThresholdBillingInput): Promise<void> {
  const pending = [...(input.pending ?? [])];
  const invoiceIds = [...(input.invoiceIds ?? [])];
  setHandler(recordsStoredSignal, ({ subscriptionIds }) => {
    for (const id of subscriptionIds) if (!pending.includes(id)) pending.push(id);
  });
  setHandler(thresholdInvoicesQuery, () => ({ pending, invoiceIds }));
  for (;;) {
    await condition(() => pending.length > 0 || workflowInfo().continueAsNewSuggested);
    if (pending.length === 0) await continueAsNew<typeof thresholdBilling>({ accountId: input.accountId, pending, invoiceIds: invoiceIds.slice(-100) });
    const subscriptionId = pending[0]!;
    const outcome = await billThresholdIfReached({ accountId: input.accountId, subscriptionId, asOf: new Date().toISOString() });
    if (outcome.invoiceId) invoiceIds.push(outcome.invoiceId);
    pending.shift();
  }
}

/**
 * From another workflow (a feed load, a reprocessing): hands the subscriptions to the account's
 * threshold billing workflow, starting it (abandoned on close) if none runs.
 */
export async function recordsStored(accountId: string, subscriptionIds: string[]): Promise<void> {
  const workflowId = thresholdBillingWorkflowId(accountId);
  try {
    await startChild(thresholdBilling, { workflowId, args: [{ accountId, pending: subscriptionIds }], parentClosePolicy: ParentClosePolicy.ABANDON });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    await getExternalWorkflowHandle(workflowId).signal(recordsStoredSignal, { subscriptionIds });
  }
}
