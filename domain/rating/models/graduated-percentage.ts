// Graduated percentage: the period's monetary value (the usage quantity, in money) is cut into tiers;
// each tier takes its percentage of the value inside it, plus its flat fee once it is reached.
import { ZERO, formatPlain, money } from '../../money';
import { unitsInTier } from './tiers';
import type { ChargeDetail, ChargeOf, ChargeUsage, ModelPrice } from './types';

/** Sum over tiers of value in tier * ratePercent / 100 (+ flatFee when reached), exact. */
export function priceGraduatedPercentage(charge: ChargeOf<'graduatedPercentage'>, usage: ChargeUsage): ModelPrice {
  let amount = ZERO;
  const details: ChargeDetail[] = [];
  charge.tiers.forEach((tier, index) => {
    const value = unitsInTier(tier, usage.total);
    if (value.isZero()) return;
    const tierAmount = value.times(money(tier.ratePercent)).div(100).plus(money(tier.flatFee ?? '0'));
    amount = amount.plus(tierAmount);
    details.push({ label: `tier ${index + 1}`, quantity: formatPlain(value), rate: `${tier.ratePercent}%`, amount: formatPlain(tierAmount) });
  });
  return { amount, details };
}
