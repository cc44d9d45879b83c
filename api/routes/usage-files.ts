import { createRoute, z } from '@hono/zod-openapi';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { canSeeFile, mayActAs, type Caller } from '../../domain/access';
import { IllegalTransitionError, NotFoundError, ValidationError } from '../../domain/errors';
import { allowedActions, fileActions, fileStatuses, terminalStatuses, transition } from '../../domain/file-states';
import { findParty } from '../../db/queries/parties';
import { findUsageFile, insertUsageFile, listUsageFileEvents, listUsageFiles, recordTransition, type UsageFile } from '../../db/queries/usage-files';
import { newUsageFileId } from '../../lib/ids';
import { fileActionUpdates, personActions, stateQuery, usageFile, type PersonAction } from '../../workflows/usage-file';
import { usageFileWorkflowId } from '../../workflows/shared';
import { requireRole } from '../auth';
import { bearerSecurity, newRouter, type ApiDeps } from '../context';
import { forbidden } from '../errors';

const isoInstant = z.iso.datetime({ offset: true });
const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR');

const CreateFileBody = z
  .strictObject({
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    providerId: z.string().min(1),
    currency,
    environment: z.enum(['preview', 'production']).default('production'),
    period: z.strictObject({ from: isoInstant, to: isoInstant }),
  })
  .openapi('CreateUsageFile');

const UsageFileJson = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    status: z.enum(fileStatuses),
    currency: z.string(),
    environment: z.enum(['preview', 'production']),
    period: z.object({ from: z.string(), to: z.string() }),
    vendorId: z.string(),
    providerId: z.string(),
    allowedActions: z.array(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('UsageFile');

const WorkflowStateJson = z.object({ status: z.enum(fileStatuses), seq: z.number().int() }).nullable();
const EventJson = z.object({
  seq: z.number().int(), action: z.string(), fromStatus: z.string().nullable(), toStatus: z.string(),
  actorPartyId: z.string().nullable(), note: z.string(), at: z.string(),
});
const ErrorJson = z.object({ error: z.object({ code: z.string(), message: z.string() }).loose() }).openapi('Error');
const IdParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: 'UF-2026-11-1234-5678' }) });

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
const errors = {
  400: json(ErrorJson, 'Invalid request'),
  401: json(ErrorJson, 'Missing or bad API key'),
  403: json(ErrorJson, 'Role not allowed'),
  404: json(ErrorJson, 'Not found or not visible to the caller'),
};

const toJson = (f: UsageFile) => ({
  id: f.id, name: f.name, description: f.description, status: f.status, currency: f.currency,
  environment: f.environment, period: { from: f.periodFrom.toISOString(), to: f.periodTo.toISOString() },
  vendorId: f.vendorId, providerId: f.providerId, allowedActions: allowedActions(f.status),
  createdAt: f.createdAt.toISOString(), updatedAt: f.updatedAt.toISOString(),
});

/** The file when the caller may see it; another party's file is "not found". */
async function visibleFile(deps: ApiDeps, caller: Caller, id: string): Promise<UsageFile> {
  const file = await findUsageFile(deps.database.db, id);
  if (!file || !canSeeFile(caller, file)) throw new NotFoundError('Usage file', id);
  return file;
}

/** Live workflow state through a Query; null when Temporal cannot answer in time. */
async function queryState(temporal: Client, fileId: string) {
  const handle = temporal.workflow.getHandle(usageFileWorkflowId(fileId));
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000).unref());
  return Promise.race([handle.query(stateQuery).then((s) => ({ status: s.status, seq: s.seq })), timeout]).catch(() => null);
}

