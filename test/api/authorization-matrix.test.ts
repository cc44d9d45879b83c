import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { aCatalog, aUsageRow, usageCsv, type Catalog } from '../fixtures/catalog';
import { apiClient } from '../fixtures/api';
import type { Json } from '../helpers/http';
import { useIntegration } from '../helpers/integration';

// The authorisation matrix, generated from the OpenAPI document so that a new route is covered
// (or fails here until it says what its id names and what body it takes): every route with an id,
// called with another party's key on this party's object, answers 404 and changes nothing; an ops
// key changes nothing anywhere (403); vendors cannot accept, providers cannot upload.

const ctx = useIntegration();
const api = () => apiClient(ctx.app);

interface Route { method: string; path: string }
/**
 * Prefixes whose objects this file builds. Routes of other features (rating) get the generic check
 * only (no key: 401) until their owners add a resolver and example bodies here.
 */
const resolved = ['/v1/usage-files', '/v1/usage-records', '/v1/products', '/v1/contracts', '/v1/assets', '/v1/parties'];
let unresolved: Route[] = [];
let routes: Route[] = [];
let owner: Catalog;
let other: Catalog;
let ids: Record<string, string>;

/** Which object an `{id}` names, by the route's prefix. */
const idFor = (path: string): string | undefined =>
  path.startsWith('/v1/usage-files/') ? ids.file : path.startsWith('/v1/usage-records/') ? ids.record
    : path.startsWith('/v1/products/') ? ids.product : path.startsWith('/v1/contracts/') ? ids.contract
      : path.startsWith('/v1/assets/') ? ids.asset : path.startsWith('/v1/parties/') ? ids.party : undefined;

/** A valid body per route, so that validation passes and authorisation is what answers. */
const bodies: Record<string, unknown> = {
  'POST /v1/usage-files/{id}/submit': {}, 'POST /v1/usage-files/{id}/accept': {}, 'POST /v1/usage-files/{id}/reject': { note: 'no' },
  'POST /v1/usage-files/{id}/delete': {}, 'POST /v1/usage-files/{id}/upload': 'raw', 'POST /v1/usage-files/{id}/reconciliations': 'raw',
  'POST /v1/usage-files/{id}/records/close': () => ({ records: [{ id: ids.record, externalBillingId: 'X' }] }),
  'POST /v1/usage-records/{id}/close': { externalBillingId: 'X' }, 'PUT /v1/usage-records/{id}': { externalBillingNote: 'x' },
  'POST /v1/products/{id}/items': { mpn: 'MPN-NEW', name: 'New', unit: 'u', precision: 'integer' },
  'PUT /v1/products/{id}/usage-rule': { autoAccept: true },
  'POST /v1/parties/{id}/api-keys': { role: 'vendor' },
  'POST /v1/usage-files': () => ({ name: 'x', productId: ids.product, contractId: ids.contract, currency: 'EUR', period: { from: '2024-03-01T00:00:00Z', to: '2024-03-31T00:00:00Z' } }),
  'POST /v1/products': { name: 'x', schema: 'QT' }, 'POST /v1/assets': () => ({ productId: ids.product }),
  'POST /v1/contracts': () => ({ vendorId: owner.vendor.party.id, providerId: owner.provider.party.id, name: 'x', providerEmail: 'a@b.test' }),
  'POST /v1/parties': { kind: 'vendor', name: 'x' },
};

async function request(route: Route, auth: Record<string, string>) {
  const path = route.path.replace('{id}', encodeURIComponent(idFor(route.path) ?? 'none'));
  const key = `${route.method.toUpperCase()} ${route.path}`;
  const body = typeof bodies[key] === 'function' ? (bodies[key] as () => unknown)() : bodies[key];
  if (route.method === 'get') return api().call('GET', path, auth);
  expect(body, `add an example body for ${key} to the authorisation matrix`).toBeDefined();
  if (body === 'raw') return api().send(path, auth, 'record_id,external_billing_id\r\nr-1,X\r\n');
  return api().call(route.method.toUpperCase(), path, auth, body);
}

/** Everything the owner's marketplace has stored, as one comparable value. */
async function snapshot(): Promise<Json> {
  const rows = await ctx.database.db.execute(sql`
    select (select json_agg(f order by f.id) from usage_files f where f.vendor_id = ${owner.vendor.party.id}) as files,
           (select count(*) from usage_file_events e join usage_files f on f.id = e.file_id where f.vendor_id = ${owner.vendor.party.id}) as events,
           (select json_agg(r order by r.row_no) from usage_records r where r.file_id = ${ids.file}) as records,
           (select count(*) from items where product_id = ${ids.product}) as items,
           (select count(*) from products where vendor_id = ${owner.vendor.party.id}) as products,
           (select count(*) from assets where provider_id = ${owner.provider.party.id}) as assets,
           (select count(*) from usage_rules where product_id = ${ids.product}) as rules,
           (select count(*) from contracts where vendor_id = ${owner.vendor.party.id}) as contracts,
           (select count(*) from usage_reconciliations where file_id = ${ids.file}) as recons,
           (select count(*) from api_keys where party_id = ${owner.vendor.party.id}) as keys,
           (select count(*) from parties) as parties`);
  return rows[0];
}

