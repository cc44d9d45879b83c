// Usage-file throughput: a 1,000,000-record CSV from upload to ready (streamed into Postgres,
// processed by the workflow's activity in chunks with COPY), beside a baseline measured in the same
// run: Postgres' own COPY of the same CSV into a table with the file's columns and the same kind of
// key (one sequential primary key). Also prints the workflow's history length and largest payload.
// Run: npm run bench:usage-file [-- --records N --chunk-rows N (0: the activity's default)]
// Uses TEMPORAL_ADDRESS when set, otherwise starts a Temporal dev server (TEMPORAL_CLI or the cached
// build); makes a database of its own beside DATABASE_URL and drops it afterwards.
import { parseArgs } from 'node:util';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { createApp } from '../api/app';
import { insertUsageFile, recordTransition } from '../db/queries/usage-files';
import { newUsageFileId } from '../lib/ids';
import { createLogger } from '../lib/logger';
import { aCatalog, aUsageRow, QT_COLUMNS, usageCsv } from '../test/fixtures/catalog';
import { usageFileWorkflowId } from '../workflows/shared';
import { usageFile } from '../workflows/usage-file';
import { payloadBytes } from './history';
import { openBenchServices, runBench, startInProcessWorker } from './services';

const { values } = parseArgs({ options: { records: { type: 'string', default: '1000000' }, 'chunk-rows': { type: 'string', default: '0' } } });
const recordCount = Number.parseInt(values.records, 10);
const chunkRows = Number.parseInt(values['chunk-rows'], 10);
const say = (line: string) => console.log(line);

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const services = await openBenchServices();
  const { database, temporal } = services;
  const { taskQueue, stop } = await startInProcessWorker(services);
  const app = createApp({ database, temporal, taskQueue, logger: createLogger('bench', 'error'), uploadMaxBytes: 1024 ** 3 });
  try {
    const c = await aCatalog(database.db);
    say(`generating ${recordCount.toLocaleString('en')} records…`);
    const csv = Buffer.from(usageCsv(Array.from({ length: recordCount }, (_, i) => aUsageRow(c, i))));
    say(`CSV: ${(csv.byteLength / 1024 / 1024).toFixed(1)} MiB, ${QT_COLUMNS.length} columns`);

    // Baseline: Postgres' COPY of the same CSV into a table with the file's columns and one sequential key.
    await database.sql`create table bench_baseline (
      row_no bigint generated always as identity primary key, record_id text, item_search_criteria text, item_search_value text,
      quantity numeric, start_time_utc timestamptz, end_time_utc timestamptz, asset_search_criteria text, asset_search_value text)`;
    const baselineStarted = performance.now();
    const writable = await database.sql.unsafe(`copy bench_baseline (${QT_COLUMNS.join(', ')}) from stdin with (format csv, header true)`).writable();
    await new Promise<void>((resolve, reject) => { writable.on('error', reject); writable.end(csv, resolve); });
    const baselineRows = (await database.sql<Array<{ n: number }>>`select count(*)::int as n from bench_baseline`)[0]!.n;
    const baselineSeconds = (performance.now() - baselineStarted) / 1000;

    // Meterflow: upload through the API, processed by the workflow, until the file is ready.
    const id = newUsageFileId();
    const f = await insertUsageFile(database.db, {
      id, vendorId: c.vendor.party.id, providerId: c.provider.party.id, productId: c.product.id, contractId: c.contract.id, schema: 'QT',
      name: 'bench', currency: 'EUR', environment: 'production', periodFrom: new Date('2024-03-01T00:00:00Z'), periodTo: new Date('2024-03-31T23:59:59Z'),
    });
    await recordTransition(database.db, { fileId: id, seq: 0, action: 'create', fromStatus: null, toStatus: 'draft', actorPartyId: c.vendor.party.id, actorKeyId: null, note: '', at: f.createdAt.toISOString() });
    const handle = await temporal.workflow.start(usageFile, { taskQueue, workflowId: usageFileWorkflowId(id), args: [{ fileId: id, status: 'draft', seq: 0, chunkRows }] });
    const started = performance.now();
    const res = await app.request(`/v1/usage-files/${id}/upload`, { method: 'POST', headers: { ...c.vendor.auth, 'content-type': 'text/csv' }, body: csv });
    if (res.status !== 202) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
    const uploadedSeconds = (performance.now() - started) / 1000;
    for (;;) {
      const [row] = await database.sql<Array<{ status: string }>>`select status from usage_files where id = ${id}`;
      if (row!.status === 'ready') break;
      if (row!.status === 'invalid') throw new Error('the bench file came out invalid');
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    const stored = (await database.sql<Array<{ n: number }>>`select count(*)::int as n from usage_records where file_id = ${id}`)[0]!.n;

    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const largest = Math.max(...events.map(payloadBytes));
    if (process.env.BENCH_DEBUG) {
      const t0 = Number(events[0]!.eventTime!.seconds) * 1000 + Math.round((events[0]!.eventTime!.nanos ?? 0) / 1e6);
      for (const e of events) {
        const t = Number(e.eventTime!.seconds) * 1000 + Math.round((e.eventTime!.nanos ?? 0) / 1e6);
        say(`${String(t - t0).padStart(7)} ms ${e.eventType} ${e.activityTaskScheduledEventAttributes?.activityType?.name ?? ''}`);
      }
    }
    const rate = recordCount / seconds;
    const baselineRate = baselineRows / baselineSeconds;
    say('');
    say(`baseline  COPY of the CSV into a table with its columns + PK: ${baselineRows.toLocaleString('en')} rows in ${baselineSeconds.toFixed(2)} s = ${Math.round(baselineRate).toLocaleString('en')} rows/s`);
    say(`meterflow upload → ready (stream to Postgres, parse, validate, COPY in chunks of ${chunkRows > 0 ? chunkRows.toLocaleString('en') : 'the default size'}): ${stored.toLocaleString('en')} records in ${seconds.toFixed(2)} s (upload ${uploadedSeconds.toFixed(2)} s) = ${Math.round(rate).toLocaleString('en')} records/s`);
    say(`ratio     ${(rate / baselineRate).toFixed(2)} of the baseline (target ≥ 0.70, ambition 0.90)`);
    say(`workflow  history ${events.length} events (limit 10,240); largest payload ${largest.toLocaleString('en')} bytes (limit 262,144)`);
  } finally {
    await stop();
    await services.close();
  }
}

runBench(main);
