import { Hono } from 'hono';
import { DomainError } from '../../domain/errors';
import { findUsageFile } from '../../db/queries/usage-files';
import { usedLinks } from '../../db/schema';
import { linkTokenHash, verifyLink, type LinkAction, type LinkClaims } from '../../lib/link-token';
import { acceptUpdate, rejectUpdate } from '../../workflows/usage-file';
import type { ApiDeps, ApiEnv } from '../context';
import { executeFileUpdate } from './usage-file-shared';

// Signed links from review mails. GET shows a confirmation page and changes nothing (mail scanners
// open links); its form POSTs the action, which checks the HMAC in constant time, claims the
// token once (used_links' primary key) and runs the same Update as the API, as the provider.

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
export const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;

/** The claims of a valid token for one of `actions`; NOT_FOUND (with why) otherwise. */
export function checkLink(secret: string, token: string, actions: readonly LinkAction[]): LinkClaims {
  const result = verifyLink(secret, token, Date.now());
  if (!result.ok) throw new DomainError('NOT_FOUND', `This link is not valid (${result.reason.replace('_', ' ')})`);
  if (!actions.includes(result.claims.action)) throw new DomainError('NOT_FOUND', 'This link is not valid (wrong kind of link)');
  return result.claims;
}

export function linkRoutes(deps: ApiDeps) {
  const app = new Hono<ApiEnv>();
  const secret = deps.linkSecret ?? 'meterflow-development-link-secret';

  const check = (token: string): LinkClaims => checkLink(secret, token, ['accept', 'reject']);

  app.get('/usage-files/:token', async (c) => {
    const token = c.req.param('token');
    let claims: LinkClaims;
    try { claims = check(token); } catch (err) { return c.html(page('Link not valid', `<p>${escapeHtml((err as Error).message)}</p>`), 404); }
    const file = await findUsageFile(deps.database.db, claims.fileId);
    if (!file) return c.html(page('Link not valid', '<p>No such usage file.</p>'), 404);
    const note = claims.action === 'reject' ? '<p><label>Why (required): <textarea name="note" required maxlength="2000"></textarea></label></p>' : '<p><label>Note: <input name="note" maxlength="2000"></label></p>';
    return c.html(page(`${claims.action === 'accept' ? 'Accept' : 'Reject'} usage file ${file.id}?`,
      `<p>${escapeHtml(file.name)}, ${file.periodFrom.toISOString()} to ${file.periodTo.toISOString()}, ${escapeHtml(file.currency)}; now ${file.status}.</p>` +
      `<form method="post">${note}<button type="submit">${claims.action === 'accept' ? 'Accept' : 'Reject'}</button></form>`), 200);
  });

  app.post('/usage-files/:token', async (c) => {
    const token = c.req.param('token');
    let claims: LinkClaims;
    try { claims = check(token); } catch (err) { return c.html(page('Link not valid', `<p>${escapeHtml((err as Error).message)}</p>`), 404); }
    const form = await c.req.parseBody();
    const note = typeof form.note === 'string' ? form.note.slice(0, 2000) : '';
    if (claims.action === 'reject' && note.trim() === '') return c.html(page('A note is required', '<p>Say why the file is rejected.</p>'), 400);
    const file = await findUsageFile(deps.database.db, claims.fileId);
    if (!file) return c.html(page('Link not valid', '<p>No such usage file.</p>'), 404);
    const claimed = await deps.database.db.insert(usedLinks)
      .values({ tokenHash: linkTokenHash(token), fileId: file.id, action: claims.action, recipient: claims.recipient })
      .onConflictDoNothing().returning();
    if (claimed.length === 0) return c.html(page('Link already used', '<p>Each link works once.</p>'), 409);
    try {
      await executeFileUpdate(deps.temporal, file.id, claims.action === 'accept' ? acceptUpdate : rejectUpdate, claims.action,
        [{ actor: { partyId: file.providerId, keyId: `link:${claims.recipient}` }, note }]);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'ILLEGAL_TRANSITION') {
        return c.html(page('Not possible now', `<p>${escapeHtml(err.message)}</p>`), 409);
      }
      throw err;
    }
    return c.html(page(`Usage file ${file.id} ${claims.action === 'accept' ? 'accepted' : 'rejected'}`, '<p>Thank you.</p>'), 200);
  });
  return app;
}
