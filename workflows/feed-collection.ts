// Lights-out collection (SPEC §4.1): a Temporal Schedule runs this over a watched directory
// (<dir>/<feedId>/<file>). One activity stores each file not loaded before (by content hash); then
// each stored load gets its feedLoad workflow (id = load id, so a repeated run starts nothing twice).
import { ApplicationFailure, ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { feedLoad } from './feed-load';
import { feedLoadWorkflowId } from './shared';

export interface FeedCollectionInput {
  directory: string;
}

const acts = proxyActivities<Activities>({ startToCloseTimeout: '30m', heartbeatTimeout: '1m', retry: { maximumInterval: '30s' } });

export async function feedCollection(input: FeedCollectionInput): Promise<{ started: string[] }> {
  const { loadIds } = await acts.collectFeedFiles({ directory: input.directory });
  const started: string[] = [];
  for (const loadId of loadIds) {
    try {
      await startChild(feedLoad, { workflowId: feedLoadWorkflowId(loadId), args: [{ loadId }], parentClosePolicy: ParentClosePolicy.ABANDON });
      started.push(loadId);
    } catch (err) {
      // Already started by an earlier run that stopped before the load finished: nothing to do.
      if (!(err instanceof ApplicationFailure) && (err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
    }
  }
  return { started };
}
