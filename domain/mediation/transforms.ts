// Value transforms of a feed mapping, validated by zod and compiled once per feed into plain
// functions: string in, string out, or a failure with a stable code. Unit conversion is exact: a
// power-of-ten ratio shifts the decimal point; any other ratio uses decimal.js and must state its
// decimals and rounding, so no record is ever rounded silently.
import { z } from 'zod';
import { formatPlain, Money, ROUNDING_METHODS, roundMoney, type RoundingMethod } from '../money';
import { isTimeZone } from '../rating/time-zone';
import { compileInstantParser, compilePattern, formatUtcInstant, SPECIAL_FORMATS } from './date-time';
import { canonicalDecimal, shiftDecimal } from './decimal-text';

/** Sizes in a base unit: milliseconds for time, bytes for data. */
export const CONVERTIBLE_UNITS: Readonly<Record<string, { family: 'time' | 'data'; factor: bigint }>> = {
  millisecond: { family: 'time', factor: 1n }, second: { family: 'time', factor: 1000n },
  minute: { family: 'time', factor: 60_000n }, hour: { family: 'time', factor: 3_600_000n },
  byte: { family: 'data', factor: 1n }, KB: { family: 'data', factor: 1000n }, MB: { family: 'data', factor: 1_000_000n },
  GB: { family: 'data', factor: 1_000_000_000n }, TB: { family: 'data', factor: 1_000_000_000_000n },
  KiB: { family: 'data', factor: 1024n }, MiB: { family: 'data', factor: 1_048_576n }, GiB: { family: 'data', factor: 1_073_741_824n },
};
const unitName = z.enum(Object.keys(CONVERTIBLE_UNITS) as [string, ...string[]]);

export const transformSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('trim') }),
  z.strictObject({ op: z.literal('upperCase') }),
  z.strictObject({ op: z.literal('lowerCase') }),
  z.strictObject({
    op: z.literal('parseDateTime'),
    format: z.string().min(1).refine((f) => (SPECIAL_FORMATS as readonly string[]).includes(f) || typeof compilePattern(f) !== 'string', {
      error: (issue) => { const r = compilePattern(String(issue.input)); return typeof r === 'string' ? r : 'bad format'; },
    }),
    timeZone: z.string().refine(isTimeZone, 'unknown IANA time zone').default('UTC'),
  }),
  z.strictObject({
    op: z.literal('convertUnit'),
    from: unitName,
    to: unitName,
    decimals: z.number().int().min(0).max(10).optional(),
    rounding: z.enum(ROUNDING_METHODS).optional(),
  }),
  z.strictObject({ op: z.literal('extract'), pattern: z.string().min(1), group: z.number().int().min(0).default(1) }),
  z.strictObject({ op: z.literal('lookup'), table: z.record(z.string(), z.string()), default: z.string().optional() }),
  z.strictObject({ op: z.literal('replace'), pattern: z.string().min(1), replacement: z.string() }),
]);
export type Transform = z.input<typeof transformSchema>;
export type ParsedTransform = z.output<typeof transformSchema>;

/** A failed transform: a stable code and a message; one frozen object per compiled transform. */
export interface TransformFailure { readonly failed: true; readonly code: string; readonly message: string }
export type CompiledTransform = (value: string) => string | TransformFailure;

function failure(code: string, message: string): TransformFailure {
  return Object.freeze({ failed: true as const, code, message });
}

/** Checks what zod cannot see per field: unit families, decimals for inexact ratios, regex syntax. */
export function transformProblem(transform: ParsedTransform): string | null {
  if (transform.op === 'convertUnit') {
    const from = CONVERTIBLE_UNITS[transform.from];
    const to = CONVERTIBLE_UNITS[transform.to];
    if (!from || !to || from.family !== to.family) return `cannot convert ${transform.from} to ${transform.to}`;
    if (powerOfTenExponent(from.factor, to.factor) === null && transform.decimals === undefined) {
      return `${transform.from} -> ${transform.to} is not a power of ten: state decimals (and rounding, default half-up)`;
    }
  }
  if (transform.op === 'extract' || transform.op === 'replace') {
    try {
      new RegExp(transform.pattern);
    } catch {
      return `not a valid regular expression: ${transform.pattern}`;
    }
  }
  return null;
}

/** e with from/to = 10^e, or null. */
function powerOfTenExponent(from: bigint, to: bigint): number | null {
  let exponent = 0;
  let big = from >= to ? from : to;
  const small = from >= to ? to : from;
  if (big % small !== 0n) return null;
  big /= small;
  while (big % 10n === 0n) {
    big /= 10n;
    exponent++;
  }
  if (big !== 1n) return null;
  return from >= to ? exponent : -exponent;
}

function compileConvert(transform: Extract<ParsedTransform, { op: 'convertUnit' }>): CompiledTransform {
  const from = CONVERTIBLE_UNITS[transform.from]!;
  const to = CONVERTIBLE_UNITS[transform.to]!;
  const exponent = powerOfTenExponent(from.factor, to.factor);
  const notDecimal = failure('INVALID_DECIMAL', `expected a non-negative decimal in ${transform.from}`);
  if (exponent !== null && transform.decimals === undefined) {
    return (value) => {
      const canonical = canonicalDecimal(value);
      return canonical === null ? notDecimal : shiftDecimal(canonical, exponent);
    };
  }
  const decimals = transform.decimals ?? 10;
  const rounding: RoundingMethod = transform.rounding ?? 'half-up';
  const multiplier = new Money(from.factor.toString());
  const divisor = new Money(to.factor.toString());
  return (value) => {
    const canonical = canonicalDecimal(value);
    if (canonical === null) return notDecimal;
    return formatPlain(roundMoney(new Money(canonical).times(multiplier).div(divisor), decimals, rounding));
  };
}

/** Compiles one (already validated) transform. */
export function compileTransform(transform: ParsedTransform): CompiledTransform {
  switch (transform.op) {
    case 'trim':
      return (value) => value.trim();
    case 'upperCase':
      return (value) => value.toUpperCase();
    case 'lowerCase':
      return (value) => value.toLowerCase();
    case 'parseDateTime': {
      const parse = compileInstantParser(transform.format, transform.timeZone);
      const bad = failure('INVALID_DATE', `not a date/time in format ${transform.format}`);
      return (value) => {
        const instantMs = parse(value);
        return instantMs === null ? bad : formatUtcInstant(instantMs);
      };
    }
    case 'convertUnit':
      return compileConvert(transform);
    case 'extract': {
      const pattern = new RegExp(transform.pattern);
      const group = transform.group;
      const missed = failure('NO_MATCH', `does not match ${transform.pattern}`);
      return (value) => pattern.exec(value)?.[group] ?? missed;
    }
    case 'lookup': {
      const table = new Map(Object.entries(transform.table));
      const fallback = transform.default;
      const missed = failure('LOOKUP_MISS', 'not in the lookup table');
      return (value) => table.get(value) ?? fallback ?? missed;
    }
    case 'replace': {
      const pattern = new RegExp(transform.pattern, 'g');
      const replacement = transform.replacement;
      return (value) => value.replace(pattern, replacement);
    }
  }
}
