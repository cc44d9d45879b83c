import { Hono } from 'hono';
import { DomainError } from '../../domain/errors';
import { findRun } from '../../db/queries/billing-runs';
import { usedLinks } from '../../db/schema';
import { linkTokenHash, type LinkClaims } from '../../lib/link-token';
import { approveUpdate } from '../../workflows/billing-run';
import type { ApiDeps, ApiEnv } from '../context';
import { executeRunUpdate } from './billing';
import { checkLink, escapeHtml, page } from './links';

// The signed approval link of a billing run's mail, as for usage files: GET shows a confirmation
// page and changes nothing; its form POSTs, which claims the token once and runs the approve Update
// as the run's owner party.

export function billingLinkRoutes(deps: ApiDeps) {
  const app = new Hono<ApiEnv>();
  const secret = deps.linkSecret ?? 'meterflow-development-link-secret';
  const invalid = (message: string) => page('Link not valid', `<p>${escapeHtml(message)}</p>`);

  const claimsOf = async (token: string): Promise<{ claims: LinkClaims; run: NonNullable<Awaited<ReturnType<typeof findRun>>> } | string> => {
    let claims: LinkClaims;
    try { claims = checkLink(secret, token, ['approve']); } catch (err) { return (err as Error).message; }
    const run = await findRun(deps.database.sql, claims.fileId);
    return run ? { claims, run } : 'No such billing run.';
  };

  app.get('/:token', async (c) => {
    const found = await claimsOf(c.req.param('token'));
    if (typeof found === 'string') return c.html(invalid(found), 404);
    const { run } = found;
    return c.html(page(`Approve billing run ${run.id}?`,
      `<p>Run date ${escapeHtml(run.runDate)}; now ${escapeHtml(run.phase)}. Approving finalises its draft invoices.</p>` +
      '<form method="post"><button type="submit">Approve</button></form>'), 200);
  });

  app.post('/:token', async (c) => {
    const token = c.req.param('token');
    const found = await claimsOf(token);
    if (typeof found === 'string') return c.html(invalid(found), 404);
    const { claims, run } = found;
    const claimed = await deps.database.db.insert(usedLinks)
      .values({ tokenHash: linkTokenHash(token), fileId: run.id, action: claims.action, recipient: claims.recipient })
      .onConflictDoNothing().returning();
    if (claimed.length === 0) return c.html(page('Link already used', '<p>Each link works once.</p>'), 409);
    try {
      await executeRunUpdate(deps.temporal, run, approveUpdate, 'approve', { partyId: run.ownerPartyId, keyId: `link:${claims.recipient}` });
    } catch (err) {
      if (err instanceof DomainError && err.code === 'ILLEGAL_TRANSITION') return c.html(page('Not possible now', `<p>${escapeHtml(err.message)}</p>`), 409);
      throw err;
    }
    return c.html(page(`Billing run ${run.id} approved`, '<p>Its invoices are being finalised. Thank you.</p>'), 200);
  });
  return app;
}
