// Units of measure. A rate priced per time unit rates a duration (and is split where the rate in force
// changes); any other unit rates a quantity at the rate in force at the start. Within the time and
// data families a record may be reported in another unit than the rate (seconds vs minutes, KB vs MB);
// any other unit must match the rate's unit exactly.

export type UnitFamily = 'time' | 'data' | 'count';

export interface UnitInfo {
  /** Name as written in the plan or record. */
  readonly name: string;
  readonly family: UnitFamily;
  /** Size in the family's base unit: milliseconds for time, bytes for data, 1 for counted units. */
  readonly baseFactor: number;
}

const TIME_UNITS: Record<string, number> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
};

const DATA_UNITS: Record<string, number> = {
  B: 1,
  byte: 1,
  bytes: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};

const known = new Map<string, UnitInfo>();

/** The unit's family and size; memoised, so records can ask per row without allocating. */
export function unitInfo(name: string): UnitInfo {
  let info = known.get(name);
  if (info === undefined) {
    const time = TIME_UNITS[name];
    const data = DATA_UNITS[name];
    info = Object.freeze(
      time !== undefined
        ? { name, family: 'time' as const, baseFactor: time }
        : data !== undefined
          ? { name, family: 'data' as const, baseFactor: data }
          : { name, family: 'count' as const, baseFactor: 1 },
    );
    if (known.size < 10_000) known.set(name, info);
  }
  return info;
}

export function isTimeUnit(name: string): boolean {
  return TIME_UNITS[name] !== undefined;
}

/** Whether a quantity in `from` can be expressed in `to`. */
export function convertible(from: UnitInfo, to: UnitInfo): boolean {
  if (from.family !== to.family) return false;
  return from.family !== 'count' || from.name === to.name;
}
