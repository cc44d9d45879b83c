import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DomainError } from '../domain/errors';
import type { Logger } from '../lib/logger';

// One place that maps error codes to HTTP statuses. Bodies are always
// `{ error: { code, message, ...details } }`.
const statusByCode: Record<string, ContentfulStatusCode> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ILLEGAL_TRANSITION: 409,
  CONFLICT: 409,
  VERSION_LOCKED: 409,
  LINK_USED: 409,
  INSUFFICIENT_FUNDS: 409,
  CURRENCY_MISMATCH: 409,
  DIRECTIVE_UNCHANGED: 409,
  INVOICE_NOT_FINAL: 409,
  NOT_AN_INVOICE: 409,
  ALREADY_CREDITED: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  FILE_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
};

export class HttpError extends DomainError {}

export const unauthenticated = (message = 'A valid API key is required (Authorization: Bearer <key>)') =>
  new HttpError('UNAUTHENTICATED', message);
export const forbidden = (message: string) => new HttpError('FORBIDDEN', message);

export function errorBody(err: DomainError) {
  return { error: { code: err.code, message: err.message, ...err.details } };
}

export function onError(logger: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof DomainError) {
      return c.json(errorBody(err), statusByCode[err.code] ?? 422);
    }
    logger.error('unhandled error', { path: c.req.path, error: err.stack ?? String(err) });
    return c.json({ error: { code: 'INTERNAL', message: 'Internal error' } }, 500);
  };
}
