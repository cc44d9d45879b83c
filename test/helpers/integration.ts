import { randomUUID } from 'node:crypto';
import { NativeConnection, Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, inject } from 'vitest';
import type { MailDeps } from '../../activities/review';
import { createApp } from '../../api/app';
import { createDatabase, type Database } from '../../db/client';
import { createLogger } from '../../lib/logger';
import { connectTemporal } from '../../lib/temporal';
import { buildWorker } from '../../worker';

// Per test file: a database pool, a Temporal client, a task queue of its own (so files never pick up
// each other's tasks), an in-process worker on the shared bundle, and the Hono app over them.

let runtimeInstalled = false;

export interface Integration {
  database: Database;
  temporal: Client;
  taskQueue: string;
  app: ReturnType<typeof createApp>;
  worker: Worker;
}

export function useIntegration(options: { worker?: boolean; mail?: () => MailDeps } = {}): Integration {
  const ctx = {} as Integration;
  let connection: NativeConnection | undefined;
  let running: Promise<void> | undefined;

  beforeAll(async () => {
    if (!runtimeInstalled) {
      Runtime.install({ logger: new DefaultLogger('WARN') });
      runtimeInstalled = true;
    }
    ctx.database = createDatabase(inject('databaseUrl'), { max: 5 });
    ctx.temporal = await connectTemporal({ TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: 'default' });
    ctx.taskQueue = `test-${randomUUID()}`;
    ctx.app = createApp({ database: ctx.database, temporal: ctx.temporal, taskQueue: ctx.taskQueue, logger: createLogger('test', 'error') });
    if (options.worker !== false) {
      connection = await NativeConnection.connect({ address: inject('temporalAddress') });
      ctx.worker = await buildWorker({
        connection, namespace: 'default', taskQueue: ctx.taskQueue, database: ctx.database,
        workflowBundlePath: inject('workflowBundlePath'), mail: options.mail?.(),
      });
      running = ctx.worker.run();
    }
  });

  afterAll(async () => {
    if (running) {
      ctx.worker.shutdown();
      await running;
    }
    await connection?.close();
    await ctx.temporal?.connection.close();
    await ctx.database?.close();
  });

  return ctx;
}
