// Package: a price per started package of `packageSize` units, after `freeUnits` free units.
import { ZERO, formatPlain, money } from '../../money';
import type { ChargeOf, ChargeUsage, ModelPrice } from './types';

/** ceil(max(total - freeUnits, 0) / packageSize) * packagePrice. */
export function pricePackage(charge: ChargeOf<'package'>, usage: ChargeUsage): ModelPrice {
  const free = money(charge.freeUnits ?? '0');
  const billable = usage.total.gt(free) ? usage.total.minus(free) : ZERO;
  const packages = billable.div(money(charge.packageSize)).ceil();
  const amount = packages.times(money(charge.packagePrice));
  return {
    amount,
    details: [
      { label: 'free units', quantity: formatPlain(usage.total.lt(free) ? usage.total : free), rate: null, amount: '0' },
      { label: 'packages', quantity: formatPlain(packages), rate: charge.packagePrice, amount: formatPlain(amount) },
    ],
  };
}
