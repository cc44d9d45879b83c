import { createRoute, z } from '@hono/zod-openapi';
import { NotFoundError, ValidationError } from '../../domain/errors';
import { ITEM_PRECISIONS, USAGE_SCHEMAS } from '../../domain/usage-file/columns';
import {
  canSeeAsset, canSeeContract, canSeeProduct, findAsset, findContract, findProduct, insertAsset, insertContract, insertItem, insertProduct,
  listContracts, listItems, listProducts, newCatalogId, upsertUsageRule,
} from '../../db/queries/catalog';
import { findParty } from '../../db/queries/parties';
import { buildUsageTemplate } from '../../lib/spreadsheet/usage-template';
import { requireRole } from '../auth';
import { bearerSecurity, newRouter, type ApiDeps } from '../context';
import { binary, errors, IdParam, json } from './usage-file-shared';

// The catalog: contracts (admin), products and items (vendor), assets and usage rules (provider),
// and the usage-file template of a product's schema.

const bad = (path: string, message: string) => new ValidationError(`${path}: ${message}`, [{ path, message }]);
const iso = (d: Date) => d.toISOString();

const ContractJson = z.object({ id: z.string(), vendorId: z.string(), providerId: z.string(), name: z.string(), status: z.enum(['active', 'inactive']), providerEmail: z.string(), createdAt: z.string() }).openapi('Contract');
const ProductJson = z.object({
  id: z.string(), vendorId: z.string(), name: z.string(), schema: z.enum(USAGE_SCHEMAS),
  capabilities: z.object({ dynamic: z.boolean(), future: z.boolean(), late: z.boolean() }), createdAt: z.string(),
}).openapi('Product');
const ItemJson = z.object({ id: z.string(), productId: z.string(), mpn: z.string(), globalId: z.string().nullable(), name: z.string(), unit: z.string(), precision: z.enum(ITEM_PRECISIONS), type: z.enum(['ppu', 'reservation']) }).openapi('Item');
const AssetJson = z.object({ id: z.string(), productId: z.string(), providerId: z.string(), customerId: z.string().nullable(), customerName: z.string(), externalId: z.string().nullable(), params: z.record(z.string(), z.string()), reconId: z.string().nullable() }).openapi('Asset');
const RuleBody = z.strictObject({
  autoAccept: z.boolean(), maxTotalAmount: z.string().regex(/^\d+(\.\d+)?$/).nullable().default(null), maxRecords: z.number().int().positive().nullable().default(null),
  maxAgeDays: z.number().int().positive().nullable().default(null), reminderAfterDays: z.number().positive().max(365).nullable().default(null),
}).openapi('UsageRule');

const contractJson = (c: NonNullable<Awaited<ReturnType<typeof findContract>>>) => ({ ...c, createdAt: iso(c.createdAt) });
const productJson = (p: NonNullable<Awaited<ReturnType<typeof findProduct>>>) => ({
  id: p.id, vendorId: p.vendorId, name: p.name, schema: p.schema, capabilities: { dynamic: p.dynamicItems, future: p.futureCharges, late: p.lateCharges }, createdAt: iso(p.createdAt),
});
const itemJson = (i: Awaited<ReturnType<typeof listItems>>[number]) => ({ id: i.id, productId: i.productId, mpn: i.mpn, globalId: i.globalId, name: i.name, unit: i.unit, precision: i.precision, type: i.type });
const assetJson = (a: NonNullable<Awaited<ReturnType<typeof findAsset>>>) => ({ id: a.id, productId: a.productId, providerId: a.providerId, customerId: a.customerId, customerName: a.customerName, externalId: a.externalId, params: a.params, reconId: a.reconId });

