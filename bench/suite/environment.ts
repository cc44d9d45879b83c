import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../api/app';
import { createLogger } from '../../lib/logger';
import { bundleWorkflows } from '../../lib/workflow-bundle';
import { aCatalog } from '../../test/fixtures/catalog';
import { quietLogger } from '../../test/helpers/global-setup';
import { workflowsPath } from '../../worker';
import type { BenchContext, Sizes } from './types';
import { openBenchServices } from '../services';
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
  const { temporalAddress, databaseUrl, database, temporal, close } = await openBenchServices(join(workDir, 'temporal.log'));
  const [row] = await database.sql<Array<{ version: string }>>`select current_setting('server_version') as version`;
  const bundlePath = join(workDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, (await bundleWorkflows(workflowsPath, quietLogger)).code);
  const taskQueue = `bench-${randomBytes(4).toString('hex')}`;
  const worker = await startWorkerProcess({
    DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue, WORKFLOW_BUNDLE_PATH: bundlePath, LOG_LEVEL: 'warn',
  });
  const app = createApp({ database, temporal, taskQueue, logger: createLogger('bench', 'error'), uploadMaxBytes: 4 * 1024 ** 3 });
  const catalog = await aCatalog(database.db);
  return {
    ctx: { ...options, database, databaseUrl, temporal, temporalAddress, taskQueue, app, catalog, worker },
    postgresVersion: row!.version,
    async close() {
      await worker.stop();
      await close();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
