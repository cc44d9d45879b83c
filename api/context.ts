import { OpenAPIHono } from '@hono/zod-openapi';
import type { Client } from '@temporalio/client';
import type { Caller } from '../domain/access';
import { ValidationError } from '../domain/errors';
import type { Database } from '../db/client';
import type { Logger } from '../lib/logger';

export interface ApiDeps {
  database: Database;
  temporal: Client;
  taskQueue: string;
  logger: Logger;
  /** HMAC key of the signed links in review mails (LINK_SECRET); defaults to the development key. */
  linkSecret?: string;
  /** Largest accepted upload in bytes (UPLOAD_MAX_BYTES); defaults to 256 MiB. */
  uploadMaxBytes?: number;
}

export type ApiEnv = { Variables: { caller: Caller } };

/** Every sub-app validates with zod and answers a failed validation with 400 and the field paths. */
export function newRouter() {
  return new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = result.error.issues.map((i) => ({
          path: `${result.target === 'json' ? 'body' : result.target}${i.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('')}`,
          message: i.message,
        }));
        throw new ValidationError(`Invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
      }
    },
  });
}

export const bearerSecurity = [{ apiKey: [] }];
