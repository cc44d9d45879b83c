import { describe, expect, it } from 'vitest';
import { apiClient } from '../fixtures/api';
import { anOperator } from '../fixtures/billing';
import { expectLedgerBalanced } from '../fixtures/ledger';
import { aMarketplace, aPartyWithKey } from '../fixtures/parties';
import { aCsvFeed, mediationClient, uid } from '../fixtures/mediation';
import { useIntegration } from '../helpers/integration';

// Who bills which accounts (DESIGN invariant 6): an operator's billing managers are keys of the
// operator's party; they see and bill its customer accounts, the accounts API and the billing API
// alike, and its feeds and quarantine. A billing manager of another party is answered as if the
// account, invoice, feed, load or record did not exist.

const ctx = useIntegration();

describe("billing managers act on their operator's accounts only", () => {
  it("reads, bills and invoices the operator's account; another party's billing manager gets 404 for it and its invoice", async () => {
    const api = apiClient(ctx.app);
    const m = await aMarketplace(ctx.database.db);
    const manager = await api.json(await api.call('POST', `/v1/parties/${m.provider.party.id}/api-keys`, m.admin.auth, { role: 'billing_manager' }), 201);
    const bm = { authorization: `Bearer ${manager.key}` };
    const stranger = await anOperator(ctx.database.db);

    const account = uid('acc');
    const subscription = uid('sub');
    await api.json(await api.call('POST', '/v1/accounts', m.provider.auth, { id: account, currency: 'EUR', timeZone: 'Europe/Paris' }), 201);
    await api.json(await api.call('POST', `/v1/accounts/${account}/subscriptions`, m.provider.auth, { id: subscription, startedAt: '2024-03-01T00:00:00+01:00', periods: 2 }), 201);
    expect(await api.json(await api.call('GET', `/v1/accounts/${account}`, bm), 200)).toMatchObject({ id: account, timeZone: 'Europe/Paris' });

    const record = {
      id: uid('rec'), accountId: account, subscriptionId: subscription, serviceId: 'voice', currency: 'EUR', category: 'TELEPHONY', item: 'national',
      unit: 'minute', quantity: '1', amount: '10.00', usageAt: '2024-03-10T12:00:00Z', billingEffectiveAt: '2024-03-10T12:00:00Z',
    };
    expect((await api.call('POST', '/v1/billable-records', stranger.auth, { records: [record] })).status).toBe(404);
    await api.json(await api.call('POST', '/v1/billable-records', bm, { records: [record] }), 201);
    const run = await api.json(await api.call('POST', '/v1/billing-runs', bm, { runDate: '2024-04-03' }), 202);
    await expect.poll(async () => (await api.json(await api.call('GET', `/v1/billing-runs/${run.id}`, bm), 200)).phase, { timeout: 30_000 }).toBe('completed');
    const [listed] = (await api.json(await api.call('GET', `/v1/invoices?accountId=${account}`, bm), 200)).items;
    // The period of the account's cycle in its zone: March in Paris.
    expect(listed).toMatchObject({ total: '10.00', status: 'final', periodStartAt: '2024-02-29T23:00:00.000Z', periodEndAt: '2024-03-31T22:00:00.000Z' });

    for (const path of [`/v1/accounts/${account}`, `/v1/invoices/${listed.id}`]) {
      expect((await api.json(await api.call('GET', path, stranger.auth), 404)).error.code, path).toBe('NOT_FOUND');
    }
    expect((await api.json(await api.call('GET', `/v1/invoices?accountId=${account}`, stranger.auth), 200)).items).toEqual([]);
    expect((await api.call('POST', `/v1/invoices/${listed.id}/credit-notes`, stranger.auth, {})).status).toBe(404);
    expect((await api.call('POST', `/v1/invoices/${listed.id}/credit-notes`, m.provider.auth, {})).status).toBe(403);
    await expectLedgerBalanced(ctx.database.sql);
  });

  it('refuses an account in a time zone that does not exist, saying where', async () => {
    const api = apiClient(ctx.app);
    const m = await aMarketplace(ctx.database.db);
    const res = await api.json(await api.call('POST', '/v1/accounts', m.provider.auth, { id: uid('acc'), currency: 'EUR', timeZone: 'Mars/Olympus_Mons' }), 400);
    expect(res.error.issues).toEqual([{ path: 'body.timeZone', message: 'an IANA time zone such as "Pacific/Auckland"' }]);
  });
});

describe("billing managers see their operator's mediation only", () => {
  it("lists the operator's quarantine; another operator's billing manager gets 404 for its feed, load and record and lists none of it", async () => {
    const api = apiClient(ctx.app);
    const mediation = mediationClient(ctx.app);
    const m = await aMarketplace(ctx.database.db);
    const manager = await api.json(await api.call('POST', `/v1/parties/${m.provider.party.id}/api-keys`, m.admin.auth, { role: 'billing_manager' }), 201);
    const bm = { authorization: `Bearer ${manager.key}` };
    const rival = await aPartyWithKey(ctx.database.db, 'provider', 'billing_manager');

    const feed = uid('feed');
    await mediation.ok('POST', '/v1/feeds', m.provider.auth, aCsvFeed(feed), 201);
    const load = await mediation.upload(feed, m.provider.auth, 'id,number,start,seconds,type,to\nq1,+440000000001,2024-03-04T10:00:00Z,60,voice,+44\n');
    await mediation.loaded(load.id, m.provider.auth);
    const ref = `${load.id}:1`;

    const listed = await mediation.ok('GET', `/v1/quarantine?feedId=${feed}`, bm, undefined, 200);
    expect(listed.items.map((r: { ref: string; status: string; reason: string }) => [r.ref, r.status, r.reason])).toEqual([[ref, 'QUARANTINED', 'UNIDENTIFIED']]);
    expect((await mediation.ok('GET', `/v1/quarantine/counts?feedId=${feed}`, bm, undefined, 200)).reasons).toEqual([{ reason: 'UNIDENTIFIED', count: 1 }]);
    expect((await mediation.ok('GET', `/v1/mediated-records/${ref}`, bm, undefined, 200)).record).toMatchObject({ status: 'QUARANTINED' });
    // Its roles are unchanged: quarantine actions stay the operator's and the admin's.
    expect((await mediation.call('POST', '/v1/quarantine/write-off', bm, { records: [ref], note: 'x' })).status).toBe(403);

    for (const path of [`/v1/feeds/${feed}`, `/v1/feed-loads/${load.id}`, `/v1/quarantine?feedId=${feed}`, `/v1/quarantine/counts?feedId=${feed}`, `/v1/mediated-records/${ref}`]) {
      const res = await mediation.call('GET', path, rival.auth);
      expect([res.status, res.body.error?.code], path).toEqual([404, 'NOT_FOUND']);
    }
    expect((await mediation.ok('GET', '/v1/feeds', rival.auth, undefined, 200)).items).toEqual([]);
    expect((await mediation.ok('GET', '/v1/quarantine', rival.auth, undefined, 200)).items).toEqual([]);
    expect((await mediation.ok('GET', '/v1/quarantine/counts', rival.auth, undefined, 200)).reasons).toEqual([]);
    expect((await mediation.ok('GET', `/v1/quarantine?feedId=${feed}`, m.ops.auth, undefined, 200)).items).toHaveLength(1);
  });
});
