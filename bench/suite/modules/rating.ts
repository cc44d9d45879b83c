import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createRater, type UsageRecord } from '../../../domain/rating/index';
import { loadPlan, telecomRecords } from '../../inputs';
import type { BenchContext, PairedModule } from '../types';
import { BILLABLE_COLUMNS, billableLine, freshBillableTable } from './rated-rows';

// Rating on one core: seeded telecom calls (destination zones, peak/off-peak splits) rated by the
// fast engine in this process and formatted as the rows to land (after one warm-up pass), against
// Postgres' COPY of those rows into a table like billable_records. Rating must outrun the COPY that
// lands its results (target ≥ 3×).

interface State { lines: string[] }
const states = new WeakMap<BenchContext, State>();

export const rating: PairedModule = {
  kind: 'paired',
  name: 'rating',
  ratio: 'rating on one core ÷ COPY',
  unit: 'records',
  target: { floor: 3, ambition: 10 },
  async run(ctx) {
    const records = telecomRecords(ctx.sizes.ratingRecords, ctx.seed);
    const rate = createRater({ plans: [loadPlan('telecom')], asOf: '2024-04-01T00:00:00Z', timeZone: 'Europe/London' }, { engine: 'fast' });
    const rateToLine = (record: UsageRecord) => {
      const result = rate(record);
      if (result.status !== 'rated') throw new Error(`bench record ${record.id} did not rate: ${JSON.stringify(result)}`);
      return billableLine('rating', {
        id: record.id, accountId: record.account!, subscriptionId: record.account!, serviceId: record.origin ?? '', currency: result.currency, category: 'voice',
        unit: result.unit, quantity: result.quantity, amount: result.amount, usageAt: record.start, planId: 'telecom', planVersion: 1,
      });
    };
    records.forEach(rateToLine); // warm-up pass (JIT, compiled plan caches)
    const started = performance.now();
    const lines = records.map(rateToLine);
    const seconds = (performance.now() - started) / 1000;
    states.set(ctx, { lines });
    return { seconds, units: records.length };
  },
  async baseline(ctx) {
    const { lines } = states.get(ctx)!;
    await freshBillableTable(ctx.database.sql, 'bench_rating_copy');
    const started = performance.now();
    await pipeline(Readable.from([lines.join('')]), await ctx.database.sql.unsafe(`copy bench_rating_copy (${BILLABLE_COLUMNS}) from stdin`).writable());
    return { seconds: (performance.now() - started) / 1000, units: lines.length };
  },
};
