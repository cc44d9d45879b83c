// The contract between the shared rating steps (selection, splitting, increments) and the two money
// engines: the decimal.js reference and the compiled scaled-integer fast path. Both read a
// PricingInput and must return the same PricingOutput, digit for digit (proved by property tests).
import type { RoundingMethod } from '../money';
import type { CompiledDiscount, CompiledRate } from './compile';
import type { TimePiece } from './pieces';
import type { UnitInfo } from './units';

export interface QuantityUsage {
  /** Decimal string in `unit`. */
  readonly value: string;
  readonly unit: UnitInfo;
  /** `value` as an integer at `scale` decimals (its own), or null when that is not a safe integer. */
  readonly scaled: number | null;
  readonly scale: number;
}

export interface PricingInput {
  readonly startRate: CompiledRate;
  /** Time-based usage: the pieces; null for quantity-based usage. */
  readonly pieces: readonly TimePiece[] | null;
  readonly quantity: QuantityUsage | null;
  /** Zero duration or quantity: costs nothing, no connect fee, no minimum. */
  readonly zeroUsage: boolean;
  /** Record-level discounts that apply to this record, percentages first. */
  readonly discounts: readonly CompiledDiscount[];
  readonly decimals: number;
  readonly roundingMethod: RoundingMethod;
}

export interface PricingOutput {
  /** One amount per time piece, or one for the quantity piece. */
  readonly pieceAmounts: string[];
  readonly billedQuantity: string | null;
  readonly quantityIncrements: number | null;
  readonly connectFee: string;
  readonly usageAmount: string;
  readonly minimumApplied: boolean;
  readonly maxExceeded: boolean;
  readonly capped: boolean;
  readonly discountAmounts: string[];
  readonly subtotal: string;
  /** Rounded, with exactly `decimals` places. */
  readonly amount: string;
}
