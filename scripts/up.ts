// The main command (`npm start`): the whole stack on its embedded defaults, then a demo through the
// HTTP API. Reuses what is already running or stored: the Temporal dev server's SQLite file under
// .data/, the migrated database, the demo keys. Ctrl-C stops what this command started.
//   --exit   stop everything after the demo (for scripts and tests)
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase } from '../db/client';
import { migrateDatabase } from '../db/migrations';
import { createApiKey, createParty, findCallerByKey } from '../db/queries/parties';
import { loadConfig } from '../lib/config';
import { startTemporalDevServer, waitForTemporal, type DevServer } from '../lib/temporal-dev-server';
import { runDemo, type DemoKeys } from './demo';
import { startProcess, type Proc } from '../lib/processes';
import { startSmtpSink } from '../lib/smtp-sink';

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = resolve(process.env.METERFLOW_DATA_DIR ?? resolve(root, '.data'));
const exitAfterDemo = process.argv.includes('--exit');
const say = (line: string) => console.log(`\x1b[1m[meterflow]\x1b[0m ${line}`);

type Keys = DemoKeys & { ops: { partyId: string; apiKey: string } };

async function ensureTemporal(): Promise<{ address: string; uiUrl: string | null; server?: DevServer }> {
  if (process.env.TEMPORAL_ADDRESS) {
    await waitForTemporal(process.env.TEMPORAL_ADDRESS, 10_000);
    return { address: process.env.TEMPORAL_ADDRESS, uiUrl: process.env.TEMPORAL_UI_URL ?? null };
  }
  const port = Number(process.env.TEMPORAL_PORT ?? 7233);
  const uiPort = Number(process.env.TEMPORAL_UI_PORT ?? port + 1000);
  const address = `127.0.0.1:${port}`;
  try {
    await waitForTemporal(address, 1_000);
    say(`reusing the Temporal server already running at ${address}`);
    return { address, uiUrl: `http://127.0.0.1:${uiPort}` };
  } catch {
    const cli = process.env.TEMPORAL_CLI;
    if (!cli) throw new Error('TEMPORAL_CLI is not set: run this through `npm start`, which builds the Temporal CLI once.');
    say(`starting the Temporal dev server at ${address} (state in ${dataDir}/temporal.db)…`);
    const server = await startTemporalDevServer({ cli, port, uiPort, dbFile: resolve(dataDir, 'temporal.db'), logFile: resolve(dataDir, 'temporal.log') });
    return { address, uiUrl: server.uiUrl, server };
  }
}

/** Demo parties and keys, made once and kept in .data/demo-keys.json while they still work. */
async function ensureDemoKeys(databaseUrl: string): Promise<Keys> {
  const file = resolve(dataDir, 'demo-keys.json');
  const database = createDatabase(databaseUrl, { max: 1 });
  try {
    if (existsSync(file)) {
      const keys = JSON.parse(readFileSync(file, 'utf8')) as Keys;
      const valid = await Promise.all(Object.values(keys).map((k) => findCallerByKey(database.db, k.apiKey)));
      if (valid.every(Boolean)) return keys;
    }
    const make = async (kind: 'vendor' | 'provider' | 'internal', name: string, role: 'vendor' | 'provider' | 'admin' | 'ops') => {
      const party = await createParty(database.db, { kind, name });
      return { partyId: party.id, apiKey: (await createApiKey(database.db, { partyId: party.id, role, label: 'demo' })).key };
    };
    const keys: Keys = {
      vendor: await make('vendor', 'Demo Vendor (Acme Cloud)', 'vendor'),
      provider: await make('provider', 'Demo Provider (Northwind Distribution)', 'provider'),
      admin: await make('internal', 'Demo Operator', 'admin'),
      ops: await make('internal', 'Demo Ops (read-only)', 'ops'),
    };
    writeFileSync(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
    return keys;
  } finally {
    await database.close();
  }
}

async function waitHealthy(apiUrl: string, proc: Proc) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (await fetch(`${apiUrl}/healthz`).then((r) => r.ok, () => false)) return;
    if (Date.now() > deadline || proc.child.exitCode !== null) throw new Error(`the API did not become healthy:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main() {
  mkdirSync(dataDir, { recursive: true });
  const config = loadConfig();
  const temporal = await ensureTemporal();
  say(`migrating ${config.DATABASE_URL}…`);
  await migrateDatabase(config.DATABASE_URL);

  // Mail: an in-process SMTP sink catches the review mails unless SMTP_URL names a real server.
  const smtp = await startSmtpSink();
  const env = {
    DATABASE_URL: config.DATABASE_URL, TEMPORAL_ADDRESS: temporal.address, API_PORT: String(config.API_PORT), API_HOST: config.API_HOST,
    SMTP_URL: process.env.SMTP_URL ?? smtp.url,
  };
  const worker = startProcess('worker.ts', [], env);
  const api = startProcess('api/server.ts', [], env);
  const stop = async () => {
    await Promise.all([api.kill(), worker.kill()]);
    await Promise.all([temporal.server?.stop(), smtp.close()]);
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(0)));

  try {
    const apiUrl = config.PUBLIC_URL;
    await waitHealthy(apiUrl, api);
    const keys = await ensureDemoKeys(config.DATABASE_URL);
    say('running the demo through the HTTP API:');
    await runDemo(apiUrl, keys, (line) => say(`  ${line}`), process.env.SMTP_URL ? undefined : smtp);
    say('demo complete');
    console.log([
      '',
      `  API             ${apiUrl}`,
      `  API docs        ${apiUrl}/docs   (OpenAPI: ${apiUrl}/openapi.json)`,
      `  Temporal Web UI ${temporal.uiUrl ?? '(not known: set TEMPORAL_UI_URL)'}`,
      `  Temporal        ${temporal.address}`,
      '',
      '  Demo API keys (Authorization: Bearer <key>; also in .data/demo-keys.json):',
      ...Object.entries(keys).map(([role, k]) => `    ${role.padEnd(9)} ${k.apiKey}   party ${k.partyId}`),
      '',
      exitAfterDemo ? '' : '  Ctrl-C stops the API, the worker and the Temporal server this command started.',
    ].join('\n'));
  } catch (err) {
    await stop();
    throw err;
  }
  if (exitAfterDemo) {
    await stop();
    process.exit(0);
  }
}

main().catch((err: unknown) => {
  console.error(`\x1b[31m[meterflow] ${err instanceof Error ? err.message : String(err)}\x1b[0m`);
  process.exit(1);
});
