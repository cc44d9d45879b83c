import { afterEach, describe, expect, it } from 'vitest';
import { insertBillableRecords } from '../../db/queries/billable-records';
import { cycleInvoiceId } from '../../db/queries/billing';
import { postPeriodCharges } from '../../db/queries/period-charges';
import { insertAssignment, savePlanVersion } from '../../db/queries/rating';
import { parseRatePlan } from '../../domain/rating';
import { apiClient } from '../fixtures/api';
import { anAccount, anOperator, aRecord } from '../fixtures/billing';
import { expectLedgerBalanced } from '../fixtures/ledger';
import { mediationClient, uid } from '../fixtures/mediation';
import { aMarketplace } from '../fixtures/parties';
import { uniquePlanId } from '../fixtures/rating';
import { useIntegration } from '../helpers/integration';

// Period charges through a billing run (API -> Temporal -> worker -> Postgres): the period's rated
// records go through the rating engine's period charges for the subscription's plan, the period-level
// lines are posted as a delta and invoiced with the records; a second close posts nothing.

const ctx = useIntegration();
afterEach(async () => expectLedgerBalanced(ctx.database.sql));

const RUN_DATE = '2024-04-03'; // billing day 1 + 2: March 2024 is invoiced
const MARCH = { start: '2024-03-01T00:00:00.000Z', end: '2024-04-01T00:00:00.000Z' };

