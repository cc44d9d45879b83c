// A what-if comparison over a stored selection of records (SPEC item 22): snapshot and chunk the
// selection (whole accounts per chunk), rate each chunk under every plan, merge. Nothing is posted.
// Each step is idempotent (chunks keyed on run + chunk number), so a retried activity or a restarted
// worker redoes at most the chunk in flight. The workflow carries the run id and counts only, and
// continues as new before its history grows large.
import { continueAsNew, defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { planWhatIfChunks, rateWhatIfChunk, finishWhatIf } = proxyActivities<Activities>({
  startToCloseTimeout: '10m', // a chunk of up to 100,000 records rates in seconds
  retry: { maximumInterval: '30s' },
});

export interface WhatIfProgress {
  runId: string;
  status: 'preparing' | 'rating' | 'merging' | 'completed';
  totalRecords: number;
  ratedRecords: number;
  chunks: number;
  chunksDone: number;
}

export interface WhatIfInput {
  runId: string;
  /** Records per chunk; chunks hold whole accounts, so one may be larger. */
  chunkSize: number;
  /** History events after which the run continues as new (default well under Temporal's limits). */
  historyBudget?: number;
  /** Set when a run continues as new: where it was. */
  resume?: WhatIfProgress;
}

export const progressQuery = defineQuery<WhatIfProgress>('progress');

export async function whatIf({ runId, chunkSize, historyBudget = 4_000, resume }: WhatIfInput): Promise<WhatIfProgress> {
  const progress: WhatIfProgress = resume ?? { runId, status: 'preparing', totalRecords: 0, ratedRecords: 0, chunks: 0, chunksDone: 0 };
  setHandler(progressQuery, () => progress);

  if (!resume) {
    const plan = await planWhatIfChunks({ runId, chunkSize });
    Object.assign(progress, { status: 'rating', totalRecords: plan.totalRecords, chunks: plan.chunks });
  }
  while (progress.chunksDone < progress.chunks) {
    if (workflowInfo().historyLength > historyBudget) return continueAsNew<typeof whatIf>({ runId, chunkSize, historyBudget, resume: progress });
    const { records } = await rateWhatIfChunk({ runId, chunkNo: progress.chunksDone });
    progress.ratedRecords += records;
    progress.chunksDone += 1;
  }
  progress.status = 'merging';
  await finishWhatIf({ runId });
  progress.status = 'completed';
  return progress;
}
