// Standard: every unit at one price.
import { formatPlain, money } from '../../money';
import type { ChargeOf, ChargeUsage, ModelPrice } from './types';

/** total units * unitPrice, exact. */
export function priceStandard(charge: ChargeOf<'standard'>, usage: ChargeUsage): ModelPrice {
  const amount = usage.total.times(money(charge.unitPrice));
  return { amount, details: [{ label: 'units', quantity: formatPlain(usage.total), rate: charge.unitPrice, amount: formatPlain(amount) }] };
}
