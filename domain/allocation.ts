// Cost allocation (SPEC §4.2, §5 items 54-55): owners form a hierarchy, rated records are assigned
// to an owner by identifier (or to the visible UNASSIGNED pool), and a shared charge is split by
// percentage, fixed amount, or fixed amounts plus a percentage split of the rest. The parts always
// sum exactly to the whole. Remainder rule: each percentage share is rounded half-even to the
// allocation scale; what rounding leaves over (plus or minus) goes to the rule's `remainderOwnerId`,
// or else to the share with the largest percentage (the first listed on ties).
import { DomainError } from './errors';
import { ZERO, decimalsOf, formatFixed, formatPlain, isDecimalString, money, roundMoney, type Money } from './money';

export const OWNER_KINDS = ['organisation', 'department', 'costCentre', 'project', 'person'] as const;
export type OwnerKind = (typeof OWNER_KINDS)[number];
export const UNASSIGNED_OWNER_ID = 'UNASSIGNED';

export interface Owner {
  readonly id: string;
  readonly kind: OwnerKind;
  /** null for a root (normally the organisation). */
  readonly parentId: string | null;
}

function hierarchyError(message: string, ownerId: string): DomainError {
  return new DomainError('INVALID_OWNER_HIERARCHY', message, { ownerId });
}

/**
 * Refuses (INVALID_OWNER_HIERARCHY) duplicate ids, the reserved UNASSIGNED id, unknown parents,
 * cycles, a parent of a later kind than its child (a department under a project), and children of a
 * person. Same-kind nesting (sub-departments, sub-projects) is allowed.
 */
export function validateOwners(owners: readonly Owner[]): void {
  const byId = new Map<string, Owner>();
  for (const owner of owners) {
    if (byId.has(owner.id) || owner.id === UNASSIGNED_OWNER_ID) throw hierarchyError(`owner id ${owner.id} is duplicated or reserved`, owner.id);
    byId.set(owner.id, owner);
  }
  for (const owner of owners) {
    if (owner.parentId === null) continue;
    const parent = byId.get(owner.parentId);
    if (!parent) throw hierarchyError(`owner ${owner.id} has unknown parent ${owner.parentId}`, owner.id);
    if (parent.kind === 'person') throw hierarchyError(`person ${parent.id} cannot own ${owner.id}`, owner.id);
    if (OWNER_KINDS.indexOf(parent.kind) > OWNER_KINDS.indexOf(owner.kind)) {
      throw hierarchyError(`a ${parent.kind} cannot be the parent of a ${owner.kind} (${owner.id})`, owner.id);
    }
    ownerPath(byId, owner.id);
  }
}

/** Ids from the root down to `ownerId` (["org", "finance", "cc-12"]); ["UNASSIGNED"] for the pool. */
export function ownerPath(owners: ReadonlyMap<string, Owner>, ownerId: string): string[] {
  if (ownerId === UNASSIGNED_OWNER_ID) return [UNASSIGNED_OWNER_ID];
  const path: string[] = [];
  for (let id: string | null = ownerId; id !== null; ) {
    if (path.includes(id)) throw hierarchyError(`owner hierarchy has a cycle through ${id}`, id);
    const owner = owners.get(id);
    if (!owner) throw new DomainError('NOT_FOUND', `owner ${id} not found`, { ownerId: id });
    path.unshift(id);
    id = owner.parentId;
  }
  return path;
}

/** The owner of a record by its identifier (extension, user, device...), or UNASSIGNED_OWNER_ID. */
export function assignOwner(identifier: string | null, ownersByIdentifier: Readonly<Record<string, string>>): string {
  if (identifier === null || !Object.hasOwn(ownersByIdentifier, identifier)) return UNASSIGNED_OWNER_ID;
  return ownersByIdentifier[identifier] ?? UNASSIGNED_OWNER_ID;
}

export interface PercentShare {
  readonly ownerId: string;
  /** Decimal string, 0-100; the shares of a rule sum to exactly 100. */
  readonly percent: string;
}

export interface FixedShare {
  readonly ownerId: string;
  /** Magnitude (>= 0), applied with the sign of the charge (a credit allocates negative parts). */
  readonly amount: string;
}

