import { createRoute, z } from '@hono/zod-openapi';
import { and, eq } from 'drizzle-orm';
import { seesParty, type Caller } from '../../domain/access';
import { BILLING_MODES, checkAccountBilling, periodContainingInstant, type AccountBilling, type BillingCycle } from '../../domain/billing';
import { DomainError, NotFoundError } from '../../domain/errors';
import { isTimeZone } from '../../domain/rating/time-zone';
import type { DbOrTx } from '../../db/client';
import { findWallet } from '../../db/queries/wallets';
import { billingPeriods, customerAccounts, serviceIdentifiers, services, subscriptions } from '../../db/schema';
import { requireRole } from '../auth';
import { bearerSecurity, newRouter, type ApiDeps } from '../context';
import { conflict, errors, json } from '../openapi';

// The customer side mediation identifies against (SPEC §3.1): an operator's customer accounts
// (postpaid, or prepaid from a wallet of the operator in the account's currency), their
// subscriptions with billing periods made from the account's cycle, and services with
// effective-dated identifiers. Operators (providers) write their own; their billing managers (keys
// of the operator's party) read them, as billing runs bill them (api/routes/billing.ts); admins and
// ops read all; another party's object is 404.

const instant = z.iso.datetime({ offset: true });
const Id = (name: string) => z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) }).describe(name);

const CycleBody = z.union([
  z.strictObject({ kind: z.literal('calendar') }),
  z.strictObject({ kind: z.literal('billingDay'), billingDay: z.number().int().min(1).max(31) }),
  z.strictObject({ kind: z.literal('anniversary'), startDate: z.iso.date() }),
]);
const AccountBody = z.strictObject({
  id: z.string().min(1).max(100), name: z.string().max(200).default(''), currency: z.string().regex(/^[A-Z]{3}$/),
  /** Its billing periods and the day its scheduled billing runs bill it follow this zone's local dates. */
  timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as "Pacific/Auckland"').default('UTC'),
  billingCycle: CycleBody.default({ kind: 'calendar' }), customerGroupIds: z.array(z.string().min(1)).default([]),
  lateGraceSeconds: z.number().int().min(0).default(0),
  /** Prepaid: rated usage debits `walletId` at once. */
  billingMode: z.enum(BILLING_MODES).default('postpaid'), walletId: z.string().min(1).optional(),
}).openapi('CustomerAccountInput');
const AccountBillingBody = z.strictObject({
  billingMode: z.enum(BILLING_MODES).optional(),
  /** Switching to postpaid drops the wallet; null drops it explicitly. */
  walletId: z.string().min(1).nullable().optional(),
}).openapi('CustomerAccountBillingInput');
const IdentifierBody = z.strictObject({ type: z.string().min(1), value: z.string().min(1), validFrom: instant, validTo: instant.optional() });
const ServiceBody = z.strictObject({
  id: z.string().min(1).max(100), status: z.enum(['ACTIVE', 'INACTIVE']).default('ACTIVE'), activeFrom: instant, activeTo: instant.optional(),
  categories: z.array(z.string().min(1)).optional(), identifiers: z.array(IdentifierBody).default([]),
}).openapi('ServiceInput');
const SubscriptionBody = z.strictObject({
  id: z.string().min(1).max(100), name: z.string().max(200).default(''), startedAt: instant,
  /** Billing periods to create from the account's cycle, starting with the one holding startedAt. */
  periods: z.number().int().min(1).max(120).default(12),
}).openapi('SubscriptionInput');
const Ok = z.object({ id: z.string() }).loose();

/** The account if the caller may see it, else NOT_FOUND. */
export async function visibleAccount(db: DbOrTx, caller: Caller, accountId: string) {
  const [account] = await db.select().from(customerAccounts).where(eq(customerAccounts.id, accountId));
  if (!account || !seesParty(caller, account.ownerPartyId)) throw new NotFoundError('Customer account', accountId);
  return account;
}

/** The subscription and its account if the caller may see the account, else NOT_FOUND. */
export async function visibleSubscription(db: DbOrTx, caller: Caller, subscriptionId: string) {
  const [sub] = await db.select().from(subscriptions).where(eq(subscriptions.id, subscriptionId));
  if (!sub) throw new NotFoundError('Subscription', subscriptionId);
  const account = await visibleAccount(db, caller, sub.accountId).catch(() => { throw new NotFoundError('Subscription', subscriptionId); });
  return { sub, account };
}

