// What a pricing model sees of a period: the usage events of one charge in usage-time order (so
// "the first N units / events" means the same thing however the records arrived), and what it returns.
import type { Money } from '../../money';
import type { PeriodCharge } from '../plan-schema';

export interface ChargeEvent {
  readonly recordId: string;
  /** In the charge's unit. */
  readonly quantity: Money;
}

export interface ChargeUsage {
  /** Sorted by usage start, then record id. */
  readonly events: readonly ChargeEvent[];
  readonly total: Money;
}

export interface ChargeDetail {
  readonly label: string;
  readonly quantity: string | null;
  /** Unit price, percentage or package price, as the label says. */
  readonly rate: string | null;
  /** Exact, before the line is rounded. */
  readonly amount: string;
}

export interface ModelPrice {
  /** Exact; the period line rounds it once. */
  readonly amount: Money;
  readonly details: ChargeDetail[];
}

export type ChargeOf<M extends PeriodCharge['model']> = Extract<PeriodCharge, { model: M }>;
