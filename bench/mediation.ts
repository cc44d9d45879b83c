// Mediation throughput: a generated Asterisk CDR file (1,000,000 records by default) streamed
// through the API into a feed, from upload until every record is rated or quarantined, with the
// worker in its own process (its peak RSS is read from /proc). Baseline, measured in the same run:
// Postgres' COPY of the already-mediated rows into a table shaped like mediated_records.
// Also prints the workflow's history length and largest payload.
// Run: npm run bench:mediation [-- --records 10000000]; WORKER_NODE_OPTIONS sets the worker's NODE_OPTIONS
// (e.g. --max-old-space-size=320 to bound its heap).
// Uses TEMPORAL_ADDRESS when set, otherwise starts a Temporal dev server (TEMPORAL_CLI or the cached
// build); makes a database of its own beside DATABASE_URL and drops it afterwards.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { createApp } from '../api/app';
import { copyLines } from '../db/copy';
import { MEDIATED_COLUMNS } from '../db/queries/mediation';
import { createLogger } from '../lib/logger';
import { startProcess, waitFor } from '../lib/processes';
import { bundleWorkflows } from '../lib/workflow-bundle';
import { anAsteriskFeed, asteriskCdrLines } from '../test/fixtures/cdr';
import { aMarketplace } from '../test/fixtures/parties';
import { workflowsPath } from '../worker';
import { feedLoadWorkflowId } from '../workflows/shared';
import { apiPoster, uploadFeedFile, waitLoaded } from './feed-load';
import { openBenchServices, runBench } from './services';
import { largestPayloadBytes } from './history';

const { values } = parseArgs({ options: { records: { type: 'string', default: '1000000' } } });
const recordCount = Number.parseInt(values.records, 10);
const say = (line: string) => console.log(line);
const EXTENSIONS = Array.from({ length: 200 }, (_, i) => String(2001 + i));

/** Peak resident set of a process (VmHWM), in MiB. */
function peakRssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return Number.parseInt(line!.replace(/\D+/g, ''), 10) / 1024;
}

