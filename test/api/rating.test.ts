import { describe, expect, it } from 'vitest';
import { lockPlanVersions } from '../../db/queries/rating';
import { anAccount } from '../fixtures/billing';
import { aMarketplace, aPartyWithKey } from '../fixtures/parties';
import { aPpvPlan, anSmsPlan, smsRecords, uniquePlanId } from '../fixtures/rating';
import { readJson } from '../helpers/http';
import { useIntegration } from '../helpers/integration';

const ctx = useIntegration();

const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
  const res = await ctx.app.request(path, {
    method, headers: { ...headers, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? await readJson(res) : await res.text() };
};

async function billingManager() {
  return (await aPartyWithKey(ctx.database.db, 'internal', 'billing_manager')).auth;
}

/** A billing manager of a party with an account and its subscription `sub`. */
async function aManagedSubscription() {
  const manager = await aPartyWithKey(ctx.database.db, 'internal', 'billing_manager');
  return { bm: manager.auth, sub: (await anAccount(ctx.database.sql, manager.party.id)).subscriptionId };
}

describe('rate plans through the API', () => {
  it('stores a version, answers the same content again with 200, and refuses other content for it with 409', async () => {
    const bm = await billingManager();
    const id = uniquePlanId('sms');
    expect((await call('POST', '/v1/rate-plans', bm, anSmsPlan(id, '0.05'))).status).toBe(201);
    expect((await call('POST', '/v1/rate-plans', bm, anSmsPlan(id, '0.05'))).status).toBe(200);
    const clash = await call('POST', '/v1/rate-plans', bm, anSmsPlan(id, '0.06'));
    expect(clash.status).toBe(409);
    const stored = await call('GET', `/v1/rate-plans/${id}/versions/1`, bm);
    expect(stored.body.definition.rates[0].price).toBe('0.05');
  });

  it.each([
    ['tiers whose bounds do not increase', { charges: [{ id: 'st', usageType: 'storage', unit: 'GB', model: 'graduated', tiers: [{ from: '0', upTo: '50', unitPrice: '0' }, { from: '40', unitPrice: '0.02' }] }] }, '$.charges[0].tiers[1]'],
    ['an unknown currency', { currency: 'XYZ' }, '$.currency'],
    ['a rate without a unit', { rates: [{ id: 'sms', usageType: 'sms', price: '0.05' }] }, '$.rates[0].unit'],
    ['a zone prefix that is not digits or +', { zones: [{ name: 'mobile', prefixes: ['44a'] }] }, '$.zones[0].prefixes[0]'],
  ])('rejects %s with 400 and the JSON path', async (_what, overrides, path) => {
    const bm = await billingManager();
    const id = uniquePlanId('bad');
    const res = await call('POST', '/v1/rate-plans', bm, anSmsPlan(id, '0.05', overrides));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.issues)).toContain(path.replace('$', ''));
    expect((await call('GET', `/v1/rate-plans/${id}/versions/1`, bm)).status).toBe(404);
  });

  it('refuses a plan whose parent does not exist', async () => {
    const bm = await billingManager();
    const res = await call('POST', '/v1/rate-plans', bm, anSmsPlan(uniquePlanId('child'), '0.05', { parent: { id: 'no-such-plan' } }));
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', issues: [{ path: '$.parent.id' }] } } });
  });

  it('replaces a version until a record is rated with it, then refuses with 409 and keeps it', async () => {
    const bm = await billingManager();
    const id = uniquePlanId('lock');
    await call('POST', '/v1/rate-plans', bm, anSmsPlan(id, '0.05'));
    expect((await call('PUT', `/v1/rate-plans/${id}/versions/1`, bm, anSmsPlan(id, '0.06'))).status).toBe(200);
    await lockPlanVersions(ctx.database.db, [{ planId: id, version: 1 }], new Date());
    const refused = await call('PUT', `/v1/rate-plans/${id}/versions/1`, bm, anSmsPlan(id, '0.07'));
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'VERSION_LOCKED' } } });
    expect((await call('GET', `/v1/rate-plans/${id}/versions/1`, bm)).body.definition.rates[0].price).toBe('0.06');
  });

  it('lets only admins and billing managers write; vendors read only the plans assigned to them', async () => {
    const bm = await billingManager();
    const m = await aMarketplace(ctx.database.db);
    const mine = uniquePlanId('mine');
    const other = uniquePlanId('other');
    expect((await call('POST', '/v1/rate-plans', m.vendor.auth, anSmsPlan(mine, '0.05'))).status).toBe(403);
    expect((await call('POST', '/v1/rate-plans', m.ops.auth, anSmsPlan(mine, '0.05'))).status).toBe(403);
    await call('POST', '/v1/rate-plans', bm, anSmsPlan(mine, '0.05'));
    await call('POST', '/v1/rate-plans', bm, anSmsPlan(other, '0.05'));
    const assigned = await call('POST', '/v1/rate-plan-assignments', bm, { planId: mine, scope: 'account', targetId: m.vendor.party.id });
    expect(assigned.status).toBe(201);
    expect((await call('GET', `/v1/rate-plans/${mine}/versions/1`, m.vendor.auth)).status).toBe(200);
    expect((await call('GET', `/v1/rate-plans/${other}/versions/1`, m.vendor.auth)).status).toBe(404);
    const list = await call('GET', '/v1/rate-plans', m.vendor.auth);
    expect(list.body.items.map((v: { planId: string }) => v.planId)).toEqual([mine]);
    expect((await call('GET', `/v1/rate-plans/${other}/versions/1`, m.ops.auth)).status).toBe(200);
  });

  it("validates assignments and overrides; another party's billing manager gets 404 for a subscription's overrides", async () => {
    const { bm, sub } = await aManagedSubscription();
    const id = uniquePlanId('assign');
    await call('POST', '/v1/rate-plans', bm, anSmsPlan(id, '0.05'));
    expect((await call('POST', '/v1/rate-plan-assignments', bm, { planId: id, scope: 'account' })).status).toBe(400);
    expect((await call('POST', '/v1/rate-plan-assignments', bm, { planId: 'nope', scope: 'account', targetId: 'A1' })).status).toBe(400);
    const overrides = { overrides: [{ planId: id, rateId: 'sms', price: '0.01' }] };
    const put = await call('PUT', `/v1/subscriptions/${sub}/rate-overrides`, bm, overrides);
    expect(put).toMatchObject({ status: 200, body: { items: [{ planId: id, rateId: 'sms', price: '0.01' }] } });
    expect((await call('GET', `/v1/subscriptions/${sub}/rate-overrides`, bm)).body.items).toHaveLength(1);
    expect((await call('PUT', `/v1/subscriptions/SUB-${id}/rate-overrides`, bm, overrides)).body.error.code).toBe('NOT_FOUND');
    const stranger = await billingManager();
    expect((await call('PUT', `/v1/subscriptions/${sub}/rate-overrides`, stranger, { overrides: [{ planId: id, rateId: 'sms', price: '0.00' }] })).status).toBe(404);
    expect((await call('GET', `/v1/subscriptions/${sub}/rate-overrides`, stranger)).status).toBe(404);
    expect((await call('POST', '/v1/rate-plan-assignments', bm, { planId: id, scope: 'subscription', targetId: sub })).status).toBe(201);
    const preview = { target: { subscriptionId: sub }, records: smsRecords({ A1: 1 }) };
    expect((await call('POST', '/v1/rating/preview', bm, preview)).body.results[0].amount).toBe('0.01');
    expect((await call('POST', '/v1/rating/preview', stranger, preview)).body.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining(sub) });
    expect((await call('GET', `/v1/subscriptions/${sub}/rate-overrides`, bm)).body.items).toEqual([{ planId: id, rateId: 'sms', price: '0.01' }]);
  });

  it('serves the plan JSON Schema, also in the OpenAPI document', async () => {
    const bm = await billingManager();
    const schema = await call('GET', '/v1/rate-plans/schema', bm);
    expect(schema.body.required).toEqual(expect.arrayContaining(['id', 'version', 'currency', 'rounding']));
    const doc = await readJson(await ctx.app.request('/openapi.json'));
    expect(doc.components.schemas.RatePlan).toBeDefined();
  });
});

