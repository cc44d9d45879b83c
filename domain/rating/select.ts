// Which rate is in force, and where it changes. The search walks the plan chain child -> parent and
// stops at the first level with an applicable rate (an override replaces the rate it targets, so a
// child's own rate beats a parent's override: SPEC 3.4). Within a level the precedence is:
//   1. a rate for the record's zone beats a rate for any zone;
//   2. a rate whose window is open beats a rate without a window; among open windows the highest
//      weight wins, then the window that opened latest that day;
//   3. more tier conditions beat fewer (a tier beats the base rate);
//   4. the rate listed first.
import { MS_PER_DAY, formatInstant } from './calendar';
import type { CompiledContext, CompiledRate } from './compile';
import { allConditionsHold } from './conditions';
import type { UsageRecord } from './records';
import type { LocalTime } from './time-zone';
import { openedAt } from './windows';
import { findZone, type ZoneMatch } from './zones';

export interface Candidates {
  /** Per level, the rates whose usage type, zone and conditions fit the record. */
  readonly perLevel: ReadonlyArray<readonly CompiledRate[]>;
  readonly zones: ReadonlyArray<ZoneMatch | null>;
  readonly anyWindow: boolean;
  readonly anyRate: boolean;
}

const NONE: readonly CompiledRate[] = [];

function fits(rate: CompiledRate, zone: ZoneMatch | null, record: UsageRecord, durationMs: number | null): boolean {
  return (rate.zone === null || rate.zone === zone?.zone) && allConditionsHold(rate.conditions, record, durationMs);
}

/** Filters rates by what does not change during the usage: usage type, zone, conditions. */
export function staticCandidates(context: CompiledContext, record: UsageRecord, durationMs: number | null): Candidates {
  const perLevel: Array<readonly CompiledRate[]> = [];
  const zones: Array<ZoneMatch | null> = [];
  let anyWindow = false;
  let anyRate = false;
  for (const level of context.levels) {
    const usage = level.byUsageType.get(record.usageType);
    const zone = usage?.anyZone ? findZone(level.zones, record.destination) : null;
    let rates = usage?.rates ?? NONE;
    if (usage !== undefined && (usage.anyZone || usage.anyConditions)) {
      // Copy only when a rate drops out; most records keep the compiled list as it is.
      let kept: CompiledRate[] | null = null;
      for (let index = 0; index < rates.length; index++) {
        const rate = rates[index] as CompiledRate;
        const ok = fits(rate, zone, record, durationMs);
        if (!ok && kept === null) kept = rates.slice(0, index);
        else if (ok && kept !== null) kept.push(rate);
      }
      if (kept !== null) rates = kept;
    }
    for (const rate of rates) if (rate.window !== null) anyWindow = true;
    if (rates.length > 0) anyRate = true;
    perLevel.push(rates);
    zones.push(zone);
  }
  return { perLevel, zones, anyWindow, anyRate };
}

function outranks(rate: CompiledRate, opened: number, best: CompiledRate, bestOpened: number): boolean {
  if ((rate.zone !== null) !== (best.zone !== null)) return rate.zone !== null;
  if ((rate.window !== null) !== (best.window !== null)) return rate.window !== null;
  if (rate.window !== null && best.window !== null) {
    if (rate.window.weight !== best.window.weight) return rate.window.weight > best.window.weight;
    if (opened !== bestOpened) return opened > bestOpened;
  }
  return rate.conditions.length > best.conditions.length;
}

/** The rate in force at a local time (null local: only rates without a window are considered). */
export function rateAt(candidates: Candidates, local: LocalTime | null): CompiledRate | null {
  for (const rates of candidates.perLevel) {
    let best: CompiledRate | null = null;
    let bestOpened = Number.NaN;
    for (const rate of rates) {
      let opened = Number.NaN;
      if (rate.window !== null) {
        if (local === null) continue;
        opened = openedAt(rate.window, local);
        if (Number.isNaN(opened)) continue;
      }
      if (best === null || outranks(rate, opened, best, bestOpened)) {
        best = rate;
        bestOpened = opened;
      }
    }
    if (best !== null) return best;
  }
  return null;
}

export interface Segment {
  readonly rate: CompiledRate;
  /** Offsets from the start of the usage, in milliseconds; [fromMs, toMs). */
  readonly fromMs: number;
  readonly toMs: number;
}

export type SplitOutcome = { ok: true; segments: Segment[] } | { ok: false; message: string };

/**
 * Splits [start, start + duration) where the rate in force changes: at window edges, at local
 * midnight and at UTC offset changes, evaluated on the wall clock of the context's time zone. A
 * window opening exactly at the end of the usage does not touch it; one opening exactly at its
 * start prices all of it. Consecutive parts under the same rate stay one segment.
 */
export function splitByRate(
  context: CompiledContext,
  candidates: Candidates,
  usageType: string,
  startMs: number,
  durationMs: number,
  startRate: CompiledRate,
): SplitOutcome {
  const endMs = startMs + durationMs;
  if (!candidates.anyWindow) return { ok: true, segments: [{ rate: startRate, fromMs: 0, toMs: durationMs }] };
  const clock = context.clock;
  const edges = context.edges.get(usageType) ?? [];
  const segments: Segment[] = [];
  let rate = startRate;
  let segmentStart = startMs;
  let at = startMs;
  let local = clock.local(at);
  for (;;) {
    let nextEdge = MS_PER_DAY;
    for (const edge of edges) {
      if (edge > local.msOfDay) {
        nextEdge = edge;
        break;
      }
    }
    let next = at + (nextEdge - local.msOfDay);
    const offsetChange = clock.nextOffsetChange(at, Math.min(next, endMs));
    if (offsetChange !== null) next = offsetChange;
    if (next >= endMs) break;
    at = next;
    local = clock.local(at);
    const nextRate = rateAt(candidates, local);
    if (nextRate === null) return { ok: false, message: `no rate in force at ${formatInstant(at)}` };
    if (nextRate !== rate) {
      segments.push({ rate, fromMs: segmentStart - startMs, toMs: at - startMs });
      rate = nextRate;
      segmentStart = at;
    }
  }
  segments.push({ rate, fromMs: segmentStart - startMs, toMs: durationMs });
  return { ok: true, segments };
}
