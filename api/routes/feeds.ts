import { createRoute, z } from '@hono/zod-openapi';
import { desc, eq } from 'drizzle-orm';
import { partyScope, seesParty, type Caller } from '../../domain/access';
import { DomainError, FileFormatError, NotFoundError, ValidationError } from '../../domain/errors';
import { parseFeedDefinition, parseOwnershipRules } from '../../domain/mediation';
import { completeLoadBytes, discardLoad, findFeed, findLoad, insertLoad, listFeedVersions, saveFeedVersion, storeLoadBytes } from '../../db/queries/feeds';
import { feedLoads, feeds, ownershipRules } from '../../db/schema';
import { feedLoad, feedLoadProgressQuery } from '../../workflows/feed-load';
import { feedLoadWorkflowId } from '../../workflows/shared';
import { requireRole } from '../auth';
import { bearerSecurity, newRouter, type ApiDeps } from '../context';
import { conflict, errors, json } from '../openapi';

// Feeds (SPEC §5 item 1): an operator's versioned feed definitions, files loaded into a feed
// (streamed into Postgres; the same content is loaded once), load status with counts per status,
// and the ownership rules the last gate applies. Another party's feed is 404, to billing managers
// too (domain/access.ts seesParty); admins and ops see every feed.

const FeedParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });
const Definition = z.record(z.string(), z.unknown()).openapi('FeedDefinition', { description: 'A feed definition (docs/mediation.md); validated completely, every problem with its JSON path' });
const FeedJson = z.object({ id: z.string(), ownerPartyId: z.string(), currentVersion: z.number().int() }).loose().openapi('Feed');
const LoadJson = z.object({ id: z.string(), feedId: z.string(), status: z.string(), counts: z.record(z.string(), z.number()) }).loose().openapi('FeedLoad');

export async function visibleFeed(deps: ApiDeps, caller: Caller, feedId: string) {
  const feed = await findFeed(deps.database.db, feedId);
  if (!feed || !seesParty(caller, feed.ownerPartyId)) throw new NotFoundError('Feed', feedId);
  return feed;
}

async function loadJson(deps: ApiDeps, loadId: string) {
  const load = (await findLoad(deps.database.db, loadId))!;
  const counts = await deps.database.sql<Array<{ status: string; n: number }>>`select status, count(*)::int as n from mediated_records where load_id = ${loadId} group by status`;
  const progress = load.status === 'loading' || load.status === 'received'
    ? await deps.temporal.workflow.getHandle(feedLoadWorkflowId(loadId)).query(feedLoadProgressQuery).catch(() => null)
    : null;
  return { ...load, counts: Object.fromEntries(counts.map((c) => [c.status, c.n])), progress };
}