describe('POST /v1/rating/preview', () => {
  it('rates records under an inline plan with traces: the PPV window (SPEC §2.4)', async () => {
    const m = await aMarketplace(ctx.database.db);
    const res = await call('POST', '/v1/rating/preview', m.vendor.auth, {
      plan: aPpvPlan(uniquePlanId('ppv')), timeZone: 'Europe/Nicosia',
      records: [
        { id: 'night', start: '2024-03-04T03:15:00+02:00', usageType: 'ppv', account: 'A' },
        { id: 'evening', start: '2024-03-04T20:00:00+02:00', usageType: 'ppv', account: 'A' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { amount: string }) => r.amount)).toEqual(['5.00', '10.00']);
    expect(res.body.results[0].trace.rate).toMatchObject({ rate: { rateId: 'movie-night' }, window: { name: 'night' } });
    expect(res.body.periodCharges).toEqual([expect.objectContaining({ account: 'A', total: '15.00', currency: 'EUR' })]);
  });

  it('resolves a stored plan with its parent: the child rate wins, a missing child rate falls to the parent (SPEC §3.4)', async () => {
    const bm = await billingManager();
    const parent = uniquePlanId('parent');
    const child = uniquePlanId('child');
    await call('POST', '/v1/rate-plans', bm, {
      ...anSmsPlan(parent, '0.20'), rates: [{ id: 'sms', usageType: 'sms', unit: 'message', price: '0.20' }, { id: 'mms', usageType: 'mms', unit: 'message', price: '0.40' }],
    });
    await call('POST', '/v1/rate-plans', bm, anSmsPlan(child, '0.30', { parent: { id: parent } }));
    const res = await call('POST', '/v1/rating/preview', bm, {
      planId: child, records: [
        { id: 's', start: '2024-03-04T10:00:00Z', usageType: 'sms', quantity: '1', unit: 'message' },
        { id: 'm', start: '2024-03-04T10:00:00Z', usageType: 'mms', quantity: '1', unit: 'message' },
      ],
    });
    expect(res.body.plans).toEqual([{ id: child, version: 1 }, { id: parent, version: 1 }]);
    expect(res.body.results.map((r: { amount: string }) => r.amount)).toEqual(['0.30', '0.40']);
  });

  it('resolves the plan from assignments, most specific first, with the subscription\'s stored overrides (SPEC item 23)', async () => {
    const { bm, sub } = await aManagedSubscription();
    const [global, group, account] = [uniquePlanId('global'), uniquePlanId('group'), uniquePlanId('account')];
    await call('POST', '/v1/rate-plans', bm, anSmsPlan(global, '0.10'));
    await call('POST', '/v1/rate-plans', bm, anSmsPlan(group, '0.08'));
    await call('POST', '/v1/rate-plans', bm, anSmsPlan(account, '0.05'));
    const validFrom = new Date(Date.now() - 60_000).toISOString(); // unique per run: the global slot is shared
    const gold = `gold-${global}`;
    const acc = `ACC-${account}`;
    await call('POST', '/v1/rate-plan-assignments', bm, { planId: global, scope: 'global', validFrom });
    await call('POST', '/v1/rate-plan-assignments', bm, { planId: group, scope: 'customerGroup', targetId: gold, validFrom });
    await call('POST', '/v1/rate-plan-assignments', bm, { planId: account, scope: 'account', targetId: acc, validFrom });
    const sms = [{ id: 's', start: new Date().toISOString(), usageType: 'sms', quantity: '1', unit: 'message' }];
    const priceFor = async (target: Record<string, unknown>) => {
      const res = await call('POST', '/v1/rating/preview', bm, { target, records: sms });
      return [res.body.plans?.[0]?.id, res.body.results?.[0]?.amount];
    };
    expect(await priceFor({ accountId: acc, customerGroupIds: [gold] })).toEqual([account, '0.05']);
    expect(await priceFor({ accountId: 'someone-else', customerGroupIds: [gold] })).toEqual([group, '0.08']);
    expect(await priceFor({ accountId: 'someone-else' })).toEqual([global, '0.10']);
    await call('PUT', `/v1/subscriptions/${sub}/rate-overrides`, bm, { overrides: [{ planId: account, rateId: 'sms', price: '0.01' }] });
    expect(await priceFor({ subscriptionId: sub, accountId: acc })).toEqual([account, '0.01']);
  });

  it('takes CSV and names the row and field of a bad record', async () => {
    const m = await aMarketplace(ctx.database.db);
    const csv = 'id,account,start,usageType,quantity,unit\nr1,A,2024-03-01T10:00:00Z,sms,3,message\nr2,A,not-a-time,sms,1,message\n';
    const res = await call('POST', '/v1/rating/preview', m.vendor.auth, { plan: anSmsPlan(uniquePlanId('csv'), '0.05'), csv });
    expect(res.status).toBe(400);
    expect(res.body.error.issues).toEqual([expect.objectContaining({ path: 'body.csv row 3.start' })]);
    const ok = await call('POST', '/v1/rating/preview', m.vendor.auth, { plan: anSmsPlan(uniquePlanId('csv'), '0.05'), csv: csv.split('\n').slice(0, 2).join('\n') });
    expect(ok.body.results[0]).toMatchObject({ status: 'rated', amount: '0.15' });
  });

  it('names the record index and field in a JSON record, and needs exactly one plan source', async () => {
    const m = await aMarketplace(ctx.database.db);
    const bad = await call('POST', '/v1/rating/preview', m.vendor.auth, { plan: anSmsPlan(uniquePlanId('j'), '0.05'), records: [{ id: 'a', start: '2024-03-01T00:00:00Z', usageType: 'sms' }, { id: 'b', usageType: 'sms' }] });
    expect(bad.body.error.issues).toEqual([expect.objectContaining({ path: 'body.records[1].start' })]);
    const none = await call('POST', '/v1/rating/preview', m.vendor.auth, { records: [] });
    expect(none.status).toBe(400);
  });

  it('reports a record that cannot be rated with its reason, never a silent zero', async () => {
    const m = await aMarketplace(ctx.database.db);
    const res = await call('POST', '/v1/rating/preview', m.vendor.auth, { plan: anSmsPlan(uniquePlanId('nr'), '0.05'), records: [{ id: 'x', start: '2024-03-01T00:00:00Z', usageType: 'voice', durationSeconds: '60' }] });
    expect(res.body.results[0]).toMatchObject({ status: 'failed', reason: 'NO_RATE' });
  });
});

describe('what-if runs', () => {
  const waitForCompletion = async (id: string, auth: Record<string, string>) => {
    for (let i = 0; i < 200; i++) {
      const run = await call('GET', `/v1/rating/what-if/${id}`, auth);
      if (run.body.status === 'completed') return run.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`what-if ${id} did not complete`);
  };

  it('compares totals per plan, account and category with deltas, durably and in chunks, without posting', async () => {
    const bm = await billingManager();
    const current = uniquePlanId('current');
    await call('POST', '/v1/rate-plans', bm, anSmsPlan(current, '0.05'));
    const records = smsRecords({ A1: 10, A2: 5, A3: 7 });
    const start = await call('POST', '/v1/rating/what-if', bm, {
      plans: [{ name: 'current', planId: current }, { name: 'cheaper', plan: anSmsPlan(uniquePlanId('cheaper'), '0.04') }],
      records, chunkSize: 1,
    });
    expect(start).toMatchObject({ status: 202, body: { status: 'running', plans: ['current', 'cheaper'] } });
    const run = await waitForCompletion(start.body.id, bm);
    expect(run.progress).toMatchObject({ totalRecords: 3, ratedRecords: 3 });
    expect(run.result.totals).toEqual([
      expect.objectContaining({ plan: 'current', amount: '1.10', delta: '0', rated: 3 }),
      expect.objectContaining({ plan: 'cheaper', amount: '0.88', delta: '-0.22', rated: 3 }),
    ]);
    expect(run.result.byAccount.filter((r: { key: string }) => r.key === 'A1')).toEqual([
      { key: 'A1', plan: 'current', currency: 'EUR', amount: '0.50', delta: '0' },
      { key: 'A1', plan: 'cheaper', currency: 'EUR', amount: '0.40', delta: '-0.1' },
    ]);
    const csv = await call('GET', `/v1/rating/what-if/${start.body.id}/result.csv`, bm);
    expect(csv.body.split('\n')).toEqual(expect.arrayContaining(['scope,key,plan,currency,amount,deltaVsBaseline', 'total,,cheaper,EUR,0.88,-0.22']));

    const history = await ctx.temporal.workflow.getHandle(`what-if/${start.body.id}`).fetchHistory();
    const activities = history.events!.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name);
    expect(activities).toEqual(['planWhatIfChunks', 'rateWhatIfChunk', 'rateWhatIfChunk', 'rateWhatIfChunk', 'finishWhatIf']);
  });

  it("hides a run from other parties and refuses the CSV of a run that has not finished", async () => {
    const m = await aMarketplace(ctx.database.db);
    const other = await aMarketplace(ctx.database.db);
    const start = await call('POST', '/v1/rating/what-if', m.vendor.auth, { plans: [{ plan: anSmsPlan(uniquePlanId('p'), '0.05') }], records: smsRecords({ A: 1 }) });
    expect((await call('GET', `/v1/rating/what-if/${start.body.id}`, other.vendor.auth)).status).toBe(404);
    await waitForCompletion(start.body.id, m.vendor.auth);
    expect((await call('GET', `/v1/rating/what-if/${start.body.id}/result.csv`, m.vendor.auth)).status).toBe(200);
  });
});
