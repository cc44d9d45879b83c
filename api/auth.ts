import { createMiddleware } from 'hono/factory';
import type { Role } from '../domain/access';
import { findCallerByKey } from '../db/queries/parties';
import type { ApiDeps, ApiEnv } from './context';
import { forbidden, unauthenticated } from './errors';

/** Resolves `Authorization: Bearer <key>` (or `X-API-Key`) to the calling party and role. */
export const authenticate = ({ database }: Pick<ApiDeps, 'database'>) =>
  createMiddleware<ApiEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    const key = header?.match(/^Bearer\s+(\S+)$/i)?.[1] ?? c.req.header('x-api-key');
    if (!key) throw unauthenticated();
    const caller = await findCallerByKey(database.db, key);
    if (!caller) throw unauthenticated('The API key is unknown or revoked');
    c.set('caller', caller);
    await next();
  });

export function requireRole(role: Role, allowed: readonly Role[], doing: string) {
  if (!allowed.includes(role)) {
    throw forbidden(`Role ${role} may not ${doing}; allowed: ${allowed.join(', ')}`);
  }
}
