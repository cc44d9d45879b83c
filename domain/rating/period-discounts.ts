// Period discounts (CRM.COM additive discounts), applied in one documented order: free usage first
// (it changes what is priced), then percentages (each on what is left, in plan order), then fixed
// amounts (in plan order, spread over the matching lines in line order). No line goes below zero.
import { ZERO, formatFixed, formatPlain, money, type Money } from '../money';
import type { ChargeLine } from './period';
import type { Discount } from './plan-schema';
import { convertible, unitInfo, type UnitInfo } from './units';

/** A priced line while discounts are applied. */
export interface LineWork {
  readonly line: ChargeLine;
  /** Rounded amount left after the discounts applied so far. */
  running: Money;
  readonly unit: UnitInfo;
  /** The rounded reduction if the first `free` units of the line (in its unit) cost nothing. */
  readonly freeUsage: (free: Money) => Money;
  freeConsumed?: Money;
}

function matches(discount: Discount, line: ChargeLine): boolean {
  if (line.kind !== 'usage' && line.kind !== 'charge') return false;
  if (discount.usageTypes && (line.usageType === null || !discount.usageTypes.includes(line.usageType))) return false;
  return !discount.products || (line.product !== null && discount.products.includes(line.product));
}

function discountLine(discount: Discount, work: LineWork, amount: Money, rate: string, quantity: Money | null, decimals: number): ChargeLine {
  const line = work.line;
  return {
    id: `discount:${discount.id}:${line.id}`,
    kind: 'discount',
    usageType: line.usageType,
    product: line.product,
    category: line.category,
    quantity: quantity === null ? null : formatPlain(quantity),
    unit: quantity === null ? null : line.unit,
    records: 0,
    amount: formatFixed(amount.negated(), decimals),
    discountId: discount.id,
    appliesTo: line.id,
    details: [{ label: discount.kind, quantity: quantity === null ? null : formatPlain(quantity), rate, amount: formatPlain(amount.negated()) }],
  };
}

function applyFreeUsage(discount: Extract<Discount, { kind: 'freeUsage' }>, works: LineWork[], decimals: number): ChargeLine[] {
  const lines: ChargeLine[] = [];
  const discountUnit = unitInfo(discount.unit);
  let pool = money(discount.quantity);
  for (const work of works) {
    if (pool.lte(0) || !matches(discount, work.line) || !convertible(discountUnit, work.unit)) continue;
    const consumed = work.freeConsumed ?? ZERO;
    const available = money(work.line.quantity ?? '0').minus(consumed);
    const offered = pool.times(discountUnit.baseFactor).div(work.unit.baseFactor);
    const used = offered.lt(available) ? offered : available;
    if (used.lte(0)) continue;
    let amount = work.freeUsage(consumed.plus(used)).minus(work.freeUsage(consumed));
    if (amount.gt(work.running)) amount = work.running;
    work.freeConsumed = consumed.plus(used);
    work.running = work.running.minus(amount);
    pool = pool.minus(used.times(work.unit.baseFactor).div(discountUnit.baseFactor));
    lines.push(discountLine(discount, work, amount, `${discount.quantity} ${discount.unit} free`, used, decimals));
  }
  return lines;
}

/** Applies the plan's period-level discounts to the priced lines; returns the discount lines. */
export function applyPeriodDiscounts(
  works: LineWork[],
  discounts: readonly Discount[],
  round: (value: Money) => Money,
  decimals: number,
): ChargeLine[] {
  const period = discounts.filter((discount) => discount.level === 'period');
  const lines: ChargeLine[] = [];
  for (const discount of period) if (discount.kind === 'freeUsage') lines.push(...applyFreeUsage(discount, works, decimals));
  for (const discount of period) {
    if (discount.kind !== 'percentage') continue;
    for (const work of works) {
      if (!matches(discount, work.line) || work.running.lte(0)) continue;
      const amount = round(work.running.times(discount.percent).div(100));
      work.running = work.running.minus(amount);
      lines.push(discountLine(discount, work, amount, `${discount.percent}%`, null, decimals));
    }
  }
  for (const discount of period) {
    if (discount.kind !== 'fixed') continue;
    let pool = money(discount.amount);
    for (const work of works) {
      if (pool.lte(0) || !matches(discount, work.line) || work.running.lte(0)) continue;
      const amount = round(pool.lt(work.running) ? pool : work.running);
      work.running = work.running.minus(amount);
      pool = pool.minus(amount);
      lines.push(discountLine(discount, work, amount, discount.amount, null, decimals));
    }
  }
  return lines;
}
