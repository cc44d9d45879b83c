// What rating a record returns: a rated amount with a trace that explains every digit, a deferral to
// the period charge that prices the usage type, or a failure with a reason code. Never a silent zero.
// Plain JSON: amounts are decimal strings, durations are numbers of seconds.
import type { RoundingMethod } from '../money';
import type { PlanRef, RateRef } from './compile';
import type { PricingModel } from './plan-schema';
import type { PreratedSchema } from './records';
import type { ZoneMatch } from './zones';

export type RatingFailureReason = 'NO_PLAN' | 'NO_RATE' | 'INVALID_RATE' | 'INVALID_RECORD';

export interface RatingFailure {
  status: 'failed';
  recordId: string;
  reason: RatingFailureReason;
  message: string;
  asOf: string;
}

/** The usage type is priced at period close by a charge model (graduated, quota, ...), not per record. */
export interface DeferredRating {
  status: 'deferred';
  recordId: string;
  usageType: string;
  currency: string;
  plan: PlanRef;
  chargeId: string;
  model: PricingModel;
  asOf: string;
}

export type RatingFlag =
  | 'ZERO_USAGE'
  | 'MINIMUM_CHARGE'
  | 'MAX_CHARGE_CAPPED'
  | 'MAX_CHARGE_EXCEEDED'
  | 'PRERATED'
  | 'DISCOUNTED';

export interface TimeTracePiece {
  kind: 'time';
  rate: RateRef;
  /** Seconds from the start of the usage to the start of this piece. */
  offsetSeconds: number;
  durationSeconds: number;
  incrementSeconds: number;
  increments: number;
  billedSeconds: number;
  unitPrice: string;
  amount: string;
}

export interface QuantityTracePiece {
  kind: 'quantity';
  rate: RateRef;
  /** As reported, in the record's unit. */
  quantity: string;
  unit: string;
  /** In the rate's unit, after rounding up to whole increments. */
  billedQuantity: string;
  increment: string | null;
  increments: number | null;
  unitPrice: string;
  amount: string;
}

export type TracePiece = TimeTracePiece | QuantityTracePiece;

export interface RateChoice {
  rate: RateRef;
  /** Zone of the destination at the rate's level (null when the level's rates ignore zones). */
  zone: ZoneMatch | null;
  /** The window that put the rate in force, and when (local time) it opened. */
  window: { name: string; weight: number; openedAt: string; openedPreviousDay: boolean } | null;
}

export interface TraceDiscount {
  id: string;
  kind: 'percentage' | 'fixed';
  value: string;
  amount: string;
}

export interface PartyPrice {
  party: string;
  amount: string;
}

export interface PreratedTrace {
  schema: PreratedSchema;
  suppliedAmount: string;
  tier: number | null;
  parties: PartyPrice[];
}

export interface RatingTrace {
  asOf: string;
  timeZone: string;
  /** The plan chain searched, child first; the rate's level indexes it. */
  plans: readonly PlanRef[];
  start: string;
  /** The rate in force at the start of the usage and why; null for pre-rated records. */
  rate: RateChoice | null;
  pieces: TracePiece[];
  /** Charged once, from the rate at the start; "0" for zero usage. */
  connectFee: string;
  /** Sum of the piece amounts. */
  usageAmount: string;
  /** The minimum charge when it raised the amount. */
  minimumCharge: string | null;
  maxCharge: { amount: string; action: 'cap' | 'flag'; exceeded: boolean } | null;
  discounts: TraceDiscount[];
  prerated: PreratedTrace | null;
  /** Amount before the final rounding. */
  subtotal: string;
  rounding: { method: RoundingMethod; decimals: number; before: string; after: string };
}

export interface RatedRecord {
  status: 'rated';
  recordId: string;
  currency: string;
  /** The charge for the record, rounded once with the plan's method and decimals. */
  amount: string;
  usageType: string;
  /** The measured usage: seconds for time-based rates, else the record's quantity and unit. */
  quantity: string;
  unit: string;
  flags: RatingFlag[];
  /** Pre-rated records with a markup chain: the first party's price, and price minus cost. */
  cost?: string;
  margin?: string;
  trace: RatingTrace;
}

export type RatingResult = RatedRecord | DeferredRating | RatingFailure;
