// `meterflow rate`: rate a usage file offline against a plan file, print every record's result (with
// its trace in JSON) and the period charges per subscription (or account). No server, no database.
//   meterflow rate --plan plan.json [--plan parent.json ...] --records usage.csv|usage.json
//                  [--format json|csv] [--tz Europe/London] [--as-of 2024-04-01T00:00:00Z] [--overrides overrides.json]
// Exit codes: 0 rated (failed records are reported in the output), 1 invalid input, 2 bad usage.
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { inferSchema, initParser } from 'udsv';
import { ValidationError } from '../domain/errors';
import { parseInstant } from '../domain/rating/calendar';
import {
  computePeriodCharges,
  createRater,
  parseRateOverrides,
  parseRatePlan,
  parseUsageRecords,
  recordFromColumns,
  recordFromJson,
  type PeriodCharges,
  type RateOverride,
  type RatePlan,
  type RatingResult,
  type UsageRecord,
} from '../domain/rating/index';
import { isTimeZone } from '../domain/rating/time-zone';

export interface RateCommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readFile: (path: string) => Promise<string>;
  /** The instant used when --as-of is not given (the CLI is an edge: it may read the clock). */
  now: () => string;
}

const processIo: RateCommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path, 'utf8'),
  now: () => new Date().toISOString(),
};

const USAGE = 'usage: meterflow rate --plan plan.json [--plan parent.json ...] --records usage.csv|usage.json [--format json|csv] [--tz ZONE] [--as-of ISO] [--overrides overrides.json]\n';

/** Bad input, already worded for the operator. */
class InputError extends Error {}

