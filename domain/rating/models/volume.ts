// Volume: every unit at the price of the tier the period total reaches, plus that tier's flat fee.
import { ZERO, formatPlain, money } from '../../money';
import { tierReached } from './tiers';
import type { ChargeOf, ChargeUsage, ModelPrice } from './types';

/** total * unitPrice of the tier reached + its flatFee; nothing for zero usage. */
export function priceVolume(charge: ChargeOf<'volume'>, usage: ChargeUsage): ModelPrice {
  if (usage.total.isZero()) return { amount: ZERO, details: [] };
  const index = tierReached(charge.tiers, usage.total);
  const tier = charge.tiers[index] as ChargeOf<'volume'>['tiers'][number];
  const amount = usage.total.times(money(tier.unitPrice)).plus(money(tier.flatFee ?? '0'));
  return { amount, details: [{ label: `tier ${index + 1}`, quantity: formatPlain(usage.total), rate: tier.unitPrice, amount: formatPlain(amount) }] };
}
