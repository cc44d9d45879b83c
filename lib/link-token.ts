import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

// Signed approval links (accept / reject a usage file from an email). The token is
// `fileId.action.recipient.expiry.signature`, the signature an HMAC-SHA256 over the rest with the
// server's LINK_SECRET; it is compared in constant time. Single use is enforced by the database
// (used_links keyed by the token's hash), not here.

// `approve` approves a billing run; its token carries the run id in the `fileId` place.
export const linkActions = ['accept', 'reject', 'approve'] as const;
export type LinkAction = (typeof linkActions)[number];

export interface LinkClaims {
  fileId: string;
  action: LinkAction;
  recipient: string;
  /** Seconds since the epoch. */
  expiresAtSeconds: number;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const sign = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest();

export function signLink(secret: string, claims: LinkClaims): string {
  const payload = [claims.fileId, claims.action, b64(claims.recipient), String(claims.expiresAtSeconds)].join('.');
  return `${payload}.${sign(secret, payload).toString('base64url')}`;
}

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

/** Checks the signature (constant time) and the expiry against `nowMs`. */
export function verifyLink(secret: string, token: string, nowMs: number): LinkCheck {
  const parts = token.split('.');
  if (parts.length !== 5) return { ok: false, reason: 'malformed' };
  const [fileId, action, recipient, expiry, signature] = parts as [string, string, string, string, string];
  if (!(linkActions as readonly string[]).includes(action) || !/^\d{1,12}$/.test(expiry)) return { ok: false, reason: 'malformed' };
  // Compared as text, not decoded bytes: base64 decoders ignore a last character's spare bits, so
  // decoding would accept several spellings of one signature (and of one single-use token).
  const expected = Buffer.from(sign(secret, parts.slice(0, 4).join('.')).toString('base64url'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  const expiresAtSeconds = Number(expiry);
  if (expiresAtSeconds * 1000 < nowMs) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    claims: { fileId, action: action as LinkAction, recipient: Buffer.from(recipient, 'base64url').toString('utf8'), expiresAtSeconds },
  };
}

/** What used_links stores: a token's hash, never the token itself. */
export const linkTokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
