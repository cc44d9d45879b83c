// Timing of the pure mediation path, not a test: records/s of raw parsing, mapping and the gates (without rating) on
// 1M generated Asterisk Master.csv rows. Run: npx tsx bench/mediation-gates.ts [rows]
import { parseRatePlan } from '../domain/rating/index';
import { ASTERISK_CDR_CSV, createMediator, createRawRowParser, mapRawRecord, parseFeedDefinition, type CanonicalRecord, type ServiceSnapshot } from '../domain/mediation/index';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const EXTENSIONS = 1000;
const feed = parseFeedDefinition(ASTERISK_CDR_CSV);

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

// The file is held as bytes (off the JS heap, as an activity reading a stored file would) and decoded
// chunk by chunk inside the timed loop.
function chunks(): Buffer[] {
  const out: Buffer[] = [];
  let chunk = '';
  const base = Date.parse('2024-03-01T00:00:00Z');
  for (let i = 0; i < ROWS; i++) {
    const ext = 1000 + (i % EXTENSIONS);
    const d = new Date(base + i * 2000);
    const stamp = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    const billsec = 1 + (i % 600);
    chunk += `"","${ext}","44207${String(i).padStart(6, '0')}","from-internal","""User ${ext}"" <${ext}>","SIP/${ext}-0000${i}","SIP/trunk-0000${i}","Dial","SIP/trunk/4420,60","${stamp}","${stamp}","${stamp}",${billsec + 5},${billsec},"ANSWERED","DOCUMENTATION","${1709251200 + i}.${i}",""\n`;
    if (chunk.length > 65_536) {
      out.push(Buffer.from(chunk));
      chunk = '';
    }
  }
  out.push(Buffer.from(chunk));
  return out;
}

const services: ServiceSnapshot[] = Array.from({ length: EXTENSIONS }, (_, i) => ({
  id: `ext-${1000 + i}`, status: 'ACTIVE', activeFrom: '2024-01-01T00:00:00Z', subscriptionId: 'sub-1',
  identifiers: [{ type: 'EXTENSION', value: String(1000 + i), validFrom: '2024-01-01T00:00:00Z' }],
}));
const context = {
  processedAt: '2024-04-01T12:00:00Z',
  services,
  subscriptions: [{ id: 'sub-1', accountId: 'acc-1', timeZone: 'UTC', lateGraceSeconds: 86_400, periods: [{ startAt: '2024-03-01T00:00:00Z', endAt: '2024-04-01T00:00:00Z', state: 'CLOSED' as const }] }],
};

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

const data = chunks();
run('parse only', data, 'parse');
run('parse + map', data, 'map');
run('parse + map + gates (no rating), 1M accepted keys kept in a Set', data, 'gates');
run('parse + map + gates (no rating), keys not kept (the database checks them)', data, 'gates', false);
run('parse + map + gates with rating, keys not kept', data, 'gates', false, true);