async function ownedService(db: DbOrTx, caller: Caller, serviceId: string) {
  const [service] = await db.select().from(services).where(eq(services.id, serviceId));
  if (!service?.subscriptionId) throw new NotFoundError('Service', serviceId);
  await visibleSubscription(db, caller, service.subscriptionId).catch(() => { throw new NotFoundError('Service', serviceId); });
  return service;
}

/** Refuses a billing mode and wallet that do not fit the account (domain/billing/billing-mode.ts). */
async function checkBilling(db: DbOrTx, account: AccountBilling) {
  checkAccountBilling(account, account.walletId === null ? undefined : await findWallet(db, account.walletId));
}

/** `count` consecutive periods of the cycle, the first holding `from`. */
export function periodsFrom(cycle: BillingCycle, from: string, timeZone: string, count: number) {
  const periods = [periodContainingInstant(cycle, from, timeZone)];
  while (periods.length < count) periods.push(periodContainingInstant(cycle, periods[periods.length - 1]!.endAt, timeZone));
  return periods;
}

export function accountRoutes(deps: ApiDeps) {
  const app = newRouter();
  const db = deps.database.db;

  app.openapi(
    createRoute({ method: 'post', path: '/accounts', security: bearerSecurity, summary: 'Create a customer account (operators): postpaid, or prepaid from a wallet of the operator in the account currency', request: { body: { content: { 'application/json': { schema: AccountBody } }, required: true } }, responses: { 201: json(Ok, 'Created'), ...errors, ...conflict } }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, ['provider'], 'create customer accounts');
      const body = c.req.valid('json');
      const walletId = body.walletId ?? null;
      await checkBilling(db, { accountId: body.id, ownerPartyId: caller.partyId, currency: body.currency, billingMode: body.billingMode, walletId });
      const [row] = await db.insert(customerAccounts).values({ ...body, walletId, ownerPartyId: caller.partyId }).onConflictDoNothing().returning();
      if (!row) await visibleAccount(db, caller, body.id); // someone else's id: 404; ours: the existing account
      return c.json(row ?? (await visibleAccount(db, caller, body.id)), 201);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/accounts/{id}', security: bearerSecurity, summary: 'A customer account with its subscriptions', request: { params: Id('account') }, responses: { 200: json(Ok, 'The account'), ...errors } }),
    async (c) => {
      const account = await visibleAccount(db, c.get('caller'), c.req.valid('param').id);
      const subs = await db.select().from(subscriptions).where(eq(subscriptions.accountId, account.id));
      return c.json({ ...account, subscriptions: subs }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch', path: '/accounts/{id}', security: bearerSecurity, summary: 'Change how an account pays: postpaid, or prepaid from a wallet',
      request: { params: Id('account'), body: { content: { 'application/json': { schema: AccountBillingBody } }, required: true } },
      responses: { 200: json(Ok, 'The account'), ...errors, ...conflict },
    }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, ['provider'], 'change customer accounts');
      const account = await visibleAccount(db, caller, c.req.valid('param').id);
      const body = c.req.valid('json');
      const billingMode = body.billingMode ?? account.billingMode;
      const walletId = body.walletId !== undefined ? body.walletId : billingMode === 'postpaid' ? null : account.walletId;
      await checkBilling(db, { accountId: account.id, ownerPartyId: account.ownerPartyId, currency: account.currency, billingMode, walletId });
      const [row] = await db.update(customerAccounts).set({ billingMode, walletId }).where(eq(customerAccounts.id, account.id)).returning();
      return c.json(row!, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/accounts/{id}/subscriptions', security: bearerSecurity, summary: 'Create a subscription and its billing periods from the account cycle',
      request: { params: Id('account'), body: { content: { 'application/json': { schema: SubscriptionBody } }, required: true } }, responses: { 201: json(Ok, 'Created'), ...errors, ...conflict },
    }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, ['provider'], 'create subscriptions');
      const account = await visibleAccount(db, caller, c.req.valid('param').id);
      const body = c.req.valid('json');
      const periods = periodsFrom(account.billingCycle, body.startedAt, account.timeZone, body.periods);
      const sub = await db.transaction(async (tx) => {
        await tx.insert(subscriptions).values({ id: body.id, accountId: account.id, name: body.name, startedAt: body.startedAt }).onConflictDoNothing();
        // An id taken by another party's subscription is 404, by another account's 409: nothing is added to it.
        const { sub: existing } = await visibleSubscription(tx, caller, body.id);
        if (existing.accountId !== account.id) throw new DomainError('CONFLICT', `subscription ${body.id} belongs to account ${existing.accountId}`, { id: body.id, accountId: existing.accountId });
        await tx.insert(billingPeriods).values(periods.map((p) => ({ subscriptionId: body.id, startAt: p.startAt, endAt: p.endAt }))).onConflictDoNothing();
        return existing;
      });
      return c.json({ ...sub, periods: await db.select().from(billingPeriods).where(eq(billingPeriods.subscriptionId, sub.id)) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/subscriptions/{id}/billing-periods/close', security: bearerSecurity, summary: 'Close the billing period starting at startAt (late records then need the account grace)',
      request: { params: Id('subscription'), body: { content: { 'application/json': { schema: z.strictObject({ startAt: instant }) } }, required: true } }, responses: { 200: json(Ok, 'Closed'), ...errors },
    }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, ['provider'], 'close billing periods');
      const { sub } = await visibleSubscription(db, caller, c.req.valid('param').id);
      const startAt = new Date(c.req.valid('json').startAt).toISOString();
      const [row] = await db.update(billingPeriods).set({ state: 'CLOSED', closedAt: new Date().toISOString() })
        .where(and(eq(billingPeriods.subscriptionId, sub.id), eq(billingPeriods.startAt, startAt))).returning();
      if (!row) throw new NotFoundError('Billing period', `${sub.id}@${startAt}`);
      return c.json({ id: sub.id, ...row }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/subscriptions/{id}/services', security: bearerSecurity, summary: 'Create a service with its identifiers',
      request: { params: Id('subscription'), body: { content: { 'application/json': { schema: ServiceBody } }, required: true } }, responses: { 201: json(Ok, 'Created'), ...errors, ...conflict },
    }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, ['provider'], 'create services');
      const { sub } = await visibleSubscription(db, caller, c.req.valid('param').id);
      const { identifiers, ...body } = c.req.valid('json');
      const service = await db.transaction(async (tx) => {
        await tx.insert(services).values({ ...body, subscriptionId: sub.id }).onConflictDoNothing();
        // An id taken by another party's service is 404, by another subscription's 409: no identifier is added to it.
        const existing = await ownedService(tx, caller, body.id);
        if (existing.subscriptionId !== sub.id) throw new DomainError('CONFLICT', `service ${body.id} belongs to subscription ${existing.subscriptionId}`, { id: body.id, subscriptionId: existing.subscriptionId });
        if (identifiers.length > 0) await tx.insert(serviceIdentifiers).values(identifiers.map((i) => ({ ...i, serviceId: body.id }))).onConflictDoNothing();
        return existing;
      });
      return c.json(await serviceJson(db, service), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch', path: '/services/{id}', security: bearerSecurity, summary: 'Activate, suspend or end-date a service',
      request: { params: Id('service'), body: { content: { 'application/json': { schema: z.strictObject({ status: z.enum(['ACTIVE', 'INACTIVE']).optional(), activeTo: instant.nullable().optional() }) } }, required: true } },
      responses: { 200: json(Ok, 'The service'), ...errors },
    }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, ['provider'], 'change services');
      const service = await ownedService(db, caller, c.req.valid('param').id);
      const body = c.req.valid('json');
      if (body.status !== undefined || body.activeTo !== undefined) await db.update(services).set(body).where(eq(services.id, service.id));
      return c.json(await serviceJson(db, await ownedService(db, caller, service.id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/services/{id}/identifiers', security: bearerSecurity, summary: 'Add an identifier to a service for a validity period',
      request: { params: Id('service'), body: { content: { 'application/json': { schema: IdentifierBody } }, required: true } }, responses: { 201: json(Ok, 'The service'), ...errors },
    }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, ['provider'], 'change services');
      const service = await ownedService(db, caller, c.req.valid('param').id);
      await db.insert(serviceIdentifiers).values({ ...c.req.valid('json'), serviceId: service.id }).onConflictDoNothing();
      return c.json(await serviceJson(db, service), 201);
    },
  );

  return app;
}

async function serviceJson(db: DbOrTx, service: typeof services.$inferSelect) {
  return { ...service, identifiers: await db.select().from(serviceIdentifiers).where(eq(serviceIdentifiers.serviceId, service.id)) };
}
