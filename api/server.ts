// The API process: Hono on @hono/node-server. Refuses to start against an unmigrated database.
import { serve } from '@hono/node-server';
import { createDatabase } from '../db/client';
import { assertMigrated } from '../db/migrations';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { connectTemporal } from '../lib/temporal';
import { createApp } from './app';

async function main() {
  const config = loadConfig();
  const logger = createLogger('api', config.LOG_LEVEL);
  const database = createDatabase(config.DATABASE_URL);
  await assertMigrated(database.sql);
  const temporal = await connectTemporal(config);
  const app = createApp({
    database, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE, logger, linkSecret: config.LINK_SECRET, uploadMaxBytes: config.UPLOAD_MAX_BYTES,
  });
  const server = serve({ fetch: app.fetch, hostname: config.API_HOST, port: config.API_PORT }, (info) => {
    logger.info(`API listening on http://${info.address}:${info.port}`, { docs: `${config.PUBLIC_URL}/docs` });
  });
  const stop = () => {
    server.close();
    void Promise.all([database.close(), temporal.connection.close()]).finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
