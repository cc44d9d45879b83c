// Benchmark-only workflow (never in the production bundle): N no-op activities in sequence, so the
// gaps between their completions are the per-activity cost of a Temporal round trip.
import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '10s' });

export async function noopActivities(count: number): Promise<number> {
  for (let i = 0; i < count; i++) await noop();
  return count;
}
