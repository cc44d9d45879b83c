// The reference money engine: every amount computed with decimal.js (domain/money.ts). It is the
// definition of a correct result; the fast engine must match it digit for digit, and takes over
// only where it can (see engine-fast.ts).
import { ZERO, formatFixed, formatPlain, money, roundInternal, roundMoney, type Money } from '../money';
import type { CompiledDiscount } from './compile';
import type { PricingInput, PricingOutput } from './engine';

function pieceAmounts(input: PricingInput): { amounts: Money[]; billedQuantity: string | null; increments: number | null } {
  if (input.pieces !== null) {
    // price per unit * billed time / unit length, kept to AMOUNT_SCALE decimals (half-even)
    const amounts = input.pieces.map((piece) =>
      roundInternal(money(piece.step.price).times(piece.billedMs).div(piece.rate.unit.baseFactor)),
    );
    return { amounts, billedQuantity: null, increments: null };
  }
  const rate = input.startRate;
  const usage = input.quantity;
  if (usage === null) return { amounts: [], billedQuantity: null, increments: null };
  const quantity = money(usage.value).times(usage.unit.baseFactor).div(rate.unit.baseFactor);
  let billed = quantity;
  let increments: number | null = null;
  if (rate.increment !== null) {
    const increment = money(rate.increment);
    const count = quantity.div(increment).ceil();
    billed = count.times(increment);
    increments = count.toNumber();
  }
  return { amounts: [roundInternal(billed.times(rate.price))], billedQuantity: formatPlain(billed), increments };
}

/**
 * Record-level discounts in the given order (percentages first): a percentage of the running amount
 * kept to AMOUNT_SCALE decimals, a fixed amount; neither takes the amount below zero.
 */
export function applyDiscounts(start: Money, discounts: readonly CompiledDiscount[]): { subtotal: Money; amounts: string[] } {
  let subtotal = start;
  const amounts: string[] = [];
  for (const discount of discounts) {
    let amount = ZERO;
    if (subtotal.gt(0)) {
      amount = discount.kind === 'percentage' ? roundInternal(subtotal.times(discount.value).div(100)) : money(discount.value);
      if (amount.gt(subtotal)) amount = subtotal;
    }
    subtotal = subtotal.minus(amount);
    amounts.push(formatPlain(amount));
  }
  return { subtotal, amounts };
}

export function priceReference(input: PricingInput): PricingOutput {
  const rate = input.startRate;
  const pieces = pieceAmounts(input);
  const usageAmount = pieces.amounts.reduce((sum, amount) => sum.plus(amount), ZERO);
  const connectFee = input.zeroUsage || rate.connectFee === null ? ZERO : money(rate.connectFee);
  let subtotal = usageAmount.plus(connectFee);
  let minimumApplied = false;
  if (!input.zeroUsage && rate.minimumCharge !== null && subtotal.lt(rate.minimumCharge)) {
    subtotal = money(rate.minimumCharge);
    minimumApplied = true;
  }
  let maxExceeded = false;
  let capped = false;
  if (rate.maxCharge !== null && subtotal.gt(rate.maxCharge.amount)) {
    maxExceeded = true;
    if (rate.maxCharge.action === 'cap') {
      subtotal = money(rate.maxCharge.amount);
      capped = true;
    }
  }
  const discounted = applyDiscounts(subtotal, input.discounts);
  subtotal = discounted.subtotal;
  const discountAmounts = discounted.amounts;
  return {
    pieceAmounts: pieces.amounts.map(formatPlain),
    billedQuantity: pieces.billedQuantity,
    quantityIncrements: pieces.increments,
    connectFee: formatPlain(connectFee),
    usageAmount: formatPlain(usageAmount),
    minimumApplied,
    maxExceeded,
    capped,
    discountAmounts,
    subtotal: formatPlain(subtotal),
    amount: formatFixed(roundMoney(subtotal, input.decimals, input.roundingMethod), input.decimals),
  };
}
