import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ASTERISK_CDR_CSV, createMediator, createRawRowParser, mapRawRecord, parseFeedDefinition, type CanonicalRecord } from '../../../domain/mediation/index';
import { formatPlain, money, sumMoney } from '../../../domain/money';
import { parseRatePlan } from '../../../domain/rating/index';
import { anAsteriskFeed } from '../../../test/fixtures/cdr';
import { feedLoadWorkflowId } from '../../../workflows/shared';
import { apiPoster, uploadFeedFile, waitLoaded } from '../../feed-load';
import { asteriskCdrFile, pbxCustomers } from '../../inputs';
import { duplicateCheck } from '../guardrails';
import { timed } from '../stats';
import type { BenchContext, Check, PairedModule, Sample } from '../types';
import { BILLABLE_COLUMNS, billableLine, freshBillableTable } from './rated-rows';

// Mediation end to end (a CDR file from upload to rated records) against two baselines:
// - the straight script: one process streams the same Asterisk CDR file, parses, maps, runs the same
//   gates and rating code (domain/mediation, domain/rating) and COPYs the rated rows; no Temporal;
// - COPY of the rated rows it produced into a table like billable_records.
// The measured side is the real pipeline: the same bytes POSTed to /v1/feeds/{id}/loads, the
// feedLoad workflow on the suite's worker process mediating and rating them into billable_records,
// timed from the upload until the load is `loaded`. Same customers (pbxCustomers: accounts,
// subscriptions, services with their extensions, made through the API once) and the same plan,
// assigned globally as the script does. Its money total must equal the script's exactly. The
// workflow commits in its own chunks (10,000 rows, as the API starts it); the script in --chunk-rows.

const EXTENSIONS = 1_000;
const feed = parseFeedDefinition(ASTERISK_CDR_CSV);
const PLAN = { id: 'pbx', version: 1, currency: 'GBP', rounding: { method: 'half-up', decimals: 4 }, rates: [{ id: 'voice', usageType: 'voice', unit: 'minute', price: '0.02' }] };
const plan = parseRatePlan(PLAN);

interface Load { module: string; loadId: string; rows: number; rated: number; total: string }
interface State { file: Buffer[]; body: Buffer | null; customers: Promise<void> | null; lines: string[]; totals: string[]; loads: Load[] }
const states = new WeakMap<BenchContext, State>();

function state(ctx: BenchContext): State {
  let s = states.get(ctx);
  if (!s) states.set(ctx, (s = { file: asteriskCdrFile(ctx.sizes.cdrRows, EXTENSIONS, ctx.seed), body: null, customers: null, lines: [], totals: [], loads: [] }));
  return s;
}

/**
 * The script's customers and plan through the API, for the catalog's provider. One difference: the
 * script mediates at 2024-04-01T12:00Z against a CLOSED March still inside its day of grace; the
 * workflow mediates at its own now, so March is OPEN here (1 period from 2024-03-01). Both take
 * every March call into the same period, so every record is rated alike.
 */
async function createCustomers(ctx: BenchContext): Promise<void> {
  const post = apiPoster(ctx.app);
  const { provider, admin } = ctx.catalog;
  const { services, subscriptions } = pbxCustomers(EXTENSIONS, ctx.sizes.accounts);
  const inBatches = async <T>(items: readonly T[], each: (item: T) => Promise<unknown>) => {
    for (let i = 0; i < items.length; i += 8) await Promise.all(items.slice(i, i + 8).map(each));
  };
  await inBatches(subscriptions, async (sub) => {
    await post('/v1/accounts', provider.auth, { id: sub.accountId, currency: 'GBP', timeZone: sub.timeZone, lateGraceSeconds: sub.lateGraceSeconds });
    await post(`/v1/accounts/${sub.accountId}/subscriptions`, provider.auth, { id: sub.id, startedAt: sub.periods[0]!.startAt, periods: sub.periods.length });
  });
  await inBatches(services, (svc) => post(`/v1/subscriptions/${svc.subscriptionId}/services`, provider.auth, {
    id: svc.id, status: svc.status, activeFrom: svc.activeFrom, identifiers: svc.identifiers,
  }));
  await post('/v1/rate-plans', admin.auth, PLAN);
  await post('/v1/rate-plan-assignments', admin.auth, { planId: PLAN.id, scope: 'global', validFrom: '2024-01-01T00:00:00Z' });
}

