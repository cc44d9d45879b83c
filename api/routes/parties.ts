import { createRoute, z } from '@hono/zod-openapi';
import { roles } from '../../domain/access';
import { NotFoundError } from '../../domain/errors';
import { createApiKey, createParty, findParty } from '../../db/queries/parties';
import { requireRole } from '../auth';
import { bearerSecurity, newRouter, type ApiDeps } from '../context';
import { errors, json } from '../openapi';

const PartyJson = z.object({ id: z.string(), kind: z.string(), name: z.string(), createdAt: z.string() }).openapi('Party');

const toJson = (p: { id: string; kind: string; name: string; createdAt: Date }) => ({ ...p, createdAt: p.createdAt.toISOString() });

export function partyRoutes(deps: ApiDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'get', path: '/me', security: bearerSecurity, summary: "The caller's party and role",
      responses: { 200: json(z.object({ party: PartyJson, role: z.enum(roles), keyId: z.string() }), 'The caller'), ...errors },
    }),
    async (c) => {
      const caller = c.get('caller');
      const party = (await findParty(deps.database.db, caller.partyId))!;
      return c.json({ party: toJson(party), role: caller.role, keyId: caller.keyId }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/', security: bearerSecurity, summary: 'Create a party (admin)',
      request: {
        body: {
          content: { 'application/json': { schema: z.strictObject({ kind: z.enum(['vendor', 'provider', 'customer', 'internal']), name: z.string().min(1).max(200) }) } },
          required: true,
        },
      },
      responses: { 201: json(PartyJson, 'Created'), ...errors },
    }),
    async (c) => {
      requireRole(c.get('caller').role, ['admin'], 'create parties');
      const party = await createParty(deps.database.db, c.req.valid('json'));
      return c.json(toJson(party), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/{id}/api-keys', security: bearerSecurity, summary: 'Issue an API key for a party (admin); the key is shown once',
      request: {
        params: z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) }),
        body: { content: { 'application/json': { schema: z.strictObject({ role: z.enum(roles), label: z.string().max(200).optional() }) } }, required: true },
      },
      responses: { 201: json(z.object({ id: z.string(), key: z.string(), partyId: z.string(), role: z.enum(roles) }), 'The new key'), ...errors },
    }),
    async (c) => {
      requireRole(c.get('caller').role, ['admin'], 'issue API keys');
      const { id } = c.req.valid('param');
      if (!(await findParty(deps.database.db, id))) throw new NotFoundError('Party', id);
      return c.json(await createApiKey(deps.database.db, { partyId: id, ...c.req.valid('json') }), 201);
    },
  );

  return app;
}
