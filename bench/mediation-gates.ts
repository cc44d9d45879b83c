// Timing of the pure mediation path, not a test: records/s of raw parsing, mapping and the gates (without rating) on
// 1M generated Asterisk Master.csv rows. Run: npx tsx bench/mediation-gates.ts [rows]
import { parseRatePlan } from '../domain/rating/index';
import { ASTERISK_CDR_CSV, createMediator, createRawRowParser, mapRawRecord, parseFeedDefinition, type CanonicalRecord } from '../domain/mediation/index';
import { asteriskCdrFile, pbxCustomers } from './inputs';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const EXTENSIONS = 1000;
const feed = parseFeedDefinition(ASTERISK_CDR_CSV);

const { services, subscriptions } = pbxCustomers(EXTENSIONS, 1);
const context = { processedAt: '2024-04-01T12:00:00Z', services, subscriptions };

function run(label: string, data: Buffer[], stage: 'parse' | 'map' | 'gates', keepKeys = true, withRating = false): void {
  const started = process.hrtime.bigint();
  const parser = createRawRowParser(feed.format);
  const mediator = createMediator(feed, withRating ? { ...context, rating } : context);
  const accepted = new Set<string>();
  let rows = 0;
  let completed = 0;
  const handle = (row: { ok: boolean; row?: Readonly<Record<string, unknown>> }) => {
    rows++;
    if (stage === 'parse' || !row.ok || row.row === undefined) return;
    const mapped = mapRawRecord(row.row, feed);
    if (!mapped.ok || stage === 'map') return;
    const result = mediator.mediate(mapped.record as CanonicalRecord, accepted);
    if (result.status === 'COMPLETED') {
      if (keepKeys) accepted.add(result.duplicateKey);
      completed++;
    }
  };
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const chunk of data) for (const row of parser.push(decoder.decode(chunk, { stream: true }))) handle(row);
  for (const row of parser.finish()) handle(row);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`${label}: ${rows} rows in ${seconds.toFixed(2)} s = ${Math.round(rows / seconds).toLocaleString('en')} rows/s${stage === 'gates' ? ` (completed ${completed})` : ''}`);
}

const rating = {
  assignments: [{ planId: 'pbx', scope: 'global' as const }],
  planVersions: [parseRatePlan({ id: 'pbx', version: 1, currency: 'GBP', rounding: { method: 'half-up', decimals: 4 }, rates: [{ id: 'voice', usageType: 'voice', unit: 'minute', price: '0.02' }] })],
  asOf: '2024-04-01T12:00:00Z',
};

// The file is held as bytes (off the JS heap, as an activity reading a stored file would) and decoded
// chunk by chunk inside the timed loop.
const data = asteriskCdrFile(ROWS, EXTENSIONS, 20240301);
run('parse only', data, 'parse');
run('parse + map', data, 'map');
run('parse + map + gates (no rating), 1M accepted keys kept in a Set', data, 'gates');
run('parse + map + gates (no rating), keys not kept (the database checks them)', data, 'gates', false);
run('parse + map + gates with rating, keys not kept', data, 'gates', false, true);
