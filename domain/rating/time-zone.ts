// Wall-clock time in an IANA time zone, from Intl.DateTimeFormat only. Asking Intl costs microseconds,
// so the UTC offset is memoised per UTC hour (a zone changes offset at most once in any hour), which
// makes localising an instant a map lookup plus integer maths. The memo is a pure cache: it never
// changes an answer, only how fast it comes.
import { MS_PER_DAY, daysFromCivil } from './calendar';

const MS_PER_HOUR = 3_600_000;
const MAX_CACHED_HOURS = 500_000;

interface HourOffsets {
  /** Offset (local minus UTC, ms) before `changeAt`. */
  readonly before: number;
  /** First instant of the hour (possibly its start) with a new offset, or +Infinity. */
  readonly changeAt: number;
  readonly after: number;
}

export interface LocalTime {
  /** Local calendar day, as days since 1970-01-01. */
  dayNumber: number;
  /** Milliseconds since local midnight. */
  msOfDay: number;
  offsetMs: number;
}

export class ZoneClock {
  private readonly format: Intl.DateTimeFormat;
  private readonly hours = new Map<number, HourOffsets>();

  /** Throws RangeError for a time zone Intl does not know. */
  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  }

  offsetAt(epochMs: number): number {
    const entry = this.hourOffsets(Math.floor(epochMs / MS_PER_HOUR));
    return epochMs < entry.changeAt ? entry.before : entry.after;
  }

  local(epochMs: number): LocalTime {
    const offsetMs = this.offsetAt(epochMs);
    const localMs = epochMs + offsetMs;
    const dayNumber = Math.floor(localMs / MS_PER_DAY);
    return { dayNumber, msOfDay: localMs - dayNumber * MS_PER_DAY, offsetMs };
  }

  /** The first instant in (fromMs, toMs] at which the offset differs from the one at fromMs, or null. */
  nextOffsetChange(fromMs: number, toMs: number): number | null {
    const lastHour = Math.floor(toMs / MS_PER_HOUR);
    for (let hour = Math.floor(fromMs / MS_PER_HOUR); hour <= lastHour; hour++) {
      const entry = this.hourOffsets(hour);
      if (entry.changeAt > fromMs && entry.changeAt <= toMs) return entry.changeAt;
    }
    return null;
  }

  private hourOffsets(hour: number): HourOffsets {
    const cached = this.hours.get(hour);
    if (cached) return cached;
    if (this.hours.size >= MAX_CACHED_HOURS) this.hours.clear();
    const start = hour * MS_PER_HOUR;
    const previous = this.intlOffset(start - 1000);
    const before = this.intlOffset(start);
    const atEnd = this.intlOffset(start + MS_PER_HOUR - 1000);
    let entry: HourOffsets = { before, changeAt: Number.POSITIVE_INFINITY, after: before };
    // Most changes happen exactly on the hour: record them as a change at the hour's first instant.
    if (previous !== before) entry = { before: previous, changeAt: start, after: before };
    else if (atEnd !== before) entry = { before, changeAt: this.findChange(start, before), after: atEnd };
    this.hours.set(hour, entry);
    return entry;
  }

  /** Binary search, to the second, for the first instant after `start` whose offset is not `before`. */
  private findChange(start: number, before: number): number {
    let low = 0;
    let high = MS_PER_HOUR / 1000 - 1;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      if (this.intlOffset(start + middle * 1000) === before) low = middle + 1;
      else high = middle;
    }
    return start + low * 1000;
  }

  private intlOffset(epochMs: number): number {
    const wholeSecondMs = Math.floor(epochMs / 1000) * 1000;
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let beforeChrist = false;
    for (const part of this.format.formatToParts(wholeSecondMs)) {
      const value = part.value;
      switch (part.type) {
        case 'year': year = integer(value); break;
        case 'month': month = integer(value); break;
        case 'day': day = integer(value); break;
        case 'hour': hour = integer(value); break;
        case 'minute': minute = integer(value); break;
        case 'second': second = integer(value); break;
        case 'era': beforeChrist = value.startsWith('B'); break;
        default: break;
      }
    }
    if (beforeChrist) year = 1 - year;
    const localMs = daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000;
    return localMs - wholeSecondMs;
  }
}

function integer(value: string): number {
  let result = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i) - 48;
    if (code >= 0 && code <= 9) result = result * 10 + code;
  }
  return result;
}

const clocks = new Map<string, ZoneClock>();

/** The shared clock for a zone; throws RangeError for an unknown zone. */
export function zoneClock(timeZone: string): ZoneClock {
  let clock = clocks.get(timeZone);
  if (!clock) {
    clock = new ZoneClock(timeZone);
    clocks.set(timeZone, clock);
  }
  return clock;
}

/** Whether Intl knows the zone. */
export function isTimeZone(timeZone: string): boolean {
  try {
    zoneClock(timeZone);
    return true;
  } catch {
    return false;
  }
}