export type AllocationRule =
  | { readonly kind: 'percentage'; readonly shares: readonly PercentShare[]; readonly remainderOwnerId?: string }
  | { readonly kind: 'fixed'; readonly amounts: readonly FixedShare[] }
  | { readonly kind: 'fixedPlusRemainder'; readonly amounts: readonly FixedShare[]; readonly shares: readonly PercentShare[]; readonly remainderOwnerId?: string };

export interface AllocationPart {
  readonly ownerId: string;
  /** With exactly `scale` decimals. */
  readonly amount: string;
}

function ruleError(code: string, message: string): DomainError {
  return new DomainError(code, message);
}

function nonNegative(value: string, what: string): Money {
  if (!isDecimalString(value) || money(value).isNegative()) throw ruleError('INVALID_ALLOCATION_RULE', `${what} must be a non-negative decimal string, got ${value}`);
  return money(value);
}

/** Splits `rest` by percentages; the rounding residual goes to the remainder owner (see file comment). */
function splitByPercent(rest: Money, shares: readonly PercentShare[], scale: number, remainderOwnerId?: string): Array<[string, Money]> {
  if (shares.length === 0) throw ruleError('INVALID_ALLOCATION_RULE', 'a percentage split needs at least one share');
  const percents = shares.map((share) => nonNegative(share.percent, `percent of ${share.ownerId}`));
  const sum = percents.reduce((a, b) => a.plus(b), ZERO);
  if (!sum.equals(100)) throw ruleError('ALLOCATION_PERCENT_SUM', `percentages sum to ${formatPlain(sum)}, not 100`);
  const parts: Array<[string, Money]> = shares.map((share, i) => [share.ownerId, roundMoney(rest.times(percents[i] ?? ZERO).dividedBy(100), scale, 'half-even')]);
  const residual = rest.minus(parts.reduce((a, [, v]) => a.plus(v), ZERO));
  let target = remainderOwnerId === undefined ? -1 : shares.findIndex((s) => s.ownerId === remainderOwnerId);
  if (remainderOwnerId !== undefined && target < 0) throw ruleError('INVALID_ALLOCATION_RULE', `remainder owner ${remainderOwnerId} has no share`);
  if (target < 0) target = percents.reduce((best, p, i) => (p.greaterThan(percents[best] ?? ZERO) ? i : best), 0);
  const chosen = parts[target];
  if (chosen) chosen[1] = chosen[1].plus(residual);
  return parts;
}

function fixedParts(amounts: readonly FixedShare[], sign: number): Array<[string, Money]> {
  return amounts.map((share) => [share.ownerId, nonNegative(share.amount, `amount of ${share.ownerId}`).times(sign)]);
}

/** Parts per owner before merging, for one rule. */
function rawParts(whole: Money, rule: AllocationRule, scale: number): Array<[string, Money]> {
  const sign = whole.isNegative() ? -1 : 1;
  switch (rule.kind) {
    case 'percentage':
      return splitByPercent(whole, rule.shares, scale, rule.remainderOwnerId);
    case 'fixed': {
      const parts = fixedParts(rule.amounts, sign);
      const sum = parts.reduce((a, [, v]) => a.plus(v), ZERO);
      if (!sum.equals(whole)) throw ruleError('ALLOCATION_FIXED_SUM', `fixed amounts sum to ${formatPlain(sum)}, not ${formatPlain(whole)}`);
      return parts;
    }
    case 'fixedPlusRemainder': {
      const parts = fixedParts(rule.amounts, sign);
      const rest = whole.minus(parts.reduce((a, [, v]) => a.plus(v), ZERO));
      if (!rest.isZero() && rest.isNegative() !== whole.isNegative()) {
        throw ruleError('ALLOCATION_EXCEEDS_CHARGE', `fixed amounts exceed the charge ${formatPlain(whole)}`);
      }
      return [...parts, ...splitByPercent(rest, rule.shares, scale, rule.remainderOwnerId)];
    }
  }
}

