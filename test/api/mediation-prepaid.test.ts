import { describe, expect, it } from 'vitest';
import { thresholdBillingWorkflowId } from '../../workflows/shared';
import { thresholdInvoicesQuery } from '../../workflows/threshold-billing';
import { aMarketplace } from '../fixtures/parties';
import { aCsvFeed, mediationClient, uid } from '../fixtures/mediation';
import { useIntegration } from '../helpers/integration';

// SPEC §2.5 through a feed: rated records of a prepaid account debit its wallet as they are stored
// (what the balance cannot cover is quarantined INSUFFICIENT_FUNDS, reprocessed after a top-up),
// and records of a subscription with a billing term reach threshold billing.

const ctx = useIntegration();
const HEADER = 'id,number,start,seconds,type,to\n';
/** A voice call of the fixture plan (0.10 a minute): 6000 s rate 10.0000, 3000 s rate 5.0000. */
const call = (id: string, number: string, start: string, seconds: number) => `${id},${number},${start},${seconds},voice,+442071234567\n`;

/** An operator's customer with one number and a feed; `prepaid`: the account is created prepaid from a new GBP wallet of the operator. */
async function setup({ prepaid = false } = {}) {
  const m = await aMarketplace(ctx.database.db);
  const api = mediationClient(ctx.app);
  const number = uid('+4477');
  const account = uid('acc');
  const wallet = prepaid ? await api.ok('POST', '/v1/wallets', m.admin.auth, { ownerPartyId: m.provider.party.id, accountId: account, currency: 'GBP' }, 201) : null;
  const customer = await api.aCustomer(m.provider.auth, m.admin.auth, [{ id: uid('svc'), identifiers: [number] }], 'MSISDN', { id: account, ...(wallet ? { billingMode: 'prepaid', walletId: wallet.id } : {}) });
  const feedId = uid('feed');
  await api.ok('POST', '/v1/feeds', m.provider.auth, aCsvFeed(feedId), 201);
  return { m, api, customer, feedId, number, walletId: wallet?.id as string };
}

