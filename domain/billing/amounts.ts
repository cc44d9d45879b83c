// Formatting of exact amounts that are not rounded (wallet balances, unbilled totals): they keep as
// many decimals as the most precise operand, so 12.00 - 10.00 reads "2.00" and 12.00 - 0.0001 reads
// "11.9999". No rounding happens: the result of adding or subtracting never has more decimals.
import { decimalsOf, formatFixed, type Money } from '../money';

/** `value` written with the largest number of decimals among `operands` (decimal strings). */
export function formatAtOperandScale(value: Money, ...operands: readonly string[]): string {
  const scale = Math.max(0, ...operands.map(decimalsOf), value.decimalPlaces());
  return formatFixed(value, scale);
}
