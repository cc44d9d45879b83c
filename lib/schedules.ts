import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { feedCollection, type FeedCollectionInput } from '../workflows/feed-collection';
import { feedCollectionScheduleId } from '../workflows/shared';

// The Temporal Schedule that collects the watched feed directory (FEED_WATCH_DIR) every
// FEED_WATCH_INTERVAL_SECONDS; made or updated by the worker at start, so it is lights-out.

export async function ensureFeedCollectionSchedule(client: Client, options: { directory: string; intervalSeconds: number; taskQueue: string }) {
  const action = { type: 'startWorkflow' as const, workflowType: feedCollection, args: [{ directory: options.directory }] as [FeedCollectionInput], taskQueue: options.taskQueue, workflowId: 'feed-collection-run' };
  const spec = { intervals: [{ every: `${options.intervalSeconds}s` }] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP };
  try {
    await client.schedule.create({ scheduleId: feedCollectionScheduleId, spec, action, policies });
  } catch (err) {
    if ((err as Error).name !== 'ScheduleAlreadyRunning') throw err;
    await client.schedule.getHandle(feedCollectionScheduleId).update((previous) => ({ ...previous, spec, action, policies }));
  }
  return client.schedule.getHandle(feedCollectionScheduleId);
}
