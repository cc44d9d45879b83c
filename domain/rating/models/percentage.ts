// Percentage of monetary value, per event (Lago's percentage model): each event's value (its quantity,
// in money) pays ratePercent of it plus a fixed fee, clamped to the per-event minimum and maximum.
// Free allowance, in usage-time order: the first `freeUnits` of value are free, over at most the first
// `freeEvents` events; with only freeEvents, those events are free entirely. An event with nothing
// left to pay pays no fixed fee and no minimum.
import { ZERO, formatPlain, money, type Money } from '../../money';
import type { ChargeOf, ChargeUsage, ModelPrice } from './types';

interface Allowance {
  unitsLeft: Money | null;
  eventsLeft: number | null;
}

function freePart(allowance: Allowance, value: Money): Money {
  if (allowance.eventsLeft !== null && allowance.eventsLeft <= 0) return ZERO;
  if (allowance.unitsLeft === null && allowance.eventsLeft === null) return ZERO;
  const free = allowance.unitsLeft === null || allowance.unitsLeft.gte(value) ? value : allowance.unitsLeft;
  if (allowance.unitsLeft !== null) allowance.unitsLeft = allowance.unitsLeft.minus(free);
  if (allowance.eventsLeft !== null && free.gt(0)) allowance.eventsLeft -= 1;
  return free;
}

/** Sum over events of clamp(chargeable * ratePercent / 100 + fixedFeePerEvent, min, max), exact. */
export function pricePercentage(charge: ChargeOf<'percentage'>, usage: ChargeUsage): ModelPrice {
  const allowance: Allowance = {
    unitsLeft: charge.freeUnits === undefined ? null : money(charge.freeUnits),
    eventsLeft: charge.freeEvents ?? null,
  };
  const fixedFee = money(charge.fixedFeePerEvent ?? '0');
  let amount = ZERO;
  let chargedEvents = 0;
  let freeValue = ZERO;
  for (const event of usage.events) {
    const free = freePart(allowance, event.quantity);
    freeValue = freeValue.plus(free);
    const chargeable = event.quantity.minus(free);
    if (chargeable.lte(0)) continue;
    let fee = chargeable.times(money(charge.ratePercent)).div(100).plus(fixedFee);
    if (charge.minPerEvent !== undefined && fee.lt(charge.minPerEvent)) fee = money(charge.minPerEvent);
    if (charge.maxPerEvent !== undefined && fee.gt(charge.maxPerEvent)) fee = money(charge.maxPerEvent);
    amount = amount.plus(fee);
    chargedEvents += 1;
  }
  return {
    amount,
    details: [
      { label: 'free value', quantity: formatPlain(freeValue), rate: null, amount: '0' },
      { label: 'charged events', quantity: String(chargedEvents), rate: `${charge.ratePercent}%`, amount: formatPlain(amount) },
    ],
  };
}
