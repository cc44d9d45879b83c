// Bucket: the billing period of the service's subscription that holds the record time (SPEC §3.1
// step 4). A CLOSED period takes late records only while processedAt < endAt + lateGraceSeconds.
import type { CompiledContext, CompiledPeriod, SubscriptionSnapshot } from './context';
import type { ServiceSnapshot } from './context';

export type BucketOutcome =
  | { ok: true; subscription: SubscriptionSnapshot; period: CompiledPeriod }
  | { ok: false; reason: 'NO_PERIOD'; message: string };

/** Periods are [startAt, endAt): a record at exactly endAt belongs to the next period. */
export function bucketRecord(context: CompiledContext, service: ServiceSnapshot, atMs: number, at: string): BucketOutcome {
  if (service.subscriptionId === null) return { ok: false, reason: 'NO_PERIOD', message: `service ${service.id} has no subscription` };
  const subscription = context.subscriptions.get(service.subscriptionId);
  if (subscription === undefined) return { ok: false, reason: 'NO_PERIOD', message: `subscription ${service.subscriptionId} of service ${service.id} is not in the snapshot` };
  for (const period of subscription.periods) {
    if (atMs < period.startMs || atMs >= period.endMs) continue;
    if (period.period.state === 'CLOSED') {
      const graceEndMs = period.endMs + subscription.snapshot.lateGraceSeconds * 1000;
      if (context.processedAtMs >= graceEndMs) {
        return { ok: false, reason: 'NO_PERIOD', message: `period ${period.period.startAt}–${period.period.endAt} is closed and its late-record grace has passed` };
      }
    }
    return { ok: true, subscription: subscription.snapshot, period };
  }
  return { ok: false, reason: 'NO_PERIOD', message: `no billing period of subscription ${service.subscriptionId} contains ${at}` };
}
