// Money arithmetic, configured once. decimal.js is the reference arithmetic (DESIGN.md, invariant 3);
// the scaled-integer helpers below let the rating hot path compute the very same digits without
// allocating a Decimal per operation. Nothing here converts an amount through a float.
import Decimal from 'decimal.js';
import { ValidationError } from './errors';

/**
 * The one Decimal constructor for money. Precision 50 significant digits is far beyond any amount we
 * keep (at most 10 decimals on amounts below 10^30), so every intermediate result we round is
 * exact before it is rounded: no double rounding. Default rounding half-even (banker's).
 */
export const Money = Decimal.clone({
  precision: 50,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -100,
  toExpPos: 100,
});
export type Money = Decimal;

/** Decimal places kept on intermediate rated amounts (trace pieces, discounts) before the final rounding. */
export const AMOUNT_SCALE = 10;

export const ROUNDING_METHODS = ['up', 'down', 'half-up', 'half-even'] as const;
/** up = away from zero, down = toward zero, half-up = ties away from zero, half-even = ties to even. */
export type RoundingMethod = (typeof ROUNDING_METHODS)[number];

const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;

export function isDecimalString(value: string): boolean {
  return typeof value === 'string' && DECIMAL_PATTERN.test(value);
}

/** Parses a plain decimal string ("12", "-0.05"); no exponents, no thousands separators, no floats. */
export function money(value: string): Money {
  if (typeof value !== 'string' || !DECIMAL_PATTERN.test(value)) {
    throw new ValidationError(`not a decimal string: ${String(value)}`, [
      { path: '$', message: 'expected a decimal string such as "12.50"' },
    ]);
  }
  return new Money(value);
}

export const ZERO: Money = new Money(0);

function decimalRounding(method: RoundingMethod): Decimal.Rounding {
  switch (method) {
    case 'up':
      return Decimal.ROUND_UP;
    case 'down':
      return Decimal.ROUND_DOWN;
    case 'half-up':
      return Decimal.ROUND_HALF_UP;
    case 'half-even':
      return Decimal.ROUND_HALF_EVEN;
  }
}

/** Rounds to `decimals` places with `method`; the only rounding of an amount a caller should need. */
export function roundMoney(value: Money, decimals: number, method: RoundingMethod): Money {
  return value.toDecimalPlaces(decimals, decimalRounding(method));
}

/** Rounds an intermediate amount to AMOUNT_SCALE places, half-even. */
export function roundInternal(value: Money): Money {
  return value.toDecimalPlaces(AMOUNT_SCALE, Decimal.ROUND_HALF_EVEN);
}

/** Canonical string: no exponent, no trailing zeros, "0" for zero (never "-0"). */
export function formatPlain(value: Money): string {
  return value.isZero() ? '0' : value.toFixed();
}

/** Exactly `decimals` places ("4.50"); the value must already be rounded to them. */
export function formatFixed(value: Money, decimals: number): string {
  return value.isZero() ? new Money(0).toFixed(decimals) : value.toFixed(decimals);
}

/** Sum of decimal strings, exact. */
export function sumMoney(values: Iterable<string | Money>): Money {
  let total = ZERO;
  for (const value of values) total = total.plus(typeof value === 'string' ? money(value) : value);
  return total;
}

// ---------------------------------------------------------------------------------------------
// Scaled integers: an amount a at scale s is the safe integer a * 10^s. Every helper either returns
// an exact result or signals overflow (null / ScaledOverflow); callers then use Money instead.

const POW10: number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** 10^exponent for exponent 0..15; throws ScaledOverflow beyond. */
export function pow10(exponent: number): number {
  const value = POW10[exponent];
  if (value === undefined) throw new ScaledOverflow();
  return value;
}

/** Thrown by scaled helpers when an exact result does not fit a safe integer. */
export class ScaledOverflow extends Error {
  constructor() {
    super('scaled integer overflow');
  }
}

/**
 * Parses a decimal string into an integer at `scale` decimals ("0.05", 10 -> 500000000).
 * Returns null when the string has more decimals than `scale` or the result is not a safe integer.
 */
export function parseScaled(value: string, scale: number): number | null {
  if (typeof value !== 'string') return null;
  const length = value.length;
  let index = 0;
  let negative = false;
  if (value.charCodeAt(0) === 45) {
    negative = true;
    index = 1;
  }
  let result = 0;
  let fractionDigits = -1;
  let digits = 0;
  for (; index < length; index++) {
    const code = value.charCodeAt(index);
    if (code === 46) {
      if (fractionDigits >= 0 || digits === 0) return null;
      fractionDigits = 0;
      continue;
    }
    if (code < 48 || code > 57) return null;
    if (fractionDigits >= 0) {
      if (++fractionDigits > scale) return null;
    }
    result = result * 10 + (code - 48);
    digits++;
  }
  if (digits === 0 || fractionDigits === 0) return null;
  const shift = scale - (fractionDigits < 0 ? 0 : fractionDigits);
  const factor = POW10[shift];
  if (factor === undefined) return null;
  result *= factor;
  if (!Number.isSafeInteger(result)) return null;
  return negative ? -result : result;
}

/** Number of decimals written in a decimal string ("1.50" -> 2). */
export function decimalsOf(value: string): number {
  const dot = value.indexOf('.');
  return dot < 0 ? 0 : value.length - dot - 1;
}

