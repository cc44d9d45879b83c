// Graduated: each tier prices the units that fall inside it, plus its flat fee once any unit does.
import { ZERO, formatPlain, money } from '../../money';
import { unitsInTier } from './tiers';
import type { ChargeDetail, ChargeOf, ChargeUsage, ModelPrice } from './types';

/** Sum over tiers of units in tier * unitPrice (+ flatFee when the tier has units), exact. */
export function priceGraduated(charge: ChargeOf<'graduated'>, usage: ChargeUsage): ModelPrice {
  let amount = ZERO;
  const details: ChargeDetail[] = [];
  charge.tiers.forEach((tier, index) => {
    const units = unitsInTier(tier, usage.total);
    if (units.isZero()) return;
    const tierAmount = units.times(money(tier.unitPrice)).plus(money(tier.flatFee ?? '0'));
    amount = amount.plus(tierAmount);
    details.push({ label: `tier ${index + 1}`, quantity: formatPlain(units), rate: tier.unitPrice, amount: formatPlain(tierAmount) });
  });
  return { amount, details };
}
