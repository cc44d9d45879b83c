import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RunCounts } from '../../../domain/billing';
import { formatPlain, money, sumMoney } from '../../../domain/money';
import { createParty } from '../../../db/queries/parties';
import { seededRandom } from '../../../lib/seeded-random';
import { billingRunToEnd, invoiceTotalsSql } from '../../billing-shared';
import { duplicateCheck } from '../guardrails';
import { timed } from '../stats';
import type { BenchContext, Check, PairedModule } from '../types';
import { BILLABLE_COLUMNS, billableLine } from './rated-rows';

// A billing run through its workflow (the suite's worker process runs it: worker.ts registers every
// workflow and activity) against one set-based SQL statement computing the same invoice totals
// (lines grouped as invoices group them, each rounded half-even; bench/billing-shared.ts).
// A run bills a record once, ever, and an account once per period, so each iteration has a set of
// its own, seeded once up front (untimed): the same generated records (amounts, days) under
// iteration-specific ids, accounts and subscriptions, owned by an operator of its own, so run #i
// selects exactly set i. Iteration i's baseline reads the same set i, so both sides see the same
// records and the same table; nothing is reset or deleted between iterations.

const PERIOD = { startAt: '2024-03-01T00:00:00Z', endAt: '2024-04-01T00:00:00Z' };
/** Two days after the period end: when a calendar-cycle account is due (SPEC §5 item 30). */
const RUN_DATE = '2024-04-03';
/** As `npm run bench:billing` defaults. */
const BATCH_SIZE = 1000;
const PARALLELISM = 2;

interface Totals { total: string; exact: string }
interface State {
  expectedTotal: string;
  /** Records of one set with a non-zero amount: a zero charge posts no ledger entry (lines are positive), so it has no statement item. */
  charged: number;
  /** Per iteration: the operator owning set i. */
  operators: string[];
  /** `{account}/{currency}` → the baseline's invoice total and exact sum, over every iteration's set. */
  baselineTotals: Map<string, Totals>;
  sums: string[];
  runs: Array<{ runId: string; counts: RunCounts; accounts: number }>;
}
const states = new WeakMap<BenchContext, State>();

const sourceRef = (iteration: number) => `billing-bench-${iteration}`;

async function state(ctx: BenchContext): Promise<State> {
  let s = states.get(ctx);
  if (s) return s;
  const next = seededRandom(ctx.seed + 3);
  const records: Array<{ a: number; r: number; amount: string; day: string }> = [];
  for (let a = 0; a < ctx.sizes.accounts; a++) {
    for (let r = 0; r < ctx.sizes.recordsPerAccount; r++) {
      const amount = `${Math.floor(next() * 50)}.${String(Math.floor(next() * 10_000)).padStart(4, '0')}`;
      records.push({ a, r, amount, day: String(1 + Math.floor(next() * 30)).padStart(2, '0') });
    }
  }
  const operators: string[] = [];
  for (let i = 0; i < ctx.repeats; i++) {
    const operator = await createParty(ctx.database.db, { kind: 'internal', name: `billing bench operator #${i + 1}` });
    operators.push(operator.id);
    const account = (a: number) => `bench-acc-${i}-${a}`;
    await ctx.database.sql`insert into customer_accounts (id, owner_party_id, currency)
      select 'bench-acc-' || ${i}::int || '-' || n, ${operator.id}, 'EUR' from generate_series(0, ${ctx.sizes.accounts - 1}) n`;
    await ctx.database.sql`insert into subscriptions (id, account_id, started_at)
      select 'bench-sub-' || ${i}::int || '-' || n, 'bench-acc-' || ${i}::int || '-' || n, '2024-01-01T00:00:00Z' from generate_series(0, ${ctx.sizes.accounts - 1}) n`;
    // Rated and posted (life cycle POSTED), as billing takes them.
    const lines = records.map(({ a, r, amount, day }) => billableLine(sourceRef(i), {
      id: `bench-billing:${i}:${a}:${r}`, accountId: account(a), subscriptionId: `bench-sub-${i}-${a}`, serviceId: `bench-svc-${a}`, currency: 'EUR', category: 'voice',
      unit: 'minute', quantity: '1', amount, usageAt: `2024-03-${day}T12:00:00Z`, planId: 'pbx', planVersion: 1,
    }).replace(/\n$/, '\tPOSTED\n'));
    await pipeline(Readable.from([lines.join('')]), await ctx.database.sql.unsafe(`copy billable_records (${BILLABLE_COLUMNS}, life_cycle) from stdin`).writable());
  }
  await ctx.database.sql`analyze billable_records`;
  const expectedTotal = formatPlain(sumMoney(records.map((r) => r.amount)));
  const charged = records.filter((r) => !/^0\.0+$/.test(r.amount)).length;
  states.set(ctx, (s = { expectedTotal, charged, operators, baselineTotals: new Map(), sums: [], runs: [] }));
  return s;
}

/** Money compared exactly, as plain strings ("12.50" and "12.5000" are one amount). */
const same = (a: string, b: string | undefined) => b !== undefined && formatPlain(money(a)) === formatPlain(money(b));

