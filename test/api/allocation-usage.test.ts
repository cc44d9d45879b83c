import { beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../db/queries/parties';
import { sumMoney } from '../../domain/money';
import { aCsvFeed, mediationClient, uid } from '../fixtures/mediation';
import { aPartyWithKey } from '../fixtures/parties';
import type { Json } from '../helpers/http';
import { useIntegration } from '../helpers/integration';

// The allocation report reaches the usage records: mediation assigns each COMPLETED record an owner
// by ownership rules; the report sums the caller's records of a month per owner and currency, rolled
// up its owner hierarchy, and the drill-down lists the charge parts and records behind an amount.
// Voice is 0.10 a minute (by the second), SMS 0.05 (4 decimals), in GBP or EUR by the customer's plan.

const ctx = useIntegration();
const HEADER = 'id,number,start,seconds,type,to\n';
type Auth = Record<string, string>;

const get = async (path: string, auth: Auth) => {
  const res = await ctx.app.request(path, { headers: auth });
  const text = await res.text();
  return { status: res.status, body: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null) as Json, text, headers: res.headers };
};

/** An operator: feeds and ownership rules under its provider key, allocation under a billing manager key of the same party. */
async function anOperatorWithUsage(rules: unknown[], customers: Array<{ currency: string; numbers: string[]; rows: string[] }>) {
  const api = mediationClient(ctx.app);
  const provider = await aPartyWithKey(ctx.database.db, 'provider');
  const admin = await aPartyWithKey(ctx.database.db, 'internal', 'admin');
  const bm = { authorization: `Bearer ${(await createApiKey(ctx.database.db, { partyId: provider.party.id, role: 'billing_manager' })).key}` };
  await api.ok('PUT', '/v1/feeds/ownership-rules', provider.auth, rules, 200);
  const feed = uid('feed');
  await api.ok('POST', '/v1/feeds', provider.auth, aCsvFeed(feed), 201);
  const loads: string[] = [];
  for (const customer of customers) {
    await api.aCustomer(provider.auth, admin.auth, customer.numbers.map((n) => ({ id: uid('svc'), identifiers: [n] })), 'MSISDN', { currency: customer.currency });
    const load = await api.upload(feed, provider.auth, HEADER + customer.rows.join('\n') + '\n');
    await api.loaded(load.id, provider.auth);
    loads.push(load.id);
  }
  return { api, provider, bm, loads, feed };
}

let op: Awaited<ReturnType<typeof anOperatorWithUsage>>;
let numbers: Record<string, string>;
let gbp: string;
let eur: string;

beforeAll(async () => {
  const n = { alice: uid('+4477'), alice2: uid('+4477'), pool: uid('+4477'), carol: uid('+4477'), ops: uid('+4477') };
  numbers = n;
  const rules = [
    { id: 'r-alice', owner: { kind: 'PERSON', id: 'alice' }, serviceIdentifier: n.alice },
    { id: 'r-alice-eur', owner: { kind: 'PERSON', id: 'alice' }, serviceIdentifier: n.alice2 },
    { id: 'r-carol', owner: { kind: 'PERSON', id: '=carol' }, serviceIdentifier: n.carol },
    { id: 'r-ops', owner: { kind: 'COST_CENTRE', id: 'cc-ops' }, serviceIdentifier: n.ops },
  ];
  op = await anOperatorWithUsage(rules, [
    {
      currency: 'GBP', numbers: [n.alice, n.pool, n.carol, n.ops],
      rows: [
        `a1,${n.alice},2024-03-01T00:00:00Z,60,voice,+44`, // 0.10, first instant of March
        `a2,${n.alice},2024-03-31T23:58:00Z,120,voice,+44`, // 0.20, ends in the last minute of March
        `a3,${n.alice},2024-04-01T00:00:00Z,60,voice,+44`, // April: not in the March report
        `a4,${n.alice},2024-03-10T10:00:00Z,0,voice,+44`, // quarantined (zero duration): not COMPLETED
        `p1,${n.pool},2024-03-05T10:00:00Z,1,sms,+44`, // 0.05, no owner: UNASSIGNED
        `c1,${n.carol},2024-03-06T10:00:00Z,180,voice,+44`, // 0.30, an owner outside the hierarchy
        `o1,${n.ops},2024-03-07T10:00:00Z,120,voice,+44`, // 0.20, to the cost centre itself
      ],
    },
    {
      currency: 'EUR', numbers: [n.alice2],
      rows: [`e1,${n.alice2},2024-03-08T10:00:00Z,60,voice,+44`, `e2,${n.alice2},2024-03-09T10:00:00Z,600,voice,+44`], // 0.10 + 1.00 EUR
    },
  ]);
  [gbp, eur] = op.loads as [string, string];
  for (const owner of [
    { id: 'org', kind: 'organisation', name: 'Acme' },
    { id: 'cc-ops', kind: 'costCentre', parentId: 'org', name: 'Operations' },
    { id: 'alice', kind: 'person', parentId: 'cc-ops', name: 'Alice' },
    { id: 'apollo', kind: 'project', parentId: 'org', name: 'Apollo (no usage)' },
  ]) await op.api.ok('POST', '/v1/allocation/owners', op.bm, owner, 201);
  await op.api.ok('POST', '/v1/allocation/rules', op.bm, { id: 'all-alice', name: 'Phone', rule: { kind: 'percentage', shares: [{ ownerId: 'alice', percent: '100' }] } }, 201);
  await op.api.ok('POST', '/v1/allocation/charges', op.bm, { id: 'phone-2024-03', period: '2024-03', amount: '12.00', ruleId: 'all-alice', description: '=cmd|calc' }, 201);
}, 120_000);

