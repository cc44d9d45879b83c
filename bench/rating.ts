// Rating throughput on one core: (a) a per-unit cloud price, (b) a telecom tariff with destination
// zones and peak/off-peak splits, each beside a baseline loop over the same records measured in the
// same run (so the ratio says what rating costs on this machine, whatever the machine). Also the
// decimal.js reference engine, for scale. Run: npx tsx bench/rating.ts [--records N] [--seconds S]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRater, type RatingEngine, type UsageRecord } from '../domain/rating/index';
import { cloudRecords, loadPlan, telecomRecords } from './inputs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { records: { type: 'string', default: '200000' }, seconds: { type: 'string', default: '2' } } });
const recordCount = Number.parseInt(values.records, 10);
const secondsPerCase = Number.parseFloat(values.seconds);

/** Runs `body` over all records repeatedly for about `secondsPerCase`; records per second. */
function throughput(records: readonly UsageRecord[], body: (record: UsageRecord) => number): number {
  let sink = 0;
  for (const record of records) sink += body(record); // warm-up pass (JIT)
  let processed = 0;
  const started = process.hrtime.bigint();
  let elapsedNs = 0n;
  while (elapsedNs < BigInt(Math.round(secondsPerCase * 1e9))) {
    for (const record of records) sink += body(record);
    processed += records.length;
    elapsedNs = process.hrtime.bigint() - started;
  }
  if (sink === -1) console.log('unreachable');
  return (processed * 1e9) / Number(elapsedNs);
}

/** The baseline: read the fields rating reads and sum a number; no rating. */
function baselineBody(record: UsageRecord): number {
  return record.id.length + record.usageType.length + record.start.length + (record.quantity?.length ?? 0)
    + (record.durationSeconds?.length ?? 0) + (record.destination?.length ?? 0) + (record.unit?.length ?? 0);
}

function ratingBody(plan: ReturnType<typeof loadPlan>, engine: RatingEngine) {
  const rate = createRater({ plans: [plan], asOf: '2024-04-01T00:00:00Z', timeZone: 'Europe/London' }, { engine });
  return (record: UsageRecord) => {
    const result = rate(record);
    if (result.status !== 'rated') throw new Error(`bench record ${record.id} did not rate: ${JSON.stringify(result)}`);
    return result.amount.length + result.trace.pieces.length;
  };
}

interface CaseResult {
  case: string;
  recordsPerSecond: number;
  baselinePerSecond: number;
  ratioToBaseline: number;
  referencePerSecond: number;
  target: number;
  meetsTarget: boolean;
  splitShare: number;
}

function runCase(name: string, plan: ReturnType<typeof loadPlan>, records: UsageRecord[], target: number): CaseResult {
  const baselinePerSecond = throughput(records, baselineBody);
  const recordsPerSecond = throughput(records, ratingBody(plan, 'fast'));
  const referencePerSecond = throughput(records.slice(0, Math.min(records.length, 50_000)), ratingBody(plan, 'reference'));
  const rate = createRater({ plans: [plan], asOf: '2024-04-01T00:00:00Z', timeZone: 'Europe/London' });
  const split = records.filter((record) => {
    const result = rate(record);
    return result.status === 'rated' && new Set(result.trace.pieces.map((piece) => piece.rate.rateId)).size > 1;
  }).length;
  return {
    case: name,
    recordsPerSecond: Math.round(recordsPerSecond),
    baselinePerSecond: Math.round(baselinePerSecond),
    ratioToBaseline: Number((recordsPerSecond / baselinePerSecond).toFixed(4)),
    referencePerSecond: Math.round(referencePerSecond),
    target,
    meetsTarget: recordsPerSecond >= target,
    splitShare: Number((split / records.length).toFixed(4)),
  };
}

const results = [
  runCase('a: cloud per-unit (compute vcpu_hour)', loadPlan('cloud'), cloudRecords(recordCount), 1_000_000),
  runCase('b: telecom zones + peak/off-peak splits', loadPlan('telecom'), telecomRecords(recordCount), 300_000),
];

const format = (value: number) => value.toLocaleString('en-US').padStart(12);
console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'cpu'}, one core, ${recordCount} records per case, ~${secondsPerCase}s per loop`);
console.log('case                                          rated rec/s  baseline rec/s  ratio    decimal.js rec/s  target       ok   split');
for (const result of results) {
  console.log(
    `${result.case.padEnd(44)}${format(result.recordsPerSecond)}  ${format(result.baselinePerSecond)}  ${result.ratioToBaseline.toFixed(4)}  ${format(result.referencePerSecond)}     ${format(result.target)}  ${result.meetsTarget ? 'yes' : 'NO '}  ${(result.splitShare * 100).toFixed(1)}%`,
  );
}
const line = JSON.stringify({ bench: 'rating', node: process.version, records: recordCount, results });
console.log(line);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'rating.json'), `${line}\n`);
