import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertBillableRecords } from '../../db/queries/billable-records';
import { aCatalog, aUsageRow, usageCsv, type Catalog } from '../fixtures/catalog';
import { apiClient } from '../fixtures/api';
import { anAccount, anOperator } from '../fixtures/billing';
import { aCsvFeed, mediationClient, uid } from '../fixtures/mediation';
import { anSmsPlan, smsRecords, uniquePlanId } from '../fixtures/rating';
import type { Json } from '../helpers/http';
import { useIntegration } from '../helpers/integration';

// The authorisation matrix, generated from the OpenAPI document so that a new route is covered
// (or fails here until it says what its ids name and what body it takes): every route with an id,
// called with another party's key on this party's object, answers as for an id that names nothing
// (404, or 403 when the role is refused before any lookup) and changes nothing; so does a body that
// names the owner's objects; a create naming, as the new object's id, the id of another party's
// object is refused and adds nothing to it; an ops key changes nothing anywhere (403); vendors
// cannot accept, providers cannot upload. A new resource adds one line to `resolvers` (see there).

const ctx = useIntegration();
const api = () => apiClient(ctx.app);

interface Route { method: string; path: string }
let routes: Route[] = [];
let owner: Catalog;
let other: Catalog;
let ids: Record<string, string>;
/** Billing managers, each of its own internal party: the owner's bills the owner's billing objects. */
let managers: Record<'owner' | 'other', Awaited<ReturnType<typeof anOperator>>>;
/** The other party's own objects, to create under them with the owner's ids. */
let theirs: { account: string; subscription: string; billingAccount: string; billingSubscription: string };

/**
 * The owner's object that a route's path parameters name, by path prefix (the first match wins).
 * A route with a path parameter and no line here fails the matrix: a new resource adds one line,
 * `['/v1/things/', () => ({ id: ids.thing })]`, and sets `ids.thing` to an object of the owner in
 * `beforeAll` (and its table to `snapshot`).
 */
const resolvers: Array<[prefix: string, params: () => Record<string, string>]> = [
  ['/v1/usage-files/', () => ({ id: ids.file! })],
  ['/v1/usage-records/', () => ({ id: ids.record! })],
  ['/v1/products/', () => ({ id: ids.product! })],
  ['/v1/contracts/', () => ({ id: ids.contract! })],
  ['/v1/assets/', () => ({ id: ids.asset! })],
  ['/v1/parties/', () => ({ id: ids.party! })],
  ['/v1/rate-plans/', () => ({ planId: ids.plan!, version: '1' })],
  ['/v1/subscriptions/', () => ({ subscriptionId: ids.subscription!, id: ids.subscription! })],
  ['/v1/accounts/', () => ({ id: ids.account! })],
  ['/v1/services/', () => ({ id: ids.service! })],
  ['/v1/feeds/', () => ({ id: ids.feed! })],
  ['/v1/feed-loads/', () => ({ id: ids.load! })],
  ['/v1/quarantine/reprocess/', () => ({ id: ids.reprocess! })],
  ['/v1/rating/what-if/', () => ({ id: ids.whatIf! })],
  ['/v1/wallets/', () => ({ id: ids.wallet! })],
  ['/v1/mediated-records/', () => ({ ref: `${ids.load}:1` })],
  ['/v1/billing-runs/', () => ({ id: ids.run! })],
  ['/v1/invoices/', () => ({ id: ids.invoice! })],
  ['/v1/billable-records/', () => ({ id: ids.billableRecord! })],
];
/**
 * Routes whose objects a billing manager's party owns (runs, invoices, billable records, the
 * operator's customer accounts with their subscriptions, overrides and services, its feeds, loads,
 * quarantined records and reprocess runs, and what-if runs): another party's billing manager is
 * answered as for an id that names nothing too. Usage files and records, wallets and the shared
 * catalog and rate plans are seen by every internal role by design.
 */
