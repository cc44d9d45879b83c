import { measureActivityOverhead } from '../../temporal-overhead';
import type { CustomModule } from '../types';

// Per-activity overhead of a Temporal round trip: one workflow runs N no-op activities in sequence
// (bench/temporal-overhead.ts); the gaps between completions, p50 and p99.

export const temporalOverhead: CustomModule = {
  kind: 'custom',
  name: 'temporal-overhead',
  async measure(ctx) {
    const result = await measureActivityOverhead(ctx.temporalAddress, ctx.sizes.overheadActivities);
    return {
      figures: [
        { name: 'Temporal per-activity overhead p50', value: result.p50Ms, unit: 'ms', target: { floor: 10, ambition: 5, lowerIsBetter: true } },
        { name: 'Temporal per-activity overhead p99', value: result.p99Ms, unit: 'ms' },
      ],
      checks: [],
      workflowIds: [result.workflowId],
    };
  },
};
