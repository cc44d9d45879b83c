import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { createServer } from 'node:net';
import { Connection } from '@temporalio/client';

// Starts the Temporal CLI's dev server (server + Web UI in one binary) for the main command and the
// test suite. Nothing stands in for it: without the binary, callers fail with a message.

export interface DevServer {
  address: string;
  uiUrl: string | null;
  process: ChildProcess;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the frontend answers a real RPC, so callers can use it at once. */
export async function waitForTemporal(address: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`Temporal at ${address} did not answer within ${timeoutMs} ms: ${String(err)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

// The dev server runs one history shard, and each shard's transfer-queue reader (the step that hands
// new workflow and activity tasks to matching) polls its store at most 20 times a second by default.
// Once that burst is spent, every task of every workflow waits for the next 50 ms slot: a sequential
// no-op activity cost ~100 ms (two tasks). Raising the cap keeps the same behaviour, only sooner
// (measured p50 100 ms → ~21 ms per activity, `npm run bench:temporal-overhead`).
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, number>> = { 'history.transferProcessorMaxPollRPS': 1000 };

export async function startTemporalDevServer(options: {
  cli: string;
  port: number;
  uiPort?: number;
  dbFile?: string;
  logFile?: string;
}): Promise<DevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'warn'];
  args.push(...(options.uiPort ? ['--ui-port', String(options.uiPort)] : ['--headless']));
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  for (const [key, value] of Object.entries(DEV_SERVER_DYNAMIC_CONFIG)) args.push('--dynamic-config-value', `${key}=${value}`);
  const out = options.logFile ? openSync(options.logFile, 'a') : 'ignore';
  const child = spawn(options.cli, args, { stdio: ['ignore', out, out] });
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (err) => reject(new Error(`cannot run ${options.cli}: ${err.message}`)));
    child.once('exit', (code) => reject(new Error(`temporal server start-dev exited with code ${code}${options.logFile ? `; see ${options.logFile}` : ''}`)));
  });
  const address = `127.0.0.1:${options.port}`;
  await Promise.race([waitForTemporal(address), exited]);
  exited.catch(() => {}); // later exits are reported by stop()
  return {
    address,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : null,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}
