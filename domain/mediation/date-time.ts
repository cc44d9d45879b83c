// Date/time parsing for feeds: a pattern such as "yyyy-MM-dd HH:mm:ss" read on the wall clock of an
// IANA time zone, or epoch seconds / milliseconds, or ISO 8601. Patterns compile once into fixed
// digit positions, so a record's time is parsed with integer maths and no Date, no regex.
import { civilFromDays, daysFromCivil, daysInMonth, MS_PER_DAY, parseInstant } from '../rating/calendar';
import { zoneClock } from '../rating/time-zone';

/** Parses text to epoch milliseconds, or null when it does not fit the format. */
export type InstantParser = (text: string) => number | null;

export const SPECIAL_FORMATS = ['iso8601', 'epochSeconds', 'epochMillis'] as const;

const TOKENS = ['yyyy', 'SSS', 'MM', 'dd', 'HH', 'mm', 'ss'] as const;
type Token = (typeof TOKENS)[number];
interface Slot { readonly token: Token; readonly at: number; readonly width: number }
interface CompiledPattern { readonly slots: readonly Slot[]; readonly literals: ReadonlyArray<readonly [number, number]>; readonly length: number }

/** Compiles a pattern; returns a message when it is not one (letters other than the tokens, a token twice, no yyyy/MM/dd). */
export function compilePattern(format: string): CompiledPattern | string {
  const slots: Slot[] = [];
  const literals: Array<readonly [number, number]> = [];
  let index = 0;
  while (index < format.length) {
    const token = TOKENS.find((candidate) => format.startsWith(candidate, index));
    if (token !== undefined) {
      if (slots.some((slot) => slot.token === token)) return `token ${token} appears twice`;
      slots.push({ token, at: index, width: token.length });
      index += token.length;
      continue;
    }
    const code = format.charCodeAt(index);
    if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) {
      if (format[index] !== 'T' && format[index] !== 'Z') return `unknown pattern letter "${format[index]}" at ${index} (tokens: ${TOKENS.join(', ')})`;
    }
    literals.push([index, code]);
    index++;
  }
  for (const needed of ['yyyy', 'MM', 'dd'] as const) if (!slots.some((slot) => slot.token === needed)) return `the pattern needs ${needed}`;
  return { slots, literals, length: format.length };
}

function digits(text: string, at: number, width: number): number {
  let value = 0;
  for (let i = at; i < at + width; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit >>> 0 > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Where each token sits in the text (-1: not in the pattern), resolved once per pattern. */
interface Positions { readonly y: number; readonly M: number; readonly d: number; readonly H: number; readonly m: number; readonly s: number; readonly S: number }

function positionsOf(pattern: CompiledPattern): Positions {
  const at = (token: Token) => pattern.slots.find((slot) => slot.token === token)?.at ?? -1;
  return { y: at('yyyy'), M: at('MM'), d: at('dd'), H: at('HH'), m: at('mm'), s: at('ss'), S: at('SSS') };
}

function optional(text: string, at: number, width: number): number {
  return at < 0 ? 0 : digits(text, at, width);
}

/** Local wall-clock milliseconds (as if UTC) of text in the pattern, or null. */
function localMillis(pattern: CompiledPattern, positions: Positions, text: string): number | null {
  if (text.length !== pattern.length) return null;
  const literals = pattern.literals;
  for (let i = 0; i < literals.length; i++) if (text.charCodeAt(literals[i]![0]) !== literals[i]![1]) return null;
  const year = digits(text, positions.y, 4);
  const month = digits(text, positions.M, 2);
  const day = digits(text, positions.d, 2);
  const hour = optional(text, positions.H, 2);
  const minute = optional(text, positions.m, 2);
  const second = optional(text, positions.s, 2);
  const millis = optional(text, positions.S, 3);
  if ((year | month | day | hour | minute | second | millis) < 0) return null;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  return daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
}

/**
 * Wall-clock time in `timeZone` to an instant. An ambiguous time (the repeated hour when clocks go
 * back) is the earlier instant; a time that does not exist (clocks go forward) is moved forward by
 * the gap, as ISO/Temporal's "compatible" disambiguation does.
 */
export function localToInstant(localMs: number, timeZone: string): number {
  if (timeZone === 'UTC') return localMs;
  const clock = zoneClock(timeZone);
  const offsetBefore = clock.offsetAt(localMs - MS_PER_DAY);
  const earlier = localMs - offsetBefore;
  if (clock.offsetAt(earlier) === offsetBefore) return earlier;
  const offsetAfter = clock.offsetAt(localMs + MS_PER_DAY);
  const later = localMs - offsetAfter;
  if (clock.offsetAt(later) === offsetAfter) return later;
  return earlier;
}

function epochParser(scale: number): InstantParser {
  return (text) => {
    if (text.length === 0 || text.length > 16) return null;
    const value = digits(text, 0, text.length);
    return value < 0 ? null : value * scale;
  };
}

/** A parser for `format` in `timeZone` (default UTC); throws RangeError for an unknown zone or bad pattern. */
export function compileInstantParser(format: string, timeZone = 'UTC'): InstantParser {
  if (format === 'iso8601') {
    // An offset in the text wins; without one the text is wall-clock time in timeZone.
    return (text) => {
      const asUtc = parseInstant(text);
      if (asUtc === null || timeZone === 'UTC' || hasOffset(text)) return asUtc;
      return localToInstant(asUtc, timeZone);
    };
  }
  if (format === 'epochSeconds') return epochParser(1000);
  if (format === 'epochMillis') return epochParser(1);
  const pattern = compilePattern(format);
  if (typeof pattern === 'string') throw new RangeError(pattern);
  zoneClock(timeZone);
  const positions = positionsOf(pattern);
  return (text) => {
    const local = localMillis(pattern, positions, text);
    return local === null ? null : localToInstant(local, timeZone);
  };
}

function hasOffset(text: string): boolean {
  const last = text.charCodeAt(text.length - 1);
  if (last === 90) return true;
  const sign = text.length - 6;
  const code = text.charCodeAt(sign) === 58 ? -1 : text.charCodeAt(sign);
  const compact = text.charCodeAt(text.length - 5);
  return code === 43 || code === 45 || ((compact === 43 || compact === 45) && text.length - 5 > 16);
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * "YYYY-MM-DDTHH:mm:ss.sssZ" for years 0000–9999, the same text as Date#toISOString, without a Date
 * (runs once per record). Other years fall back to toISOString.
 */
export function formatUtcInstant(epochMs: number): string {
  const dayNumber = Math.floor(epochMs / MS_PER_DAY);
  const msOfDay = epochMs - dayNumber * MS_PER_DAY;
  const { year, month, day } = civilFromDays(dayNumber);
  if (year < 0 || year > 9999) return new Date(epochMs).toISOString();
  const seconds = Math.floor(msOfDay / 1000);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor(seconds / 60) - hours * 60;
  return `${TWO_DIGITS[Math.floor(year / 100)]}${TWO_DIGITS[year % 100]}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds % 60]}.${THREE_DIGITS[msOfDay % 1000]}Z`;
}
