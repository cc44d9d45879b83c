import { ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction } from '@temporalio/client';
import { feedCollection, type FeedCollectionInput } from '../workflows/feed-collection';
import { feedCollectionScheduleId, walletNotificationsScheduleId } from '../workflows/shared';
import { walletNotifications, type WalletNotificationsInput } from '../workflows/wallet-notifications';

// The Temporal Schedules the worker makes or updates at start, so their work is lights-out: the
// collection of the watched feed directory (FEED_WATCH_DIR) every FEED_WATCH_INTERVAL_SECONDS, and
// the relay of wallet mails every WALLET_NOTIFY_INTERVAL_SECONDS. A run still busy skips the next.

async function ensureIntervalSchedule(client: Client, scheduleId: string, action: ScheduleOptionsAction, intervalSeconds: number) {
  const spec = { intervals: [{ every: `${intervalSeconds}s` }] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies });
  } catch (err) {
    if ((err as Error).name !== 'ScheduleAlreadyRunning') throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action, policies }));
  }
  return client.schedule.getHandle(scheduleId);
}

export function ensureFeedCollectionSchedule(client: Client, options: { directory: string; intervalSeconds: number; taskQueue: string }) {
  const args: [FeedCollectionInput] = [{ directory: options.directory }];
  const action = { type: 'startWorkflow' as const, workflowType: feedCollection, args, taskQueue: options.taskQueue, workflowId: 'feed-collection-run' };
  return ensureIntervalSchedule(client, feedCollectionScheduleId, action, options.intervalSeconds);
}

export function ensureWalletNotificationSchedule(client: Client, options: { intervalSeconds: number; taskQueue: string }) {
  const args: [WalletNotificationsInput] = [{}];
  const action = { type: 'startWorkflow' as const, workflowType: walletNotifications, args, taskQueue: options.taskQueue, workflowId: `wallet-notifications-run/${options.taskQueue}` };
  return ensureIntervalSchedule(client, walletNotificationsScheduleId(options.taskQueue), action, options.intervalSeconds);
}
