import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { canSeeFile, partyScope, seesParty, type Caller } from '../../domain/access';
import { DomainError, NotFoundError, ValidationError } from '../../domain/errors';
import {
  computePeriodCharges, parseRateOverrides, ratePlanSchema, rateOverrideSchema, rateRecord, whatIfToCsv,
  type AssignmentTarget, type RatePlan, type RatingResult, type UsageRecord,
} from '../../domain/rating';
import { isTimeZone } from '../../domain/rating/time-zone';
import { listOverrides, loadPlanChain, type PlanSource } from '../../db/queries/rating';
import { findUsageFile } from '../../db/queries/usage-files';
import type { WhatIfSelection } from '../../db/schema';
import { requireRole } from '../auth';
import { createWhatIfRun, findWhatIfRun } from '../../db/queries/what-if';
import { recordsFromCsv, recordsFromJson } from '../../lib/rating-input';
import { whatIfWorkflowId } from '../../workflows/shared';
import { progressQuery, whatIf } from '../../workflows/what-if';
import { bearerSecurity, newRouter, type ApiDeps } from '../context';
import { binary, conflict, errors, json } from '../openapi';
import { visibleSubscription } from './accounts';
import { visiblePlanIds } from './rate-plans';

// Rating without posting: a preview of records under one plan, and what-if comparisons under
// several plans as durable runs. Both rate records sent in the request (JSON or CSV).

const timeZone = z.string().default('UTC').refine(isTimeZone, 'an IANA time zone such as Europe/London');
const instant = z.iso.datetime({ offset: true });
const planSource = {
  plan: ratePlanSchema.optional(),
  planId: z.string().min(1).optional(),
  version: z.number().int().min(1).optional(),
  target: z
    .strictObject({ subscriptionId: z.string().min(1).optional(), accountId: z.string().min(1).optional(), customerGroupIds: z.array(z.string().min(1)).optional() })
    .optional()
    .openapi({ description: 'Rate with the plan assigned to this subscription, account or customer groups (most specific wins), with the subscription\'s stored overrides (a subscription the caller may not see is 404)' }),
};
const recordsSource = {
  records: z.array(z.unknown()).optional().openapi({ description: 'Usage records as JSON (docs/rating.md)' }),
  csv: z.string().optional().openapi({ description: 'Usage records as CSV text with a header row (docs/rating.md)' }),
};

const PreviewBody = z
  .strictObject({ ...planSource, ...recordsSource, overrides: z.array(rateOverrideSchema).optional(), timeZone, asOf: instant.optional(), period: z.strictObject({ startAt: instant, endAt: instant }).optional() })
  .openapi('RatingPreviewRequest');

const WhatIfPlan = z.strictObject({ name: z.string().min(1).max(100).regex(/\D/, 'a name that is not a number').optional(), ...planSource });
const WhatIfBody = z
  .strictObject({ plans: z.array(WhatIfPlan).min(1).max(10), ...recordsSource, usageFileId: z.string().min(1).optional().openapi({ description: "Rate a usage file's valid records" }),
    accounts: z.strictObject({ ids: z.array(z.string().min(1)).min(1).max(1_000), from: instant, to: instant }).optional()
      .openapi({ description: "Rate customer accounts' production usage records in [from, to) (internal roles; a billing manager its own party's usage files only)" }),
    timeZone, asOf: instant.optional(), chunkSize: z.number().int().min(1).max(100_000).default(5_000) })
  .openapi('WhatIfRequest');

function oneOf<T extends object>(body: T, keys: Array<keyof T>, path: string): void {
  const given = keys.filter((k) => body[k] !== undefined);
  if (given.length !== 1) throw new ValidationError(`give exactly one of ${keys.join(', ')}`, [{ path, message: `got ${given.length}` }]);
}

async function readRecords(body: { records?: unknown[]; csv?: string }): Promise<UsageRecord[]> {
  oneOf(body, ['records', 'csv'], 'body');
  return body.records ? recordsFromJson(body.records) : recordsFromCsv(body.csv!);
}