/**
 * Splits a charge (decimal string, any sign) by `rule`, one part per owner in order of first
 * appearance (an owner with a fixed amount and a share gets their sum). Scale: `decimals` (default
 * 2), or more when the charge itself has more decimals, so the parts always sum exactly to it.
 * Refusals: INVALID_ALLOCATION_RULE, ALLOCATION_PERCENT_SUM, ALLOCATION_FIXED_SUM, ALLOCATION_EXCEEDS_CHARGE.
 */
export function allocate(amount: string, rule: AllocationRule, decimals = 2): AllocationPart[] {
  const whole = money(amount);
  const scale = Math.max(decimals, decimalsOf(amount));
  const merged = new Map<string, Money>();
  for (const [ownerId, value] of rawParts(whole, rule, scale)) merged.set(ownerId, (merged.get(ownerId) ?? ZERO).plus(value));
  return [...merged].map(([ownerId, value]) => ({ ownerId, amount: formatFixed(value, scale) }));
}

export interface AllocatedCharge {
  /** Reporting period, e.g. "2024-03". */
  readonly period: string;
  readonly chargeId: string;
  readonly parts: readonly AllocationPart[];
}

export interface AllocationReportRow {
  readonly period: string;
  readonly ownerId: string;
  readonly ownerKind: OwnerKind | 'unassigned';
  /** Root-to-owner ids joined by "/": the drill-down key; a row's children extend it. */
  readonly drillDownKey: string;
  readonly depth: number;
  /** Allocated to this owner itself. */
  readonly directAmount: string;
  /** This owner and everything below it. */
  readonly totalAmount: string;
  /** Charges allocated directly to this owner (drill down to the records). */
  readonly chargeIds: readonly string[];
}

/** Amounts (and record counts) of one report row: its owner's own, and with everything below it. */
interface Rolled { direct: Money; total: Money; directCount: number; totalCount: number }
const rolled = (): Rolled => ({ direct: ZERO, total: ZERO, directCount: 0, totalCount: 0 });

/**
 * Adds `value` (and `count` records) to the row of the owner at the end of `path` as its own, and to
 * the total of every row from the root down to it; `rowAt` finds or makes the row of a path prefix.
 * Returns the owner's row.
 */
