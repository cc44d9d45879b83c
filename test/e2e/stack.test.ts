import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureDatabase } from '../../db/migrations';
import { freePort } from '../../lib/temporal-dev-server';
import { readJson } from '../helpers/http';
import { runToEnd, startProcess, waitFor, type Proc } from '../../lib/processes';

// The whole stack as separate processes: API server, worker and CLI against the run's Temporal dev
// server and database, driven over HTTP like a user does; then the Temporal Web UI is asked for the
// workflow and its history.

const taskQueue = `e2e-${randomBytes(4).toString('hex')}`;
let apiUrl = '';
let api: Proc;
let worker: Proc;
let env: Record<string, string>;

beforeAll(async () => {
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  env = {
    DATABASE_URL: inject('databaseUrl'), TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: taskQueue,
    WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'), API_PORT: String(port), LOG_LEVEL: 'warn',
  };
  worker = startProcess('worker.ts', [], env);
  api = startProcess('api/server.ts', [], env);
  await waitFor('the worker', () => worker.output().includes('worker ready'), worker);
  await waitFor('the API health check', () => fetch(`${apiUrl}/healthz`).then((r) => r.ok, () => false), api);
});

afterAll(async () => {
  await Promise.all([api?.kill(), worker?.kill()]);
});

async function cliParty(kind: string, name: string, role?: string) {
  const { code, output } = await runToEnd('cli/index.ts', ['party', 'create', '--kind', kind, '--name', name, ...(role ? ['--role', role] : [])], env);
  expect(code, output).toBe(0);
  return JSON.parse(output) as { partyId: string; apiKey: string };
}

const http = async (method: string, path: string, key: string, body?: unknown) => {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await readJson(res) };
};

describe('end to end: API → Temporal → worker → Postgres', () => {
  it('runs the usage-file slice over HTTP, and the workflow is visible in the Temporal Web UI', async () => {
    const vendor = await cliParty('vendor', 'E2E Vendor');
    const provider = await cliParty('provider', 'E2E Provider');
    const admin = await cliParty('internal', 'E2E Operator', 'admin');
    const contract = await http('POST', '/v1/contracts', admin.apiKey, { vendorId: vendor.partyId, providerId: provider.partyId, name: 'E2E', providerEmail: 'billing@e2e.test' });
    expect(contract.status).toBe(201);
    const product = await http('POST', '/v1/products', vendor.apiKey, { name: 'E2E product', schema: 'QT' });
    expect(product.status).toBe(201);

    const created = await http('POST', '/v1/usage-files', vendor.apiKey, {
      name: 'E2E March', productId: product.body.id, contractId: contract.body.id, currency: 'USD', period: { from: '2024-03-01T00:00:00Z', to: '2024-03-31T23:59:59Z' },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    const read = await http('GET', `/v1/usage-files/${id}`, vendor.apiKey);
    expect(read.body).toMatchObject({ status: 'draft', workflow: { status: 'draft', seq: 0 } });
    const illegal = await http('POST', `/v1/usage-files/${id}/accept`, provider.apiKey, {});
    expect(illegal).toMatchObject({ status: 409, body: { error: { code: 'ILLEGAL_TRANSITION', currentState: 'draft' } } });
    const deleted = await http('POST', `/v1/usage-files/${id}/delete`, vendor.apiKey, { note: 'e2e' });
    expect(deleted).toMatchObject({ status: 200, body: { status: 'deleted' } });

    const ui = inject('temporalUiUrl');
    if (!ui) return; // TEMPORAL_ADDRESS given without TEMPORAL_UI_URL: no UI to ask
    const workflowId = `usage-file/${id}`;
    const list = await readJson(await fetch(`${ui}/api/v1/namespaces/default/workflows?query=${encodeURIComponent(`WorkflowId="${workflowId}"`)}`));
    expect(list.executions).toEqual([
      expect.objectContaining({ execution: expect.objectContaining({ workflowId }), type: { name: 'usageFile' }, status: 'WORKFLOW_EXECUTION_STATUS_COMPLETED' }),
    ]);
    const history = await readJson(await fetch(`${ui}/api/v1/namespaces/default/workflows/${encodeURIComponent(workflowId)}/history`));
    const types = history.history.events.map((e: { eventType: string }) => e.eventType);
    expect(types[0]).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect(types).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED');
    expect(types).toContain('EVENT_TYPE_ACTIVITY_TASK_COMPLETED');
    expect(types.at(-1)).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');
  });

  it('the API and the worker refuse to start against a database that is not migrated, naming the command', async () => {
    const url = new URL(inject('databaseUrl'));
    url.pathname = `${url.pathname}_unmigrated`;
    await ensureDatabase(url.toString());
    try {
      for (const script of ['api/server.ts', 'worker.ts']) {
        const { code, output } = await runToEnd(script, [], { ...env, DATABASE_URL: url.toString(), API_PORT: String(await freePort()) });
        expect(code).toBe(1);
        expect(output).toContain('Database is not migrated');
        expect(output).toContain('npm run db:migrate');
      }
    } finally {
      const admin = new URL(url);
      admin.pathname = '/postgres';
      const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
      await sql.unsafe(`drop database if exists "${url.pathname.slice(1)}" with (force)`);
      await sql.end();
    }
  });

  it('fails fast on bad configuration, naming the variable', async () => {
    const { code, output } = await runToEnd('api/server.ts', [], { ...env, API_PORT: 'eighty' });
    expect(code).toBe(1);
    expect(output).toContain('API_PORT');
  });
});
