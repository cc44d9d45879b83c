import { createRoute, z } from '@hono/zod-openapi';
import type { Caller, Role } from '../../domain/access';
import { DomainError, NotFoundError, ValidationError } from '../../domain/errors';
import { parseRateOverrides, parseRatePlan, planAssignmentSchema, rateOverrideSchema, ratePlanJsonSchema, ratePlanSchema } from '../../domain/rating';
import {
  findPlanVersion, insertAssignment, listAssignments, listOverrides, listPlanVersions, savePlanVersion, toPlanAssignment, upsertOverride,
} from '../../db/queries/rating';
import type { DbOrTx } from '../../db/client';
import { requireRole } from '../auth';
import { bearerSecurity, newRouter, type ApiDeps } from '../context';
import { conflict, errors, json } from '../openapi';
import { visibleSubscription } from './accounts';

// Rate plans (versioned JSON), their assignments and subscription overrides. Admins and billing
// managers write; ops read everything; vendors and providers read the plans assigned to them. A
// subscription's overrides are its account's: a billing manager reaches its own party's only.

export const planWriters: readonly Role[] = ['admin', 'billing_manager'];

// The plan schema lives in domain/ (plain zod); the document gets it as a component.
const PlanJson = ratePlanSchema;
const VersionJson = z.object({
  planId: z.string(), version: z.number().int(), name: z.string(), parentPlanId: z.string().nullable(),
  effectiveFrom: z.string().nullable(), lockedAt: z.string().nullable(), createdAt: z.string(),
}).openapi('RatePlanVersion');
const AssignmentJson = planAssignmentSchema.extend({ id: z.number().int() }).openapi('RatePlanAssignment');
const PlanVersionParams = z.object({
  planId: z.string().openapi({ param: { name: 'planId', in: 'path' } }),
  version: z.coerce.number().int().min(1).openapi({ param: { name: 'version', in: 'path' } }),
});

const versionJson = (row: Awaited<ReturnType<typeof listPlanVersions>>[number]) => ({
  planId: row.planId, version: row.version, name: row.name, parentPlanId: row.parentPlanId,
  effectiveFrom: row.effectiveFrom?.toISOString() ?? null, lockedAt: row.lockedAt?.toISOString() ?? null, createdAt: row.createdAt.toISOString(),
});

/** Plan ids the caller may read; null: every plan (internal roles). */
export async function visiblePlanIds(db: DbOrTx, caller: Caller): Promise<Set<string> | null> {
  if (caller.role !== 'vendor' && caller.role !== 'provider') return null;
  const assignments = await listAssignments(db);
  return new Set(assignments.filter((a) => a.scope === 'global' || a.targetId === caller.partyId).map((a) => a.planId));
}

async function assertParentExists(db: DbOrTx, parentId: string | undefined) {
  if (parentId && (await listPlanVersions(db, [parentId])).length === 0) {
    throw new ValidationError(`parent plan ${parentId} does not exist`, [{ path: '$.parent.id', message: 'unknown plan' }]);
  }
}

