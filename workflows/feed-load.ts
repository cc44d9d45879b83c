// One feed load (SPEC §3.1, §5 items 1–7): mediate the stored file in chunks (the activity resumes
// from what the database holds, so it may repeat after a crash), then mark the load loaded with its
// counts per status. The workflow reads now once: every record of the load is processed at it.
import { defineQuery, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { recordsStored } from './threshold-billing';

export interface FeedLoadInput {
  loadId: string;
  /** Rows per committed chunk (default 10,000). */
  chunkRows?: number;
}

export interface FeedLoadResult {
  loadId: string;
  rows: number;
  counts: Record<string, number>;
}

export interface FeedLoadProgress {
  stage: 'mediating' | 'completing' | 'loaded';
  processedAt: string;
  rows: number | null;
}

export const feedLoadProgressQuery = defineQuery<FeedLoadProgress>('feedLoadProgress');

const acts = proxyActivities<Activities>({ startToCloseTimeout: '2m', retry: { maximumInterval: '10s' } });
const processing = proxyActivities<Activities>({
  startToCloseTimeout: '4h', heartbeatTimeout: '30s', retry: { initialInterval: '500ms', maximumInterval: '5s' },
});

export async function feedLoad(input: FeedLoadInput): Promise<FeedLoadResult> {
  const processedAt = new Date().toISOString();
  const progress: FeedLoadProgress = { stage: 'mediating', processedAt, rows: null };
  setHandler(feedLoadProgressQuery, () => progress);
  const { rows, termed } = await processing.mediateLoad({ loadId: input.loadId, processedAt, chunkRows: input.chunkRows });
  Object.assign(progress, { stage: 'completing', rows });
  // Histories recorded before threshold billing of feeds carry no `termed`.
  if (patched('feed-load-threshold-billing')) {
    for (const { accountId, subscriptionIds } of termed ?? []) await recordsStored(accountId, subscriptionIds);
  }
  const counts = await acts.completeFeedLoad({ loadId: input.loadId, rows, at: new Date().toISOString() });
  progress.stage = 'loaded';
  return { loadId: input.loadId, rows, counts };
}
