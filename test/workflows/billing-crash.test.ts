import { describe, expect, it } from 'vitest';
import { insertRun } from '../../db/queries/billing-runs';
import { createParty } from '../../db/queries/parties';
import { seededRandom } from '../../lib/seeded-random';
import { billingRun } from '../../workflows/billing-run';
import { billingRunWorkflowId } from '../../workflows/shared';
import { manyAccountsWithRecords } from '../fixtures/billing';
import { expectLedgerBalanced } from '../fixtures/ledger';
import { useIntegration } from '../helpers/integration';
import { killRepeatedly, startWorkerProcess } from '../helpers/worker-process';

// Crash test: the worker process is killed (SIGKILL) at seeded random moments, at least 20 times,
// during a billing run over 10,000 accounts (200,000 records), and restarted each time. The run
// must bill every account once, and its invoices, lines, statements and ledger postings must equal
// those of an undisturbed run over an identical set of accounts, to the cent, with no duplicate.

const ctx = useIntegration({ worker: false });
const ACCOUNTS = 10_000;
const PER_ACCOUNT = 20;
const KILLS = 20;
const SEED = Number(process.env.CRASH_SEED ?? 20261122);

/** Everything a run produced for the accounts of a prefix, with the prefix cut off the ids (same length prefixes). */
async function produced(prefix: string) {
  const { sql } = ctx.database;
  const like = `${prefix}-%`;
  const cut = prefix.length + 2;
  const invoices = await sql`select substring(account_id from ${cut}::int) as account, kind, status, total::text, exact_total::text,
      period_start_at, period_end_at from invoices where account_id like ${like} order by account`;
  const lines = await sql`select substring(i.account_id from ${cut}::int) as account, l.line_id, l.quantity::text, l.exact_amount::text, l.amount::text
    from invoice_lines l join invoices i on i.id = l.invoice_id where i.account_id like ${like} order by account, l.line_id`;
  const items = await sql`select substring(i.account_id from ${cut}::int) as account, substring(it.record_id from ${cut}::int) as record, it.line_id, it.amount::text, it.quantity::text
    from invoice_items it join invoices i on i.id = it.invoice_id where i.account_id like ${like} order by account, record`;
  const postings = await sql`select substring(l.owner from ${cut}::int) as account, l.account_kind, l.side, count(*)::int as n, sum(l.amount)::text as amount
    from ledger_lines l where l.owner like ${like} group by 1, 2, 3 order by 1, 2, 3`;
  return { invoices, lines, items, postings };
}

describe('billing crash test', () => {
  it(`bills ${ACCOUNTS.toLocaleString('en')} accounts exactly once through ${KILLS} SIGKILLs of the worker`, async () => {
    const { sql, db } = ctx.database;
    const startWorker = () => startWorkerProcess(ctx.taskQueue);
    const run = async (prefix: string) => {
      const owner = await createParty(db, { kind: 'internal', name: `crash ${prefix}` });
      await manyAccountsWithRecords(sql, owner.id, prefix, ACCOUNTS, PER_ACCOUNT);
      const runId = `crash-${prefix}`;
      await insertRun(sql, { id: runId, ownerPartyId: owner.id, runDate: '2024-04-03', graceSeconds: 0, notifyEmail: null, startedBy: 'test' });
      return ctx.temporal.workflow.start(billingRun, {
        taskQueue: ctx.taskQueue, workflowId: billingRunWorkflowId(runId),
        args: [{ runId, ownerPartyId: owner.id, runDate: '2024-04-03', graceSeconds: 0, batchSize: 250, parallelism: 2 }],
      });
    };
    const random = seededRandom(SEED);
    const holder = { worker: await startWorker() };
    try {
      const crashed = await run('CRASH');
      const moments = await killRepeatedly(holder, ctx.taskQueue, random, KILLS);
      const result = await crashed.result();
      console.log(`billing crash test: seed ${SEED}, ${KILLS} kills after ${moments.join(', ')} ms`);
      expect(result.counts).toMatchObject({ finalised: ACCOUNTS, failed: 0, parked: 0, pending: 0 });

      const calm = await run('CALMR');
      expect((await calm.result()).counts).toMatchObject({ finalised: ACCOUNTS });
      const [a, b] = [await produced('CRASH'), await produced('CALMR')];
      expect(a.invoices).toHaveLength(ACCOUNTS);
      expect(a.items).toHaveLength(ACCOUNTS * PER_ACCOUNT);
      expect(new Set(a.items.map((i) => i.record)).size).toBe(ACCOUNTS * PER_ACCOUNT);
      for (const key of ['invoices', 'lines', 'items', 'postings'] as const) expect(JSON.stringify(a[key]), key).toBe(JSON.stringify(b[key]));
      const [postings] = await sql`select count(*)::int as n from ledger_postings where entry like 'record:CRASH-%'`;
      expect(postings!.n).toBe(ACCOUNTS * PER_ACCOUNT);
      await expectLedgerBalanced(sql);
      const history = await crashed.fetchHistory();
      const attempts = history.events!.flatMap((e) => e.activityTaskStartedEventAttributes?.attempt ?? []);
      console.log(`billing crash test: ${history.events!.length} history events; batch attempts up to ${Math.max(...attempts)}`);
    } finally {
      await holder.worker.kill();
    }
  }, 900_000);
});
