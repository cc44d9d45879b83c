import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runToEnd } from '../../lib/processes';
import { freePort } from '../../lib/temporal-dev-server';

// The README's first command, minus the package installs that wrap it: the whole stack comes up on
// its own Temporal dev server and a database of its own, runs the demo, and a second run reuses the
// stored state (SQLite file, migrated database, demo keys).

const dataDir = mkdtempSync(join(tmpdir(), 'meterflow-up-'));
const databaseUrl = new URL(inject('databaseUrl'));
databaseUrl.pathname = `${databaseUrl.pathname}_up`;

afterAll(async () => {
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  await sql.unsafe(`drop database if exists "${databaseUrl.pathname.slice(1)}" with (force)`);
  await sql.end();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the main command', () => {
  it('brings the stack up, completes the demo, and reuses what exists when run again', async () => {
    const ownServer = Boolean(process.env.TEMPORAL_CLI);
    const env = {
      METERFLOW_DATA_DIR: dataDir, DATABASE_URL: databaseUrl.toString(), API_PORT: String(await freePort()),
      TEMPORAL_PORT: String(await freePort()), TEMPORAL_UI_PORT: String(await freePort()),
      TEMPORAL_ADDRESS: ownServer ? undefined : inject('temporalAddress'), PUBLIC_URL: undefined, TEMPORAL_TASK_QUEUE: undefined,
    };
    const first = await runToEnd('scripts/up.ts', ['--exit'], env);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('demo complete');
    expect(first.output).toMatch(/provider tried to accept a draft: 409/);
    expect(first.output).toMatch(/vendor uploaded 3 rows with an error: invalid/);
    expect(first.output).toMatch(/errors\.csv: 3,quantity,PRECISION/);
    expect(first.output).toMatch(/uploaded again: ready/);
    expect(first.output).toMatch(/provider confirmed on the page: accepted/);
    expect(first.output).toMatch(/provider exported the file for billing: 3 records/);
    expect(first.output).toMatch(/processed, 3 records closed; the file is closed/);
    expect(first.output).toContain(`API docs        http://127.0.0.1:${env.API_PORT}/docs`);
    if (ownServer) expect(first.output).toContain(`Temporal Web UI http://127.0.0.1:${env.TEMPORAL_UI_PORT}`);
    const keys = JSON.parse(readFileSync(join(dataDir, 'demo-keys.json'), 'utf8')) as Record<string, { apiKey: string }>;
    expect(first.output).toContain(keys.vendor!.apiKey);

    const second = await runToEnd('scripts/up.ts', ['--exit'], env);
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain('demo complete');
    expect(second.output).toContain(keys.vendor!.apiKey); // the same demo keys, not new ones
  }, 180_000);
});