describe('prepaid wallets and threshold billing of mediated records', () => {
  it('debits the wallet per record, quarantines what the balance cannot cover, completes it after a top-up (SPEC §2.5)', async () => {
    const { m, api, customer, feedId, number, walletId } = await setup({ prepaid: true });
    const op = m.provider.auth;
    expect(await api.ok('GET', `/v1/accounts/${customer.account}`, op, undefined, 200)).toMatchObject({ billingMode: 'prepaid', walletId });
    const topUp = (amount: string) => api.ok('POST', `/v1/wallets/${walletId}/top-ups`, { ...m.admin.auth, 'idempotency-key': uid('top-up') }, { amount }, 201);
    const balance = async () => (await api.ok('GET', `/v1/wallets/${walletId}`, m.admin.auth, undefined, 200)).balance as string;

    // 12.00 − 10.00 leaves 2.00.
    await topUp('12.00');
    const bytes = HEADER + call('p1', number, '2024-03-04T10:00:00Z', 6000);
    const first = await api.upload(feedId, op, bytes);
    expect((await api.loaded(first.id, op)).counts).toEqual({ COMPLETED: 1 });
    expect(await balance()).toBe('2.0000');
    const [p1] = await ctx.database.sql`select id, amount::text from billable_records where source_ref = ${first.id}`;
    expect(p1!.amount).toBe('10.0000');

    // The same bytes again, and another file repeating the record: nothing debited twice.
    expect(await api.upload(feedId, op, bytes)).toMatchObject({ id: first.id, duplicate: true });
    const repeat = await api.upload(feedId, op, bytes + call('p0', number, '2024-03-04T09:00:00Z', 60));
    expect((await api.loaded(repeat.id, op)).counts).toEqual({ COMPLETED: 1, QUARANTINED: 1 });
    expect((await api.ok('GET', `/v1/mediated-records/${repeat.id}:1`, op, undefined, 200)).record).toMatchObject({ status: 'QUARANTINED', reason: 'DUPLICATE' });
    expect(await balance()).toBe('1.9000');

    // 8.00 cannot cover 10.00: quarantined, the balance untouched, nothing billed. In one file the
    // earlier usage is debited first, wherever its row is.
    await topUp('6.1000');
    const second = await api.upload(feedId, op, HEADER + call('p3', number, '2024-03-06T10:00:00Z', 6000) + call('p2', number, '2024-03-05T10:00:00Z', 2400));
    expect((await api.loaded(second.id, op)).counts).toEqual({ COMPLETED: 1, QUARANTINED: 1 });
    expect(await balance()).toBe('4.0000');
    const refused = await api.ok('GET', `/v1/mediated-records/${second.id}:1`, op, undefined, 200);
    expect(refused.record).toMatchObject({ status: 'QUARANTINED', reason: 'INSUFFICIENT_FUNDS' });
    expect(refused.record.message).toContain('cannot cover 10');
    const reasons = (await api.ok('GET', `/v1/quarantine/counts?feedId=${feedId}`, op, undefined, 200)).reasons;
    expect(reasons).toEqual([{ reason: 'DUPLICATE', count: 1 }, { reason: 'INSUFFICIENT_FUNDS', count: 1 }]);
    const billed = await ctx.database.sql`select amount::text from billable_records where source_ref = ${second.id}`;
    expect(billed.map((b) => b.amount)).toEqual(['4.0000']);

    // Topped up, cleansed and reprocessed: debited and billed, with its history.
    await topUp('6.00');
    const cleanse = await api.ok('POST', '/v1/quarantine/cleanse', op, { records: [`${second.id}:1`], note: 'wallet topped up' }, 202);
    // The identifier re-queues the duplicate too (item 9); it stays a duplicate, debited nothing.
    expect([...cleanse.records].sort()).toEqual([`${repeat.id}:1`, `${second.id}:1`].sort());
    expect((await api.reprocessed(cleanse.requestId, op)).counts).toEqual({ COMPLETED: 1, QUARANTINED: 1 });
    expect(await balance()).toBe('0.0000');
    const history = await api.ok('GET', `/v1/mediated-records/${second.id}:1`, op, undefined, 200);
    expect(history.record.status).toBe('COMPLETED');
    expect(history.events.map((e: { action: string; toStatus: string; reason: string | null }) => [e.action, e.toStatus, e.reason])).toEqual([
      ['cleanse', 'CLEANSED', 'INSUFFICIENT_FUNDS'], ['claim', 'PENDING', null], ['pass', 'COMPLETED', null],
    ]);
    const debits = await ctx.database.sql`select id, amount::text, balance_after::text as after from wallet_transactions where wallet_id = ${walletId} and kind = 'debit' order by seq`;
    const billedOf = async (loadId: string) => (await ctx.database.sql`select id, amount::text from billable_records where source_ref = ${loadId}`).map((b) => `${b.id} ${b.amount}`);
    const [p0] = await billedOf(repeat.id);
    const [p3, p2] = (await billedOf(second.id)).sort((a, b) => (a.endsWith('10.0000') ? -1 : 1) - (b.endsWith('10.0000') ? -1 : 1));
    // One debit per billable record, its id the record's id.
    expect(debits.map((d) => `${d.id} ${d.amount} → ${d.after}`)).toEqual([
      `${p1!.id} 10.0000 → 2.0000`, `${p0} → 1.9000`, `${p2} → 4.0000`, `${p3} → 0.0000`,
    ]);
  }, 120_000);

  it('concurrent loads never take the wallet below zero: 15.00 covers one of two 10.00 records', async () => {
    const { m, api, customer, feedId, number } = await setup();
    const op = m.provider.auth;
    // A postpaid account switched to prepaid.
    const wallet = await api.ok('POST', '/v1/wallets', m.admin.auth, { ownerPartyId: m.provider.party.id, accountId: customer.account, currency: 'GBP' }, 201);
    expect(await api.ok('PATCH', `/v1/accounts/${customer.account}`, op, { billingMode: 'prepaid', walletId: wallet.id }, 200)).toMatchObject({ billingMode: 'prepaid', walletId: wallet.id });
    await api.ok('POST', `/v1/wallets/${wallet.id}/top-ups`, { ...m.admin.auth, 'idempotency-key': uid('top-up') }, { amount: '15.00' }, 201);
    const loads = await Promise.all(['c1', 'c2'].map((id, i) => api.upload(feedId, op, HEADER + call(id, number, `2024-03-0${i + 4}T10:00:00Z`, 6000))));
    const counts = await Promise.all(loads.map(async (l) => (await api.loaded(l.id, op)).counts));
    expect(counts.map((c) => Object.keys(c)[0]).sort()).toEqual(['COMPLETED', 'QUARANTINED']);
    expect((await api.ok('GET', `/v1/wallets/${wallet.id}`, m.admin.auth, undefined, 200)).balance).toBe('5.0000');
    const reasons = (await api.ok('GET', `/v1/quarantine/counts?feedId=${feedId}`, op, undefined, 200)).reasons;
    expect(reasons).toEqual([{ reason: 'INSUFFICIENT_FUNDS', count: 1 }]);
  }, 120_000);

  it('the 20th record of a feed reaches the billing term and bills the subscription at once: 19 × 5.00 + 10.00 = 105.00 (SPEC §2.5)', async () => {
    const { m, api, customer, feedId, number } = await setup();
    const op = m.provider.auth;
    await ctx.database.sql`update subscriptions set billing_term = ${JSON.stringify({ maxUnbilledRecords: 20, maxUnbilledAmount: '100.00' })}::jsonb where id = ${customer.subscription}`;
    const settled = async () => {
      const handle = ctx.temporal.workflow.getHandle(thresholdBillingWorkflowId(customer.account));
      const result = await api.until('threshold billing', () => handle.query(thresholdInvoicesQuery), (s) => s.pending.length === 0);
      return result.invoiceIds as string[];
    };
    const nineteen = Array.from({ length: 19 }, (_, i) => call(`t${i}`, number, `2024-03-04T${String(i).padStart(2, '0')}:00:00Z`, 3000)).join('');
    await api.loaded((await api.upload(feedId, op, HEADER + nineteen)).id, op);
    expect(await settled()).toEqual([]);
    await api.loaded((await api.upload(feedId, op, HEADER + call('t19', number, '2024-03-05T10:00:00Z', 6000))).id, op);
    const invoiceIds = await settled();
    expect(invoiceIds).toHaveLength(1);
    const [invoice] = await ctx.database.sql`select total::text, trigger, (select count(*)::int from invoice_items i where i.invoice_id = v.id) as items from invoices v where id = ${invoiceIds[0]!}`;
    expect(invoice).toEqual({ total: '105.00', trigger: 'threshold', items: 20 });

    // Again, the 20th record completed by reprocessing: its number was provisioned late.
    const later = uid('+4479');
    const next = Array.from({ length: 19 }, (_, i) => call(`u${i}`, number, `2024-03-06T${String(i).padStart(2, '0')}:00:00Z`, 3000)).join('');
    await api.loaded((await api.upload(feedId, op, HEADER + next + call('u19', later, '2024-03-07T10:00:00Z', 6000))).id, op);
    expect(await settled()).toHaveLength(1);
    await api.ok('POST', `/v1/subscriptions/${customer.subscription}/services`, op, { id: uid('svc-later'), activeFrom: '2024-03-01T00:00:00Z', identifiers: [{ type: 'MSISDN', value: later, validFrom: '2024-03-01T00:00:00Z' }] }, 201);
    const cleanse = await api.ok('POST', '/v1/quarantine/cleanse', op, { serviceIdentifier: later, note: 'provisioned' }, 202);
    expect((await api.reprocessed(cleanse.requestId, op)).counts).toEqual({ COMPLETED: 1 });
    const after = await settled();
    expect(after).toHaveLength(2);
    const [second] = await ctx.database.sql`select total::text from invoices where id = ${after[1]!}`;
    expect(second!.total).toBe('105.00');
  }, 120_000);
});
