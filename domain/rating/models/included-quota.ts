// Included quota (Emersion data billing): the quota is used up first; usage beyond it is charged at
// the excess rate, usage inside it at includedUnitPrice when the plan charges it ("charge usage?").
import { ZERO, formatPlain, money } from '../../money';
import type { ChargeOf, ChargeUsage, ModelPrice } from './types';

/** max(total - quota, 0) * excessUnitPrice + min(total, quota) * includedUnitPrice (default 0). */
export function priceIncludedQuota(charge: ChargeOf<'includedQuota'>, usage: ChargeUsage): ModelPrice {
  const quota = money(charge.quota);
  const included = usage.total.lt(quota) ? usage.total : quota;
  const excess = usage.total.gt(quota) ? usage.total.minus(quota) : ZERO;
  const includedAmount = included.times(money(charge.includedUnitPrice ?? '0'));
  const excessAmount = excess.times(money(charge.excessUnitPrice));
  return {
    amount: includedAmount.plus(excessAmount),
    details: [
      { label: 'included', quantity: formatPlain(included), rate: charge.includedUnitPrice ?? '0', amount: formatPlain(includedAmount) },
      { label: 'excess', quantity: formatPlain(excess), rate: charge.excessUnitPrice, amount: formatPlain(excessAmount) },
    ],
  };
}
