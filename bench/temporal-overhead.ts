// Per-activity overhead of a Temporal round trip on this machine: one workflow runs 1,000 no-op
// activities in sequence on an in-process worker; the gaps between consecutive completions (from
// the server's history) are the cost of scheduling, dispatching and completing one activity plus
// the workflow task that schedules the next. Reports p50 and p99 in milliseconds.
// Run: npm run bench:temporal-overhead [-- --count 1000] (TEMPORAL_ADDRESS, else a dev server from TEMPORAL_CLI or the cached build)
import { randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { freePort, startTemporalDevServer, type DevServer } from '../lib/temporal-dev-server';
import { bundleWorkflows } from '../lib/workflow-bundle';
import { quietLogger } from '../test/helpers/global-setup';

// BENCH_WORKER_OPTIONS: extra Worker options as JSON, for trying tunings (poller behaviour, eager dispatch...).
const workerTuning = JSON.parse(process.env.BENCH_WORKER_OPTIONS ?? '{}') as Record<string, unknown>;
const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

export interface OverheadResult {
  activities: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  historyEvents: number;
  workflowId: string;
}

export async function measureActivityOverhead(address: string, count: number): Promise<OverheadResult> {
  const taskQueue = `bench-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address });
  const bundle = await bundleWorkflows(fileURLToPath(new URL('./workflows/noop.ts', import.meta.url)), quietLogger);
  const worker = await Worker.create({ connection, taskQueue, workflowBundle: bundle, activities: { noop: async () => {} }, ...workerTuning });
  const client = new Client({ connection: await Connection.connect({ address }) });
  try {
    const workflowId = `bench-noop-${randomUUID()}`;
    const history = await worker.runUntil(async () => {
      const handle = await client.workflow.start('noopActivities', { taskQueue, workflowId, args: [count] });
      await handle.result();
      return handle.fetchHistory();
    });
    const completedMs = history.events!
      .filter((e) => e.activityTaskCompletedEventAttributes)
      .map((e) => Number(e.eventTime!.seconds) * 1000 + Math.floor(e.eventTime!.nanos! / 1e6));
    const gaps = completedMs.slice(1).map((t, i) => t - completedMs[i]!).sort((a, b) => a - b);
    return {
      activities: count,
      p50Ms: percentile(gaps, 50),
      p99Ms: percentile(gaps, 99),
      meanMs: Math.round((gaps.reduce((a, b) => a + b, 0) / gaps.length) * 100) / 100,
      historyEvents: history.events!.length,
      workflowId,
    };
  } finally {
    await client.connection.close();
    await connection.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { count: { type: 'string', default: '1000' } } });
  Runtime.install({ logger: new DefaultLogger('WARN') });
  let server: DevServer | undefined;
  let address = process.env.TEMPORAL_ADDRESS;
  if (!address) {
    const cli = process.env.TEMPORAL_CLI ?? join(homedir(), '.cache/meterflow/temporal-cli/v1.5.1/temporal');
    server = await startTemporalDevServer({ cli, port: await freePort() });
    address = server.address;
  }
  try {
    const result = await measureActivityOverhead(address, Number.parseInt(values.count, 10));
    console.log(`per-activity overhead over ${result.activities} no-op activities: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, mean ${result.meanMs} ms (${result.historyEvents} history events)`);
    console.log(JSON.stringify({ bench: 'temporal-overhead', ...result }));
  } finally {
    await server?.stop();
  }
}