export function ratePlanRoutes(deps: ApiDeps) {
  const app = newRouter();
  const db = deps.database.db;
  app.openAPIRegistry.registerComponent('schemas', 'RatePlan', ratePlanJsonSchema as never);

  app.openapi(
    createRoute({ method: 'get', path: '/rate-plans/schema', security: bearerSecurity, summary: 'The JSON Schema of a rate plan version', responses: { 200: json(z.record(z.string(), z.unknown()), 'JSON Schema'), ...errors } }),
    (c) => c.json(ratePlanJsonSchema as Record<string, unknown>, 200),
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/rate-plans', security: bearerSecurity,
      summary: 'Store a rate plan version (validated completely); the same content again changes nothing',
      request: { body: { content: { 'application/json': { schema: PlanJson } }, required: true } },
      responses: { 201: json(VersionJson, 'Stored'), 200: json(VersionJson, 'Already stored with this content'), ...errors, ...conflict },
    }),
    async (c) => {
      requireRole(c.get('caller').role, planWriters, 'write rate plans');
      const plan = parseRatePlan(c.req.valid('json'));
      await assertParentExists(db, plan.parent?.id);
      const saved = await savePlanVersion(db, plan, c.get('caller').partyId, { replace: false });
      if (saved.outcome === 'exists') {
        throw new DomainError('CONFLICT', `plan ${plan.id} version ${plan.version} exists with other content; PUT it to replace an unused version, or add a version`, { planId: plan.id, version: plan.version });
      }
      return c.json(versionJson(saved.row), saved.outcome === 'created' ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put', path: '/rate-plans/{planId}/versions/{version}', security: bearerSecurity,
      summary: 'Replace a version no record has been rated with yet',
      request: { params: PlanVersionParams, body: { content: { 'application/json': { schema: PlanJson } }, required: true } },
      responses: { 200: json(VersionJson, 'Replaced'), ...errors, ...conflict },
    }),
    async (c) => {
      requireRole(c.get('caller').role, planWriters, 'write rate plans');
      const { planId, version } = c.req.valid('param');
      const plan = parseRatePlan(c.req.valid('json'));
      if (plan.id !== planId || plan.version !== version) {
        throw new ValidationError('the plan id and version must match the path', [{ path: '$.id', message: `expected ${planId} version ${version}` }]);
      }
      if (!(await findPlanVersion(db, planId, version))) throw new NotFoundError('Rate plan version', `${planId} v${version}`);
      await assertParentExists(db, plan.parent?.id);
      const saved = await savePlanVersion(db, plan, c.get('caller').partyId, { replace: true });
      if (saved.outcome === 'locked') {
        throw new DomainError('VERSION_LOCKED', `plan ${planId} version ${version} has rated records since ${saved.row.lockedAt!.toISOString()} and cannot change; add a version`, { planId, version });
      }
      return c.json(versionJson(saved.row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/rate-plans', security: bearerSecurity, summary: 'Plan versions the caller may read',
      responses: { 200: json(z.object({ items: z.array(VersionJson) }), 'Versions'), ...errors },
    }),
    async (c) => {
      const visible = await visiblePlanIds(db, c.get('caller'));
      const rows = await listPlanVersions(db, visible ? [...visible] : undefined);
      return c.json({ items: rows.map(versionJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/rate-plans/{planId}/versions/{version}', security: bearerSecurity, summary: 'One plan version with its definition',
      request: { params: PlanVersionParams },
      responses: { 200: json(VersionJson.extend({ definition: PlanJson }), 'The version'), ...errors },
    }),
    async (c) => {
      const { planId, version } = c.req.valid('param');
      const visible = await visiblePlanIds(db, c.get('caller'));
      const row = await findPlanVersion(db, planId, version);
      if (!row || (visible && !visible.has(planId))) throw new NotFoundError('Rate plan version', `${planId} v${version}`);
      return c.json({ ...versionJson(row), definition: row.definition }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/rate-plan-assignments', security: bearerSecurity,
      summary: 'Assign a plan globally, to a customer group, an account or a subscription (the most specific wins)',
      request: { body: { content: { 'application/json': { schema: planAssignmentSchema } }, required: true } },
      responses: { 201: json(AssignmentJson, 'Assigned'), ...errors, ...conflict },
    }),
    async (c) => {
      requireRole(c.get('caller').role, planWriters, 'assign rate plans');
      const a = c.req.valid('json');
      if ((a.scope === 'global') !== (a.targetId === undefined)) {
        throw new ValidationError('targetId is required except for a global assignment, where it is not allowed', [{ path: 'body.targetId', message: `scope ${a.scope}` }]);
      }
      if (a.validFrom && a.validTo && a.validTo <= a.validFrom) throw new ValidationError('validTo must be after validFrom', [{ path: 'body.validTo', message: 'before validFrom' }]);
      if ((await listPlanVersions(db, [a.planId])).length === 0) throw new ValidationError(`plan ${a.planId} does not exist`, [{ path: 'body.planId', message: 'unknown plan' }]);
      const row = await insertAssignment(db, a);
      if (!row) throw new DomainError('CONFLICT', `an assignment for ${a.scope} ${a.targetId ?? ''} from that instant exists`);
      return c.json({ id: row.id, ...toPlanAssignment(row) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/rate-plan-assignments', security: bearerSecurity, summary: 'Assignments the caller may read',
      responses: { 200: json(z.object({ items: z.array(AssignmentJson) }), 'Assignments'), ...errors },
    }),
    async (c) => {
      const caller = c.get('caller');
      const internal = caller.role !== 'vendor' && caller.role !== 'provider';
      const rows = (await listAssignments(db)).filter((a) => internal || a.scope === 'global' || a.targetId === caller.partyId);
      return c.json({ items: rows.map((r) => ({ id: r.id, ...toPlanAssignment(r) })) }, 200);
    },
  );

  const SubscriptionParam = z.object({ subscriptionId: z.string().openapi({ param: { name: 'subscriptionId', in: 'path' } }) });
  app.openapi(
    createRoute({
      method: 'put', path: '/subscriptions/{subscriptionId}/rate-overrides', security: bearerSecurity,
      summary: "Set a subscription's overrides of single rates (replaces the ones with the same plan and rate)",
      request: { params: SubscriptionParam, body: { content: { 'application/json': { schema: z.strictObject({ overrides: z.array(rateOverrideSchema) }) } }, required: true } },
      responses: { 200: json(z.object({ items: z.array(rateOverrideSchema) }), 'The overrides now in force'), ...errors },
    }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, planWriters, 'override rates');
      const { sub: { id: subscriptionId } } = await visibleSubscription(db, caller, c.req.valid('param').subscriptionId);
      const overrides = parseRateOverrides(c.req.valid('json').overrides);
      await deps.database.db.transaction(async (tx) => {
        for (const o of overrides) await upsertOverride(tx, subscriptionId, o);
      });
      return c.json({ items: await listOverrides(db, subscriptionId) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/subscriptions/{subscriptionId}/rate-overrides', security: bearerSecurity, summary: "A subscription's rate overrides",
      request: { params: SubscriptionParam },
      responses: { 200: json(z.object({ items: z.array(rateOverrideSchema) }), 'Overrides'), ...errors },
    }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, [...planWriters, 'ops'], 'read rate overrides');
      const { sub } = await visibleSubscription(db, caller, c.req.valid('param').subscriptionId);
      return c.json({ items: await listOverrides(db, sub.id) }, 200);
    },
  );

  return app;
}