beforeAll(async () => {
  const doc = await (await ctx.app.request('/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
  const all = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method, path })));
  routes = all.filter((r) => resolved.some((prefix) => r.path === prefix || r.path.startsWith(`${prefix}/`)));
  unresolved = all.filter((r) => !routes.includes(r));
  owner = await aCatalog(ctx.database.db);
  other = await aCatalog(ctx.database.db);
  const file = await api().createFile(owner);
  await api().upload(owner, file.id, usageCsv([aUsageRow(owner, 1), aUsageRow(owner, 2)]), 'ready');
  await api().json(await api().call('POST', `/v1/usage-files/${file.id}/submit`, owner.vendor.auth, {}), 200);
  await api().json(await api().call('POST', `/v1/usage-files/${file.id}/accept`, owner.provider.auth, {}), 200);
  const records = await api().json(await api().call('GET', `/v1/usage-records?fileId=${file.id}`, owner.vendor.auth), 200);
  ids = { file: file.id, record: records.items[0].id, product: owner.product.id, contract: owner.contract.id, asset: owner.assets[0]!.id, party: owner.vendor.party.id };
}, 120_000);

describe('authorisation matrix (from the OpenAPI document)', () => {
  it('covers every route of the document; every /v1 route wants a key', async () => {
    expect(routes.length).toBeGreaterThan(25);
    for (const r of [...routes, ...unresolved]) {
      const res = await ctx.app.request(r.path.replace(/\{[^}]+\}/g, 'X'), { method: r.method.toUpperCase() });
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
    }
    for (const r of routes.filter((x) => x.path.includes('{id}'))) expect(idFor(r.path), `no object for ${r.path}`).toBeDefined();
  });

  it('answers 404 to another party\'s vendor and provider keys on every route with an id, and changes nothing', async () => {
    const before = await snapshot();
    const outcomes: string[] = [];
    for (const route of routes.filter((r) => r.path.includes('{id}'))) {
      for (const [who, auth] of [['vendor', other.vendor.auth], ['provider', other.provider.auth]] as const) {
        const res = await request(route, auth);
        // Party administration is for admins: every other role is refused before any lookup.
        const expected = route.path.startsWith('/v1/parties/') ? 403 : 404;
        if (res.status !== expected) outcomes.push(`${route.method.toUpperCase()} ${route.path} as another ${who}: ${res.status} ${await res.text()}`);
      }
    }
    expect(outcomes).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('lets an ops key read but change nothing (403 on every write)', async () => {
    const before = await snapshot();
    const outcomes: string[] = [];
    for (const route of routes.filter((r) => r.method !== 'get')) {
      const res = await request(route, owner.ops.auth);
      if (res.status !== 403) outcomes.push(`${route.method.toUpperCase()} ${route.path}: ${res.status} ${await res.text()}`);
    }
    expect(outcomes).toEqual([]);
    for (const route of routes.filter((r) => r.method === 'get' && r.path.startsWith('/v1/usage-'))) {
      const res = await request(route, owner.ops.auth);
      expect([200, 409], `${route.path}`).toContain(res.status);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('refuses the owner\'s own keys the other side\'s actions: vendors cannot accept or close, providers cannot upload or submit', async () => {
    const before = await snapshot();
    for (const [method, path, auth] of [
      ['post', '/v1/usage-files/{id}/accept', owner.vendor.auth], ['post', '/v1/usage-files/{id}/reject', owner.vendor.auth],
      ['post', '/v1/usage-files/{id}/records/close', owner.vendor.auth], ['post', '/v1/usage-records/{id}/close', owner.vendor.auth],
      ['post', '/v1/usage-files/{id}/upload', owner.provider.auth], ['post', '/v1/usage-files/{id}/submit', owner.provider.auth],
      ['post', '/v1/usage-files/{id}/delete', owner.provider.auth], ['post', '/v1/usage-files/{id}/reconciliations', owner.vendor.auth],
    ] as const) {
      expect((await request({ method, path }, auth)).status, `${method} ${path}`).toBe(403);
    }
    expect(await snapshot()).toEqual(before);
  });
});