export function feedRoutes(deps: ApiDeps) {
  const app = newRouter();
  const db = deps.database.db;
  const maxBytes = deps.uploadMaxBytes ?? 256 * 1024 * 1024;

  const save = async (caller: Caller, body: unknown) => {
    requireRole(caller.role, ['provider'], 'define feeds');
    const definition = parseFeedDefinition(body);
    const saved = await saveFeedVersion(db, caller.partyId, definition, caller.partyId);
    if (saved.outcome === 'exists') throw new DomainError('CONFLICT', `feed id ${definition.id} is taken`, { id: definition.id });
    if (saved.outcome === 'stale') throw new DomainError('CONFLICT', `feed ${definition.id} is at version ${saved.feed.currentVersion}; the next version is ${saved.feed.currentVersion + 1}`, { currentVersion: saved.feed.currentVersion });
    return { ...saved.feed, definition };
  };

  app.openapi(
    createRoute({ method: 'post', path: '/', security: bearerSecurity, summary: 'Create a feed from its first definition (version 1)', request: { body: { content: { 'application/json': { schema: Definition } }, required: true } }, responses: { 201: json(FeedJson, 'Created'), ...errors, ...conflict } }),
    async (c) => c.json(await save(c.get('caller'), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({ method: 'post', path: '/{id}/versions', security: bearerSecurity, summary: 'Store the next version of a feed definition; later loads and reprocessing use it', request: { params: FeedParam, body: { content: { 'application/json': { schema: Definition } }, required: true } }, responses: { 201: json(FeedJson, 'Created'), ...errors, ...conflict } }),
    async (c) => {
      const feed = await visibleFeed(deps, c.get('caller'), c.req.valid('param').id);
      const body = c.req.valid('json');
      if (body.id !== feed.id) throw new ValidationError('the definition id must be the feed id', [{ path: '$.id', message: `expected ${feed.id}` }]);
      return c.json(await save(c.get('caller'), body), 201);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/', security: bearerSecurity, summary: 'Feeds the caller may see', responses: { 200: json(z.object({ items: z.array(FeedJson) }), 'Feeds'), ...errors } }),
    async (c) => {
      const owner = partyScope(c.get('caller'));
      const rows = await db.select().from(feeds).where(owner === null ? undefined : eq(feeds.ownerPartyId, owner)).orderBy(feeds.id);
      return c.json({ items: rows }, 200);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/{id}', security: bearerSecurity, summary: 'A feed with every version and its recent loads', request: { params: FeedParam }, responses: { 200: json(FeedJson, 'The feed'), ...errors } }),
    async (c) => {
      const feed = await visibleFeed(deps, c.get('caller'), c.req.valid('param').id);
      const [versions, loads] = await Promise.all([listFeedVersions(db, feed.id), db.select().from(feedLoads).where(eq(feedLoads.feedId, feed.id)).orderBy(desc(feedLoads.createdAt)).limit(100)]);
      return c.json({ ...feed, versions, loads }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/{id}/loads', security: bearerSecurity, summary: 'Load a file into the feed (raw body, streamed); the same content again returns the earlier load',
      request: { params: FeedParam, query: z.object({ name: z.string().max(300).default('upload') }), body: { content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) }, 'text/csv': { schema: z.string().openapi({ format: 'binary' }) } }, required: true } },
      responses: { 202: json(LoadJson.extend({ duplicate: z.boolean() }), 'Stored; mediation runs in the background'), ...errors },
    }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, ['provider'], 'load feed files');
      const feed = await visibleFeed(deps, caller, c.req.valid('param').id);
      const load = await insertLoad(db, { feedId: feed.id, feedVersion: feed.currentVersion, name: c.req.valid('query').name, source: `api:${caller.partyId}` });
      let stored;
      try {
        const body = (c.req.raw.body ?? []) as AsyncIterable<Uint8Array>;
        const bytes = await storeLoadBytes(db, load.id, body, maxBytes, () => new FileFormatError('FILE_TOO_LARGE', `The file is larger than ${maxBytes} bytes`, { byteOffset: maxBytes }));
        stored = await completeLoadBytes(db, load.id, feed.id, bytes.contentHash, bytes.sizeBytes);
      } catch (err) {
        await discardLoad(db, load.id);
        throw err;
      }
      if (!stored.duplicate) await startFeedLoad(deps, stored.load.id);
      return c.json({ ...(await loadJson(deps, stored.load.id)), duplicate: stored.duplicate }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'put', path: '/ownership-rules', security: bearerSecurity, summary: "Replace the caller's ownership rules (effective-dated; the last gate applies them)",
      request: { body: { content: { 'application/json': { schema: z.array(z.record(z.string(), z.unknown())) } }, required: true } }, responses: { 200: json(z.object({ rules: z.number().int() }), 'Stored'), ...errors },
    }),
    async (c) => {
      const caller = c.get('caller');
      requireRole(caller.role, ['provider'], 'define ownership rules');
      const rules = parseOwnershipRules(c.req.valid('json'));
      await db.transaction(async (tx) => {
        await tx.delete(ownershipRules).where(eq(ownershipRules.ownerPartyId, caller.partyId));
        if (rules.length > 0) await tx.insert(ownershipRules).values(rules.map((rule) => ({ ownerPartyId: caller.partyId, id: rule.id, rule })));
      });
      return c.json({ rules: rules.length }, 200);
    },
  );
  return app;
}

/** Starts (or finds) the load's workflow: its id is the load id. */
export async function startFeedLoad(deps: Pick<ApiDeps, 'temporal' | 'taskQueue'>, loadId: string, chunkRows?: number) {
  await deps.temporal.workflow.start(feedLoad, {
    taskQueue: deps.taskQueue, workflowId: feedLoadWorkflowId(loadId), args: [{ loadId, ...(chunkRows ? { chunkRows } : {}) }], workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

export function feedLoadRoutes(deps: ApiDeps) {
  const app = newRouter();
  app.openapi(
    createRoute({ method: 'get', path: '/{id}', security: bearerSecurity, summary: 'A load: status, counts per mediation status, live progress', request: { params: FeedParam }, responses: { 200: json(LoadJson, 'The load'), ...errors } }),
    async (c) => {
      const load = await findLoad(deps.database.db, c.req.valid('param').id);
      if (!load) throw new NotFoundError('Feed load', c.req.valid('param').id);
      await visibleFeed(deps, c.get('caller'), load.feedId).catch(() => { throw new NotFoundError('Feed load', load.id); });
      return c.json(await loadJson(deps, load.id), 200);
    },
  );
  return app;
}