const managerScoped = [
  '/v1/billing-runs', '/v1/invoices', '/v1/billable-records', '/v1/accounts', '/v1/subscriptions', '/v1/services',
  '/v1/feeds', '/v1/feed-loads', '/v1/quarantine', '/v1/mediated-records', '/v1/rating/what-if',
];
const billingRecord = (id: string, accountId: string, subscriptionId: string) => ({
  id, accountId, subscriptionId, serviceId: 'voice', currency: 'EUR', category: 'TELEPHONY', item: 'national', unit: 'minute',
  quantity: '1', amount: '10.00', usageAt: '2024-03-10T12:00:00Z', billingEffectiveAt: '2024-03-10T12:00:00Z',
});
const hasParams = (r: Route) => r.path.includes('{');
const keyOf = (r: Route) => `${r.method.toUpperCase()} ${r.path}`;

/** The route's path with the owner's ids, or undefined when no resolver names all its parameters. */
function pathFor(route: Route): string | undefined {
  const values = resolvers.find(([prefix]) => route.path.startsWith(prefix))?.[1]();
  let complete = true;
  const path = route.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values?.[name];
    if (value === undefined) complete = false;
    return encodeURIComponent(value ?? '');
  });
  return complete ? path : undefined;
}

/** A valid body per write route, so that validation passes and authorisation is what answers. */
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
  'POST /v1/rate-plans': () => anSmsPlan(uniquePlanId('MATRIX'), '0.05'),
  'PUT /v1/rate-plans/{planId}/versions/{version}': () => anSmsPlan(ids.plan!, '0.07'),
  'POST /v1/rate-plan-assignments': () => ({ planId: ids.plan, scope: 'account', targetId: 'ACC-MATRIX' }),
  'PUT /v1/subscriptions/{subscriptionId}/rate-overrides': () => ({ overrides: [{ planId: ids.plan, rateId: 'sms', price: '0.02' }] }),
  'POST /v1/rating/preview': () => ({ planId: ids.plan, records: smsRecords({ A1: 1 }) }),
  'POST /v1/rating/what-if': () => ({ plans: [{ planId: ids.plan }], usageFileId: ids.file }),
  'POST /v1/wallets': () => ({ ownerPartyId: owner.vendor.party.id, currency: 'EUR' }),
  'PATCH /v1/wallets/{id}': { notifyEmail: 'matrix@example.test' }, 'POST /v1/wallets/{id}/top-ups': { amount: '5.00' }, 'POST /v1/wallets/{id}/debits': { amount: '1.00' },
  'POST /v1/allocation/owners': { id: 'ORG-MATRIX', kind: 'organisation', name: 'x' },
  'POST /v1/allocation/rules': () => ({ id: 'RULE-MATRIX', name: 'x', rule: { kind: 'percentage', shares: [{ ownerId: ids.allocationOwner, percent: '100' }] } }),
  'POST /v1/allocation/charges': () => ({ id: 'CHG-MATRIX', period: '2024-03', amount: '10.00', ruleId: ids.allocationRule }),
  'POST /v1/accounts': () => ({ id: 'ACC-MATRIX', currency: 'EUR', billingMode: 'prepaid', walletId: ids.wallet }),
  'PATCH /v1/accounts/{id}': { billingMode: 'postpaid' },
  'POST /v1/accounts/{id}/subscriptions': { id: 'SUB-MATRIX', startedAt: '2024-03-01T00:00:00Z', periods: 1 },
  'POST /v1/subscriptions/{id}/billing-periods/close': { startAt: '2024-03-01T00:00:00Z' },
  'POST /v1/subscriptions/{id}/services': { id: 'SVC-MATRIX', activeFrom: '2024-01-01T00:00:00Z' },
  'PATCH /v1/services/{id}': { status: 'INACTIVE' },
  'POST /v1/services/{id}/identifiers': { type: 'MSISDN', value: '+440000000000', validFrom: '2024-01-01T00:00:00Z' },
  'POST /v1/feeds': aCsvFeed('FEED-MATRIX'), 'POST /v1/feeds/{id}/versions': () => aCsvFeed(ids.feed!, 2), 'POST /v1/feeds/{id}/loads': 'raw',
  'PUT /v1/feeds/ownership-rules': [],
  'POST /v1/quarantine/cleanse': () => ({ records: [`${ids.load}:1`] }), 'POST /v1/quarantine/write-off': () => ({ records: [`${ids.load}:1`], note: 'x' }),
  'POST /v1/quarantine/withdraw': () => ({ records: [`${ids.load}:1`], note: 'x' }),
  'POST /v1/billing-runs': { runDate: '2024-05-03' }, 'PUT /v1/billing-schedule': {},
  'POST /v1/billing-runs/{id}/approve': {}, 'POST /v1/billing-runs/{id}/retry': {}, 'POST /v1/invoices/{id}/credit-notes': {},
  'POST /v1/billable-records': () => ({ records: [billingRecord('REC-MATRIX', ids.billingAccount!, ids.billingSubscription!)] }),
  'POST /v1/billable-records/{id}/actions': { kind: 'setNotToBeBilled' },
};
/**
 * Write routes whose body names an object of the owner: another vendor or provider (and, where
 * `admins` says so, another internal party: allocation data belongs to one party; where `managers`
 * says so, another billing manager) must be answered as if the object did not exist. Internal roles
 * otherwise see every party's objects by design.
 */
