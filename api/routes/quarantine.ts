import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { partyScope, type Caller } from '../../domain/access';
import { NotFoundError, ValidationError } from '../../domain/errors';
import { QUARANTINE_STATUSES } from '../../domain/mediation';
import {
  cleanseRecords, endQuarantine, listQuarantine, parseRef, quarantineCounts, recordHistory, unassignedReport, type RecordRef,
} from '../../db/queries/quarantine';
import { quarantineReprocess, reprocessProgressQuery } from '../../workflows/quarantine-reprocess';
import { quarantineReprocessWorkflowId } from '../../workflows/shared';
import { requireRole } from '../auth';
import { bearerSecurity, newRouter, type ApiDeps } from '../context';
import { conflict, errors, json } from '../openapi';
import { visibleFeed } from './feeds';

// The quarantine (SPEC §3.3, §5 items 8–15): list and count what failed, cleanse (one record, a
// selection, or an identifier) which starts a durable reprocess run, write off, withdraw, the
// UNASSIGNED report, and a record's whole history from raw to now. Each caller sees its own party's
// records (an operator's billing managers its operator's); admins and ops every party's.

/** Who may cleanse, write off and withdraw: ops keys are read-only. */
const actors = ['provider', 'admin'] as const;
const instant = z.iso.datetime({ offset: true });
const Ref = z.string().regex(/^.+:\d+$/, 'a record ref "loadId:rowNo"');
const Item = z.object({ ref: z.string(), status: z.enum(QUARANTINE_STATUSES), reason: z.string().nullable() }).loose().openapi('QuarantinedRecord');

function refs(values: readonly string[], path: string): RecordRef[] {
  return values.map((value, i) => {
    const ref = parseRef(value);
    if (!ref) throw new ValidationError(`${path}[${i}]: not a record ref`, [{ path: `${path}[${i}]`, message: 'expected "loadId:rowNo"' }]);
    return ref;
  });
}

