import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { createApp } from '../../api/app';
import { createDatabase, type Database } from '../../db/client';
import { migrateDatabase } from '../../db/migrations';
import { createLogger } from '../../lib/logger';
import { connectTemporal } from '../../lib/temporal';
import { freePort, startTemporalDevServer, type DevServer } from '../../lib/temporal-dev-server';
import { bundleWorkflows } from '../../lib/workflow-bundle';
import { aCatalog } from '../../test/fixtures/catalog';
import { quietLogger } from '../../test/helpers/global-setup';
import { workflowsPath } from '../../worker';
import type { BenchContext, Sizes } from './types';
import { startWorkerProcess } from './worker-process';

// What every bench module runs against: a Temporal server (TEMPORAL_ADDRESS, else a dev server of
// its own), a database of its own beside DATABASE_URL (dropped at the end), the worker as a process
// over a prebuilt bundle, the API app in this process, and a catalog to upload usage files to.

export interface Environment {
  ctx: BenchContext;
  postgresVersion: string;
  close(): Promise<void>;
}

export async function openEnvironment(options: { seed: number; repeats: number; sizes: Sizes; large: boolean; say(line: string): void }): Promise<Environment> {
  const workDir = mkdtempSync(join(tmpdir(), 'meterflow-bench-'));
  let server: DevServer | undefined;
  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    const cli = process.env.TEMPORAL_CLI ?? join(homedir(), '.cache/meterflow/temporal-cli/v1.5.1/temporal');
    server = await startTemporalDevServer({ cli, port: await freePort(), logFile: join(workDir, 'temporal.log') });
    temporalAddress = server.address;
  }
  const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/meterflow');
  const url = new URL(base);
  url.pathname = `/meterflow_bench_${randomBytes(3).toString('hex')}`;
  await migrateDatabase(url.toString());
  const database: Database = createDatabase(url.toString(), { max: 10 });
  const [row] = await database.sql<Array<{ version: string }>>`select current_setting('server_version') as version`;
  const bundlePath = join(workDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, (await bundleWorkflows(workflowsPath, quietLogger)).code);
  const taskQueue = `bench-${randomBytes(4).toString('hex')}`;
  const worker = await startWorkerProcess({
    DATABASE_URL: url.toString(), TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue, WORKFLOW_BUNDLE_PATH: bundlePath, LOG_LEVEL: 'warn',
  });
  const temporal = await connectTemporal({ TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_NAMESPACE: 'default' });
  const app = createApp({ database, temporal, taskQueue, logger: createLogger('bench', 'error'), uploadMaxBytes: 4 * 1024 ** 3 });
  const catalog = await aCatalog(database.db);
  return {
    ctx: { ...options, database, databaseUrl: url.toString(), temporal, temporalAddress, taskQueue, app, catalog, worker },
    postgresVersion: row!.version,
    async close() {
      await worker.stop();
      await temporal.connection.close();
      await database.close();
      const admin = new URL(base);
      admin.pathname = '/postgres';
      const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
      await sql.unsafe(`drop database if exists "${url.pathname.slice(1)}" with (force)`);
      await sql.end();
      await server?.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
