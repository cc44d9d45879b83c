import { randomBytes } from 'node:crypto';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import postgres from 'postgres';
import { createDatabase, type Database } from '../db/client';
import { migrateDatabase } from '../db/migrations';
import { connectTemporal } from '../lib/temporal';
import { freePort, startTemporalDevServer, type DevServer } from '../lib/temporal-dev-server';
import { buildWorker } from '../worker';

// What every benchmark stands on: a Temporal server (TEMPORAL_ADDRESS, else a dev server of its own
// from TEMPORAL_CLI or the cached build), and a database of its own beside DATABASE_URL, migrated,
// that close() drops. Each benchmark starts and stops its own worker around these.

export interface BenchServices {
  temporalAddress: string;
  databaseUrl: string;
  database: Database;
  temporal: Client;
  /** Closes the connections, drops the database and stops the dev server it started. */
  close(): Promise<void>;
}

export async function openBenchServices(temporalLogFile = join(tmpdir(), 'meterflow-bench-temporal.log')): Promise<BenchServices> {
  let server: DevServer | undefined;
  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    const cli = process.env.TEMPORAL_CLI ?? join(homedir(), '.cache/meterflow/temporal-cli/v1.5.1/temporal');
    server = await startTemporalDevServer({ cli, port: await freePort(), logFile: temporalLogFile });
    temporalAddress = server.address;
  }
  const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/meterflow');
  const url = new URL(base);
  url.pathname = `/meterflow_bench_${randomBytes(3).toString('hex')}`;
  await migrateDatabase(url.toString());
  const database = createDatabase(url.toString(), { max: 10 });
  const temporal = await connectTemporal({ TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_NAMESPACE: 'default' });
  return {
    temporalAddress,
    databaseUrl: url.toString(),
    database,
    temporal,
    async close() {
      await temporal.connection.close();
      await database.close();
      const admin = new URL(base);
      admin.pathname = '/postgres';
      const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
      await sql.unsafe(`drop database if exists "${url.pathname.slice(1)}" with (force)`);
      await sql.end();
      await server?.stop();
    },
  };
}

/** The real worker in this process, on a task queue of its own; stop() drains it and closes its connection. */
export async function startInProcessWorker(services: BenchServices): Promise<{ taskQueue: string; stop(): Promise<void> }> {
  const connection = await NativeConnection.connect({ address: services.temporalAddress });
  const taskQueue = `bench-${randomBytes(4).toString('hex')}`;
  const worker = await buildWorker({ connection, namespace: 'default', taskQueue, database: services.database });
  const running = worker.run();
  return {
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

/** Runs a benchmark script's main and exits with its outcome. */
export function runBench(main: () => Promise<void>): void {
  main().then(() => process.exit(0), (err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
