import { createRoute, z } from '@hono/zod-openapi';
import { mayActAs } from '../../domain/access';
import { ValidationError } from '../../domain/errors';
import { fileActions, fileStatuses, terminalStatuses, transition } from '../../domain/file-states';
import { findContract, findProduct } from '../../db/queries/catalog';
import { insertUsageFile, listUsageFileEvents, listUsageFiles, recordTransition } from '../../db/queries/usage-files';
import { newUsageFileId } from '../../lib/ids';
import { fileActionUpdates, personActions, progressQuery, stateQuery, usageFile, type PersonAction } from '../../workflows/usage-file';
import { usageFileWorkflowId } from '../../workflows/shared';
import { requireRole } from '../auth';
import { bearerSecurity, newRouter, type ApiDeps } from '../context';
import { forbidden } from '../errors';
import { usageFileContentRoutes } from './usage-file-content';
import {
  conflict, CountsJson, errors, executeFileUpdate, fileToJson, fileWithCounts, IdParam, json, queryWorkflow, UsageFileJson, visibleFile,
} from './usage-file-shared';

const isoInstant = z.iso.datetime({ offset: true });
const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR');
const invalidField = (path: string, message: string) => new ValidationError(`${path}: ${message}`, [{ path, message }]);

const CreateFileBody = z
  .strictObject({
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    productId: z.string().min(1),
    contractId: z.string().min(1),
    currency,
    environment: z.enum(['preview', 'production']).default('production'),
    period: z.strictObject({ from: isoInstant, to: isoInstant }),
  })
  .openapi('CreateUsageFile');

const WorkflowStateJson = z.object({ status: z.enum(fileStatuses), seq: z.number().int() }).nullable();
const EventJson = z.object({
  seq: z.number().int(), action: z.string(), fromStatus: z.string().nullable(), toStatus: z.string(),
  actorPartyId: z.string().nullable(), note: z.string(), at: z.string(),
});

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
      if (Date.parse(body.period.from) > Date.parse(body.period.to)) throw invalidField('body.period', 'from must not be after to');
      const [product, contract] = await Promise.all([findProduct(deps.database.db, body.productId), findContract(deps.database.db, body.contractId)]);
      if (product?.vendorId !== caller.partyId) throw invalidField('body.productId', `no product ${body.productId} of yours`);
      if (contract?.vendorId !== caller.partyId) throw invalidField('body.contractId', `no contract ${body.contractId} of yours`);
      if (contract.status !== 'active') throw invalidField('body.contractId', `contract ${contract.id} is not active`);
      const id = newUsageFileId();
      const file = await deps.database.db.transaction(async (tx) => {
        const f = await insertUsageFile(tx, {
          id, vendorId: caller.partyId, providerId: contract.providerId, productId: product.id, contractId: contract.id, schema: product.schema,
          name: body.name, description: body.description ?? '', currency: body.currency, environment: body.environment, idempotencyKey,
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
      return c.json(fileToJson(file), 201);
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
      return c.json({ items: files.map(fileToJson) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/{id}', security: bearerSecurity, summary: 'A usage file, its record counters, event log and live workflow state',
      request: { params: IdParam },
      responses: {
        200: json(UsageFileJson.extend({ records: CountsJson, workflow: WorkflowStateJson, progress: z.record(z.string(), z.unknown()).nullable(), events: z.array(EventJson) }), 'The usage file'),
        ...errors,
      },
    }),
    async (c) => {
      const file = await visibleFile(deps, c.get('caller'), c.req.valid('param').id);
      const [body, events, workflow, progress] = await Promise.all([
        fileWithCounts(deps, file.id),
        listUsageFileEvents(deps.database.db, file.id),
        terminalStatuses.includes(file.status) ? null : queryWorkflow(deps.temporal, file.id, stateQuery),
        terminalStatuses.includes(file.status) ? null : queryWorkflow(deps.temporal, file.id, progressQuery),
      ]);
      return c.json({
        ...body, workflow: workflow && { status: workflow.status, seq: workflow.seq }, progress,
        events: events.map((e) => ({
          seq: e.seq, action: e.action, fromStatus: e.fromStatus, toStatus: e.toStatus, actorPartyId: e.actorPartyId, note: e.note, at: e.at.toISOString(),
        })),
      }, 200);
    },
  );

  for (const action of personActions) registerAction(app, deps, action);
  app.route('/', usageFileContentRoutes(deps));
  return app;
}

function registerAction(app: ReturnType<typeof newRouter>, deps: ApiDeps, action: PersonAction) {
  const note = action === 'reject' ? z.string().min(1).max(2000) : z.string().max(2000).optional();
  app.openapi(
    createRoute({
      method: 'post', path: `/{id}/${action}`, security: bearerSecurity,
      summary: `${action[0]!.toUpperCase()}${action.slice(1)} the usage file (a ${fileActions[action].by} action)`,
      request: { params: IdParam, body: { content: { 'application/json': { schema: z.strictObject({ note }) } }, required: action === 'reject' } },
      responses: { 200: json(UsageFileJson.extend({ records: CountsJson }), 'The file after the transition'), ...errors, ...conflict },
    }),
    async (c) => {
      const caller = c.get('caller');
      const file = await visibleFile(deps, caller, c.req.valid('param').id);
      if (!mayActAs(caller, fileActions[action].by)) throw forbidden(`Role ${caller.role} may not ${action} a usage file`);
      if (terminalStatuses.includes(file.status)) transition(file.status, action); // its workflow has ended: refuse here
      const body: { note?: string } = c.req.valid('json') ?? {};
      await executeFileUpdate(deps.temporal, file.id, fileActionUpdates[action], action, [{ actor: { partyId: caller.partyId, keyId: caller.keyId }, note: body.note }]);
      return c.json(await fileWithCounts(deps, file.id), 200);
    },
  );
}
