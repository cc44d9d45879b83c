import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ASTERISK_CDR_CSV, createMediator, createRawRowParser, mapRawRecord, parseFeedDefinition, type CanonicalRecord } from '../../../domain/mediation/index';
import { formatPlain, sumMoney } from '../../../domain/money';
import { parseRatePlan } from '../../../domain/rating/index';
import { asteriskCdrFile, pbxCustomers } from '../../inputs';
import { timed } from '../stats';
import type { BenchContext, Check, PairedModule } from '../types';
import { BILLABLE_COLUMNS, billableLine, freshBillableTable } from './rated-rows';

// Mediation end to end (a CDR file from upload to rated records) against two baselines:
// - the straight script: one process streams the same Asterisk CDR file, parses, maps, runs the same
//   gates and rating code (domain/mediation, domain/rating) and COPYs the rated rows; no Temporal;
// - COPY of the rated rows it produced into a table like billable_records.
// PLUG-IN POINT: the measured side (upload → rated through the API, the feed workflow and the
// worker) comes from bench/mediation.ts; the lead sets `runMediation` below at merge, e.g.
// `run: (ctx, i) => runMediationUpload(ctx, cdrFile(ctx), i)`. Until then the ratios say why they are missing.

const EXTENSIONS = 1_000;
const feed = parseFeedDefinition(ASTERISK_CDR_CSV);
const plan = parseRatePlan({ id: 'pbx', version: 1, currency: 'GBP', rounding: { method: 'half-up', decimals: 4 }, rates: [{ id: 'voice', usageType: 'voice', unit: 'minute', price: '0.02' }] });
const PENDING = 'the measured side is wired at merge (bench/mediation.ts, branch mediation)';

interface State { file: Buffer[]; lines: string[]; totals: string[] }
const states = new WeakMap<BenchContext, State>();

function state(ctx: BenchContext): State {
  let s = states.get(ctx);
  if (!s) states.set(ctx, (s = { file: asteriskCdrFile(ctx.sizes.cdrRows, EXTENSIONS, ctx.seed), lines: [], totals: [] }));
  return s;
}

/** The straight script: stream → parse → map → gates and rating → COPY in chunks. Returns the rated lines and the money total. */
async function straightScript(ctx: BenchContext, table: string): Promise<{ lines: string[]; total: string }> {
  const { services, subscriptions } = pbxCustomers(EXTENSIONS, ctx.sizes.accounts);
  const mediator = createMediator(feed, {
    processedAt: '2024-04-01T12:00:00Z', services, subscriptions,
    rating: { assignments: [{ planId: 'pbx', scope: 'global' }], planVersions: [plan], asOf: '2024-04-01T12:00:00Z' },
  });
  const accepted = new Set<string>();
  const lines: string[] = [];
  let pending: string[] = [];
  const amounts: string[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const chunk = pending.join('');
    pending = [];
    await pipeline(Readable.from([chunk]), await ctx.database.sql.unsafe(`copy ${table} (${BILLABLE_COLUMNS}) from stdin`).writable());
  };
  /** Mediates and rates one row; true when a chunk is ready to COPY. */
  const handle = (row: { ok: boolean; row?: Readonly<Record<string, unknown>> }): boolean => {
    if (!row.ok || row.row === undefined) return false;
    const mapped = mapRawRecord(row.row, feed);
    if (!mapped.ok) return false;
    const record = mapped.record as CanonicalRecord;
    const result = mediator.mediate(record, accepted);
    if (result.status !== 'COMPLETED' || result.rating?.status !== 'rated') return false;
    accepted.add(result.duplicateKey);
    amounts.push(result.rating.amount);
    const line = billableLine('straight-script', {
      id: `feed:asterisk:${result.duplicateKey}`, accountId: result.accountId!, subscriptionId: result.subscriptionId!, serviceId: result.serviceId!,
      currency: result.rating.currency, category: result.category, unit: result.rating.unit, quantity: result.rating.quantity, amount: result.rating.amount,
      usageAt: record.start, planId: 'pbx', planVersion: 1,
    });
    lines.push(line);
    pending.push(line);
    return pending.length >= ctx.sizes.chunkRows;
  };
  const parser = createRawRowParser(feed.format);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const chunk of state(ctx).file) {
    for (const row of parser.push(decoder.decode(chunk, { stream: true }))) if (handle(row)) await flush();
  }
  for (const row of parser.finish()) handle(row);
  await flush();
  return { lines, total: formatPlain(sumMoney(amounts)) };
}

export const mediationStraightScript: PairedModule = {
  kind: 'paired',
  name: 'mediation-vs-script',
  ratio: 'end to end ÷ straight script',
  unit: 'records',
  target: { floor: 0.8, ambition: 0.9 },
  pending: PENDING,
  async baseline(ctx, iteration) {
    const table = `bench_straight_${iteration}`;
    await freshBillableTable(ctx.database.sql, table);
    const { seconds, value } = await timed(() => straightScript(ctx, table));
    const s = state(ctx);
    s.lines = value.lines;
    s.totals.push(value.total);
    return { seconds, units: ctx.sizes.cdrRows };
  },
  async guardrails(ctx) {
    const s = state(ctx);
    const checks: Check[] = [{ name: 'straight script money total the same on every run', ok: new Set(s.totals).size === 1, detail: s.totals.join(', ') }];
    checks.push({ name: 'straight script rated every CDR', ok: s.lines.length === ctx.sizes.cdrRows, detail: `${s.lines.length} of ${ctx.sizes.cdrRows}` });
    return checks;
  },
};

export const mediationCopy: PairedModule = {
  kind: 'paired',
  name: 'mediation-vs-copy',
  ratio: 'end to end ÷ COPY of the rated rows',
  unit: 'records',
  target: { floor: 0.5, ambition: 0.75 },
  pending: PENDING,
  async baseline(ctx) {
    const s = state(ctx);
    if (s.lines.length === 0) s.lines = (await straightScript(ctx, await scratch(ctx))).lines;
    await freshBillableTable(ctx.database.sql, 'bench_rated_copy');
    const data = s.lines.join('');
    const { seconds } = await timed(async () => pipeline(Readable.from([data]), await ctx.database.sql.unsafe(`copy bench_rated_copy (${BILLABLE_COLUMNS}) from stdin`).writable()));
    return { seconds, units: s.lines.length };
  },
};

async function scratch(ctx: BenchContext): Promise<string> {
  await freshBillableTable(ctx.database.sql, 'bench_straight_scratch');
  return 'bench_straight_scratch';
}
