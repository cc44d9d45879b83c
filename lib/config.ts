import { z } from 'zod';
import { taskQueues } from '../workflows/shared';

// Configuration is read once, at the edges (worker.ts, api/server.ts, scripts), and passed down.
const configSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://postgres@127.0.0.1:5432/meterflow'),
  TEMPORAL_ADDRESS: z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port').default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default(taskQueues.main),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** A prebuilt workflow bundle (bundleWorkflowCode output); unset: the worker bundles at start. */
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  /** SMTP server for review requests and reminders (smtp://user:pass@host:port); unset: mails only kept in mail_outbox. */
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
  MAIL_FROM: z.string().min(3).default('Meterflow <meterflow@localhost>'),
  /** HMAC key of the signed accept/reject links in mails; the worker and the API must share it. */
  LINK_SECRET: z.string().min(16).default('meterflow-development-link-secret'),
  LINK_TTL_DAYS: z.coerce.number().positive().max(90).default(14),
  /** Largest usage-file or reconciliation upload, in bytes. */
  UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(256 * 1024 * 1024),
  /** Watched feed directory (<dir>/<feedId>/<file>): the worker schedules its collection. Unset: no collection. */
  FEED_WATCH_DIR: z.string().min(1).optional(),
  FEED_WATCH_INTERVAL_SECONDS: z.coerce.number().int().min(5).default(60),
  /** How often the worker's schedule mails the wallets' pending LOW_BALANCE notifications. */
  WALLET_NOTIFY_INTERVAL_SECONDS: z.coerce.number().int().min(5).default(60),
});

export type Config = z.infer<typeof configSchema> & { PUBLIC_URL: string };

export class ConfigError extends Error {}

/** Parses the environment once; fails fast naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  return { ...c, PUBLIC_URL: c.PUBLIC_URL ?? `http://${c.API_HOST}:${c.API_PORT}` };
}
