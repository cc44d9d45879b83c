import { ScheduleOverlapPolicy } from '@temporalio/client';
import { afterEach, describe, expect, it } from 'vitest';
import { insertBillableRecords } from '../../db/queries/billable-records';
import { insertPostings } from '../../db/queries/ledger';
import { aRecordCharge, expectLedgerBalanced } from '../fixtures/ledger';
import { apiClient } from '../fixtures/api';
import { anAccount, anOperator, aRecord } from '../fixtures/billing';
import { recordHistory } from '../helpers/histories';
import { useIntegration } from '../helpers/integration';
import { billingRunWorkflowId, billingScheduleId } from '../../workflows/shared';

// Billing runs end to end (API -> Temporal -> worker -> Postgres): select the accounts due, draft,
// approve (API or signed link) or let the grace pass, finalise; failures and parked accounts kept
// apart while the others are billed; retry in the same run; a second run finds nothing to do.

const ctx = useIntegration();
afterEach(async () => expectLedgerBalanced(ctx.database.sql));

const RUN_DATE = '2024-04-03'; // billing day 1 + 2: the period March 2024 is invoiced

type RunView = { phase: string; counts: Record<string, number>; progress: { counts: Record<string, number> } | null };

async function waitForRun(api: ReturnType<typeof apiClient>, auth: Record<string, string>, id: string, until: (run: RunView) => boolean) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const run = await api.json(await api.call('GET', `/v1/billing-runs/${id}`, auth), 200);
    if (until(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} stayed ${JSON.stringify(run)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const receivable = async (account: string) => {
  const [row] = await ctx.database.sql`select coalesce(sum(case when side = 'debit' then amount else -amount end), 0)::text as n from ledger_lines where owner = ${account} and account_kind = 'receivable'`;
  return row!.n;
};

describe('billing run', () => {
  it('bills the accounts due, keeps a failing account apart with its reason, and retries it in the same run', async () => {
    const api = apiClient(ctx.app);
    const op = await anOperator(ctx.database.db);
    const a = await anAccount(ctx.database.sql, op.party.id);
    await anAccount(ctx.database.sql, op.party.id); // nothing to bill: empty
    const broken = await anAccount(ctx.database.sql, op.party.id, { cycle: { kind: 'billingDay', billingDay: 40 } });
    const notDue = await anAccount(ctx.database.sql, op.party.id, { cycle: { kind: 'billingDay', billingDay: 15 } });
    await insertBillableRecords(ctx.database.sql, [
      aRecord(a, { amount: '10.004', quantity: '2' }),
      aRecord(a, { amount: '5.003', quantity: '1' }),
      aRecord(a, { amount: '7.50', item: 'mobile' }),
      aRecord(a, { amount: '99.00', billingEffectiveAt: '2024-04-01T00:00:00.000Z' }), // at the cut-off: next period
      aRecord(broken, { amount: '3.00' }),
      aRecord(notDue, { amount: '1.00' }),
    ]);
    const run = await api.json(await api.call('POST', '/v1/billing-runs', op.auth, { runDate: RUN_DATE, batchSize: 2 }), 202);
    const done = await waitForRun(api, op.auth, run.id, (r) => r.phase === 'completed');
    expect(done.counts).toMatchObject({ finalised: 1, empty: 1, failed: 1, pending: 0 });
    const failed = await api.json(await api.call('GET', `/v1/billing-runs/${run.id}/accounts?status=failed`, op.auth), 200);
    expect(failed.items).toEqual([expect.objectContaining({ accountId: broken.accountId, failureReason: expect.stringContaining('billing day must be 1-31') })]);

    const list = await api.json(await api.call('GET', `/v1/invoices?accountId=${a.accountId}`, op.auth), 200);
    expect(list.items).toHaveLength(1);
    const invoice = await api.json(await api.call('GET', `/v1/invoices/${list.items[0].id}`, op.auth), 200);
    // voice|TELEPHONY|national: 10.004 + 5.003 = 15.007 -> 15.01; mobile 7.50. Total 22.51, exact 22.507.
    expect(invoice).toMatchObject({
      status: 'final', kind: 'invoice', trigger: 'cycle', total: '22.51', exactTotal: '22.507',
      periodStartAt: '2024-03-01T00:00:00.000Z', periodEndAt: '2024-04-01T00:00:00.000Z',
    });
    expect(invoice.lines.map((l: { id: string; quantity: string; amount: string; items: unknown[] }) => [l.id, l.quantity, l.amount, l.items.length]))
      .toEqual([['voice|TELEPHONY|mobile', '1', '7.50', 1], ['voice|TELEPHONY|national', '3', '15.01', 2]]);
    expect(await receivable(a.accountId)).toBe('22.51');
    const [period] = await ctx.database.sql`select state from billing_periods where subscription_id = ${a.subscriptionId}`;
    expect(period!.state).toBe('CLOSED');

    // The manager fixes the cycle and retries: the account is billed in the same run.
    await ctx.database.sql`update customer_accounts set billing_cycle = '{"kind":"calendar"}' where id = ${broken.accountId}`;
    await api.json(await api.call('POST', `/v1/billing-runs/${run.id}/retry`, op.auth), 200);
    // Until the workflow's own counts (its Query) have caught up with the database's too.
    const retried = await waitForRun(api, op.auth, run.id, (r) => r.counts.finalised === 2 && r.progress?.counts.failed === 0);
    expect(retried.counts).toMatchObject({ finalised: 2, empty: 1, failed: 0 });
    expect(await receivable(broken.accountId)).toBe('3');
    // Nothing left to retry: refused with the current phase.
    const refused = await api.json(await api.call('POST', `/v1/billing-runs/${run.id}/retry`, op.auth), 409);
    expect(refused.error).toMatchObject({ code: 'ILLEGAL_TRANSITION', currentState: 'completed' });
    await recordHistory('billing-run-retry-failed', ctx.temporal.workflow.getHandle(billingRunWorkflowId(run.id)));

    // A second run for the same cycle finds nothing to do.
    const again = await api.json(await api.call('POST', '/v1/billing-runs', op.auth, { runDate: RUN_DATE, id: `${run.id}-again` }), 202);
    const second = await waitForRun(api, op.auth, again.id, (r) => r.phase === 'completed');
    expect(second.progress).toMatchObject({ accounts: 1 }); // only the empty account is still due
    expect(second.counts).toMatchObject({ empty: 1, finalised: 0 });
    const [invoices] = await ctx.database.sql`select count(*)::int as n from invoices where account_id = any(${[a.accountId, broken.accountId]})`;
    expect(invoices!.n).toBe(2);
  });

  it('waits for approval by signed link; late usage arriving during the grace joins the invoice', async () => {
    const api = apiClient(ctx.app);
    const op = await anOperator(ctx.database.db);
    const a = await anAccount(ctx.database.sql, op.party.id);
    await insertBillableRecords(ctx.database.sql, [aRecord(a, { amount: '10.00' })]);
    const run = await api.json(await api.call('POST', '/v1/billing-runs', op.auth, { runDate: RUN_DATE, graceSeconds: 3600, notifyEmail: 'bm@example.com' }), 202);
    await waitForRun(api, op.auth, run.id, (r) => r.phase === 'awaiting_approval');
    const [draft] = await ctx.database.sql`select status, total::text from invoices where account_id = ${a.accountId}`;
    expect(draft).toEqual({ status: 'draft', total: '10.00' });
    await insertBillableRecords(ctx.database.sql, [aRecord(a, { amount: '2.50', billingEffectiveAt: '2024-03-31T23:59:59.000Z' })]);

    const [mail] = await ctx.database.sql`select recipient, body from mail_outbox where file_id = ${run.id} and kind = 'billing-approval'`;
    expect(mail!.recipient).toBe('bm@example.com');
    const link = new URL(/Approve: (\S+)/.exec(mail!.body as string)![1]!);
    const page = await ctx.app.request(link.pathname);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    const [stillDraft] = await ctx.database.sql`select status from invoices where account_id = ${a.accountId}`;
    expect(stillDraft!.status).toBe('draft'); // GET changes nothing
    expect((await ctx.app.request(link.pathname, { method: 'POST' })).status).toBe(200);
    expect((await ctx.app.request(link.pathname, { method: 'POST' })).status).toBe(409); // once

    const done = await waitForRun(api, op.auth, run.id, (r) => r.phase === 'completed');
    expect(done).toMatchObject({ approvedBy: `${op.party.id}/link:bm@example.com`, counts: { finalised: 1 } });
    const [final] = await ctx.database.sql`select status, total::text from invoices where account_id = ${a.accountId}`;
    expect(final).toEqual({ status: 'final', total: '12.50' });
    const late = await api.json(await api.call('POST', `/v1/billing-runs/${run.id}/approve`, op.auth), 409);
    expect(late.error).toMatchObject({ code: 'ILLEGAL_TRANSITION', currentState: 'completed' });
    await recordHistory('billing-run-approved-by-link', ctx.temporal.workflow.getHandle(billingRunWorkflowId(run.id)));
  });

  it('parks an account with two live postings for one record and bills every other account', async () => {
    const api = apiClient(ctx.app);
    const op = await anOperator(ctx.database.db);
    const good = await anAccount(ctx.database.sql, op.party.id);
    const bad = await anAccount(ctx.database.sql, op.party.id);
    const record = aRecord(bad, { amount: '4.00' });
    await insertBillableRecords(ctx.database.sql, [aRecord(good, { amount: '6.00' }), record]);
    // A stray second charge for the same record (a manual write): the invariant check must catch it.
    const stray = aRecordCharge(record.id, bad.accountId, '4.00', { entry: `manual:${record.id}`, effectiveAt: record.billingEffectiveAt });
    await insertPostings(ctx.database.sql, [{ ...stray, key: stray.entry, kind: 'original', revision: 0, reverses: null }]);
    const run = await api.json(await api.call('POST', '/v1/billing-runs', op.auth, { runDate: RUN_DATE }), 202);
    const done = await waitForRun(api, op.auth, run.id, (r) => r.phase === 'completed');
    expect(done.counts).toMatchObject({ finalised: 1, parked: 1 });
    const parked = await api.json(await api.call('GET', `/v1/billing-runs/${run.id}/accounts?status=parked`, op.auth), 200);
    expect(parked.items[0]).toMatchObject({ accountId: bad.accountId, parkedReasons: [{ code: 'DUPLICATE_RECORD_POSTING', subject: record.id }] });
    expect(await receivable(good.accountId)).toBe('6');
    expect(await receivable(bad.accountId)).toBe('0');
    const [draft] = await ctx.database.sql`select status from invoices where account_id = ${bad.accountId}`;
    expect(draft!.status).toBe('draft');
  });

  it('a final invoice, its lines and statement cannot change (MF003); a second cycle invoice for the period is refused', async () => {
    const api = apiClient(ctx.app);
    const op = await anOperator(ctx.database.db);
    const a = await anAccount(ctx.database.sql, op.party.id);
    await insertBillableRecords(ctx.database.sql, [aRecord(a)]);
    const run = await api.json(await api.call('POST', '/v1/billing-runs', op.auth, { runDate: RUN_DATE }), 202);
    await waitForRun(api, op.auth, run.id, (r) => r.phase === 'completed');
    const [inv] = await ctx.database.sql`select id from invoices where account_id = ${a.accountId}`;
    const id = inv!.id as string;
    for (const change of [
      ctx.database.sql`update invoices set total = 0 where id = ${id}`,
      ctx.database.sql`delete from invoices where id = ${id}`,
      ctx.database.sql`update invoice_lines set amount = 0 where invoice_id = ${id}`,
      ctx.database.sql`delete from invoice_items where invoice_id = ${id}`,
    ]) await expect(change).rejects.toMatchObject({ code: 'MF003' });
    await expect(ctx.database.sql`insert into invoices (id, account_id, owner_party_id, kind, trigger, currency, period_start_at, period_end_at, cut_off_at)
      values ('dup', ${a.accountId}, ${op.party.id}, 'invoice', 'cycle', 'EUR', '2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z', '2024-04-01T00:00:00Z')`)
      .rejects.toMatchObject({ code: '23505' });
  });

  it('a daily schedule starts runs over the accounts due that day (billing day = run date - 2)', async () => {
    const api = apiClient(ctx.app);
    const op = await anOperator(ctx.database.db);
    const billingDate = new Date(Date.now() - 2 * 86_400_000);
    const a = await anAccount(ctx.database.sql, op.party.id, { cycle: { kind: 'billingDay', billingDay: billingDate.getUTCDate() } });
    const dayBefore = new Date(billingDate.getTime() - 86_400_000).toISOString().slice(0, 10);
    await insertBillableRecords(ctx.database.sql, [aRecord(a, { amount: '8.00', billingEffectiveAt: `${dayBefore}T12:00:00.000Z` })]);
    const schedule = await api.json(await api.call('PUT', '/v1/billing-schedule', op.auth, { hourUtc: 0, minuteUtc: 5 }), 200);
    expect(schedule.scheduleId).toBe(billingScheduleId(op.party.id));
    const handle = ctx.temporal.schedule.getHandle(schedule.scheduleId);
    try {
      await handle.trigger();
      const deadline = Date.now() + 30_000;
      let invoice: Record<string, unknown> | undefined;
      while (!invoice && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        [invoice] = await ctx.database.sql`select i.total::text, i.status, r.run_date, r.started_by from invoices i join billing_runs r on r.id = i.run_id
          where i.account_id = ${a.accountId} and i.status = 'final'`;
      }
      expect(invoice).toEqual({ total: '8.00', status: 'final', run_date: new Date().toISOString().slice(0, 10), started_by: 'schedule' });
    } finally {
      await handle.delete();
    }
  });

  it("a scheduled run bills each account when its build day has begun in the account's own time zone, for the period of its cycle there", async () => {
    const api = apiClient(ctx.app);
    const op = await anOperator(ctx.database.db);
    // Billing day 30: the period ending on March 30 is invoiced on April 1st, local time.
    const day30 = { kind: 'billingDay', billingDay: 30 } as const;
    const accounts = {
      auckland: await anAccount(ctx.database.sql, op.party.id, { cycle: day30, timeZone: 'Pacific/Auckland' }),
      utc: await anAccount(ctx.database.sql, op.party.id, { cycle: day30, timeZone: 'UTC' }),
      newYork: await anAccount(ctx.database.sql, op.party.id, { cycle: day30, timeZone: 'America/New_York' }),
    };
    const at = '2026-03-10T12:00:00.000Z';
    await insertBillableRecords(ctx.database.sql, Object.values(accounts).map((a) => aRecord(a, { amount: '4.00', usageAt: at, billingEffectiveAt: at })));
    await api.json(await api.call('PUT', '/v1/billing-schedule', op.auth, { hourUtc: 12, minuteUtc: 0 }), 200);
    const handle = ctx.temporal.schedule.getHandle(billingScheduleId(op.party.id));
    /** Runs the schedule's action as it would have run at 12:00 UTC on `date` (a backfill); the run's accounts and their invoices. */
    const runAt = async (date: string) => {
      await handle.backfill({ start: new Date(`${date}T11:59:00.000Z`), end: new Date(`${date}T12:01:00.000Z`), overlap: ScheduleOverlapPolicy.ALLOW_ALL });
      const deadline = Date.now() + 30_000;
      for (;;) {
        const [run] = await ctx.database.sql<Array<{ id: string; run_date: string; run_at: string; phase: string }>>`
          select id, run_date, to_char(run_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as run_at, phase::text
          from billing_runs where owner_party_id = ${op.party.id} and run_date = ${date}`;
        if (run?.phase === 'completed') {
          return { run, accounts: await ctx.database.sql`
            select ra.account_id, ra.status::text, i.total::text, to_char(i.period_start_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') as period_start,
              to_char(i.period_end_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') as period_end
            from billing_run_accounts ra left join invoices i on i.id = ra.invoice_id where ra.run_id = ${run.id} order by ra.account_id` };
        }
        if (Date.now() > deadline) throw new Error(`no completed scheduled run for ${date}: ${JSON.stringify(run)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    try {
      // 2026-03-31T12:00Z is 01:00 on April 1st in Auckland (UTC+13): billed; still March 31st in UTC and New York.
      const first = await runAt('2026-03-31');
      expect(first.run).toMatchObject({ run_date: '2026-03-31', run_at: '2026-03-31T12:00:00Z', phase: 'completed' });
      expect(first.accounts).toEqual([
        { account_id: accounts.auckland.accountId, status: 'finalised', total: '4.00', period_start: '2026-02-27T11:00Z', period_end: '2026-03-29T11:00Z' },
      ]);
      // A day later April 1st has begun in UTC and New York (08:00 there); Auckland was billed.
      const second = await runAt('2026-04-01');
      expect(second.accounts).toEqual([
        { account_id: accounts.newYork.accountId, status: 'finalised', total: '4.00', period_start: '2026-02-28T05:00Z', period_end: '2026-03-30T04:00Z' },
        { account_id: accounts.utc.accountId, status: 'finalised', total: '4.00', period_start: '2026-02-28T00:00Z', period_end: '2026-03-30T00:00Z' },
      ].sort((a, b) => (a.account_id < b.account_id ? -1 : 1)));
    } finally {
      await handle.delete();
    }
  });
});