export function usageFileRoutes(deps: ApiDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'post', path: '/', security: bearerSecurity, summary: 'Create a usage file (draft) and start its workflow',
      request: {
        headers: z.object({ 'idempotency-key': z.string().max(200).optional() }),
        body: { content: { 'application/json': { schema: CreateFileBody } }, required: true },
      },
      responses: { 201: json(UsageFileJson, 'Created (or the file an earlier request with the same Idempotency-Key made)'), ...errors },
    }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, ['vendor'], 'create usage files');
      const body = c.req.valid('json');
      const idempotencyKey = c.req.valid('header')['idempotency-key'];
      if (body.period.from > body.period.to) throw new ValidationError('period.from must not be after period.to', [{ path: 'body.period', message: 'from > to' }]);
      const provider = await findParty(deps.database.db, body.providerId);
      if (provider?.kind !== 'provider') {
        throw new ValidationError(`providerId: no provider party ${body.providerId}`, [{ path: 'body.providerId', message: 'unknown provider' }]);
      }
      const id = newUsageFileId();
      const file = await deps.database.db.transaction(async (tx) => {
        const f = await insertUsageFile(tx, {
          id, vendorId: caller.partyId, providerId: provider.id, name: body.name, description: body.description ?? '',
          currency: body.currency, environment: body.environment, idempotencyKey,
          periodFrom: new Date(body.period.from), periodTo: new Date(body.period.to),
        });
        if (f.id === id) {
          await recordTransition(tx, {
            fileId: id, seq: 0, action: 'create', fromStatus: null, toStatus: 'draft',
            actorPartyId: caller.partyId, actorKeyId: caller.keyId, note: '', at: f.createdAt.toISOString(),
          });
        }
        return f;
      });
      // Safe to repeat: the id is the file's business key and an existing run is reused.
      await deps.temporal.workflow.start(usageFile, {
        taskQueue: deps.taskQueue, workflowId: usageFileWorkflowId(file.id),
        args: [{ fileId: file.id, status: 'draft', seq: 0 }], workflowIdConflictPolicy: 'USE_EXISTING',
      });
      return c.json(toJson(file), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/', security: bearerSecurity, summary: 'List the usage files the caller may see',
      request: {
        query: z.object({
          status: z.enum(fileStatuses).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
      },
      responses: { 200: json(z.object({ items: z.array(UsageFileJson) }), 'Usage files'), ...errors },
    }),
    async (c) => {
      const files = await listUsageFiles(deps.database.db, c.get('caller'), c.req.valid('query'));
      return c.json({ items: files.map(toJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/{id}', security: bearerSecurity, summary: 'A usage file, its event log and its live workflow state',
      request: { params: IdParam },
      responses: {
        200: json(UsageFileJson.extend({ workflow: WorkflowStateJson, events: z.array(EventJson) }), 'The usage file'),
        ...errors,
      },
    }),
    async (c) => {
      const file = await visibleFile(deps, c.get('caller'), c.req.valid('param').id);
      const [events, workflow] = await Promise.all([
        listUsageFileEvents(deps.database.db, file.id),
        queryState(deps.temporal, file.id),
      ]);
      return c.json({
        ...toJson(file), workflow,
        events: events.map((e) => ({
          seq: e.seq, action: e.action, fromStatus: e.fromStatus, toStatus: e.toStatus,
          actorPartyId: e.actorPartyId, note: e.note, at: e.at.toISOString(),
        })),
      }, 200);
    },
  );

  for (const action of personActions) registerAction(app, deps, action);
  return app;
}

function registerAction(app: ReturnType<typeof newRouter>, deps: ApiDeps, action: PersonAction) {
  const note = action === 'reject' ? z.string().min(1).max(2000) : z.string().max(2000).optional();
  app.openapi(
    createRoute({
      method: 'post', path: `/{id}/${action}`, security: bearerSecurity,
      summary: `${action[0]!.toUpperCase()}${action.slice(1)} the usage file (a ${fileActions[action].by} action)`,
      request: { params: IdParam, body: { content: { 'application/json': { schema: z.strictObject({ note }) } }, required: action === 'reject' } },
      responses: {
        200: json(UsageFileJson, 'The file after the transition'),
        ...errors,
        409: json(ErrorJson, 'Not allowed in the current state; the body says which state'),
      },
    }),
    async (c) => {
      const caller = c.get('caller');
      const file = await visibleFile(deps, caller, c.req.valid('param').id);
      if (!mayActAs(caller, fileActions[action].by)) throw forbidden(`Role ${caller.role} may not ${action} a usage file`);
      if (terminalStatuses.includes(file.status)) transition(file.status, action); // its workflow has ended: refuse here
      const body: { note?: string } = c.req.valid('json') ?? {};
      try {
        await deps.temporal.workflow.getHandle(usageFileWorkflowId(file.id)).executeUpdate(fileActionUpdates[action], {
          args: [{ actor: { partyId: caller.partyId, keyId: caller.keyId }, note: body.note }],
        });
      } catch (err) {
        throw asIllegalTransition(err, action) ?? err;
      }
      return c.json(toJson((await findUsageFile(deps.database.db, file.id))!), 200);
    },
  );
}

function asIllegalTransition(err: unknown, action: string): IllegalTransitionError | undefined {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) return undefined;
  if (err.cause.type !== 'ILLEGAL_TRANSITION') return undefined;
  const details = err.cause.details?.[0] as { currentState: string } | undefined;
  return new IllegalTransitionError(action, details?.currentState ?? 'unknown', err.cause.message);
}
