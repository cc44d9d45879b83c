// Period charges for one subscription's billing period, from its rating results. Records are put in
// usage-time order first (start, then record id), so allowances and "first N" rules give the same
// answer however the records arrived. Rated records add up per usage type; deferred records feed the
// pricing model of their charge; then period discounts and the minimum commitment. Every line is
// rounded once with the plan's rounding; the total is the exact sum of the lines.
import { ZERO, formatFixed, formatPlain, money, roundMoney, type Money } from '../money';
import { parseInstant } from './calendar';
import { collectCharges, type RatingContext } from './compile';
import type { ChargeDetail, ChargeUsage, ModelPrice } from './models/types';
import { applyPeriodDiscounts, type LineWork } from './period-discounts';
import type { PeriodCharge, RatePlan } from './plan-schema';
import { recordDurationMs, type UsageRecord } from './records';
import type { DeferredRating, RatedRecord, RatingFailure } from './result';
import { convertible, unitInfo } from './units';

/** What period charges read of a rating result (a full RatingResult, or one kept in the database). */
export type PeriodRating =
  | Pick<RatedRecord, 'status' | 'currency' | 'usageType' | 'quantity' | 'unit' | 'amount'>
  | Pick<DeferredRating, 'status' | 'currency' | 'plan' | 'chargeId'>
  | Pick<RatingFailure, 'status' | 'reason'>;

export interface RatedUsage {
  readonly record: UsageRecord;
  readonly result: PeriodRating;
}

export interface PeriodChargesInput {
  /** The subscription's plan chain, child first (as for rating). */
  readonly plans: RatingContext['plans'];
  readonly items: readonly RatedUsage[];
  /** When given, records starting outside [startAt, endAt) are excluded. */
  readonly period?: { readonly startAt: string; readonly endAt: string };
}

export interface ChargeLine {
  id: string;
  kind: 'usage' | 'charge' | 'discount' | 'commitment';
  usageType: string | null;
  product: string | null;
  category: string;
  quantity: string | null;
  unit: string | null;
  records: number;
  /** Rounded with the plan's method and decimals; negative for discounts. */
  amount: string;
  chargeId?: string;
  model?: PeriodCharge['model'];
  discountId?: string;
  /** For a discount: the line it reduces. */
  appliesTo?: string;
  details: ChargeDetail[];
}

export interface PeriodCharges {
  currency: string;
  lines: ChargeLine[];
  total: string;
  recordsCounted: number;
  excluded: Array<{ recordId: string; reason: string }>;
}

export type PriceCharge = (charge: PeriodCharge, usage: ChargeUsage) => ModelPrice;

interface Sorted {
  readonly item: RatedUsage;
  readonly startMs: number;
}

function sortByUsageTime(items: readonly RatedUsage[]): Sorted[] {
  const sorted = items.map((item) => ({ item, startMs: parseInstant(item.record.start) ?? Number.NaN }));
  return sorted.sort((a, b) => {
    if (a.startMs !== b.startMs) return Number.isNaN(a.startMs) ? 1 : Number.isNaN(b.startMs) ? -1 : a.startMs - b.startMs;
    const idA = a.item.record.id;
    const idB = b.item.record.id;
    return idA < idB ? -1 : idA > idB ? 1 : 0;
  });
}

interface UsageGroup {
  readonly key: string;
  readonly record: UsageRecord;
  readonly unit: string;
  readonly events: Array<{ quantity: Money; amount: Money }>;
}

interface ChargeGroup {
  readonly charge: PeriodCharge;
  readonly key: string;
  readonly events: Array<{ recordId: string; quantity: Money }>;
  firstRecord: UsageRecord | null;
}

function chargeQuantity(charge: PeriodCharge, record: UsageRecord, startMs: number): Money | null {
  const chargeUnit = unitInfo(charge.unit);
  if (chargeUnit.family === 'time' && (record.unit === undefined || unitInfo(record.unit).family !== 'time')) {
    const durationMs = recordDurationMs(record, startMs);
    return typeof durationMs === 'number' ? money(String(durationMs)).div(chargeUnit.baseFactor) : null;
  }
  const unit = record.unit === undefined ? chargeUnit : unitInfo(record.unit);
  if (!convertible(unit, chargeUnit)) return null;
  return money(record.quantity ?? '1').times(unit.baseFactor).div(chargeUnit.baseFactor);
}

interface Collected {
  usage: Map<string, UsageGroup>;
  charges: Map<string, ChargeGroup>;
  excluded: PeriodCharges['excluded'];
  counted: number;
}

function collect(input: PeriodChargesInput, currency: string): Collected {
  const charges = new Map<string, ChargeGroup>();
  for (const { plan, charge } of collectCharges(input.plans).values()) {
    const key = `${plan.id}\u0000${charge.id}`;
    charges.set(key, { charge, key, events: [], firstRecord: null });
  }
  const usage = new Map<string, UsageGroup>();
  const excluded: PeriodCharges['excluded'] = [];
  const periodStart = input.period ? parseInstant(input.period.startAt) : null;
  const periodEnd = input.period ? parseInstant(input.period.endAt) : null;
  let counted = 0;
  for (const { item, startMs } of sortByUsageTime(input.items)) {
    const { record, result } = item;
    const exclude = (reason: string) => excluded.push({ recordId: record.id, reason });
    if (result.status === 'failed') { exclude(result.reason); continue; }
    if (result.currency !== currency) { exclude('CURRENCY_MISMATCH'); continue; }
    if ((periodStart !== null && !(startMs >= periodStart)) || (periodEnd !== null && !(startMs < periodEnd))) { exclude('OUTSIDE_PERIOD'); continue; }
    if (result.status === 'deferred') {
      const group = charges.get(`${result.plan.id}\u0000${result.chargeId}`);
      const quantity = group ? chargeQuantity(group.charge, record, startMs) : null;
      if (!group || quantity === null) { exclude(group ? 'UNIT_MISMATCH' : 'UNKNOWN_CHARGE'); continue; }
      group.events.push({ recordId: record.id, quantity });
      group.firstRecord ??= record;
    } else {
      // One line per usage type, product and unit; its category is that of its first record.
      const key = [result.usageType, record.product ?? '', result.unit].join('\u0000');
      const group = usage.get(key) ?? { key, record, unit: result.unit, events: [] };
      group.events.push({ quantity: money(result.quantity), amount: money(result.amount) });
      usage.set(key, group);
    }
    counted += 1;
  }
  return { usage, charges, excluded, counted };
}