function rollUp<R extends Rolled>(path: readonly string[], value: Money, count: number, rowAt: (prefix: string[]) => R): R {
  const own = rowAt([...path]);
  own.direct = own.direct.plus(value);
  own.directCount += count;
  for (let depth = 1; depth <= path.length; depth++) {
    const row = rowAt(path.slice(0, depth));
    row.total = row.total.plus(value);
    row.totalCount += count;
  }
  return own;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Aggregates allocated charges per period and owner, rolled up the hierarchy. Rows are sorted by
 * period then drill-down key, so a parent precedes its children. Amounts exact (sums of parts).
 */
export function allocationReport(charges: readonly AllocatedCharge[], owners: readonly Owner[]): AllocationReportRow[] {
  const byId = new Map(owners.map((owner) => [owner.id, owner]));
  const rows = new Map<string, Rolled & { period: string; path: string[]; chargeIds: Set<string> }>();
  const rowFor = (period: string, path: string[]) => {
    const key = `${period}\u0000${path.join('/')}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { ...rolled(), period, path, chargeIds: new Set() }));
    return row;
  };
  for (const charge of charges) {
    for (const part of charge.parts) {
      const own = rollUp(ownerPath(byId, part.ownerId), money(part.amount), 0, (prefix) => rowFor(charge.period, prefix));
      own.chargeIds.add(charge.chargeId);
    }
  }
  return [...rows.values()]
    .map((row): AllocationReportRow => {
      const ownerId = row.path[row.path.length - 1] ?? UNASSIGNED_OWNER_ID;
      return {
        period: row.period,
        ownerId,
        ownerKind: byId.get(ownerId)?.kind ?? 'unassigned',
        drillDownKey: row.path.join('/'),
        depth: row.path.length,
        directAmount: formatPlain(row.direct),
        totalAmount: formatPlain(row.total),
        chargeIds: [...row.chargeIds].sort(),
      };
    })
    .sort((a, b) => compareText(a.period, b.period) || compareText(a.drillDownKey, b.drillDownKey));
}

/** Mediation's owner kinds (domain/mediation/ownership.ts) as allocation owner kinds. */
const RECORD_OWNER_KINDS: Readonly<Record<string, OwnerKind>> = { PERSON: 'person', COST_CENTRE: 'costCentre', PROJECT: 'project' };

/** Usage of one period summed (in SQL) per record owner and currency. */
export interface OwnerUsage {
  /** The record's owner id; null for the UNASSIGNED pool. */
  readonly ownerId: string | null;
  /** The record's owner kind (PERSON, COST_CENTRE, PROJECT); null when unassigned. */
  readonly recordOwnerKind: string | null;
  readonly currency: string;
  /** Exact decimal string. */
  readonly amount: string;
  readonly recordCount: number;
}

export interface UsageReportRow {
  readonly period: string;
  readonly ownerId: string;
  readonly ownerKind: OwnerKind | 'unassigned';
  /** As for charges; an owner outside the hierarchy is a root ("alice", "UNASSIGNED"). */
  readonly drillDownKey: string;
  readonly depth: number;
  readonly currency: string;
  readonly directAmount: string;
  readonly totalAmount: string;
  readonly directRecordCount: number;
  readonly totalRecordCount: number;
}

/**
 * Usage per owner and currency rolled up the hierarchy like the charge rows: an owner id of the
 * hierarchy takes its kind and path there; any other id is a root row of the kind its records carry
 * (an id carried with two kinds gives two rows); null is UNASSIGNED. Currencies are never added
 * together: each row has one. Sorted by drill-down key, then currency, then kind. Amounts exact.
 */
export function usageReport(period: string, usage: readonly OwnerUsage[], owners: readonly Owner[]): UsageReportRow[] {
  const byId = new Map(owners.map((owner) => [owner.id, owner]));
  const rows = new Map<string, Rolled & { path: string[]; kind: OwnerKind | 'unassigned'; currency: string }>();
  const rowFor = (path: string[], kind: OwnerKind | 'unassigned', currency: string) => {
    const key = [kind, currency, ...path].join('\u0000');
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { ...rolled(), path, kind, currency }));
    return row;
  };
  for (const entry of usage) {
    const ownerId = entry.ownerId ?? UNASSIGNED_OWNER_ID;
    const path = byId.has(ownerId) ? ownerPath(byId, ownerId) : [ownerId];
    const kind = byId.get(ownerId)?.kind ?? (entry.ownerId === null ? 'unassigned' : (RECORD_OWNER_KINDS[entry.recordOwnerKind ?? ''] ?? 'unassigned'));
    // Every ancestor is in the hierarchy (only the owner itself may be outside it).
    rollUp(path, money(entry.amount), entry.recordCount, (prefix) =>
      rowFor(prefix, prefix.length === path.length ? kind : byId.get(prefix[prefix.length - 1]!)!.kind, entry.currency));
  }
  const order = (a: UsageReportRow, b: UsageReportRow) => compareText(a.drillDownKey, b.drillDownKey) || compareText(a.currency, b.currency) || compareText(a.ownerKind, b.ownerKind);
  return [...rows.values()].map((row): UsageReportRow => ({
    period,
    ownerId: row.path[row.path.length - 1]!,
    ownerKind: row.kind,
    drillDownKey: row.path.join('/'),
    depth: row.path.length,
    currency: row.currency,
    directAmount: formatPlain(row.direct),
    totalAmount: formatPlain(row.total),
    directRecordCount: row.directCount,
    totalRecordCount: row.totalCount,
  })).sort(order);
}

/** `ownerId` and every owner below it in the hierarchy (just `ownerId` when it is not there). */
export function ownerWithDescendants(owners: readonly Owner[], ownerId: string): string[] {
  const ids = [ownerId];
  for (let i = 0; i < ids.length; i++) for (const owner of owners) if (owner.parentId === ids[i]) ids.push(owner.id);
  return ids;
}

/** A reporting period "YYYY-MM" as UTC instants [first day 00:00, first day of the next month 00:00). */
export function periodBounds(period: string): { startAt: string; endAt: string } {
  const [year, month] = period.split('-').map((part) => Number.parseInt(part, 10)) as [number, number];
  return { startAt: new Date(Date.UTC(year, month - 1, 1)).toISOString(), endAt: new Date(Date.UTC(year, month, 1)).toISOString() };
}
