import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { formatPlain, sumMoney } from '../../../domain/money';
import { seededRandom } from '../../../lib/seeded-random';
import { timed } from '../stats';
import type { BenchContext, Check, PairedModule } from '../types';
import { BILLABLE_COLUMNS, billableLine } from './rated-rows';

// Billing run against one set-based SQL statement computing the same invoice totals (sum of the
// period's to-be-billed amounts per account and currency). The records are seeded into
// billable_records once (untimed); the SQL baseline's totals must equal the generator's exact sum.
// PLUG-IN POINT: the measured side (a billing run over the same records through its workflow) comes
// from bench/billing.ts; the lead sets `run` at merge and adds a check that its invoice totals equal
// `state.baselineTotals` (money compared as strings).

const PERIOD = { startAt: '2024-03-01T00:00:00Z', endAt: '2024-04-01T00:00:00Z' };

interface State { expectedTotal: string; baselineTotals: Map<string, string>; sums: string[] }
const states = new WeakMap<BenchContext, State>();

async function state(ctx: BenchContext): Promise<State> {
  let s = states.get(ctx);
  if (s) return s;
  const next = seededRandom(ctx.seed + 3);
  const lines: string[] = [];
  const amounts: string[] = [];
  for (let a = 0; a < ctx.sizes.accounts; a++) {
    for (let r = 0; r < ctx.sizes.recordsPerAccount; r++) {
      const amount = `${Math.floor(next() * 50)}.${String(Math.floor(next() * 10_000)).padStart(4, '0')}`;
      amounts.push(amount);
      const day = String(1 + Math.floor(next() * 30)).padStart(2, '0');
      lines.push(billableLine('billing-bench', {
        id: `bench-billing:${a}:${r}`, accountId: `bench-acc-${a}`, subscriptionId: `bench-sub-${a}`, serviceId: `bench-svc-${a}`, currency: 'EUR', category: 'voice',
        unit: 'minute', quantity: '1', amount, usageAt: `2024-03-${day}T12:00:00Z`, planId: 'pbx', planVersion: 1,
      }));
    }
  }
  await pipeline(Readable.from([lines.join('')]), await ctx.database.sql.unsafe(`copy billable_records (${BILLABLE_COLUMNS}) from stdin`).writable());
  states.set(ctx, (s = { expectedTotal: formatPlain(sumMoney(amounts)), baselineTotals: new Map(), sums: [] }));
  return s;
}

export const billing: PairedModule = {
  kind: 'paired',
  name: 'billing',
  ratio: 'billing run ÷ SQL',
  unit: 'accounts',
  target: { floor: 0.25, ambition: 0.5 },
  pending: 'the measured side is wired at merge (bench/billing.ts, branch billing)',
  async baseline(ctx) {
    const s = await state(ctx);
    const { seconds, value: rows } = await timed(() => ctx.database.sql.begin(async (tx) => {
      await tx`create temporary table bench_invoice_totals (account_id text, currency text, amount numeric, records int) on commit drop`;
      await tx`insert into bench_invoice_totals
        select account_id, currency, sum(amount), count(*)::int from billable_records
        where directive = 'TO_BE_BILLED' and billing_effective_at >= ${PERIOD.startAt} and billing_effective_at < ${PERIOD.endAt} and source_ref = 'billing-bench'
        group by account_id, currency`;
      return tx<Array<{ accountId: string; currency: string; amount: string }>>`select account_id as "accountId", currency, amount::text as amount from bench_invoice_totals`;
    }));
    s.baselineTotals = new Map(rows.map((r) => [`${r.accountId}/${r.currency}`, r.amount]));
    const sum = formatPlain(sumMoney(rows.map((r) => r.amount)));
    s.sums.push(`${sum} over ${rows.length} accounts`);
    return { seconds, units: rows.length };
  },
  async guardrails(ctx): Promise<Check[]> {
    const s = await state(ctx);
    const expected = `${s.expectedTotal} over ${ctx.sizes.accounts} accounts`;
    return [{ name: 'SQL invoice totals equal the records\' exact sum', ok: s.sums.every((sum) => sum === expected), detail: `${s.sums.join('; ')}; expected ${expected}` }];
  },
};