/** Rounds quotient + remainder / d (|remainder| < d, same sign as the dividend) with `method`. */
function roundQuotient(quotient: number, remainder: number, d: number, negative: boolean, method: RoundingMethod): number {
  if (remainder === 0 || method === 'down') return quotient;
  const step = negative ? -1 : 1;
  if (method === 'up') return quotient + step;
  const twice = 2 * Math.abs(remainder);
  if (twice > d) return quotient + step;
  if (twice < d) return quotient;
  if (method === 'half-up') return quotient + step;
  return quotient % 2 === 0 ? quotient : quotient + step;
}

/**
 * Exact integer division n / d (d > 0) rounded with `method`. n and d must be safe integers.
 */
export function divRound(n: number, d: number, method: RoundingMethod): number {
  const remainder = n % d;
  return roundQuotient((n - remainder) / d, remainder, d, n < 0, method);
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * a * b / d rounded with `method`, exactly (b >= 0, d > 0). When a * b is not a safe integer it is
 * split as (a div d) * b + (a mod d) * b / d, which stays exact while the result and d * b are safe;
 * otherwise throws ScaledOverflow and the caller computes the record with Money (same digits, slower).
 */
export function mulDivRound(a: number, b: number, d: number, method: RoundingMethod): number {
  const product = a * b;
  if (product <= MAX_SAFE && product >= -MAX_SAFE) return divRound(product, d, method);
  const aRemainder = a % d;
  const whole = ((a - aRemainder) / d) * b;
  const part = aRemainder * b;
  if (!(Math.abs(whole) <= MAX_SAFE && Math.abs(part) <= MAX_SAFE)) throw new ScaledOverflow();
  const partRemainder = part % d;
  const quotient = whole + (part - partRemainder) / d;
  if (!(Math.abs(quotient) < MAX_SAFE)) throw new ScaledOverflow();
  return roundQuotient(quotient, partRemainder, d, a < 0, method);
}

/** a + b, throwing ScaledOverflow when the sum leaves the safe range. */
export function addScaled(a: number, b: number): number {
  const sum = a + b;
  if (sum > MAX_SAFE || sum < -MAX_SAFE) throw new ScaledOverflow();
  return sum;
}

const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000', '0000000', '00000000'];

/**
 * Digits of a non-negative safe integer. Numbers above 2^30 are not small integers for V8 and
 * String() on them takes the slow double-to-string path, so they are written as two halves.
 */
function integerDigits(value: number): string {
  if (value < 1e8) return String(value);
  const low = value % 1e8;
  const lowText = String(low);
  return String((value - low) / 1e8) + ZEROS[8 - lowText.length] + lowText;
}

/** Canonical string of an integer at `scale` decimals, like formatPlain (500000000, 10 -> "0.05"). */
export function formatScaled(value: number, scale: number): string {
  if (value === 0) return '0';
  const negative = value < 0;
  const magnitude = negative ? -value : value;
  const unit = POW10[scale] as number;
  let fraction = magnitude % unit;
  let text = integerDigits((magnitude - fraction) / unit);
  if (fraction !== 0) {
    let width = scale;
    while (fraction % 10 === 0) {
      fraction /= 10;
      width--;
    }
    const digits = integerDigits(fraction);
    text = `${text}.${'0'.repeat(width - digits.length)}${digits}`;
  }
  return negative ? `-${text}` : text;
}

/** An integer at `scale` decimals written with exactly `scale` places, like formatFixed (450, 2 -> "4.50"). */
export function formatScaledFixed(value: number, scale: number): string {
  const negative = value < 0;
  let digits = integerDigits(negative ? -value : value);
  if (scale > 0) {
    if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
    const cut = digits.length - scale;
    digits = `${digits.slice(0, cut)}.${digits.slice(cut)}`;
  }
  return negative ? `-${digits}` : digits;
}

/**
 * Compares two decimal strings exactly (-1, 0, 1) without building Decimals; used on hot paths for
 * numeric conditions. Both must satisfy isDecimalString.
 */
export function compareDecimalStrings(a: string, b: string): number {
  const negA = a.charCodeAt(0) === 45;
  const negB = b.charCodeAt(0) === 45;
  const absA = negA ? a.slice(1) : a;
  const absB = negB ? b.slice(1) : b;
  const zeroA = isZeroDigits(absA);
  const zeroB = isZeroDigits(absB);
  if (zeroA && zeroB) return 0;
  if ((negA && !zeroA) !== (negB && !zeroB)) return negA && !zeroA ? -1 : 1;
  const magnitude = compareMagnitudes(absA, absB);
  // Equal negatives compare 0, never -0 (callers and decimal.js both mean "equal").
  return negA && !zeroA && magnitude !== 0 ? -magnitude : magnitude;
}

function isZeroDigits(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code !== 48 && code !== 46) return false;
  }
  return true;
}

function compareMagnitudes(a: string, b: string): number {
  const [intA = '', fracA = ''] = a.split('.');
  const [intB = '', fracB = ''] = b.split('.');
  const trimmedA = intA.replace(/^0+(?=\d)/, '');
  const trimmedB = intB.replace(/^0+(?=\d)/, '');
  if (trimmedA.length !== trimmedB.length) return trimmedA.length < trimmedB.length ? -1 : 1;
  if (trimmedA !== trimmedB) return trimmedA < trimmedB ? -1 : 1;
  const width = Math.max(fracA.length, fracB.length);
  const paddedA = fracA.padEnd(width, '0');
  const paddedB = fracB.padEnd(width, '0');
  if (paddedA === paddedB) return 0;
  return paddedA < paddedB ? -1 : 1;
}
