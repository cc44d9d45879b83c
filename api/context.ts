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
}

export type ApiEnv = { Variables: { caller: Caller } };

/** Every sub-app validates with zod and answers a failed validation with 400 and the field paths. */
export function newRouter() {
  return new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = result.error.issues.map((i) => ({
          path: [result.target === 'json' ? 'body' : result.target, ...i.path.map(String)].join('.'),
          message: i.message,
        }));
        throw new ValidationError(`Invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
      }
    },
  });
}

export const bearerSecurity = [{ apiKey: [] }];