async function loadJson(io: RateCommandIo, path: string): Promise<unknown> {
  let text: string;
  try {
    text = await io.readFile(path);
  } catch (error) {
    throw new InputError(`${path}: cannot read (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

function issuesText(path: string, error: ValidationError, describe: (issuePath: string) => string = (issuePath) => issuePath): string {
  return error.issues.map((issue) => `${path}: ${describe(issue.path)}: ${issue.message}`).join('\n');
}

async function loadPlanChain(io: RateCommandIo, paths: string[]): Promise<RatePlan[]> {
  const plans: RatePlan[] = [];
  for (const path of paths) {
    try {
      plans.push(parseRatePlan(await loadJson(io, path)));
    } catch (error) {
      if (error instanceof ValidationError) throw new InputError(issuesText(path, error));
      throw error;
    }
  }
  // The first plan is the subscription's; its parents are looked up by id among the others.
  const chain = [plans[0] as RatePlan];
  for (let parent = chain[0]?.parent; parent !== undefined; parent = chain[chain.length - 1]?.parent) {
    const parentId = parent.id;
    const found = plans.find((plan) => plan.id === parentId);
    if (!found || chain.includes(found)) throw new InputError(`plan ${chain[chain.length - 1]?.id} has parent ${parentId}: give its file with another --plan`);
    chain.push(found);
  }
  return chain;
}

/** "$[3].quantity" -> "record index 3 (line 5), field quantity" */
function recordIssue(issuePath: string, csv: boolean): string {
  const match = /^\$\[(\d+)\]\.?(.*)$/.exec(issuePath);
  if (!match) return issuePath;
  const index = Number.parseInt(match[1] ?? '0', 10);
  const where = csv ? `record index ${index} (line ${index + 2})` : `record index ${index}`;
  return `${where}, field ${match[2] || '(record)'}`;
}

async function loadRecords(io: RateCommandIo, path: string): Promise<UsageRecord[]> {
  const csv = extname(path).toLowerCase() === '.csv';
  let rows: unknown[];
  if (csv) {
    const text = await io.readFile(path).catch((error: Error) => {
      throw new InputError(`${path}: cannot read (${error.message})`);
    });
    rows = text.trim() === '' ? [] : initParser(inferSchema(text)).stringObjs(text).map(recordFromColumns);
  } else {
    const json = await loadJson(io, path);
    const list = Array.isArray(json) ? json : (json as { records?: unknown }).records;
    if (!Array.isArray(list)) throw new InputError(`${path}: expected an array of records (or {"records": [...]})`);
    rows = list.map(recordFromJson);
  }
  try {
    return parseUsageRecords(rows);
  } catch (error) {
    if (error instanceof ValidationError) throw new InputError(issuesText(path, error, (issuePath) => recordIssue(issuePath, csv)));
    throw error;
  }
}

interface Run {
  chain: RatePlan[];
  records: UsageRecord[];
  results: RatingResult[];
  charges: Array<{ key: string } & PeriodCharges>;
  asOf: string;
  timeZone: string;
}

function periodCharges(chain: RatePlan[], records: UsageRecord[], results: RatingResult[]): Run['charges'] {
  const groups = new Map<string, Array<{ record: UsageRecord; result: RatingResult }>>();
  records.forEach((record, index) => {
    const key = record.subscription ?? record.account ?? '';
    let items = groups.get(key);
    if (items === undefined) groups.set(key, (items = []));
    items.push({ record, result: results[index] as RatingResult });
  });
  return [...groups].map(([key, items]) => ({ key, ...computePeriodCharges({ plans: chain, items }) }));
}

function summary(results: RatingResult[]): Record<string, unknown> {
  const failures: Record<string, number> = {};
  for (const result of results) if (result.status === 'failed') failures[result.reason] = (failures[result.reason] ?? 0) + 1;
  const count = (status: RatingResult['status']) => results.filter((result) => result.status === status).length;
  return { records: results.length, rated: count('rated'), deferred: count('deferred'), failed: count('failed'), failures };
}

function asJson(run: Run): string {
  const plan = run.chain[0] as RatePlan;
  return `${JSON.stringify(
    {
      plan: { id: plan.id, version: plan.version },
      chain: run.chain.map((level) => ({ id: level.id, version: level.version })),
      currency: plan.currency,
      asOf: run.asOf,
      timeZone: run.timeZone,
      summary: summary(run.results),
      results: run.results.map((result, index) => ({ index, ...result })),
      periodCharges: run.charges,
    },
    null,
    2,
  )}\n`;
}

function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function asCsv(run: Run): string {
  const lines = ['index,recordId,account,status,amount,currency,rateId,planId,level,pieces,reason,message'];
  run.results.forEach((result, index) => {
    const record = run.records[index] as UsageRecord;
    const rated = result.status === 'rated' ? result : null;
    const rate = rated?.trace.rate?.rate;
    lines.push([
      index, result.recordId, record.account, result.status, rated?.amount, rated?.currency ?? (result.status === 'deferred' ? result.currency : ''),
      rate?.rateId ?? (result.status === 'deferred' ? result.chargeId : ''), rate?.planId ?? (result.status === 'deferred' ? result.plan.id : ''), rate?.level,
      rated?.trace.pieces.length, result.status === 'failed' ? result.reason : '', result.status === 'failed' ? result.message : '',
    ].map(csvCell).join(','));
  });
  lines.push('', 'key,lineId,kind,usageType,category,quantity,unit,records,amount,currency');
  for (const charges of run.charges) {
    for (const line of charges.lines) {
      lines.push([charges.key, line.id, line.kind, line.usageType, line.category, line.quantity, line.unit, line.records, line.amount, charges.currency].map(csvCell).join(','));
    }
    lines.push([charges.key, 'total', 'total', '', '', '', '', charges.recordsCounted, charges.total, charges.currency].map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

interface Options {
  plans: string[];
  records: string;
  format: 'json' | 'csv';
  timeZone: string;
  asOf: string | undefined;
  overrides: string | undefined;
}

const ARGUMENTS = {
  plan: { type: 'string', multiple: true },
  records: { type: 'string' },
  format: { type: 'string', default: 'json' },
  tz: { type: 'string', default: 'UTC' },
  'as-of': { type: 'string' },
  overrides: { type: 'string' },
} as const;

function parseOptions(argv: string[]): Options | string {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof ARGUMENTS }>>;
  try {
    parsed = parseArgs({ args: argv, options: ARGUMENTS });
  } catch (error) {
    return (error as Error).message;
  }
  const values = parsed.values;
  if (!values.plan?.length || !values.records) return '--plan and --records are required';
  if (values.format !== 'json' && values.format !== 'csv') return '--format is json or csv';
  return { plans: values.plan, records: values.records, format: values.format, timeZone: values.tz, asOf: values['as-of'], overrides: values.overrides };
}

/** Runs `meterflow rate` with the arguments after `rate`; resolves to the exit code. */
export async function rateCommand(argv: string[], io: RateCommandIo = processIo): Promise<number> {
  const options = parseOptions(argv);
  if (typeof options === 'string') {
    io.stderr(`${options}\n${USAGE}`);
    return 2;
  }
  try {
    const asOf = options.asOf ?? io.now();
    if (parseInstant(asOf) === null) throw new InputError(`--as-of ${asOf} is not an ISO 8601 instant`);
    if (!isTimeZone(options.timeZone)) throw new InputError(`--tz ${options.timeZone} is not an IANA time zone`);
    const chain = await loadPlanChain(io, options.plans);
    let overrides: RateOverride[] = [];
    if (options.overrides) {
      const json = await loadJson(io, options.overrides);
      try {
        overrides = parseRateOverrides(json);
      } catch (error) {
        if (error instanceof ValidationError) throw new InputError(issuesText(options.overrides, error));
        throw error;
      }
    }
    const records = await loadRecords(io, options.records);
    const rate = createRater({ plans: chain, overrides, asOf, timeZone: options.timeZone });
    const results = records.map(rate);
    const run: Run = { chain, records, results, charges: periodCharges(chain, records, results), asOf, timeZone: options.timeZone };
    io.stdout(options.format === 'json' ? asJson(run) : asCsv(run));
    const counts = summary(results);
    io.stderr(`${basename(options.records)}: ${counts.records} records, ${counts.rated} rated, ${counts.deferred} deferred, ${counts.failed} failed\n`);
    return 0;
  } catch (error) {
    if (error instanceof InputError) {
      io.stderr(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

// Manual runs: `npx tsx cli/rate.ts --plan ... --records ...` (cli/index.ts is the real entry point).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  rateCommand(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
