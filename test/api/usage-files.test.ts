import { describe, expect, it } from 'vitest';
import { listUsageFileEvents } from '../../db/queries/usage-files';
import { aCatalog, aUsageFileBody, aUsageRow, usageCsv, type Catalog } from '../fixtures/catalog';
import { apiClient } from '../fixtures/api';
import { readJson } from '../helpers/http';
import { useIntegration } from '../helpers/integration';

const ctx = useIntegration();

const call = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
  ctx.app.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const aMarketplace = aCatalog;
const aFileBody = aUsageFileBody;

async function createFile(m: Catalog, overrides = {}) {
  const res = await call('POST', '/v1/usage-files', m.vendor.auth, aFileBody(m, overrides));
  expect(res.status).toBe(201);
  return (await readJson(res)) as { id: string; status: string };
}

describe('usage files through the API', () => {
  it('creates a draft file and shows its live workflow state and event log', async () => {
    const m = await aMarketplace(ctx.database.db);
    const file = await createFile(m);
    expect(file.status).toBe('draft');
    expect(file.id).toMatch(/^UF-\d{4}-\d{2}-\d{4}-\d{4}$/);

    const res = await call('GET', `/v1/usage-files/${file.id}`, m.vendor.auth);
    expect(res.status).toBe(200);
    const body = await readJson(res);
    expect(body).toMatchObject({ id: file.id, status: 'draft', workflow: { status: 'draft', seq: 0 }, allowedActions: ['upload', 'delete'] });
    expect(body.events).toEqual([expect.objectContaining({ seq: 0, action: 'create', toStatus: 'draft', actorPartyId: m.vendor.party.id })]);
  });

  it('answers a repeated create with the same Idempotency-Key with the same file', async () => {
    const m = await aMarketplace(ctx.database.db);
    const headers = { ...m.vendor.auth, 'idempotency-key': 'batch-42' };
    const first = await call('POST', '/v1/usage-files', headers, aFileBody(m));
    const second = await call('POST', '/v1/usage-files', headers, aFileBody(m));
    expect((await readJson(first)).id).toBe((await readJson(second)).id);
    const list = await readJson(await call('GET', '/v1/usage-files', m.vendor.auth));
    expect(list.items).toHaveLength(1);
  });

  it('refuses an illegal transition with 409 and the current state, and changes nothing', async () => {
    const m = await aMarketplace(ctx.database.db);
    const file = await createFile(m);
    const res = await call('POST', `/v1/usage-files/${file.id}/submit`, m.vendor.auth, {});
    expect(res.status).toBe(409);
    const body = await readJson(res);
    expect(body.error).toMatchObject({ code: 'ILLEGAL_TRANSITION', currentState: 'draft', action: 'submit' });
    expect(body.error.message).toContain('Cannot submit a usage file in state draft');

    const after = await readJson(await call('GET', `/v1/usage-files/${file.id}`, m.vendor.auth));
    expect(after).toMatchObject({ status: 'draft', workflow: { status: 'draft', seq: 0 } });
    expect(await listUsageFileEvents(ctx.database.db, file.id)).toHaveLength(1);
  });

  it('deletes a draft; the workflow ends and every later action is refused with 409', async () => {
    const m = await aMarketplace(ctx.database.db);
    const file = await createFile(m);
    const del = await call('POST', `/v1/usage-files/${file.id}/delete`, m.vendor.auth, { note: 'wrong period' });
    expect(del.status).toBe(200);
    expect(await readJson(del)).toMatchObject({ status: 'deleted', allowedActions: [] });

    const again = await call('POST', `/v1/usage-files/${file.id}/delete`, m.vendor.auth, {});
    expect(again.status).toBe(409);
    expect((await readJson(again)).error).toMatchObject({ code: 'ILLEGAL_TRANSITION', currentState: 'deleted' });
    const events = await listUsageFileEvents(ctx.database.db, file.id);
    expect(events.map((e) => [e.action, e.toStatus, e.note])).toEqual([['create', 'draft', ''], ['delete', 'deleted', 'wrong period']]);
  });

  it('requires a key (401), the right role (403) and hides other parties\' files (404)', async () => {
    const m = await aMarketplace(ctx.database.db);
    const other = await aMarketplace(ctx.database.db);
    const file = await createFile(m);
    const before = await listUsageFileEvents(ctx.database.db, file.id);

    expect((await call('GET', `/v1/usage-files/${file.id}`)).status).toBe(401);
    expect((await call('GET', `/v1/usage-files/${file.id}`, { authorization: 'Bearer mf_nope' })).status).toBe(401);
    expect((await call('POST', '/v1/usage-files', m.provider.auth, aFileBody(m))).status).toBe(403);
    expect((await call('POST', `/v1/usage-files/${file.id}/delete`, m.ops.auth, {})).status).toBe(403);
    expect((await call('POST', `/v1/usage-files/${file.id}/delete`, m.provider.auth, {})).status).toBe(403);
    expect((await call('POST', `/v1/usage-files/${file.id}/accept`, m.vendor.auth, {})).status).toBe(403);
    expect((await call('GET', `/v1/usage-files/${file.id}`, other.vendor.auth)).status).toBe(404);
    expect((await call('POST', `/v1/usage-files/${file.id}/delete`, other.vendor.auth, {})).status).toBe(404);
    expect((await call('GET', `/v1/usage-files/${file.id}`, m.ops.auth)).status).toBe(200);
    expect(await listUsageFileEvents(ctx.database.db, file.id)).toEqual(before);
  });

  it('never shows a preview file to the provider', async () => {
    const m = await aMarketplace(ctx.database.db);
    const preview = await createFile(m, { environment: 'preview' });
    const production = await createFile(m);
    expect((await call('GET', `/v1/usage-files/${preview.id}`, m.provider.auth)).status).toBe(404);
    expect((await call('GET', `/v1/usage-files/${production.id}`, m.provider.auth)).status).toBe(200);
    const list = await readJson(await call('GET', '/v1/usage-files', m.provider.auth));
    expect(list.items.map((f: { id: string }) => f.id)).toEqual([production.id]);
  });

  it.each([
    ['an unknown field', { extra: 1 }, 'body'],
    ['a bad currency', { currency: 'euro' }, 'body.currency'],
    ['a period that ends before it starts', { period: { from: '2024-04-01T00:00:00Z', to: '2024-03-01T00:00:00Z' } }, 'body.period'],
    ['an unknown product', { productId: 'PRD-000-000-000' }, 'body.productId'],
    ['an unknown contract', { contractId: 'CTR-000-000-000' }, 'body.contractId'],
    ['a provider id (mass assignment)', { providerId: 'PA-0000-0000-0000' }, 'body'],
  ])('rejects %s with 400 naming the field', async (_name, overrides, path) => {
    const m = await aMarketplace(ctx.database.db);
    const res = await call('POST', '/v1/usage-files', m.vendor.auth, aFileBody(m, overrides));
    expect(res.status).toBe(400);
    const body = await readJson(res);
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.issues.map((i: { path: string }) => i.path).join(' ')).toContain(path);
    expect((await readJson(await call('GET', '/v1/usage-files', m.vendor.auth))).items).toHaveLength(0);
  });

  it('refuses a file on an inactive contract or on another vendor\'s product', async () => {
    const inactive = await aCatalog(ctx.database.db, { contractStatus: 'inactive' });
    const res = await call('POST', '/v1/usage-files', inactive.vendor.auth, aFileBody(inactive));
    expect(res.status).toBe(400);
    expect((await readJson(res)).error.message).toContain('not active');
    const m = await aCatalog(ctx.database.db);
    const other = await aCatalog(ctx.database.db);
    expect((await call('POST', '/v1/usage-files', m.vendor.auth, aFileBody(m, { productId: other.product.id }))).status).toBe(400);
  });

  it('deletes a file in invalid and in ready, and refuses delete once submitted (409, nothing changed)', async () => {
    const m = await aMarketplace(ctx.database.db);
    const api = apiClient(ctx.app);
    const invalid = await createFile(m);
    await api.upload(m, invalid.id, usageCsv([aUsageRow(m, 1, { quantity: 'x' })]), 'invalid');
    expect((await readJson(await call('POST', `/v1/usage-files/${invalid.id}/delete`, m.vendor.auth, {}))).status).toBe('deleted');
    const ready = await createFile(m);
    await api.upload(m, ready.id, usageCsv([aUsageRow(m, 1)]), 'ready');
    expect((await readJson(await call('POST', `/v1/usage-files/${ready.id}/delete`, m.vendor.auth, {}))).status).toBe('deleted');
    const pending = await createFile(m);
    await api.upload(m, pending.id, usageCsv([aUsageRow(m, 1)]), 'ready');
    await call('POST', `/v1/usage-files/${pending.id}/submit`, m.vendor.auth, {});
    const before = await listUsageFileEvents(ctx.database.db, pending.id);
    const res = await call('POST', `/v1/usage-files/${pending.id}/delete`, m.vendor.auth, {});
    expect(res.status).toBe(409);
    expect((await readJson(res)).error).toMatchObject({ currentState: 'pending', action: 'delete' });
    expect(await listUsageFileEvents(ctx.database.db, pending.id)).toEqual(before);
    // The upload of a pending file is refused before its body is read.
    expect((await api.send(`/v1/usage-files/${pending.id}/upload`, m.vendor.auth, usageCsv([aUsageRow(m, 2)]))).status).toBe(409);
    expect((await api.send(`/v1/usage-files/${pending.id}/upload`, m.provider.auth, usageCsv([aUsageRow(m, 2)]))).status).toBe(403);
  });

  it('requires a note to reject', async () => {
    const m = await aMarketplace(ctx.database.db);
    const file = await createFile(m);
    const res = await call('POST', `/v1/usage-files/${file.id}/reject`, m.provider.auth, {});
    expect(res.status).toBe(400);
  });
});