async function main() {
  const services = await openBenchServices();
  const { temporalAddress: address, database, temporal } = services;
  const taskQueue = `bench-${randomBytes(4).toString('hex')}`;
  // A prebuilt bundle, as in production images: the worker's RSS is then its own work, not webpack's.
  const bundlePath = join(tmpdir(), `meterflow-bench-bundle-${taskQueue}.js`);
  writeFileSync(bundlePath, (await bundleWorkflows(workflowsPath)).code);
  const worker = startProcess('worker.ts', [], { DATABASE_URL: services.databaseUrl, TEMPORAL_ADDRESS: address, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn', WORKFLOW_BUNDLE_PATH: bundlePath, NODE_OPTIONS: process.env.WORKER_NODE_OPTIONS });
  const app = createApp({ database, temporal, taskQueue, logger: createLogger('bench', 'error'), uploadMaxBytes: 64 * 1024 ** 3 });
  const call = apiPoster(app);
  try {
    await waitFor('the worker', () => worker.output().includes('worker ready'), worker, 120_000);
    const m = await aMarketplace(database.db);
    await call('/v1/accounts', m.provider.auth, { id: 'bench-acc', currency: 'GBP' });
    await call('/v1/accounts/bench-acc/subscriptions', m.provider.auth, { id: 'bench-sub', startedAt: '2024-03-01T00:00:00Z', periods: 12 });
    for (let s = 0; s < 10; s++) {
      const identifiers = EXTENSIONS.filter((_, i) => i % 10 === s).map((value) => ({ type: 'EXTENSION', value, validFrom: '2024-01-01T00:00:00Z' }));
      await call('/v1/subscriptions/bench-sub/services', m.provider.auth, { id: `bench-svc-${s}`, activeFrom: '2024-01-01T00:00:00Z', identifiers });
    }
    await call('/v1/rate-plans', m.admin.auth, { id: 'bench-plan', version: 1, currency: 'GBP', rounding: { method: 'half-up', decimals: 4 }, rates: [{ id: 'voice', usageType: 'voice', unit: 'minute', price: '0.10' }] });
    await call('/v1/rate-plan-assignments', m.admin.auth, { planId: 'bench-plan', scope: 'subscription', targetId: 'bench-sub', validFrom: '2024-01-01T00:00:00Z' });
    await call('/v1/feeds', m.provider.auth, anAsteriskFeed('bench-asterisk'));

    // One call a second for 10M records keeps them inside the subscription's 12 periods.
    const spacingSeconds = recordCount > 2_000_000 ? 1 : 2;
    let bytes = 0;
    const lines = asteriskCdrLines(recordCount, EXTENSIONS, spacingSeconds);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = lines.next();
        if (next.done) return controller.close();
        const chunk = Buffer.from(next.value);
        bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    say(`streaming ${recordCount.toLocaleString('en')} CDRs through POST /v1/feeds/bench-asterisk/loads…`);
    const started = performance.now();
    const loadId = await uploadFeedFile(app, 'bench-asterisk', m.provider.auth, body);
    const uploadedSeconds = (performance.now() - started) / 1000;
    await waitLoaded(database, loadId, worker);
    const seconds = (performance.now() - started) / 1000;
    const workerPeakMiB = peakRssMiB(worker.child.pid!);
    const counts = await database.sql<Array<{ status: string; n: number }>>`select status, count(*)::int as n from mediated_records where load_id = ${loadId} group by status order by status`;
    const stored = counts.reduce((n, c) => n + c.n, 0);

    // Baseline: COPY of the mediated rows out and into a table shaped like mediated_records.
    await database.sql`create table bench_baseline (like mediated_records including defaults including constraints)`;
    await database.sql`alter table bench_baseline add primary key (load_id, row_no)`;
    // The rows go out to a file first (not timed), then the timed COPY reads that file.
    const rowsFile = join(tmpdir(), `meterflow-bench-rows-${taskQueue}.tsv`);
    // Its own connection, closed after: a pooled connection reused after a COPY TO stalls the next COPY FROM.
    const out = postgres(services.databaseUrl, { max: 1, onnotice: () => {} });
    await pipeline(await out.unsafe(`copy (select ${MEDIATED_COLUMNS.join(', ')} from mediated_records where load_id = '${loadId}') to stdout`).readable(), createWriteStream(rowsFile));
    await out.end();
    say(`loaded; measuring the baseline…`);
    const baselineStarted = performance.now();
    // COPY in commits of 20,000 rows, as the activity does.
    let batch: string[] = [];
    for await (const line of createInterface({ input: createReadStream(rowsFile) })) {
      batch.push(`${line}\n`);
      if (batch.length === 20_000) {
        await copyLines(database.sql, 'bench_baseline', MEDIATED_COLUMNS.join(', '), batch);
        batch = [];
      }
    }
    await copyLines(database.sql, 'bench_baseline', MEDIATED_COLUMNS.join(', '), batch);
    rmSync(rowsFile);
    const baselineSeconds = (performance.now() - baselineStarted) / 1000;
    const [{ baselineRows }] = await database.sql<[{ baselineRows: number }]>`select count(*)::int as "baselineRows" from bench_baseline`;

    say(`baseline done; reading the workflow history…`);
    const history = await temporal.workflow.getHandle(feedLoadWorkflowId(loadId)).fetchHistory();
    const events = history.events ?? [];
    const rate = stored / seconds;
    const baselineRate = baselineRows / baselineSeconds;
    say('');
    say(`file      ${(bytes / 1024 / 1024).toFixed(1)} MiB; outcome ${counts.map((c) => `${c.status} ${c.n.toLocaleString('en')}`).join(', ')}`);
    say(`baseline  COPY of the mediated rows into a table shaped like mediated_records: ${baselineRows.toLocaleString('en')} rows in ${baselineSeconds.toFixed(2)} s = ${Math.round(baselineRate).toLocaleString('en')} rows/s`);
    say(`meterflow upload → every record rated or quarantined (raw + mediated + keys + billable by COPY): ${stored.toLocaleString('en')} records in ${seconds.toFixed(2)} s (upload ${uploadedSeconds.toFixed(2)} s) = ${Math.round(rate).toLocaleString('en')} records/s`);
    say(`ratio     ${(rate / baselineRate).toFixed(2)} of the baseline (target ≥ 0.5)`);
    say(`worker    peak RSS ${workerPeakMiB.toFixed(0)} MiB${process.env.WORKER_NODE_OPTIONS ? ` (NODE_OPTIONS ${process.env.WORKER_NODE_OPTIONS})` : ''}`);
    say(`workflow  history ${events.length} events; largest payload ${largestPayloadBytes(events).toLocaleString('en')} bytes (limit 262,144)`);
    if (process.env.BENCH_DEBUG) say(worker.output().trim().split('\n').slice(-2).join('\n'));
  } finally {
    await worker.kill();
    rmSync(bundlePath, { force: true });
    await services.close();
  }
}

runBench(main);
