import { describe, expect, it } from 'vitest';
import { aPartyWithKey } from '../fixtures/parties';
import type { Json } from '../helpers/http';
import { useIntegration } from '../helpers/integration';

// SPEC §4.2 with its numbers: a shared printer of 90.00 split 50/30/20; 100.00 as 40.00 fixed to IT
// plus the remainder 50/50.

const ctx = useIntegration({ worker: false });

const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: Json; text: string }> => {
  const res = await ctx.app.request(path, {
    method, headers: { ...headers, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null, text };
};

async function anOrganisation() {
  const bm = await aPartyWithKey(ctx.database.db, 'internal', 'billing_manager');
  for (const owner of [
    { id: 'org', kind: 'organisation', name: 'Acme' },
    { id: 'finance', kind: 'department', parentId: 'org', name: 'Finance' },
    { id: 'hr', kind: 'department', parentId: 'org', name: 'HR' },
    { id: 'it', kind: 'department', parentId: 'org', name: 'IT' },
    { id: 'it-ops', kind: 'costCentre', parentId: 'it', name: 'IT operations' },
  ]) expect((await call('POST', '/v1/allocation/owners', bm.auth, owner)).status).toBe(201);
  return bm;
}

describe('cost allocation', () => {
  it('splits 90.00 by 50/30/20 into 45.00, 27.00 and 18.00, and reports it per owner rolled up', async () => {
    const bm = await anOrganisation();
    const rule = { kind: 'percentage', shares: [{ ownerId: 'finance', percent: '50' }, { ownerId: 'hr', percent: '30' }, { ownerId: 'it-ops', percent: '20' }] };
    expect((await call('POST', '/v1/allocation/rules', bm.auth, { id: 'printer', name: 'Shared printer', rule })).status).toBe(201);
    const charge = await call('POST', '/v1/allocation/charges', bm.auth, { id: 'printer-2024-03', period: '2024-03', amount: '90.00', ruleId: 'printer' });
    expect(charge.status).toBe(201);
    expect(charge.body.parts).toEqual([{ ownerId: 'finance', amount: '45.00' }, { ownerId: 'hr', amount: '27.00' }, { ownerId: 'it-ops', amount: '18.00' }]);
    const report = await call('GET', '/v1/allocation/report?period=2024-03', bm.auth);
    expect(report.body.items.map((r: Json) => [r.drillDownKey, r.directAmount, r.totalAmount])).toEqual([
      ['org', '0.00', '90.00'], ['org/finance', '45.00', '45.00'], ['org/hr', '27.00', '27.00'], ['org/it', '0.00', '18.00'], ['org/it/it-ops', '18.00', '18.00'],
    ]);
    const csv = await call('GET', '/v1/allocation/report?period=2024-03&format=csv', bm.auth);
    expect(csv.text.split('\r\n').slice(0, 3)).toEqual([
      'source,period,owner_id,owner_kind,drill_down_key,depth,currency,direct_amount,total_amount,direct_record_count,total_record_count,charge_ids',
      'charge,2024-03,org,organisation,org,1,,0.00,90.00,,,',
      'charge,2024-03,finance,department,org/finance,2,,45.00,45.00,,,printer-2024-03',
    ]);
  });

  it('splits 100.00 as 40.00 fixed to IT plus the rest 50/50: IT 70.00, Finance 30.00', async () => {
    const bm = await anOrganisation();
    const rule = { kind: 'fixedPlusRemainder', amounts: [{ ownerId: 'it', amount: '40.00' }], shares: [{ ownerId: 'it', percent: '50' }, { ownerId: 'finance', percent: '50' }] };
    expect((await call('POST', '/v1/allocation/rules', bm.auth, { id: 'licence', name: 'Licence', rule })).status).toBe(201);
    expect((await call('POST', '/v1/allocation/rules', bm.auth, { id: 'licence', name: 'Licence', rule })).status).toBe(200);
    const body = { id: 'licence-2024-04', period: '2024-04', amount: '100.00', ruleId: 'licence' };
    expect((await call('POST', '/v1/allocation/charges', bm.auth, body)).body.parts).toEqual([{ ownerId: 'it', amount: '70.00' }, { ownerId: 'finance', amount: '30.00' }]);
    expect((await call('POST', '/v1/allocation/charges', bm.auth, body)).status).toBe(200);
    expect((await call('POST', '/v1/allocation/charges', bm.auth, { ...body, amount: '100.01' })).status).toBe(409);
    const report = await call('GET', '/v1/allocation/report?period=2024-04', bm.auth);
    expect(report.body.items.find((r: Json) => r.ownerId === 'org').totalAmount).toBe('100.00');
    expect(report.body.items.find((r: Json) => r.ownerId === 'it').chargeIds).toEqual(['licence-2024-04']);
  });

  it("keeps each party's books apart, lets ops read, and refuses bad owners and rules", async () => {
    const bm = await anOrganisation();
    const other = await aPartyWithKey(ctx.database.db, 'internal', 'billing_manager');
    const rule = { kind: 'percentage', shares: [{ ownerId: 'finance', percent: '100' }] };
    await call('POST', '/v1/allocation/rules', bm.auth, { id: 'all-finance', name: 'All to finance', rule });
    await call('POST', '/v1/allocation/charges', bm.auth, { id: 'c1', period: '2024-05', amount: '10.00', ruleId: 'all-finance' });
    expect((await call('GET', '/v1/allocation/report?period=2024-05', other.auth)).body.items).toEqual([]);
    expect((await call('POST', '/v1/allocation/charges', other.auth, { id: 'c1', period: '2024-05', amount: '10.00', ruleId: 'all-finance' })).status).toBe(400);
    const ops = await aPartyWithKey(ctx.database.db, 'internal', 'ops');
    expect((await call('GET', '/v1/allocation/report?period=2024-05', ops.auth)).status).toBe(200);
    expect((await call('POST', '/v1/allocation/owners', ops.auth, { id: 'x', kind: 'person', name: 'X' })).status).toBe(403);
    const vendor = await aPartyWithKey(ctx.database.db, 'vendor');
    expect((await call('GET', '/v1/allocation/report?period=2024-05', vendor.auth)).status).toBe(403);
    expect((await call('POST', '/v1/allocation/owners', bm.auth, { id: 'dept', kind: 'department', parentId: 'it-ops', name: 'Under a cost centre' })).body.error.code).toBe('INVALID_OWNER_HIERARCHY');
    expect((await call('POST', '/v1/allocation/rules', bm.auth, { id: 'r2', name: 'x', rule: { kind: 'percentage', shares: [{ ownerId: 'nobody', percent: '100' }] } })).status).toBe(400);
    expect((await call('POST', '/v1/allocation/rules', bm.auth, { id: 'r3', name: 'x', rule, extra: 1 })).status).toBe(400);
    expect((await call('GET', '/v1/allocation/report?period=2024-13', bm.auth)).status).toBe(400);
  });
});
