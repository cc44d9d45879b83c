// The one place an amount is rounded for billing (DESIGN.md invariant 3). Rated amounts and ledger
// postings keep their exact digits; an invoice rounds each line's exact sum once, here, and its total
// is the exact sum of the rounded lines (never rounded again).
import { formatFixed, roundMoney, type Money, type RoundingMethod } from '../money';

export interface InvoiceRounding {
  /** Decimal places of the currency's minor unit (2 for EUR, 0 for JPY). */
  readonly decimals: number;
  readonly method: RoundingMethod;
}

/** Two decimals, half-even (banker's): ties neither favour the customer nor us on average. */
export const DEFAULT_INVOICE_ROUNDING: InvoiceRounding = { decimals: 2, method: 'half-even' };

/** Rounds an exact line amount to the invoice's decimals with its method; the only billing rounding. */
export function roundInvoiceAmount(exact: Money, rounding: InvoiceRounding): Money {
  return roundMoney(exact, rounding.decimals, rounding.method);
}

/** An already rounded amount as text with exactly the invoice's decimals ("105.00"). */
export function formatInvoiceAmount(rounded: Money, rounding: InvoiceRounding): string {
  return formatFixed(rounded, rounding.decimals);
}
