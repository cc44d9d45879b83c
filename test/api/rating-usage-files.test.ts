import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { insertAsset, newCatalogId } from '../../db/queries/catalog';
import { apiClient } from '../fixtures/api';
import { aCatalog, aUsageRow, usageCsv, type Catalog } from '../fixtures/catalog';
import { aPartyWithKey } from '../fixtures/parties';
import { uniquePlanId } from '../fixtures/rating';
import { useIntegration } from '../helpers/integration';

// What-if over stored usage: a usage file's records, and customer accounts' records over a date
// range, under two storage prices (a billing manager: its own party's usage files only).
const ctx = useIntegration();
const api = () => apiClient(ctx.app);

const storagePlan = (id: string, price: string) => ({
  id, version: 1, currency: 'EUR', rounding: { method: 'half-up', decimals: 2 },
  rates: [{ id: 'storage', usageType: 'MPN-STORAGE-GB', unit: 'GB', price }],
});

async function readyFile(c: Catalog, rows: string[][]) {
  const file = await api().createFile(c);
  await api().upload(c, file.id, usageCsv(rows), 'ready');
  return file.id;
}

async function compare(auth: Record<string, string>, selection: Record<string, unknown>) {
  const started = await api().json(await api().call('POST', '/v1/rating/what-if', auth, {
    plans: [{ name: 'list', plan: storagePlan(uniquePlanId('list'), '0.10') }, { name: 'discounted', plan: storagePlan(uniquePlanId('disc'), '0.08') }],
    ...selection,
  }), 202);
  for (let i = 0; i < 300; i++) {
    const run = await api().json(await api().call('GET', `/v1/rating/what-if/${started.id}`, auth), 200);
    if (run.status === 'completed') return run;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('what-if did not complete');
}

describe('what-if over stored usage', () => {
  it("compares a usage file's records (11.5 + 12.5 + 13.5 GB) under two prices", async () => {
    const c = await aCatalog(ctx.database.db);
    const fileId = await readyFile(c, [1, 2, 3].map((n) => aUsageRow(c, n)));
    const run = await compare(c.vendor.auth, { usageFileId: fileId });
    expect(run.progress).toMatchObject({ totalRecords: 3, ratedRecords: 3 });
    expect(run.result.totals.map((t: { plan: string; amount: string; delta: string }) => [t.plan, t.amount, t.delta])).toEqual([
      ['list', '3.75', '0'],
      ['discounted', '3.00', '-0.75'],
    ]);
  });

  it("hides another vendor's file (404) and lets only internal roles select accounts", async () => {
    const c = await aCatalog(ctx.database.db);
    const other = await aCatalog(ctx.database.db);
    const fileId = await readyFile(c, [aUsageRow(c, 1)]);
    const res = await api().call('POST', '/v1/rating/what-if', other.vendor.auth, { plans: [{ plan: storagePlan(uniquePlanId('x'), '0.1') }], usageFileId: fileId });
    expect(res.status).toBe(404);
    const accounts = { accounts: { ids: ['CUST-1'], from: '2024-03-01T00:00:00Z', to: '2024-04-01T00:00:00Z' } };
    const vendorTry = await api().call('POST', '/v1/rating/what-if', c.vendor.auth, { plans: [{ plan: storagePlan(uniquePlanId('x'), '0.1') }], ...accounts });
    expect(vendorTry.status).toBe(403);
  });

  it("compares customer accounts' production records inside the date range only", async () => {
    const c = await aCatalog(ctx.database.db);
    const customer = `CUST-${randomUUID()}`;
    const asset = await insertAsset(ctx.database.db, {
      id: newCatalogId('AS'), productId: c.product.id, providerId: c.provider.party.id, customerId: customer, customerName: 'Mine', params: {}, reconId: null,
    });
    await readyFile(c, [
      aUsageRow(c, 1, { asset_search_value: asset!.id, quantity: '100' }),
      aUsageRow(c, 2, { asset_search_value: asset!.id, quantity: '50', start_time_utc: '2024-03-20 00:00:00' }),
      aUsageRow(c, 3, { quantity: '999' }), // another customer's asset
    ]);
    // The provider's billing manager compares its usage; another operator's billing manager finds none of it.
    const manager = await api().json(await api().call('POST', `/v1/parties/${c.provider.party.id}/api-keys`, c.admin.auth, { role: 'billing_manager' }), 201);
    const selection = { accounts: { ids: [customer], from: '2024-03-01T00:00:00Z', to: '2024-03-15T00:00:00Z' } };
    const run = await compare({ authorization: `Bearer ${manager.key}` }, selection);
    expect(run.result.totals.map((t: { amount: string }) => t.amount)).toEqual(['10.00', '8.00']);
    expect(run.result.byAccount.map((r: { key: string }) => r.key)).toEqual([customer, customer]);
    const rival = await compare((await aPartyWithKey(ctx.database.db, 'provider', 'billing_manager')).auth, selection);
    expect(rival.progress).toMatchObject({ totalRecords: 0 });
    expect(rival.result.byAccount).toEqual([]);
    expect((await compare(c.ops.auth, selection)).result.totals.map((t: { amount: string }) => t.amount)).toEqual(['10.00', '8.00']);
  });
});