const bodyReferences: Record<string, { admins?: true; managers?: true }> = {
  'POST /v1/usage-files': {}, 'POST /v1/assets': {}, 'POST /v1/rating/preview': {}, 'POST /v1/rating/what-if': {},
  'POST /v1/allocation/rules': { admins: true }, 'POST /v1/allocation/charges': { admins: true },
  'POST /v1/quarantine/cleanse': { managers: true }, 'POST /v1/quarantine/write-off': { managers: true }, 'POST /v1/quarantine/withdraw': { managers: true },
  'POST /v1/billable-records': { managers: true },
  'POST /v1/accounts': {},
};
/** POSTs that only compute for the caller (a preview, a what-if run of its own): an ops key may call them. */
const computeOnly = ['POST /v1/rating/preview', 'POST /v1/rating/what-if'];

/** Calls a route on the owner's objects; `missing`: on ids that name nothing (same shape). */
async function request(route: Route, auth: Record<string, string>, { missing = false } = {}) {
  const saved = ids;
  if (missing) ids = Object.fromEntries(Object.entries(saved).map(([k, v]) => [k, `${v}-missing`]));
  let path: string | undefined;
  let body: unknown;
  try {
    path = pathFor(route);
    body = typeof bodies[keyOf(route)] === 'function' ? (bodies[keyOf(route)] as () => unknown)() : bodies[keyOf(route)];
  } finally {
    ids = saved;
  }
  expect(path, `add a resolver for ${route.path} to the authorisation matrix`).toBeDefined();
  if (route.method === 'get') return api().call('GET', path!, auth);
  expect(body, `add an example body for ${keyOf(route)} to the authorisation matrix`).toBeDefined();
  const headers = { ...auth, 'idempotency-key': randomUUID() };
  if (body === 'raw') return api().send(path!, headers, 'record_id,external_billing_id\r\nr-1,X\r\n');
  return api().call(route.method.toUpperCase(), path!, headers, body);
}