describe('service endpoints', () => {
  it('reports health of Postgres and Temporal', async () => {
    const res = await ctx.app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await readJson(res)).toEqual({ status: 'ok', postgres: 'ok', temporal: 'ok' });
  });

  it('serves the OpenAPI document generated from the zod schemas, and a docs page', async () => {
    const doc = await readJson(await ctx.app.request('/openapi.json'));
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/usage-files', '/v1/usage-files/{id}', '/v1/usage-files/{id}/submit']));
    expect(doc.components.schemas.CreateUsageFile.required).toEqual(expect.arrayContaining(['name', 'productId', 'contractId', 'currency', 'period']));
    const page = await ctx.app.request('/docs');
    expect(await page.text()).toContain('/openapi.json');
    expect((await ctx.app.request('/docs/assets/swagger-ui-bundle.js')).status).toBe(200);
  });

  it('lets an admin create a party and issue a key that then authenticates', async () => {
    const m = await aMarketplace(ctx.database.db);
    const party = await readJson(await call('POST', '/v1/parties', m.admin.auth, { kind: 'vendor', name: 'Acme Cloud' }));
    const key = await readJson(await call('POST', `/v1/parties/${party.id}/api-keys`, m.admin.auth, { role: 'vendor' }));
    const me = await readJson(await call('GET', '/v1/parties/me', { authorization: `Bearer ${key.key}` }));
    expect(me).toMatchObject({ party: { id: party.id, kind: 'vendor', name: 'Acme Cloud' }, role: 'vendor' });
    expect((await call('POST', '/v1/parties', m.vendor.auth, { kind: 'vendor', name: 'x' })).status).toBe(403);
  });
});
