// Mails the wallets' LOW_BALANCE notifications: the transactions that crossed a threshold wrote their
// mails to mail_outbox in the same database transaction; this sends what is pending, once each. A
// Temporal Schedule per task queue runs it every WALLET_NOTIFY_INTERVAL_SECONDS (lib/schedules.ts), so
// a mail goes out even when the API or a feed chunk that wrote it stops right after; the activity may
// repeat, a mail recorded as sent is never sent again, and what exceeds `limit` waits for the next run.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

export interface WalletNotificationsInput {
  /** Mails per run. */
  limit?: number;
}

const acts = proxyActivities<Activities>({ startToCloseTimeout: '10m', heartbeatTimeout: '1m', retry: { maximumInterval: '1m' } });

export async function walletNotifications(input: WalletNotificationsInput = {}): Promise<{ sent: number }> {
  return acts.sendWalletMails({ limit: input.limit ?? 500 });
}