async function runBilling(api: ReturnType<typeof apiClient>, auth: Record<string, string>, id?: string, ownerPartyId?: string) {
  const run = await api.json(await api.call('POST', '/v1/billing-runs', auth, { runDate: RUN_DATE, ...(id ? { id } : {}), ...(ownerPartyId ? { ownerPartyId } : {}) }), 202);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const state = await api.json(await api.call('GET', `/v1/billing-runs/${run.id}`, auth), 200);
    if (state.phase === 'completed') return state;
    if (Date.now() > deadline) throw new Error(`run ${run.id} stayed ${JSON.stringify(state)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An operator's account whose subscription is priced by `plan` (assigned to the subscription from 2024). */
async function anAccountOnPlan(plan: Record<string, unknown>) {
  const op = await anOperator(ctx.database.db);
  const account = await anAccount(ctx.database.sql, op.party.id);
  await savePlanVersion(ctx.database.db, parseRatePlan(plan), op.party.id, { replace: false });
  await insertAssignment(ctx.database.db, { planId: plan.id as string, scope: 'subscription', targetId: account.subscriptionId, validFrom: '2024-01-01T00:00:00Z' });
  return { op, account };
}

const periodPostings = async (accountId: string) => {
  const rows = await ctx.database.sql<Array<{ key: string; amount: string }>>`
    select p.key, sum(case when l.side = 'debit' then l.amount else -l.amount end)::text as amount
    from ledger_postings p join ledger_lines l on l.posting_key = p.key
    where p.entry like 'period:%' and l.owner = ${accountId} and l.account_kind = 'unbilled' group by p.key order by p.key`;
  return rows.map((r) => [r.key, r.amount]);
};

const invoiceOf = async (api: ReturnType<typeof apiClient>, auth: Record<string, string>, accountId: string) => {
  const list = await api.json(await api.call('GET', `/v1/invoices?accountId=${accountId}`, auth), 200);
  expect(list.items).toHaveLength(1);
  return api.json(await api.call('GET', `/v1/invoices/${list.items[0].id}`, auth), 200);
};

describe('period charges in the billing run', () => {
  it('SPEC §5 item 20 from a feed: an included quota of 10,000 MB, 10,450 MB mediated, excess at 0.01/MB: 4.50 on the invoice', async () => {
    const m = await aMarketplace(ctx.database.db);
    const med = mediationClient(ctx.app);
    const api = apiClient(ctx.app);
    const [op, admin] = [m.provider.auth, m.admin.auth];
    const [account, subscription, plan, feedId, number] = [uid('acc'), uid('sub'), uid('quota'), uid('feed'), uid('+4477')];
    await med.ok('POST', '/v1/accounts', op, { id: account, currency: 'GBP' }, 201);
    await med.ok('POST', `/v1/accounts/${account}/subscriptions`, op, { id: subscription, startedAt: '2024-03-01T00:00:00Z', periods: 2 }, 201);
    await med.ok('POST', `/v1/subscriptions/${subscription}/services`, op, {
      id: uid('svc'), activeFrom: '2024-01-01T00:00:00Z', identifiers: [{ type: 'MSISDN', value: number, validFrom: '2024-01-01T00:00:00Z' }],
    }, 201);
    await med.ok('POST', '/v1/rate-plans', admin, {
      id: plan, version: 1, currency: 'GBP', rounding: { method: 'half-up', decimals: 2 },
      charges: [{ id: 'data', usageType: 'data', unit: 'MB', model: 'includedQuota', quota: '10000', excessUnitPrice: '0.01' }],
    }, 201);
    await med.ok('POST', '/v1/rate-plan-assignments', admin, { planId: plan, scope: 'subscription', targetId: subscription, validFrom: '2024-01-01T00:00:00Z' }, 201);
    await med.ok('POST', '/v1/feeds', op, {
      schemaVersion: 1, id: feedId, version: 1, format: { kind: 'delimited', header: true },
      mapping: { id: { from: 'id' }, serviceIdentifier: { from: 'number' }, serviceIdentifierType: { constant: 'MSISDN' }, start: { from: 'start' },
        quantity: { from: 'mb' }, unit: { constant: 'MB' }, usageType: { constant: 'data' } },
      categories: { rules: [], default: 'DATA' }, duplicateKey: ['id'],
    }, 201);
    const csv = `id,number,start,mb\nd1,${number},2024-03-01T10:00:00Z,4000\nd2,${number},2024-03-02T10:00:00Z,5000\nd3,${number},2024-03-03T10:00:00Z,1450\n`;
    const load = await med.loaded((await med.upload(feedId, op, csv)).id, op);
    expect(load.counts).toEqual({ COMPLETED: 3 });
    const [billable] = await ctx.database.sql`select count(*)::int as n from billable_records where subscription_id = ${subscription}`;
    expect(billable!.n).toBe(0); // deferred: priced only at period close

    const done = await runBilling(api, admin, undefined, m.provider.party.id);
    expect(done.counts).toMatchObject({ finalised: 1, failed: 0 });
    const invoice = await invoiceOf(api, admin, account);
    expect(invoice).toMatchObject({ status: 'final', currency: 'GBP', total: '4.50' });
    expect(invoice.lines.map((l: { id: string; quantity: string; amount: string }) => [l.id, l.quantity, l.amount])).toEqual([['data|DATA|data', '10450', '4.50']]);
    expect(await periodPostings(account)).toEqual([[`period:${subscription}:${MARCH.start}:charge:data`, '4.5']]);
    const [period] = await ctx.database.sql`select state from billing_periods where subscription_id = ${subscription} and start_at = ${MARCH.start}`;
    expect(period!.state).toBe('CLOSED');
  });

  it('an allowance of 10,000 MB free over records rated at 0.01/MB (10,450 MB): 4.50 on the invoice; a second close posts nothing', async () => {
    const api = apiClient(ctx.app);
    const planId = uniquePlanId('data');
    const { op, account } = await anAccountOnPlan({
      id: planId, version: 1, currency: 'EUR', rounding: { method: 'half-up', decimals: 2 },
      rates: [{ id: 'data', usageType: 'data', unit: 'MB', price: '0.01' }],
      discounts: [{ id: 'quota', level: 'period', kind: 'freeUsage', quantity: '10000', unit: 'MB', usageTypes: ['data'] }],
    });
    await insertBillableRecords(ctx.database.sql, [['4000', '40.00', 1], ['5000', '50.00', 2], ['1450', '14.50', 3]].map(([quantity, amount, day]) =>
      aRecord(account, { serviceId: 'data', category: 'DATA', item: 'data', unit: 'MB', quantity: String(quantity), amount: String(amount),
        usageAt: `2024-03-0${day}T10:00:00.000Z`, billingEffectiveAt: `2024-03-0${day}T10:00:00.000Z` })));

    const done = await runBilling(api, op.auth);
    expect(done.counts).toMatchObject({ finalised: 1, failed: 0, parked: 0 });
    const invoice = await invoiceOf(api, op.auth, account.accountId);
    expect(invoice).toMatchObject({ status: 'final', kind: 'invoice', total: '4.50', exactTotal: '4.5' });
    expect(invoice.lines.map((l: { id: string; quantity: string; amount: string; items: unknown[] }) => [l.id, l.quantity, l.amount, l.items.length]))
      .toEqual([['data|DATA|data', '10450', '104.50', 3], ['data|DATA|quota', '10000', '-100.00', 1]]);
    const periodKey = `period:${account.subscriptionId}:${MARCH.start}:discount:quota:usage:data:MB`;
    expect(await periodPostings(account.accountId)).toEqual([[periodKey, '-100']]);
    const [period] = await ctx.database.sql`select state from billing_periods where subscription_id = ${account.subscriptionId}`;
    expect(period!.state).toBe('CLOSED');

    // A second run finds the account billed; closing the period again (a retried batch) posts nothing.
    await runBilling(api, op.auth, `again-${account.accountId}`);
    const target = {
      invoiceId: cycleInvoiceId(account.accountId, MARCH.start), accountId: account.accountId, ownerPartyId: op.party.id, runId: null, currency: 'EUR',
      trigger: 'cycle' as const, subscriptionId: null, periodStartAt: MARCH.start, periodEndAt: MARCH.end, cutOffAt: MARCH.end,
    };
    expect(await ctx.database.sql.begin((tx) => postPeriodCharges(tx, [target]))).toBe(0);
    expect(await periodPostings(account.accountId)).toEqual([[periodKey, '-100']]);
    const [invoices] = await ctx.database.sql`select count(*)::int as n, sum(total)::text as total from invoices where account_id = ${account.accountId}`;
    expect(invoices).toEqual({ n: 1, total: '4.50' });
  });

  it('minimum commitment: usage of 15.00 under a 25.00 commitment is trued up by 10.00, named on the statement', async () => {
    const api = apiClient(ctx.app);
    const planId = uniquePlanId('voice');
    const { op, account } = await anAccountOnPlan({
      id: planId, version: 1, currency: 'EUR', rounding: { method: 'half-up', decimals: 2 },
      rates: [{ id: 'voice', usageType: 'national', unit: 'minute', price: '5.00' }],
      minimumCommitment: { amount: '25.00' },
    });
    await insertBillableRecords(ctx.database.sql, [1, 2, 3].map(() => aRecord(account, { amount: '5.00' })));

    const done = await runBilling(api, op.auth);
    expect(done.counts).toMatchObject({ finalised: 1, failed: 0 });
    const invoice = await invoiceOf(api, op.auth, account.accountId);
    expect(invoice).toMatchObject({ status: 'final', total: '25.00' });
    expect(invoice.lines.map((l: { id: string; amount: string }) => [l.id, l.amount]))
      .toEqual([['commitment|commitment|commitment', '10.00'], ['voice|TELEPHONY|national', '15.00']]);
    const trueUp = invoice.lines[0].items as Array<{ postingKey: string; amount: string }>;
    expect(trueUp).toEqual([expect.objectContaining({ postingKey: `period:${account.subscriptionId}:${MARCH.start}:commitment` })]);
    const [receivable] = await ctx.database.sql`
      select sum(case when side = 'debit' then amount else -amount end)::text as n from ledger_lines where owner = ${account.accountId} and account_kind = 'receivable'`;
    expect(receivable!.n).toBe('25');
  });

  it('a subscription without a rate plan has no period charges', async () => {
    const api = apiClient(ctx.app);
    const op = await anOperator(ctx.database.db);
    const account = await anAccount(ctx.database.sql, op.party.id);
    await insertBillableRecords(ctx.database.sql, [aRecord(account, { amount: '3.00' })]);
    await runBilling(api, op.auth);
    expect(await periodPostings(account.accountId)).toEqual([]);
    expect((await invoiceOf(api, op.auth, account.accountId)).total).toBe('3.00');
  });
});