export function ratingRoutes(deps: ApiDeps) {
  const app = newRouter();
  const db = deps.database.db;

  /** Which records a what-if rates; a usage file the caller may not see is "not found". */
  const whatIfSelection = async (caller: Caller, body: z.infer<typeof WhatIfBody>): Promise<WhatIfSelection> => {
    oneOf(body, ['records', 'csv', 'usageFileId', 'accounts'], 'body');
    if (body.usageFileId) {
      const file = await findUsageFile(db, body.usageFileId);
      if (!file || !canSeeFile(caller, file)) throw new NotFoundError('Usage file', body.usageFileId);
      return { kind: 'usageFile', fileId: body.usageFileId };
    }
    if (body.accounts) {
      requireRole(caller.role, ['admin', 'billing_manager', 'ops'], "compare accounts' stored usage");
      if (body.accounts.from >= body.accounts.to) throw new ValidationError('accounts.from must be before accounts.to', [{ path: 'body.accounts.to', message: 'not after from' }]);
      return { kind: 'accounts', accountIds: body.accounts.ids, from: body.accounts.from, to: body.accounts.to, providerId: partyScope(caller) };
    }
    return { kind: 'records' };
  };

  /** The plan chain for a plan given inline or by id, checking the caller may read a stored one. */
  const chainFor = async (caller: Caller, source: { plan?: unknown; planId?: string; version?: number; target?: AssignmentTarget }, asOf: string, path: string) => {
    oneOf(source, ['plan', 'planId', 'target'], path);
    const ref: PlanSource = source.plan ? { plan: source.plan as RatePlan } : source.target ? { target: source.target } : { planId: source.planId!, version: source.version };
    const chain = await loadPlanChain(db, ref, asOf);
    const visible = 'plan' in ref ? null : await visiblePlanIds(db, caller);
    if (visible && !visible.has(chain[0]!.id)) throw new NotFoundError('Rate plan', chain[0]!.id);
    return chain;
  };

  app.openapi(
    createRoute({
      method: 'post', path: '/preview', security: bearerSecurity,
      summary: 'Rate records under a plan without storing anything: per-record results with traces, and period charges per account',
      request: { body: { content: { 'application/json': { schema: PreviewBody } }, required: true } },
      responses: { 200: json(z.object({ asOf: z.string(), timeZone: z.string(), plans: z.array(z.object({ id: z.string(), version: z.number() })), results: z.array(z.unknown()), periodCharges: z.array(z.unknown()) }), 'Rated'), ...errors },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const asOf = body.asOf ?? new Date().toISOString();
      const plans = await chainFor(c.get('caller'), body, asOf, 'body.plan');
      const records = await readRecords(body);
      const subscriptionId = body.target?.subscriptionId;
      const overrides = body.overrides ? parseRateOverrides(body.overrides)
        : subscriptionId ? await listOverrides(db, (await visibleSubscription(db, c.get('caller'), subscriptionId)).sub.id) : [];
      const context = { plans, overrides, asOf, timeZone: body.timeZone };
      const results: RatingResult[] = records.map((record) => rateRecord(record, context));
      const byAccount = new Map<string, Array<{ record: UsageRecord; result: RatingResult }>>();
      records.forEach((record, i) => {
        const key = record.subscription ?? record.account ?? '';
        const items = byAccount.get(key) ?? [];
        items.push({ record, result: results[i]! });
        byAccount.set(key, items);
      });
      const periodCharges = [...byAccount].map(([account, items]) => ({ account, ...computePeriodCharges({ plans, items, period: body.period }) }));
      return c.json({ asOf, timeZone: body.timeZone, plans: plans.map((p) => ({ id: p.id, version: p.version })), results, periodCharges }, 200);
    },
  );

  const RunJson = z.object({
    id: z.string(), status: z.string(), asOf: z.string(), timeZone: z.string(), plans: z.array(z.string()),
    progress: z.object({ totalRecords: z.number(), ratedRecords: z.number(), chunks: z.number(), chunksDone: z.number() }).nullable(),
    result: z.unknown().nullable(),
  }).openapi('WhatIfRun');

  app.openapi(
    createRoute({
      method: 'post', path: '/what-if', security: bearerSecurity,
      summary: 'Compare records under several plans (the first is the baseline) as a durable run; nothing is posted',
      request: { body: { content: { 'application/json': { schema: WhatIfBody } }, required: true } },
      responses: { 202: json(RunJson, 'Started'), ...errors },
    }),
    async (c) => {
      const caller = c.get('caller');
      const body = c.req.valid('json');
      const asOf = body.asOf ?? new Date().toISOString();
      const plans: Array<{ name: string; plans: RatePlan[] }> = [];
      for (const [i, source] of body.plans.entries()) {
        const chain = await chainFor(caller, source, asOf, `body.plans[${i}]`);
        const name = source.name ?? `${chain[0]!.id} v${chain[0]!.version}`;
        if (plans.some((p) => p.name === name)) throw new ValidationError(`two plans are named ${name}; give them names`, [{ path: `body.plans[${i}].name`, message: 'duplicate' }]);
        plans.push({ name, plans: chain });
      }
      const selection = await whatIfSelection(caller, body);
      const records = selection.kind === 'records' ? await readRecords(body) : [];
      const runId = `WI-${randomUUID()}`;
      await createWhatIfRun(deps.database.sql, { id: runId, ownerPartyId: caller.partyId, plans, selection, timeZone: body.timeZone, asOf }, records);
      await deps.temporal.workflow.start(whatIf, {
        taskQueue: deps.taskQueue, workflowId: whatIfWorkflowId(runId), args: [{ runId, chunkSize: body.chunkSize }], workflowIdConflictPolicy: 'USE_EXISTING',
      });
      return c.json({ id: runId, status: 'running', asOf, timeZone: body.timeZone, plans: plans.map((p) => p.name), progress: null, result: null }, 202);
    },
  );

  const RunParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });
  const visibleRun = async (caller: Caller, id: string) => {
    const run = await findWhatIfRun(db, id);
    if (!run || !seesParty(caller, run.ownerPartyId)) throw new NotFoundError('What-if run', id);
    return run;
  };

  app.openapi(
    createRoute({
      method: 'get', path: '/what-if/{id}', security: bearerSecurity, summary: 'A what-if run: live progress while it runs, the comparison when done',
      request: { params: RunParam },
      responses: { 200: json(RunJson, 'The run'), ...errors },
    }),
    async (c) => {
      const run = await visibleRun(c.get('caller'), c.req.valid('param').id);
      const progress = run.status === 'running'
        ? await deps.temporal.workflow.getHandle(whatIfWorkflowId(run.id)).query(progressQuery).catch(() => null)
        : { totalRecords: run.totalRecords, ratedRecords: run.totalRecords, chunks: 0, chunksDone: 0 };
      return c.json({
        id: run.id, status: run.status, asOf: run.asOf.toISOString(), timeZone: run.timeZone, plans: run.plans.map((p) => p.name),
        progress: progress && { totalRecords: progress.totalRecords, ratedRecords: progress.ratedRecords, chunks: progress.chunks, chunksDone: progress.chunksDone },
        result: run.result ?? null,
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/what-if/{id}/result.csv', security: bearerSecurity, summary: 'The comparison as CSV (scope, key, plan, currency, amount, deltaVsBaseline)',
      request: { params: RunParam },
      responses: { 200: binary('text/csv', 'CSV'), ...errors, ...conflict },
    }),
    async (c) => {
      const run = await visibleRun(c.get('caller'), c.req.valid('param').id);
      if (!run.result) throw new DomainError('CONFLICT', `what-if run ${run.id} is ${run.status}; its CSV exists once it completes`, { status: run.status });
      return c.body(whatIfToCsv(run.result), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${run.id}.csv"` });
    },
  );

  return app;
}