/** Everything the owner's marketplace has stored, and everything the matrix's callers created, as one comparable value. */
async function snapshot(): Promise<Json> {
  const callers = [owner, other].flatMap((c) => [c.vendor, c.provider, c.ops, c.admin].map((k) => k.party.id))
    .concat(managers.owner.party.id, managers.other.party.id).join(',');
  const operator = owner.provider.party.id;
  const manager = managers.owner.party.id;
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
           (select count(*) from parties) as parties,
           (select json_agg(v order by v.plan_id, v.version) from rate_plan_versions v where v.plan_id = ${ids.plan} or v.created_by = any(string_to_array(${callers}, ','))) as plans,
           (select count(*) from rate_plan_assignments where plan_id = ${ids.plan}) as assignments,
           (select json_agg(o order by o.plan_id, o.rate_id) from rate_overrides o where o.subscription_id = ${ids.subscription}) as overrides,
           (select json_agg(w order by w.id) from wallets w where w.owner_party_id = ${owner.vendor.party.id} or w.created_by = any(string_to_array(${callers}, ','))) as wallets,
           (select count(*) from wallet_transactions t join wallets w on w.id = t.wallet_id where w.owner_party_id = ${owner.vendor.party.id}) as transactions,
           (select count(*) from what_if_runs where owner_party_id = ${owner.vendor.party.id}) as what_ifs,
           (select count(*) from allocation_owners where party_id = any(string_to_array(${callers}, ','))) as allocation_owners,
           (select count(*) from allocation_rules where party_id = any(string_to_array(${callers}, ','))) as allocation_rules,
           (select count(*) from allocation_charges where party_id = any(string_to_array(${callers}, ','))) as allocation_charges,
           (select json_agg(a order by a.id) from customer_accounts a where a.owner_party_id = ${operator}) as accounts,
           (select json_agg(s order by s.id) from subscriptions s join customer_accounts a on a.id = s.account_id where a.owner_party_id = ${operator}) as subscriptions,
           (select json_agg(b order by b.subscription_id, b.start_at) from billing_periods b join subscriptions s on s.id = b.subscription_id
              join customer_accounts a on a.id = s.account_id where a.owner_party_id = ${operator}) as periods,
           (select json_agg(v order by v.id) from services v join subscriptions s on s.id = v.subscription_id
              join customer_accounts a on a.id = s.account_id where a.owner_party_id = ${operator}) as services,
           (select json_agg(i order by i.service_id, i.type, i.value, i.valid_from) from service_identifiers i join services v on v.id = i.service_id
              join subscriptions s on s.id = v.subscription_id join customer_accounts a on a.id = s.account_id where a.owner_party_id = ${operator}) as identifiers,
           (select json_agg(f order by f.id) from feeds f where f.owner_party_id = any(string_to_array(${callers}, ','))) as feeds,
           (select count(*) from feed_versions v join feeds f on f.id = v.feed_id where f.owner_party_id = ${operator}) as feed_versions,
           (select json_agg(l order by l.id) from feed_loads l join feeds f on f.id = l.feed_id where f.owner_party_id = ${operator}) as loads,
           (select json_agg(m order by m.load_id, m.row_no) from mediated_records m join feeds f on f.id = m.feed_id where f.owner_party_id = ${operator}) as mediated,
           (select count(*) from mediation_events e join feed_loads l on l.id = e.load_id join feeds f on f.id = l.feed_id where f.owner_party_id = ${operator}) as mediation_events,
           (select count(*) from reprocess_requests where owner_party_id = ${operator} or requested_by = any(string_to_array(${callers}, ','))) as reprocess_requests,
           (select count(*) from ownership_rules where owner_party_id = any(string_to_array(${callers}, ','))) as ownership_rules,
           (select json_agg(r order by r.id) from billing_runs r where r.owner_party_id = any(string_to_array(${callers}, ','))) as billing_runs,
           (select json_agg(a order by a.run_id, a.account_id) from billing_run_accounts a join billing_runs r on r.id = a.run_id where r.owner_party_id = ${manager}) as run_accounts,
           (select json_agg(i order by i.id) from invoices i where i.owner_party_id = any(string_to_array(${callers}, ','))) as invoices,
           (select count(*) from invoice_lines l join invoices i on i.id = l.invoice_id where i.owner_party_id = ${manager}) as invoice_lines,
           (select json_agg(b order by b.id) from billable_records b join customer_accounts a on a.id = b.account_id
              where a.owner_party_id = any(string_to_array(${callers}, ','))) as billable_records,
           (select count(*) from billable_record_events) as billable_record_events,
           (select count(*) from ledger_postings) as ledger_postings`);
  return rows[0];
}

beforeAll(async () => {
  const doc = await (await ctx.app.request('/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
  routes = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method, path })));
  owner = await aCatalog(ctx.database.db);
  other = await aCatalog(ctx.database.db);
  managers = { owner: await anOperator(ctx.database.db), other: await anOperator(ctx.database.db) };
  const file = await api().createFile(owner);
  await api().upload(owner, file.id, usageCsv([aUsageRow(owner, 1), aUsageRow(owner, 2)]), 'ready');
  await api().json(await api().call('POST', `/v1/usage-files/${file.id}/submit`, owner.vendor.auth, {}), 200);
  await api().json(await api().call('POST', `/v1/usage-files/${file.id}/accept`, owner.provider.auth, {}), 200);
  const records = await api().json(await api().call('GET', `/v1/usage-records?fileId=${file.id}`, owner.vendor.auth), 200);
  // The owner's rating, wallet and allocation objects: a plan assigned to the vendor, a subscription
  // with an override, a wallet with a top-up, a what-if run of the vendor, an allocation rule.
  const admin = owner.admin.auth;
  const plan = uniquePlanId('MATRIX');
  await api().json(await api().call('POST', '/v1/rate-plans', admin, anSmsPlan(plan, '0.05')), 201);
  await api().json(await api().call('POST', '/v1/rate-plan-assignments', admin, { planId: plan, scope: 'account', targetId: owner.vendor.party.id }), 201);
  // The owner operator's mediation objects: an account, subscription and service, a feed with a
  // load whose record is quarantined (UNIDENTIFIED), cleansed once and back in quarantine.
  const mediation = mediationClient(ctx.app);
  const service = uid('svc');
  const { account, subscription } = await mediation.aCustomer(owner.provider.auth, admin, [{ id: service, identifiers: [uid('+4477')] }]);
  const feed = uid('feed');
  await mediation.ok('POST', '/v1/feeds', owner.provider.auth, aCsvFeed(feed), 201);
  const load = await mediation.upload(feed, owner.provider.auth, 'id,number,start,seconds,type,to\nq1,+440000000001,2024-03-04T10:00:00Z,60,voice,+44\n');
  await mediation.loaded(load.id, owner.provider.auth);
  const cleansed = await mediation.ok('POST', '/v1/quarantine/cleanse', owner.provider.auth, { records: [`${load.id}:1`] }, 202);
  await mediation.reprocessed(cleansed.requestId, owner.provider.auth);
  // The owner billing manager's billing objects: a record of its account billed by a completed run into an invoice.
  const billingAccount = await anAccount(ctx.database.sql, managers.owner.party.id);
  const billable = billingRecord(`rec-${randomUUID()}`, billingAccount.accountId, billingAccount.subscriptionId);
  await insertBillableRecords(ctx.database.sql, [{ ...billable, source: 'feed', sourceRef: 'matrix' }]);
  const run = await api().json(await api().call('POST', '/v1/billing-runs', managers.owner.auth, { runDate: '2024-04-03' }), 202);
  await mediation.until(`billing run ${run.id}`, async () => api().json(await api().call('GET', `/v1/billing-runs/${run.id}`, managers.owner.auth), 200), (r) => r.phase === 'completed');
  const [invoice] = await ctx.database.sql`select id from invoices where run_id = ${run.id}`;
  const theirBilling = await anAccount(ctx.database.sql, managers.other.party.id);
  theirs = { ...(await mediation.aCustomer(other.provider.auth, other.admin.auth, [])), billingAccount: theirBilling.accountId, billingSubscription: theirBilling.subscriptionId };
  await api().json(await api().call('PUT', `/v1/subscriptions/${subscription}/rate-overrides`, admin, { overrides: [{ planId: plan, rateId: 'sms', price: '0.01' }] }), 200);
  const wallet = await api().json(await api().call('POST', '/v1/wallets', admin, { ownerPartyId: owner.vendor.party.id, currency: 'EUR' }), 201);
  await api().json(await api().call('POST', `/v1/wallets/${wallet.id}/top-ups`, { ...admin, 'idempotency-key': randomUUID() }, { amount: '10.00' }), 201);
  const whatIf = await api().json(await api().call('POST', '/v1/rating/what-if', owner.vendor.auth, { plans: [{ planId: plan }], records: smsRecords({ A1: 1 }) }), 202);
  await api().json(await api().call('POST', '/v1/allocation/owners', admin, { id: 'ORG-1', kind: 'organisation', name: 'Owner org' }), 201);
  await api().json(await api().call('POST', '/v1/allocation/rules', admin, { id: 'RULE-1', name: 'All to org', rule: { kind: 'percentage', shares: [{ ownerId: 'ORG-1', percent: '100' }] } }), 201);
  ids = {
    file: file.id, record: records.items[0].id, product: owner.product.id, contract: owner.contract.id, asset: owner.assets[0]!.id, party: owner.vendor.party.id,
    plan, subscription, wallet: wallet.id, whatIf: whatIf.id, allocationOwner: 'ORG-1', allocationRule: 'RULE-1',
    account, service, feed, load: load.id, reprocess: cleansed.requestId,
    run: run.id, invoice: invoice!.id, billableRecord: billable.id, billingAccount: billingAccount.accountId, billingSubscription: billingAccount.subscriptionId,
  };
}, 120_000);

describe('authorisation matrix (from the OpenAPI document)', () => {
  it('covers every route of the document: every /v1 route wants a key, every id a resolver, every write a body', async () => {
    expect(routes.length).toBeGreaterThan(50);
    for (const r of routes) {
      const res = await ctx.app.request(r.path.replace(/\{[^}]+\}/g, 'X'), { method: r.method.toUpperCase() });
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
    }
    expect(routes.filter(hasParams).filter((r) => pathFor(r) === undefined).map(keyOf), 'routes with an id but no resolver').toEqual([]);
    expect(routes.filter((r) => r.method !== 'get' && bodies[keyOf(r)] === undefined).map(keyOf), 'write routes with no example body').toEqual([]);
    expect(Object.keys(bodyReferences).filter((k) => !routes.some((r) => keyOf(r) === k)), 'body references naming no route').toEqual([]);
  });

  it('answers another party\'s vendor and provider keys on every route with an id as if the object did not exist (404, or 403 before any lookup), and changes nothing', async () => {
    const before = await snapshot();
    const outcomes: string[] = [];
    for (const route of routes.filter(hasParams)) {
      const managed = managerScoped.some((prefix) => route.path.startsWith(prefix));
      for (const [who, auth] of [['vendor', other.vendor.auth], ['provider', other.provider.auth], ...(managed ? [['billing manager', managers.other.auth] as const] : [])] as const) {
        const res = await request(route, auth);
        const missing = await request(route, auth, { missing: true });
        const fine = res.status === missing.status && (res.status === 404 || res.status === 403);
        if (!fine) outcomes.push(`${keyOf(route)} as another ${who}: ${res.status} (missing id: ${missing.status}) ${await res.text()}`);
      }
    }
    expect(outcomes).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('answers another party naming the owner\'s objects in a body as if they did not exist, and changes nothing', async () => {
    const before = await snapshot();
    const outcomes: string[] = [];
    for (const route of routes.filter((r) => keyOf(r) in bodyReferences)) {
      const { admins, managers: scoped } = bodyReferences[keyOf(route)]!;
      const callers = [
        ['vendor', other.vendor.auth], ['provider', other.provider.auth],
        ...(admins ? [['admin', other.admin.auth] as const] : []), ...(scoped ? [['billing manager', managers.other.auth] as const] : []),
      ] as const;
      for (const [who, auth] of callers) {
        const res = await request(route, auth);
        const missing = await request(route, auth, { missing: true });
        const fine = res.status === missing.status && [400, 403, 404, 422].includes(res.status);
        if (!fine) outcomes.push(`${keyOf(route)} as another ${who}: ${res.status} (missing ids: ${missing.status}) ${await res.text()}`);
      }
    }
    expect(outcomes).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('answers another party naming the owner\'s allocation owner in a query as if it did not exist (404; vendors and providers 403), and changes nothing', async () => {
    const before = await snapshot();
    const outcomes: string[] = [];
    const path = (ownerId: string) => `/v1/allocation/report/records?period=2024-03&ownerId=${ownerId}`;
    for (const [who, auth, status] of [['vendor', other.vendor.auth, 403], ['provider', other.provider.auth, 403], ['admin', other.admin.auth, 404], ['ops', other.ops.auth, 404]] as const) {
      const res = await api().call('GET', path(ids.allocationOwner!), auth);
      const missing = await api().call('GET', path(`${ids.allocationOwner}-missing`), auth);
      if (res.status !== status || missing.status !== status) outcomes.push(`as another ${who}: ${res.status} (missing id: ${missing.status}) ${await res.text()}`);
    }
    expect(outcomes).toEqual([]);
    expect((await api().call('GET', path(ids.allocationOwner!), owner.admin.auth)).status).toBe(200);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses creating an object with the id of another\'s (another party\'s: 404, a feed id 409; the owner\'s under another parent: 409; a stored billable record is left as it is), and changes nothing', async () => {
    const mine = await mediationClient(ctx.app).aCustomer(owner.provider.auth, owner.admin.auth, []);
    const before = await snapshot();
    const identifiers = [{ type: 'MSISDN', value: '+449999999999', validFrom: '2023-01-01T00:00:00Z' }];
    const subscription = { id: ids.subscription, startedAt: '2023-01-01T00:00:00Z', periods: 2 };
    const service = { id: ids.service, activeFrom: '2023-01-01T00:00:00Z', identifiers };
    for (const [auth, path, body, status] of [
      [other.provider.auth, '/v1/accounts', { id: ids.account, currency: 'EUR' }, 404],
      [other.provider.auth, `/v1/accounts/${theirs.account}/subscriptions`, subscription, 404],
      [other.provider.auth, `/v1/subscriptions/${theirs.subscription}/services`, service, 404],
      [other.provider.auth, '/v1/feeds', aCsvFeed(ids.feed!), 409],
      [owner.provider.auth, `/v1/accounts/${mine.account}/subscriptions`, subscription, 409],
      [owner.provider.auth, `/v1/subscriptions/${mine.subscription}/services`, service, 409],
      [managers.other.auth, '/v1/billing-runs', { runDate: '2024-04-03', id: ids.run }, 404],
      [managers.other.auth, '/v1/billable-records', { records: [billingRecord(ids.billableRecord!, theirs.billingAccount, theirs.billingSubscription)] }, 201],
    ] as const) {
      const res = await api().call('POST', path, auth, body);
      expect(res.status, `POST ${path}: ${await res.text()}`).toBe(status);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('lets an ops key read but change nothing (403 on every write)', async () => {
    const before = await snapshot();
    const outcomes: string[] = [];
    for (const route of routes.filter((r) => r.method !== 'get' && !computeOnly.includes(keyOf(r)))) {
      const res = await request(route, owner.ops.auth);
      if (res.status !== 403) outcomes.push(`${keyOf(route)}: ${res.status} ${await res.text()}`);
    }
    for (const route of routes.filter((r) => r.method === 'get' && hasParams(r))) {
      const res = await request(route, owner.ops.auth);
      if (![200, 409].includes(res.status)) outcomes.push(`${keyOf(route)}: ${res.status} ${await res.text()}`);
    }
    expect(outcomes).toEqual([]);
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