const refs = (items: Json[]) => items.map((i) => i.ref);
const usageSum = (items: Json[], currency: string) => sumMoney(items.filter((i) => i.source === 'usage' && i.currency === currency).map((i) => i.amount as string));

async function allPages(query: string, auth: Auth, limit: number) {
  const items: Json[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await get(`/v1/allocation/report/records?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, auth);
    expect(page.status, page.text).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
    pages++;
  } while (cursor !== null);
  return { items, pages };
}

describe('allocation report with usage', () => {
  it('sums the month\'s COMPLETED records per owner and currency, rolled up the hierarchy, beside the charge rows', async () => {
    const report = await get('/v1/allocation/report?period=2024-03', op.bm);
    expect(report.status, report.text).toBe(200);
    expect(report.body.items.map((r: Json) => [r.drillDownKey, r.directAmount, r.totalAmount])).toEqual([
      ['org', '0.00', '12.00'], ['org/cc-ops', '0.00', '12.00'], ['org/cc-ops/alice', '12.00', '12.00'],
    ]);
    expect(report.body.usage.map((r: Json) => [r.drillDownKey, r.ownerKind, r.currency, r.directAmount, r.totalAmount, r.directRecordCount, r.totalRecordCount])).toEqual([
      ['=carol', 'person', 'GBP', '0.30', '0.30', 1, 1],
      ['UNASSIGNED', 'unassigned', 'GBP', '0.05', '0.05', 1, 1],
      ['org', 'organisation', 'EUR', '0.00', '1.10', 0, 2],
      ['org', 'organisation', 'GBP', '0.00', '0.50', 0, 3],
      ['org/cc-ops', 'costCentre', 'EUR', '0.00', '1.10', 0, 2],
      ['org/cc-ops', 'costCentre', 'GBP', '0.20', '0.50', 1, 3],
      ['org/cc-ops/alice', 'person', 'EUR', '1.10', '1.10', 2, 2],
      ['org/cc-ops/alice', 'person', 'GBP', '0.30', '0.30', 2, 2],
    ]);
    const april = await get('/v1/allocation/report?period=2024-04', op.bm);
    expect(april.body.usage.map((r: Json) => [r.drillDownKey, r.currency, r.directAmount])).toEqual([
      ['org', 'GBP', '0.00'], ['org/cc-ops', 'GBP', '0.00'], ['org/cc-ops/alice', 'GBP', '0.10'],
    ]);
    expect(april.body.items).toEqual([]);
  });

  it('puts usage rows in the CSV beside the charge rows (source, currency), formula-escaped', async () => {
    const csv = await get('/v1/allocation/report?period=2024-03&format=csv', op.bm);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text.split('\r\n')).toEqual([
      'source,period,owner_id,owner_kind,drill_down_key,depth,currency,direct_amount,total_amount,direct_record_count,total_record_count,charge_ids',
      'charge,2024-03,org,organisation,org,1,,0.00,12.00,,,',
      'charge,2024-03,cc-ops,costCentre,org/cc-ops,2,,0.00,12.00,,,',
      'charge,2024-03,alice,person,org/cc-ops/alice,3,,12.00,12.00,,,phone-2024-03',
      "usage,2024-03,'=carol,person,'=carol,1,GBP,0.30,0.30,1,1,",
      'usage,2024-03,UNASSIGNED,unassigned,UNASSIGNED,1,GBP,0.05,0.05,1,1,',
      'usage,2024-03,org,organisation,org,1,EUR,0.00,1.10,0,2,',
      'usage,2024-03,org,organisation,org,1,GBP,0.00,0.50,0,3,',
      'usage,2024-03,cc-ops,costCentre,org/cc-ops,2,EUR,0.00,1.10,0,2,',
      'usage,2024-03,cc-ops,costCentre,org/cc-ops,2,GBP,0.20,0.50,1,3,',
      'usage,2024-03,alice,person,org/cc-ops/alice,3,EUR,1.10,1.10,2,2,',
      'usage,2024-03,alice,person,org/cc-ops/alice,3,GBP,0.30,0.30,2,2,',
      '',
    ]);
  });

  it('drills down to the charge parts and records behind an owner, summing to the report, per currency', async () => {
    const alice = await get('/v1/allocation/report/records?period=2024-03&ownerId=alice', op.bm);
    expect(alice.status, alice.text).toBe(200);
    expect(alice.body.ownerIds).toEqual(['alice']);
    const [charge, ...records] = alice.body.items as Json[];
    expect(charge).toEqual({
      source: 'charge', ref: 'phone-2024-03', ownerId: 'alice', amount: '12.00', currency: null, usageAt: null, serviceIdentifier: null, category: null,
      description: '=cmd|calc', ruleId: 'all-alice',
    });
    expect(records.map((r) => [r.ref, r.usageAt, r.serviceIdentifier, r.category, r.amount, r.currency, r.ownerId]).sort()).toEqual([
      [`${gbp}:1`, '2024-03-01T00:00:00.000Z', numbers.alice, 'TELEPHONY', '0.1000', 'GBP', 'alice'],
      [`${gbp}:2`, '2024-03-31T23:58:00.000Z', numbers.alice, 'TELEPHONY', '0.2000', 'GBP', 'alice'],
      [`${eur}:1`, '2024-03-08T10:00:00.000Z', numbers.alice2, 'TELEPHONY', '0.1000', 'EUR', 'alice'],
      [`${eur}:2`, '2024-03-09T10:00:00.000Z', numbers.alice2, 'TELEPHONY', '1.0000', 'EUR', 'alice'],
    ].sort());
    expect(alice.body.nextCursor).toBeNull();
    const report = (await get('/v1/allocation/report?period=2024-03', op.bm)).body.usage as Json[];
    const row = (key: string, currency: string) => report.find((r) => r.drillDownKey === key && r.currency === currency)!;
    expect(usageSum(records, 'GBP').equals(row('org/cc-ops/alice', 'GBP').directAmount)).toBe(true);
    expect(usageSum(records, 'EUR').equals(row('org/cc-ops/alice', 'EUR').directAmount)).toBe(true);

    const ops = await get('/v1/allocation/report/records?period=2024-03&ownerId=cc-ops', op.bm);
    expect(refs(ops.body.items)).toEqual([`${gbp}:7`]);
    const below = await get('/v1/allocation/report/records?period=2024-03&ownerId=cc-ops&includeDescendants=true', op.bm);
    expect(below.body.ownerIds).toEqual(['cc-ops', 'alice']);
    expect(refs(below.body.items).sort()).toEqual(['phone-2024-03', `${gbp}:1`, `${gbp}:2`, `${gbp}:7`, `${eur}:1`, `${eur}:2`].sort());
    expect(usageSum(below.body.items, 'GBP').toFixed(2)).toBe(row('org/cc-ops', 'GBP').totalAmount);
    expect(usageSum(below.body.items, 'EUR').toFixed(2)).toBe(row('org/cc-ops', 'EUR').totalAmount);

    const pool = await get('/v1/allocation/report/records?period=2024-03&ownerId=UNASSIGNED', op.bm);
    expect(pool.body.items.map((r: Json) => [r.ref, r.ownerId, r.amount, r.currency])).toEqual([[`${gbp}:5`, 'UNASSIGNED', '0.0500', 'GBP']]);
    const empty = await get('/v1/allocation/report/records?period=2024-03&ownerId=apollo&includeDescendants=true', op.bm);
    expect([empty.status, empty.body.items]).toEqual([200, []]);
  });

  it('pages in a stable order, every item exactly once, JSON and CSV alike', async () => {
    const query = 'period=2024-03&ownerId=org&includeDescendants=true';
    const whole = await get(`/v1/allocation/report/records?${query}`, op.bm);
    expect(whole.body.items).toHaveLength(6);
    for (const limit of [1, 2, 4]) {
      const { items, pages } = await allPages(query, op.bm, limit);
      expect(items).toEqual(whole.body.items);
      expect(pages).toBe(Math.ceil(6 / limit));
    }
    const csv = await get(`/v1/allocation/report/records?${query}&format=csv&limit=4`, op.bm);
    expect(csv.text.split('\r\n')).toHaveLength(1 + 4 + 1);
    const next = csv.headers.get('x-next-cursor');
    const rest = await get(`/v1/allocation/report/records?${query}&format=csv&limit=4&cursor=${next}`, op.bm);
    expect(rest.headers.get('x-next-cursor')).toBeNull();
    const lines = [...csv.text.split('\r\n').slice(1, -1), ...rest.text.split('\r\n').slice(1, -1)];
    expect(lines.map((l) => l.split(',')[1])).toEqual(refs(whole.body.items));
  });

  it('escapes CSV cells that would start a formula, and leaves amounts as plain decimals', async () => {
    const carol = await get(`/v1/allocation/report/records?period=2024-03&ownerId=${encodeURIComponent('=carol')}&format=csv`, op.bm);
    expect(carol.status, carol.text).toBe(200);
    expect(carol.text).toBe(
      'source,ref,owner_id,amount,currency,usage_at,service_identifier,category,description,rule_id\r\n'
      + `usage,${gbp}:6,'=carol,0.3000,GBP,2024-03-06T10:00:00.000Z,'${numbers.carol},TELEPHONY,,\r\n`,
    );
    const alice = await get('/v1/allocation/report/records?period=2024-03&ownerId=alice&format=csv&limit=1', op.bm);
    expect(alice.text.split('\r\n')[1]).toBe("charge,phone-2024-03,alice,12.00,,,,,'=cmd|calc,all-alice");
  });

  it('refuses an unknown owner (404), a bad period or cursor (400), other roles (403), and never shows another party\'s records', async () => {
    const unknown = await get('/v1/allocation/report/records?period=2024-03&ownerId=nobody', op.bm);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'NOT_FOUND']);
    expect(unknown.body.error.message).toContain('nobody');
    // Known from its records, in a month without any: an empty page, not 404.
    expect((await get(`/v1/allocation/report/records?period=2024-05&ownerId=${encodeURIComponent('=carol')}`, op.bm)).body.items).toEqual([]);
    const period = await get('/v1/allocation/report/records?period=2024-13&ownerId=alice', op.bm);
    expect([period.status, period.body.error.issues.map((i: Json) => i.path)]).toEqual([400, ['query.period']]);
    const cursor = await get('/v1/allocation/report/records?period=2024-03&ownerId=alice&cursor=bm90LWEtY3Vyc29y', op.bm);
    expect([cursor.status, cursor.body.error.issues.map((i: Json) => i.path)]).toEqual([400, ['query.cursor']]);
    expect((await get('/v1/allocation/report/records?period=2024-03&ownerId=alice', op.provider.auth)).status).toBe(403);
    const ops = { authorization: `Bearer ${(await createApiKey(ctx.database.db, { partyId: op.provider.party.id, role: 'ops' })).key}` };
    expect(refs((await get('/v1/allocation/report/records?period=2024-03&ownerId=UNASSIGNED', ops)).body.items)).toEqual([`${gbp}:5`]);

    // Another operator whose records mediation also gives to "alice": neither sees the other's.
    const x = uid('+4477');
    const other = await anOperatorWithUsage(
      [{ id: 'r', owner: { kind: 'PERSON', id: 'alice' } }],
      [{ currency: 'GBP', numbers: [x], rows: [`x1,${x},2024-03-02T10:00:00Z,60,voice,+44`] }],
    );
    const theirs = await get('/v1/allocation/report/records?period=2024-03&ownerId=alice', other.bm);
    expect(theirs.body.items.map((r: Json) => [r.ref, r.amount])).toEqual([[`${other.loads[0]}:1`, '0.1000']]);
    expect((await get('/v1/allocation/report?period=2024-03', other.bm)).body.usage.map((r: Json) => [r.drillDownKey, r.directAmount])).toEqual([['alice', '0.10']]);
    expect(refs((await get('/v1/allocation/report/records?period=2024-03&ownerId=alice', op.bm)).body.items)).not.toContain(`${other.loads[0]}:1`);
    expect((await get(`/v1/allocation/report/records?period=2024-03&ownerId=${encodeURIComponent('=carol')}`, other.bm)).status).toBe(404);
    const stranger = await aPartyWithKey(ctx.database.db, 'internal', 'billing_manager');
    expect((await get('/v1/allocation/report?period=2024-03', stranger.auth)).body.usage).toEqual([]);
    expect((await get('/v1/allocation/report/records?period=2024-03&ownerId=alice', stranger.auth)).status).toBe(404);
  }, 60_000);
});
