// The one predicate language of feed definitions: category rules, custom error rules and ownership
// rules all test a record with it. Plain JSON, validated by zod, compiled once into closures so a
// record is tested without parsing anything (regexes are compiled here, never per record).
import { z } from 'zod';
import { compareDecimalStrings, isDecimalString } from '../money';
import { MS_PER_DAY } from '../rating/calendar';
import { fieldReader, isRecordFieldName, type CanonicalRecord, type RecordFieldName } from './record';

export type Predicate =
  | { field: RecordFieldName; equals: string }
  | { field: RecordFieldName; oneOf: string[] }
  | { field: RecordFieldName; regex: string }
  | { field: RecordFieldName; range: { min?: string; max?: string } }
  | { field: RecordFieldName; present: boolean }
  | { olderThanDays: number }
  | { inFuture: true }
  | { zeroDuration: { exceptUsageTypes?: string[] } }
  | { outsideServiceActivePeriod: true }
  | { all: Predicate[] }
  | { any: Predicate[] }
  | { not: Predicate };

/** What a predicate may know beyond the record; built once per record by the gates. */
export interface PredicateEnv {
  /** The processing instant (epoch ms), passed in by the caller, never read from a clock. */
  readonly processedAtMs: number;
  /** The record's start (epoch ms). */
  readonly startMs: number;
  /** Measured duration (ms): durationSeconds, else end - start; null when the record states none. */
  readonly durationMs: number | null;
  /** The record's category once categorised (the gates do not copy the record to set it). */
  readonly category: string | undefined;
  /** True when some service carries the identifier but none is active at the record time. */
  outsideServiceActivePeriod(record: CanonicalRecord): boolean;
}

export type CompiledPredicate = (record: CanonicalRecord, env: PredicateEnv) => boolean;

const fieldName = z.string().refine(isRecordFieldName, 'expected a canonical field, "category" or "attributes.<name>"');
const decimal = z.string().refine(isDecimalString, 'expected a decimal string such as "12.5"');
const regexSource = z.string().superRefine((value, context) => {
  try {
    new RegExp(value);
  } catch {
    context.addIssue({ code: 'custom', message: `not a valid regular expression: ${value}` });
  }
});

export const predicateSchema: z.ZodType<Predicate> = z.lazy(() =>
  z.union([
    z.strictObject({ field: fieldName, equals: z.string() }),
    z.strictObject({ field: fieldName, oneOf: z.array(z.string()).min(1) }),
    z.strictObject({ field: fieldName, regex: regexSource }),
    z.strictObject({ field: fieldName, range: z.strictObject({ min: decimal.optional(), max: decimal.optional() }) }),
    z.strictObject({ field: fieldName, present: z.boolean() }),
    z.strictObject({ olderThanDays: z.number().int().min(0) }),
    z.strictObject({ inFuture: z.literal(true) }),
    z.strictObject({ zeroDuration: z.strictObject({ exceptUsageTypes: z.array(z.string()).optional() }) }),
    z.strictObject({ outsideServiceActivePeriod: z.literal(true) }),
    z.strictObject({ all: z.array(predicateSchema).min(1) }),
    z.strictObject({ any: z.array(predicateSchema).min(1) }),
    z.strictObject({ not: predicateSchema }),
  ]),
) as z.ZodType<Predicate>;

type EnvReader = (record: CanonicalRecord, env: PredicateEnv) => string | undefined;

/** `category` is read from the environment while the gates run (they do not copy the record to set it). */
function envReader(field: RecordFieldName): EnvReader {
  if (field === 'category') return (record, env) => env.category ?? record.category;
  const read = fieldReader(field);
  return (record) => read(record);
}

function compileField(predicate: Extract<Predicate, { field: RecordFieldName }>): CompiledPredicate {
  const read = envReader(predicate.field);
  if ('equals' in predicate) {
    const expected = predicate.equals;
    return (record, env) => read(record, env) === expected;
  }
  if ('oneOf' in predicate) {
    const allowed = new Set(predicate.oneOf);
    return (record, env) => {
      const value = read(record, env);
      return value !== undefined && allowed.has(value);
    };
  }
  if ('regex' in predicate) {
    const pattern = new RegExp(predicate.regex);
    return (record, env) => {
      const value = read(record, env);
      return value !== undefined && pattern.test(value);
    };
  }
  if ('range' in predicate) return compileRange(read, predicate.range);
  const wanted = predicate.present;
  return (record, env) => (read(record, env) !== undefined) === wanted;
}

/** Both bounds inclusive; a value that is not a decimal is outside every range. */
function compileRange(read: EnvReader, range: { min?: string; max?: string }): CompiledPredicate {
  const { min, max } = range;
  return (record, env) => {
    const value = read(record, env);
    if (value === undefined || !isDecimalString(value)) return false;
    if (min !== undefined && compareDecimalStrings(value, min) < 0) return false;
    return max === undefined || compareDecimalStrings(value, max) <= 0;
  };
}

/**
 * Compiles a predicate. `olderThanDays: N` holds when processedAt - start > N × 24 h (strictly: a
 * record exactly N days old passes); `inFuture` when start > processedAt; `zeroDuration` when the
 * measured duration is exactly 0 ms and the usage type is not excepted (a record without any
 * duration is not zero).
 */
export function compilePredicate(predicate: Predicate): CompiledPredicate {
  if ('field' in predicate) return compileField(predicate);
  if ('olderThanDays' in predicate) {
    const limitMs = predicate.olderThanDays * MS_PER_DAY;
    return (_record, env) => env.processedAtMs - env.startMs > limitMs;
  }
  if ('inFuture' in predicate) return (_record, env) => env.startMs > env.processedAtMs;
  if ('zeroDuration' in predicate) {
    const excepted = new Set(predicate.zeroDuration.exceptUsageTypes ?? []);
    return (record, env) => env.durationMs === 0 && !excepted.has(record.usageType);
  }
  if ('outsideServiceActivePeriod' in predicate) return (record, env) => env.outsideServiceActivePeriod(record);
  if ('all' in predicate) {
    const parts = predicate.all.map(compilePredicate);
    return (record, env) => parts.every((part) => part(record, env));
  }
  if ('any' in predicate) {
    const parts = predicate.any.map(compilePredicate);
    return (record, env) => parts.some((part) => part(record, env));
  }
  const inner = compilePredicate(predicate.not);
  return (record, env) => !inner(record, env);
}