/**
 * Upload → every record rated, through the API and the worker. Each iteration loads into a feed of
 * its own (made before the clock starts): a feed deduplicates by content hash and by duplicate key,
 * so the same bytes into the same feed would be answered with the earlier load and nothing rated.
 * A fresh feed starts with no accepted keys, as the script does; making it is outside the timed part.
 */
async function endToEnd(ctx: BenchContext, module: string, iteration: number): Promise<Sample> {
  const s = state(ctx);
  await (s.customers ??= createCustomers(ctx));
  s.body ??= Buffer.concat(s.file);
  const { provider } = ctx.catalog;
  const feedId = `bench-${module}-${iteration}`;
  await apiPoster(ctx.app)('/v1/feeds', provider.auth, anAsteriskFeed(feedId));
  const { seconds, value: loadId } = await timed(async () => {
    const id = await uploadFeedFile(ctx.app, feedId, provider.auth, s.body!);
    await waitLoaded(ctx.database, id);
    return id;
  });
  const [load] = await ctx.database.sql<Array<{ rows: number }>>`select rows from feed_loads where id = ${loadId}`;
  const [billed] = await ctx.database.sql<Array<{ n: number; total: string | null }>>`
    select count(*)::int as n, sum(amount)::text as total from billable_records where source = 'feed' and source_ref = ${loadId}`;
  s.loads.push({ module, loadId, rows: load!.rows, rated: billed!.n, total: formatPlain(money(billed!.total ?? '0')) });
  return { seconds, units: load!.rows, workflowIds: [feedLoadWorkflowId(loadId)] };
}

/**
 * The measured loads of `module`: every CDR rated, none twice (a billable record's id is its feed's
 * duplicate key, so one per key; a CDR's uniqueid is COMPLETED on one row only), and the money total
 * of each load exactly the straight script's.
 */
async function endToEndChecks(ctx: BenchContext, module: string): Promise<Check[]> {
  const s = state(ctx);
  const loads = s.loads.filter((l) => l.module === module);
  const script = s.totals[0];
  const ids = loads.map((l) => `'${l.loadId}'`).join(',') || "''";
  return [
    {
      name: 'end to end money total equals the straight script\'s', ok: loads.length > 0 && loads.every((l) => l.total === script),
      detail: `script ${script}; loads ${loads.map((l) => l.total).join(', ')}`,
    },
    {
      name: 'end to end rated every CDR', ok: loads.length > 0 && loads.every((l) => l.rows === ctx.sizes.cdrRows && l.rated === ctx.sizes.cdrRows),
      detail: loads.map((l) => `${l.rated} billable of ${l.rows} rows`).join(', '),
    },
    await duplicateCheck(ctx.database.sql, 'no CDR completed twice', 'mediated_records', 'load_id, record_id', `status = 'COMPLETED' and load_id in (${ids})`),
  ];
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
  run: (ctx, iteration) => endToEnd(ctx, 'mediation-vs-script', iteration),
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
    return [...checks, ...(await endToEndChecks(ctx, 'mediation-vs-script'))];
  },
};

export const mediationCopy: PairedModule = {
  kind: 'paired',
  name: 'mediation-vs-copy',
  ratio: 'end to end ÷ COPY of the rated rows',
  unit: 'records',
  target: { floor: 0.5, ambition: 0.75 },
  run: (ctx, iteration) => endToEnd(ctx, 'mediation-vs-copy', iteration),
  async baseline(ctx) {
    const s = state(ctx);
    if (s.lines.length === 0) {
      const script = await straightScript(ctx, await scratch(ctx));
      s.lines = script.lines;
      s.totals.push(script.total);
    }
    await freshBillableTable(ctx.database.sql, 'bench_rated_copy');
    const data = s.lines.join('');
    const { seconds } = await timed(async () => pipeline(Readable.from([data]), await ctx.database.sql.unsafe(`copy bench_rated_copy (${BILLABLE_COLUMNS}) from stdin`).writable()));
    return { seconds, units: s.lines.length };
  },
  guardrails: (ctx) => endToEndChecks(ctx, 'mediation-vs-copy'),
};

async function scratch(ctx: BenchContext): Promise<string> {
  await freshBillableTable(ctx.database.sql, 'bench_straight_scratch');
  return 'bench_straight_scratch';
}