export const billing: PairedModule = {
  kind: 'paired',
  name: 'billing',
  ratio: 'billing run ÷ SQL',
  unit: 'accounts',
  target: { floor: 0.25, ambition: 0.5 },
  async run(ctx, iteration) {
    const s = await state(ctx);
    const runId = `bench-billing-${iteration}-${randomBytes(3).toString('hex')}`;
    const { seconds, workflowId, progress } = await billingRunToEnd(ctx.temporal, ctx.database.sql, {
      runId, ownerPartyId: s.operators[iteration]!, runDate: RUN_DATE, taskQueue: ctx.taskQueue, batchSize: BATCH_SIZE, parallelism: PARALLELISM,
    });
    s.runs.push({ runId, counts: progress.counts, accounts: progress.accounts });
    return { seconds, units: progress.counts.finalised, workflowIds: [workflowId] };
  },
  async baseline(ctx, iteration) {
    const s = await state(ctx);
    // Set i's records, found through its operator's accounts as the run finds them (the account index),
    // not by a scan of every iteration's set.
    const where = `account_id in (select id from customer_accounts where owner_party_id = '${s.operators[iteration]!}') and source_ref = '${sourceRef(iteration)}'
      and directive = 'TO_BE_BILLED' and life_cycle = 'POSTED' and billing_effective_at >= '${PERIOD.startAt}' and billing_effective_at < '${PERIOD.endAt}'`;
    const { seconds, value: rows } = await timed(() => ctx.database.sql.begin(async (tx) => {
      await tx.unsafe(`create temporary table bench_invoice_totals on commit drop as ${invoiceTotalsSql(where)}`);
      return tx<Array<{ accountId: string; currency: string; total: string; exact: string }>>`
        select account_id as "accountId", currency, total::text as total, exact::text as exact from bench_invoice_totals`;
    }));
    for (const r of rows) s.baselineTotals.set(`${r.accountId}/${r.currency}`, { total: r.total, exact: r.exact });
    s.sums.push(`${formatPlain(sumMoney(rows.map((r) => r.exact)))} over ${rows.length} accounts`);
    return { seconds, units: rows.length };
  },
  async guardrails(ctx): Promise<Check[]> {
    const s = await state(ctx);
    const { sql } = ctx.database;
    const expected = `${s.expectedTotal} over ${ctx.sizes.accounts} accounts`;
    const runIds = s.runs.map((r) => r.runId);
    const invoices = await sql<Array<{ accountId: string; currency: string; total: string; exact: string }>>`
      select account_id as "accountId", currency, total::text as total, exact_total::text as exact from invoices where run_id = any(${runIds}) and status = 'final'`;
    const wrong = invoices.filter((i) => {
      const b = s.baselineTotals.get(`${i.accountId}/${i.currency}`);
      return !same(i.total, b?.total) || !same(i.exact, b?.exact);
    });
    const shown = wrong.slice(0, 3).map((i) => `${i.accountId}: ${i.total} (exact ${i.exact}) vs baseline ${JSON.stringify(s.baselineTotals.get(`${i.accountId}/${i.currency}`))}`);
    const incomplete = s.runs.filter((r) => r.accounts !== ctx.sizes.accounts || r.counts.finalised !== r.accounts);
    const [billed] = await sql<Array<{ records: number }>>`
      select count(distinct record_id)::int as records from invoice_items where invoice_id in (select id from invoices where run_id = any(${runIds}))`;
    const [ledger] = await sql<Array<{ debits: string | null; credits: string | null }>>`
      select (sum(amount) filter (where side = 'debit'))::text as debits, (sum(amount) filter (where side = 'credit'))::text as credits from ledger_lines`;
    const balanced = ledger!.debits !== null && ledger!.credits !== null && same(ledger!.debits, ledger!.credits);
    const recordsBilled = s.runs.length * s.charged;
    return [
      { name: 'SQL invoice totals equal the records\' exact sum', ok: s.sums.every((sum) => sum === expected), detail: `${s.sums.join('; ')}; expected ${expected}` },
      {
        name: 'every run finalises every account', ok: s.runs.length === ctx.repeats && incomplete.length === 0,
        detail: s.runs.map((r) => `${r.runId}: ${r.accounts} accounts, ${JSON.stringify(r.counts)}`).join('; '),
      },
      {
        name: 'invoice totals equal the SQL baseline\'s', ok: invoices.length === s.runs.length * ctx.sizes.accounts && wrong.length === 0,
        detail: `${invoices.length} final invoices, ${wrong.length} differ${shown.length ? `: ${shown.join('; ')}` : ''}`,
      },
      await duplicateCheck(sql, 'no account invoiced twice for the period', 'invoices', 'account_id, period_start_at', `trigger = 'cycle' and account_id like 'bench-acc-%'`),
      await duplicateCheck(sql, 'no record posted twice', 'invoice_items', 'record_id', `record_id like 'bench-billing:%'`),
      { name: 'every charged record billed', ok: billed!.records === recordsBilled, detail: `${billed!.records} records on the statements; ${recordsBilled} seeded with a non-zero amount` },
      { name: 'ledger debits equal credits', ok: balanced, detail: `debits ${ledger!.debits ?? 'none'}, credits ${ledger!.credits ?? 'none'}` },
    ];
  },
};