export function quarantineRoutes(deps: ApiDeps) {
  const app = newRouter();
  const sql = deps.database.sql;
  const feedFilter = async (caller: Caller, feedId: string | undefined) => { if (feedId) await visibleFeed(deps, caller, feedId); };

  app.openapi(
    createRoute({
      method: 'get', path: '/quarantine', security: bearerSecurity, summary: 'Records by status (default QUARANTINED), filtered by reason, feed, load, identifier, account, usage date',
      request: {
        query: z.object({
          status: z.enum(QUARANTINE_STATUSES).default('QUARANTINED'), feedId: z.string().optional(), loadId: z.string().optional(), reason: z.string().optional(),
          serviceIdentifier: z.string().optional(), accountId: z.string().optional(), from: instant.optional(), to: instant.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100), offset: z.coerce.number().int().min(0).default(0),
        }),
      },
      responses: { 200: json(z.object({ items: z.array(Item) }), 'Records'), ...errors },
    }),
    async (c) => {
      const query = c.req.valid('query');
      await feedFilter(c.get('caller'), query.feedId);
      return c.json({ items: [...(await listQuarantine(sql, partyScope(c.get('caller')), query))] }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/quarantine/counts', security: bearerSecurity, summary: 'Quarantined records per reason, and records per status other than COMPLETED',
      request: { query: z.object({ feedId: z.string().optional() }) },
      responses: { 200: json(z.object({ reasons: z.array(z.object({ reason: z.string(), count: z.number().int() })), statuses: z.array(z.object({ status: z.enum(QUARANTINE_STATUSES), count: z.number().int() })) }), 'Counts'), ...errors },
    }),
    async (c) => {
      const { feedId } = c.req.valid('query');
      await feedFilter(c.get('caller'), feedId);
      return c.json(await quarantineCounts(sql, partyScope(c.get('caller')), feedId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/quarantine/cleanse', security: bearerSecurity,
      summary: 'Cleanse records (and every quarantined record with the same identifier) and reprocess them through every gate',
      request: { body: { content: { 'application/json': { schema: z.strictObject({ records: z.array(Ref).max(10_000).default([]), serviceIdentifier: z.string().min(1).optional(), feedId: z.string().optional(), note: z.string().max(2000).default('') }) } }, required: true } },
      responses: { 202: json(z.object({ requestId: z.string().nullable(), cleansed: z.number().int(), records: z.array(z.string()) }), 'Cleansed; reprocessing runs in the background'), ...errors, ...conflict },
    }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, actors, 'cleanse quarantined records');
      const body = c.req.valid('json');
      if (body.records.length === 0 && !body.serviceIdentifier) throw new ValidationError('name records or a serviceIdentifier', [{ path: 'body.records', message: 'empty selection' }]);
      await feedFilter(caller, body.feedId);
      const owner = partyScope(caller);
      const requestId = `RR-${randomUUID()}`;
      const result = await cleanseRecords(sql, owner, { refs: refs(body.records, 'body.records'), serviceIdentifier: body.serviceIdentifier, feedId: body.feedId },
        { actorPartyId: caller.partyId, note: body.note, at: new Date().toISOString(), requestId });
      if (result.cleansed === 0) return c.json({ requestId: null, cleansed: 0, records: [] }, 202);
      await deps.temporal.workflow.start(quarantineReprocess, { taskQueue: deps.taskQueue, workflowId: quarantineReprocessWorkflowId(requestId), args: [{ requestId }] });
      return c.json({ requestId, cleansed: result.cleansed, records: result.refs }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/quarantine/reprocess/{id}', security: bearerSecurity, summary: 'Progress of a reprocess run',
      request: { params: z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) }) },
      responses: { 200: json(z.object({ requestId: z.string(), counts: z.record(z.string(), z.number()) }).loose(), 'Progress'), ...errors },
    }),
    async (c) => {
      const requestId = c.req.valid('param').id;
      const owner = partyScope(c.get('caller'));
      const counts = await sql<Array<{ status: string; n: number }>>`
        select m.status, count(*)::int as n from mediated_records m join reprocess_requests r on r.id = m.request_id
        where m.request_id = ${requestId} ${owner === null ? sql`` : sql`and r.owner_party_id = ${owner}`} group by m.status`;
      if (counts.length === 0) throw new NotFoundError('Reprocess request', requestId);
      const progress = await deps.temporal.workflow.getHandle(quarantineReprocessWorkflowId(requestId)).query(reprocessProgressQuery).catch(() => null);
      return c.json({ requestId, counts: Object.fromEntries(counts.map((r) => [r.status, r.n])), progress }, 200);
    },
  );

  // Write-off and withdraw: the selection changes all together or not at all (an unknown ref is 404,
  // a record the action does not allow 409 with its ref and current state), each change audited.
  const ends = [
    { action: 'writeOff', path: '/quarantine/write-off', result: 'writtenOff', summary: 'Write quarantined records off: never billed, never retried', what: 'write off' },
    { action: 'withdraw', path: '/quarantine/withdraw', result: 'withdrawn', summary: 'Withdraw quarantined or cleansed records (the supplier withdrew the usage): never billed, never reprocessed', what: 'withdraw' },
  ] as const;
  for (const end of ends) {
    app.openapi(
      createRoute({
        method: 'post', path: end.path, security: bearerSecurity, summary: end.summary,
        request: { body: { content: { 'application/json': { schema: z.strictObject({ records: z.array(Ref).min(1).max(10_000), note: z.string().min(1).max(2000) }) } }, required: true } },
        responses: { 200: json(z.object({ [end.result]: z.number().int() }), 'Done'), ...errors, ...conflict },
      }),
      async (c) => {
        const caller = c.get('caller');
        requireRole(caller.role, actors, `${end.what} quarantined records`);
        const body = c.req.valid('json');
        const changed = await endQuarantine(sql, partyScope(caller), end.action, refs(body.records, 'body.records'), { actorPartyId: caller.partyId, note: body.note, at: new Date().toISOString(), requestId: null });
        return c.json({ [end.result]: changed }, 200);
      },
    );
  }

  app.openapi(
    createRoute({ method: 'get', path: '/reports/unassigned', security: bearerSecurity, summary: 'The UNASSIGNED pool: completed records no ownership rule matched, per identifier', request: { query: z.object({ feedId: z.string().optional() }) }, responses: { 200: json(z.object({ items: z.array(z.object({ serviceIdentifier: z.string(), records: z.number().int(), amount: z.string().nullable() })) }), 'The pool'), ...errors } }),
    async (c) => {
      const { feedId } = c.req.valid('query');
      await feedFilter(c.get('caller'), feedId);
      return c.json({ items: await unassignedReport(sql, partyScope(c.get('caller')), feedId) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/mediated-records/{ref}', security: bearerSecurity, summary: 'A record from raw to now: the raw row, its mediation (trace per phase) and every audited change',
      request: { params: z.object({ ref: Ref.openapi({ param: { name: 'ref', in: 'path' } }) }) }, responses: { 200: json(z.object({ record: z.record(z.string(), z.unknown()), events: z.array(z.record(z.string(), z.unknown())) }), 'History'), ...errors },
    }),
    async (c) => {
      const [ref] = refs([c.req.valid('param').ref], 'ref');
      return c.json(await recordHistory(sql, partyScope(c.get('caller')), ref!), 200);
    },
  );
  return app;
}
