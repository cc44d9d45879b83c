// The compiled fast path: the same arithmetic as engine-reference.ts on safe integers at
// AMOUNT_SCALE (10) decimals, so a record costs a few integer operations instead of a dozen Decimal
// allocations. Where a number would leave the safe-integer range, or a unit conversion is not a
// power of ten, it returns null and the caller uses the reference engine: same digits, slower.
import {
  AMOUNT_SCALE,
  ScaledOverflow,
  addScaled,
  decimalsOf,
  divRound,
  formatScaled,
  formatScaledFixed,
  mulDivRound,
  parseScaled,
  pow10,
} from '../money';
import type { PricingInput, PricingOutput } from './engine';
import type { TimePiece } from './pieces';

const POWERS_OF_TEN: ReadonlyMap<number, number> = new Map(Array.from({ length: 16 }, (_, exponent) => [10 ** exponent, exponent]));

/** Whether a non-negative decimal string is written as formatScaled would write it. */
function isCanonical(value: string): boolean {
  const length = value.length;
  if (length > 1 && value.charCodeAt(0) === 48 && value.charCodeAt(1) !== 46) return false;
  return value.indexOf('.') < 0 || value.charCodeAt(length - 1) !== 48;
}

function safe(value: number | null): number {
  if (value === null) throw new ScaledOverflow();
  return value;
}

function timePieceAmount(piece: TimePiece): number {
  const price10 = safe(piece.step.price10);
  const unitMs = piece.rate.unit.baseFactor;
  // Whole seconds keep the numbers small: billed seconds * price / unit seconds.
  if (piece.billedMs % 1000 === 0 && unitMs % 1000 === 0) {
    return mulDivRound(piece.billedMs / 1000, price10, unitMs / 1000, 'half-even');
  }
  return mulDivRound(piece.billedMs, price10, unitMs, 'half-even');
}

interface QuantityPriced {
  amount10: number;
  billedQuantity: string;
  increments: number | null;
}

function quantityAmount(input: PricingInput): QuantityPriced {
  const rate = input.startRate;
  const usage = input.quantity as NonNullable<PricingInput['quantity']>;
  let scale = usage.scale;
  let quantity = safe(usage.scaled);
  const from = usage.unit.baseFactor;
  const to = rate.unit.baseFactor;
  if (from !== to) {
    const ratio = from > to ? from / to : to / from;
    const exponent = POWERS_OF_TEN.get(ratio);
    if (exponent === undefined) throw new ScaledOverflow();
    if (from > to) quantity = mulDivRound(quantity, ratio, 1, 'down');
    else scale += exponent;
  }
  let billed = quantity;
  let increments: number | null = null;
  if (rate.increment !== null) {
    const incrementScale = decimalsOf(rate.increment);
    const common = Math.max(scale, incrementScale);
    const dividend = mulDivRound(quantity, pow10(common - scale), 1, 'down');
    const increment = mulDivRound(safe(parseScaled(rate.increment, incrementScale)), pow10(common - incrementScale), 1, 'down');
    increments = divRound(dividend, increment, 'up');
    billed = mulDivRound(increments, increment, 1, 'down');
    scale = common;
  }
  if (scale > 15) throw new ScaledOverflow();
  return {
    amount10: mulDivRound(billed, safe(rate.price10), pow10(scale), 'half-even'),
    // Unchanged and already canonical ("12.5", not "12.50"): keep the record's string.
    billedQuantity: billed === usage.scaled && scale === usage.scale && isCanonical(usage.value) ? usage.value : formatScaled(billed, scale),
    increments,
  };
}

function compute(input: PricingInput): PricingOutput {
  const rate = input.startRate;
  const pieceAmounts: string[] = [];
  let usage10 = 0;
  let billedQuantity: string | null = null;
  let quantityIncrements: number | null = null;
  if (input.pieces !== null) {
    for (const piece of input.pieces) {
      const amount10 = timePieceAmount(piece);
      usage10 = addScaled(usage10, amount10);
      pieceAmounts.push(formatScaled(amount10, AMOUNT_SCALE));
    }
  } else if (input.quantity !== null) {
    const priced = quantityAmount(input);
    usage10 = priced.amount10;
    billedQuantity = priced.billedQuantity;
    quantityIncrements = priced.increments;
    pieceAmounts.push(formatScaled(priced.amount10, AMOUNT_SCALE));
  }
  // Formatting dominates the fast path: reuse a string whenever the value has one already.
  const usageAmount = pieceAmounts.length === 1 ? (pieceAmounts[0] as string) : formatScaled(usage10, AMOUNT_SCALE);
  const connectFee10 = input.zeroUsage ? 0 : safe(rate.connectFee10);
  let subtotal10 = addScaled(usage10, connectFee10);
  let minimumApplied = false;
  if (!input.zeroUsage && rate.minimumCharge !== null && subtotal10 < safe(rate.minimumCharge10)) {
    subtotal10 = safe(rate.minimumCharge10);
    minimumApplied = true;
  }
  let maxExceeded = false;
  let capped = false;
  if (rate.maxCharge !== null && subtotal10 > safe(rate.maxCharge.amount10)) {
    maxExceeded = true;
    if (rate.maxCharge.action === 'cap') {
      subtotal10 = safe(rate.maxCharge.amount10);
      capped = true;
    }
  }
  const discountAmounts: string[] = [];
  for (const discount of input.discounts) {
    let amount10 = 0;
    if (subtotal10 > 0) {
      const value = safe(discount.valueScaled);
      amount10 = discount.kind === 'percentage' ? mulDivRound(subtotal10, value, 100 * pow10(discount.valueScale), 'half-even') : value;
      if (amount10 > subtotal10) amount10 = subtotal10;
    }
    subtotal10 -= amount10;
    discountAmounts.push(formatScaled(amount10, AMOUNT_SCALE));
  }
  const rounded = divRound(subtotal10, pow10(AMOUNT_SCALE - input.decimals), input.roundingMethod);
  return {
    pieceAmounts,
    billedQuantity,
    quantityIncrements,
    connectFee: formatScaled(connectFee10, AMOUNT_SCALE),
    usageAmount,
    minimumApplied,
    maxExceeded,
    capped,
    discountAmounts,
    subtotal: subtotal10 === usage10 ? usageAmount : formatScaled(subtotal10, AMOUNT_SCALE),
    amount: formatScaledFixed(rounded, input.decimals),
  };
}

/** The reference engine's output computed in scaled integers, or null when that is not exact. */
export function priceFast(input: PricingInput): PricingOutput | null {
  try {
    return compute(input);
  } catch (error) {
    if (error instanceof ScaledOverflow) return null;
    throw error;
  }
}
