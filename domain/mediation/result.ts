// What running the gates over one record returns. Plain JSON: a final status, the quarantine reason
// or flagged codes, what each phase found, and a per-phase trace stamped with `processedAt`.
import type { DeferredRating, RatedRecord } from '../rating/index';
import type { Candidate } from './identify';
import type { Ownership } from './ownership';

export const PHASES = ['categorise', 'check', 'identify', 'bucket', 'rate', 'deduplicate', 'assignOwner'] as const;
export type PhaseName = (typeof PHASES)[number];

/** Reasons the gates themselves raise; custom error rules add their own codes. */
export const GATE_REASONS = [
  'UNIDENTIFIED', 'AMBIGUOUS_SERVICE', 'NO_PERIOD', 'NO_PLAN', 'NO_RATE', 'INVALID_RATE', 'INVALID_RECORD', 'DUPLICATE',
] as const;
export type GateReason = (typeof GATE_REASONS)[number];

export interface PhaseTrace {
  phase: PhaseName;
  /** The processing instant passed in (the same for every phase of one run). */
  at: string;
  outcome: 'passed' | 'failed' | 'flagged' | 'skipped';
  /** Failed: the reason code; flagged: the codes joined by ","; categorise: the category. */
  code?: string;
  detail?: string;
}

export interface MediationResult {
  recordId: string;
  status: 'COMPLETED' | 'QUARANTINED';
  /** Quarantine reason: a GateReason or a custom rule's code; null when COMPLETED. */
  reason: string | null;
  message: string | null;
  /** Codes of flag-and-continue rules that matched, in rule order. */
  flags: string[];
  category: string;
  serviceId: string | null;
  subscriptionId: string | null;
  accountId: string | null;
  period: { readonly startAt: string; readonly endAt: string } | null;
  /** Rated or deferred to a period charge; null when the rate phase did not run. */
  rating: RatedRecord | DeferredRating | null;
  /** The feed's duplicate key of this record; the caller records it when the record is accepted. */
  duplicateKey: string;
  ownership: Ownership | null;
  /** UNIDENTIFIED only: the likely service (inactive, end-dated...) for the quarantine view. */
  candidate: Candidate | null;
  trace: PhaseTrace[];
}

/** Keys of records already accepted (COMPLETED) for the feed's duplicate scope. */
export interface AcceptedKeys {
  has(key: string): boolean;
}

/** A rated record a prepaid wallet cannot cover: quarantined as INSUFFICIENT_FUNDS, rating kept. */
export function insufficientFunds(result: MediationResult, message: string): MediationResult {
  return { ...result, status: 'QUARANTINED', reason: 'INSUFFICIENT_FUNDS', message };
}
