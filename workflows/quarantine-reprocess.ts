// Reprocessing of one cleanse request (SPEC §3.3, §5 items 8, 9, 12, 13): batches of the records
// the request cleansed run every gate again until none is left. Each batch claims its records
// under row locks, so the workflow may run twice or beside loads; a repeated batch finds nothing.
import { continueAsNew, defineQuery, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { recordsStored } from './threshold-billing';

export interface QuarantineReprocessInput {
  requestId: string;
  batchSize?: number;
  /** Carried over continue-as-new. */
  done?: { claimed: number; completed: number };
}

export interface QuarantineReprocessProgress {
  requestId: string;
  processedAt: string;
  claimed: number;
  completed: number;
  finished: boolean;
}

export const reprocessProgressQuery = defineQuery<QuarantineReprocessProgress>('reprocessProgress');

const processing = proxyActivities<Activities>({ startToCloseTimeout: '10m', heartbeatTimeout: '1m', retry: { maximumInterval: '10s' } });

export async function quarantineReprocess(input: QuarantineReprocessInput): Promise<QuarantineReprocessProgress> {
  const processedAt = new Date().toISOString();
  const progress: QuarantineReprocessProgress = { requestId: input.requestId, processedAt, claimed: input.done?.claimed ?? 0, completed: input.done?.completed ?? 0, finished: false };
  setHandler(reprocessProgressQuery, () => progress);
  for (;;) {
    const batch = await processing.reprocessBatch({ requestId: input.requestId, processedAt, limit: input.batchSize ?? 5_000 });
    if (batch.claimed === 0) break;
    // Histories recorded before threshold billing of reprocessed records carry no `termed`.
    if (patched('reprocess-threshold-billing')) {
      for (const { accountId, subscriptionIds } of batch.termed ?? []) await recordsStored(accountId, subscriptionIds);
    }
    progress.claimed += batch.claimed;
    progress.completed += batch.completed;
    if (workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof quarantineReprocess>({ ...input, done: { claimed: progress.claimed, completed: progress.completed } });
    }
  }
  progress.finished = true;
  return progress;
}