function usageLineWork(group: UsageGroup, round: (value: Money) => Money, decimals: number): LineWork {
  const amount = round(group.events.reduce((sum, event) => sum.plus(event.amount), ZERO));
  const quantity = group.events.reduce((sum, event) => sum.plus(event.quantity), ZERO);
  const usageType = group.record.usageType;
  return {
    line: {
      id: `usage:${usageType}${group.record.product ? `:${group.record.product}` : ''}:${group.unit}`,
      kind: 'usage',
      usageType,
      product: group.record.product ?? null,
      category: group.record.category ?? usageType,
      quantity: formatPlain(quantity),
      unit: group.unit,
      records: group.events.length,
      amount: formatFixed(amount, decimals),
      details: [],
    },
    running: amount,
    unit: unitInfo(group.unit),
    // The first `free` units in usage-time order cost nothing: their records' amounts, pro rata.
    freeUsage: (free) => {
      let left = free;
      let discount = ZERO;
      for (const event of group.events) {
        if (left.lte(0)) break;
        const part = event.quantity.lte(left) ? event.quantity : left;
        if (event.quantity.gt(0)) discount = discount.plus(event.amount.times(part).div(event.quantity));
        left = left.minus(part);
      }
      return round(discount);
    },
  };
}

function withoutFirstUnits(usage: ChargeUsage, free: Money): ChargeUsage {
  let left = free;
  const events = usage.events.flatMap((event) => {
    const part = event.quantity.lte(left) ? event.quantity : left;
    left = left.minus(part);
    return event.quantity.gt(part) ? [{ recordId: event.recordId, quantity: event.quantity.minus(part) }] : [];
  });
  return { events, total: events.reduce((sum, event) => sum.plus(event.quantity), ZERO) };
}

function chargeLineWork(group: ChargeGroup, priceCharge: PriceCharge, round: (value: Money) => Money, decimals: number): LineWork {
  const usage: ChargeUsage = { events: group.events, total: group.events.reduce((sum, event) => sum.plus(event.quantity), ZERO) };
  const priced = priceCharge(group.charge, usage);
  const amount = round(priced.amount);
  const charge = group.charge;
  return {
    line: {
      id: `charge:${charge.id}`,
      kind: 'charge',
      usageType: charge.usageType,
      product: charge.product ?? null,
      category: group.firstRecord?.category ?? charge.usageType,
      quantity: formatPlain(usage.total),
      unit: charge.unit,
      records: group.events.length,
      amount: formatFixed(amount, decimals),
      chargeId: charge.id,
      model: charge.model,
      details: priced.details,
    },
    running: amount,
    unit: unitInfo(charge.unit),
    // Priced again as if the first `free` units had not been used.
    freeUsage: (free) => amount.minus(round(priceCharge(charge, withoutFirstUnits(usage, free)).amount)),
  };
}

/** The period's charge lines; `priceCharge` is the pricing-model switch (index.ts). */
export function periodCharges(input: PeriodChargesInput, priceCharge: PriceCharge): PeriodCharges {
  const plan = input.plans[0] as RatePlan;
  const decimals = plan.rounding.decimals;
  const round = (value: Money) => roundMoney(value, decimals, plan.rounding.method);
  const collected = collect(input, plan.currency);
  const works = [
    ...[...collected.usage.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((group) => usageLineWork(group, round, decimals)),
    ...[...collected.charges.values()].filter((group) => group.events.length > 0).map((group) => chargeLineWork(group, priceCharge, round, decimals)),
  ];
  const discounts = input.plans.find((candidate) => candidate.discounts)?.discounts ?? [];
  const discountLines = applyPeriodDiscounts(works, discounts, round, decimals);
  const lines = [...works.map((work) => work.line), ...discountLines];
  let total = lines.reduce((sum, line) => sum.plus(line.amount), ZERO);
  const commitment = input.plans.find((candidate) => candidate.minimumCommitment)?.minimumCommitment;
  if (commitment && total.lt(commitment.amount)) {
    const trueUp = round(money(commitment.amount).minus(total));
    lines.push({
      id: 'commitment', kind: 'commitment', usageType: null, product: null, category: 'commitment', quantity: null, unit: null, records: 0,
      amount: formatFixed(trueUp, decimals),
      details: [{ label: 'minimum commitment true-up', quantity: null, rate: commitment.amount, amount: formatPlain(trueUp) }],
    });
    total = total.plus(trueUp);
  }
  return { currency: plan.currency, lines, total: formatFixed(total, decimals), recordsCounted: collected.counted, excluded: collected.excluded };
}
