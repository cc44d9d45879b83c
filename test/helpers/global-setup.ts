import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { migrateDatabase } from '../../db/migrations';
import { freePort, startTemporalDevServer, type DevServer } from '../../lib/temporal-dev-server';
import { bundleWorkflows } from '../../lib/workflow-bundle';
import { workflowsPath } from '../../worker';

// Once per run: one Temporal dev server (unless TEMPORAL_ADDRESS is given), one fresh database that
// is dropped afterwards, and one workflow bundle that every worker in every test reuses.

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    temporalUiUrl: string | null;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject) {
  const workDir = mkdtempSync(join(tmpdir(), 'meterflow-test-'));
  let server: DevServer | undefined;
  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  let temporalUiUrl = process.env.TEMPORAL_UI_URL ?? null;
  if (!temporalAddress) {
    const cli = process.env.TEMPORAL_CLI;
    if (!cli) throw new Error('Set TEMPORAL_CLI (or TEMPORAL_ADDRESS), or run the suite with `npm test`, which builds the Temporal CLI.');
    server = await startTemporalDevServer({ cli, port: await freePort(), uiPort: await freePort(), logFile: join(workDir, 'temporal.log') });
    temporalAddress = server.address;
    temporalUiUrl = server.uiUrl;
  }

  const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const databaseUrl = new URL(base);
  databaseUrl.pathname = `/meterflow_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  await migrateDatabase(databaseUrl.toString());

  const { code } = await bundleWorkflows(workflowsPath, quietLogger);
  const workflowBundlePath = join(workDir, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, code);

  project.provide('databaseUrl', databaseUrl.toString());
  project.provide('temporalAddress', temporalAddress);
  project.provide('temporalUiUrl', temporalUiUrl);
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    await server?.stop();
    const admin = new URL(base);
    admin.pathname = '/postgres';
    const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
    await sql.unsafe(`drop database if exists "${databaseUrl.pathname.slice(1)}" with (force)`);
    await sql.end();
    rmSync(workDir, { recursive: true, force: true });
  };
}

const noop = () => {};
export const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