export function catalogRoutes(deps: ApiDeps) {
  const app = newRouter();
  const db = deps.database.db;
  const visibleProduct = async (caller: Parameters<typeof canSeeProduct>[1], id: string) => {
    const p = await findProduct(db, id);
    if (!p || !(await canSeeProduct(db, caller, p))) throw new NotFoundError('Product', id);
    return p;
  };

  app.openapi(createRoute({
    method: 'post', path: '/contracts', security: bearerSecurity, summary: 'Create a contract between a vendor and a provider (admin)',
    request: { body: { content: { 'application/json': { schema: z.strictObject({ vendorId: z.string(), providerId: z.string(), name: z.string().min(1).max(200), status: z.enum(['active', 'inactive']).default('active'), providerEmail: z.email() }) } }, required: true } },
    responses: { 201: json(ContractJson, 'Created'), ...errors },
  }), async (c) => {
    requireRole(c.get('caller').role, ['admin'], 'create contracts');
    const body = c.req.valid('json');
    if ((await findParty(db, body.vendorId))?.kind !== 'vendor') throw bad('body.vendorId', 'not a vendor');
    if ((await findParty(db, body.providerId))?.kind !== 'provider') throw bad('body.providerId', 'not a provider');
    return c.json(contractJson(await insertContract(db, { id: newCatalogId('CTR'), ...body })), 201);
  });
  app.openapi(createRoute({ method: 'get', path: '/contracts', security: bearerSecurity, summary: 'Contracts the caller is party to', responses: { 200: json(z.object({ items: z.array(ContractJson) }), 'Contracts'), ...errors } }),
    async (c) => c.json({ items: (await listContracts(db, c.get('caller'))).map(contractJson) }, 200));
  app.openapi(createRoute({ method: 'get', path: '/contracts/{id}', security: bearerSecurity, summary: 'A contract', request: { params: IdParam }, responses: { 200: json(ContractJson, 'The contract'), ...errors } }),
    async (c) => {
      const contract = await findContract(db, c.req.valid('param').id);
      if (!contract || !canSeeContract(c.get('caller'), contract)) throw new NotFoundError('Contract', c.req.valid('param').id);
      return c.json(contractJson(contract), 200);
    });

  app.openapi(createRoute({
    method: 'post', path: '/products', security: bearerSecurity, summary: 'Create a product with one reporting schema (vendor)',
    request: { body: { content: { 'application/json': { schema: z.strictObject({ name: z.string().min(1).max(200), schema: z.enum(USAGE_SCHEMAS), capabilities: z.strictObject({ dynamic: z.boolean().default(false), future: z.boolean().default(false), late: z.boolean().default(false) }).default({ dynamic: false, future: false, late: false }) }) } }, required: true } },
    responses: { 201: json(ProductJson, 'Created'), ...errors },
  }), async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, ['vendor'], 'create products');
    const { name, schema, capabilities } = c.req.valid('json');
    const p = await insertProduct(db, { id: newCatalogId('PRD'), vendorId: caller.partyId, name, schema, dynamicItems: capabilities.dynamic, futureCharges: capabilities.future, lateCharges: capabilities.late });
    return c.json(productJson(p), 201);
  });
  app.openapi(createRoute({ method: 'get', path: '/products', security: bearerSecurity, summary: 'Products the caller may see', responses: { 200: json(z.object({ items: z.array(ProductJson) }), 'Products'), ...errors } }),
    async (c) => {
      const caller = c.get('caller');
      const all = await listProducts(db, caller);
      const visible = [];
      for (const p of all) if (await canSeeProduct(db, caller, p)) visible.push(p);
      return c.json({ items: visible.map(productJson) }, 200);
    });
  app.openapi(createRoute({ method: 'get', path: '/products/{id}', security: bearerSecurity, summary: 'A product with its items', request: { params: IdParam }, responses: { 200: json(ProductJson.extend({ items: z.array(ItemJson) }), 'The product'), ...errors } }),
    async (c) => {
      const p = await visibleProduct(c.get('caller'), c.req.valid('param').id);
      return c.json({ ...productJson(p), items: (await listItems(db, p.id)).map(itemJson) }, 200);
    });
  app.openapi(createRoute({
    method: 'post', path: '/products/{id}/items', security: bearerSecurity, summary: 'Add a pay-as-you-go or reservation item (vendor)',
    request: { params: IdParam, body: { content: { 'application/json': { schema: z.strictObject({ mpn: z.string().min(1).max(100), globalId: z.string().max(100).optional(), name: z.string().min(1).max(200), unit: z.string().min(1).max(50), precision: z.enum(ITEM_PRECISIONS), type: z.enum(['ppu', 'reservation']).default('ppu') }) } }, required: true } },
    responses: { 201: json(ItemJson, 'Created'), ...errors, 409: json(z.object({ error: z.object({ code: z.string() }).loose() }), 'The MPN exists') },
  }), async (c) => {
    const caller = c.get('caller');
    const p = await visibleProduct(caller, c.req.valid('param').id); // another party's product: 404 before the role check
    requireRole(caller.role, ['vendor'], 'add items');
    const body = c.req.valid('json');
    const item = await insertItem(db, { id: newCatalogId('ITM'), productId: p.id, ...body, globalId: body.globalId ?? null });
    if (!item) throw new ValidationError(`body.mpn: the product already has an item ${body.mpn}`, [{ path: 'body.mpn', message: 'exists' }]);
    return c.json(itemJson(item), 201);
  });
  app.openapi(createRoute({
    method: 'get', path: '/products/{id}/usage-template', security: bearerSecurity, summary: "The XLSX usage-file template for the product's schema",
    request: { params: IdParam }, responses: { 200: binary('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'The template'), ...errors },
  }), async (c) => {
    const p = await visibleProduct(c.get('caller'), c.req.valid('param').id);
    const buffer = await buildUsageTemplate(p.schema, { dynamic: p.dynamicItems });
    return c.body(new Uint8Array(buffer), 200, { 'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'content-disposition': `attachment; filename="${p.id}-usage-template-${p.schema}.xlsx"` });
  });
  app.openapi(createRoute({
    method: 'put', path: '/products/{id}/usage-rule', security: bearerSecurity, summary: "Set the caller's (provider's) usage rule for a product: auto-accept limits and reminder",
    request: { params: IdParam, body: { content: { 'application/json': { schema: RuleBody } }, required: true } },
    responses: { 200: json(RuleBody, 'The rule'), ...errors },
  }), async (c) => {
    const caller = c.get('caller');
    const p = await visibleProduct(caller, c.req.valid('param').id);
    requireRole(caller.role, ['provider'], 'set usage rules');
    const body = c.req.valid('json');
    await upsertUsageRule(db, { productId: p.id, providerId: caller.partyId, ...body, reminderAfterDays: body.reminderAfterDays === null ? null : String(body.reminderAfterDays) });
    return c.json(body, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/assets', security: bearerSecurity, summary: "Create an asset (subscription) of a product for one of the provider's customers",
    request: { body: { content: { 'application/json': { schema: z.strictObject({ productId: z.string(), customerId: z.string().max(100).optional(), customerName: z.string().max(200).optional(), externalId: z.string().max(100).optional(), params: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), z.string().max(500)).default({}), reconId: z.string().max(200).optional() }) } }, required: true } },
    responses: { 201: json(AssetJson, 'Created'), ...errors },
  }), async (c) => {
    const caller = c.get('caller');
    requireRole(caller.role, ['provider'], 'create assets');
    const body = c.req.valid('json');
    const p = await visibleProduct(caller, body.productId);
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(body.params)) if (k !== '__proto__') params[k] = v;
    const a = await insertAsset(db, { id: newCatalogId('AS'), productId: p.id, providerId: caller.partyId, customerId: body.customerId ?? null, customerName: body.customerName ?? '', externalId: body.externalId ?? null, params, reconId: body.reconId ?? null });
    return c.json(assetJson(a), 201);
  });
  app.openapi(createRoute({ method: 'get', path: '/assets/{id}', security: bearerSecurity, summary: 'An asset', request: { params: IdParam }, responses: { 200: json(AssetJson, 'The asset'), ...errors } }),
    async (c) => {
      const a = await findAsset(db, c.req.valid('param').id);
      if (!a || !canSeeAsset(c.get('caller'), a)) throw new NotFoundError('Asset', c.req.valid('param').id);
      return c.json(assetJson(a), 200);
    });
  return app;
}
